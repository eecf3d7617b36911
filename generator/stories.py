"""Each story folder's _index.md -> the story's title and description."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

from .discover import SourceFile
from .encoding import decode, escaped_controls, has_controls, one_line
from .errors import ContentError, warning
from .frontmatter import Split, split
from .markup import render_article
from .timeline import StoryInfo


def read_stories(indexes: Iterable[SourceFile], trusted: bool = False
                 ) -> tuple[list[StoryInfo], list[ContentError]]:
    """Story metadata; a story folder without _index.md is titled from its folder name.
    The index's body (what the story covers, how it was sourced, a disclaimer) is shown
    on the story's page, rendered by the articles' rules (`trusted`: raw HTML allowed);
    without a `description`, its first paragraph describes the story elsewhere."""
    stories, problems = [], []
    for index in indexes:
        text, trouble = decode(index.rel, index.path.read_bytes())
        problems.extend(trouble)
        if text is None:
            continue
        try:
            parts = split(index.rel, text.lstrip("\ufeff").replace("\r\n", "\n")
                          .replace("\r", "\n"))  # (line ends as articles' are read)
        except ContentError as problem:
            problems.append(problem)
            continue
        fields, trouble = _fields(index.rel, parts)
        problems.extend(trouble)
        title = fields.get("title") or index.story.replace("-", " ").capitalize()
        description = fields.get("description", "")
        about_html, about_text, media = render_article(parts.body, trusted, index.rel,
                                                      parts.body_line) \
            if parts.body.strip() else ("", "", ())
        stories.append(StoryInfo(index.story, title,
                                 description or about_text.split("\n\n")[0], about_html,
                                 index.rel, media))
    return stories, problems


STORY_FIELDS = ("title", "description")


def _fields(rel: str, parts: Split) -> tuple[dict[str, str], list[ContentError]]:
    """The index's title and description as text, checked as an article's fields are: a
    list or mapping where text belongs is an error (it was shown as "['Storm', 'desk']"),
    an unknown key a warning, an escaped control character removed with one."""
    fields, problems = {}, []
    for key, value in parts.fields.items():
        line = parts.key_lines.get(str(key))
        if key not in STORY_FIELDS:
            close = get_close_matches(str(key), STORY_FIELDS, n=1)
            problems.append(warning(rel, line, f"unknown key '{key}' in a story's _index.md "
                                    "is ignored", f"did you mean '{close[0]}'?" if close
                                    else "a story's _index.md takes title and description"))
        elif isinstance(value, dict | list | tuple):
            problems.append(ContentError(rel, line, f"'{key}': expected text, not a list or "
                                         "mapping", f"write {key}: and the text on one line"))
        else:
            if has_controls(value):
                problems.append(escaped_controls(rel, line, str(key)))
            fields[key] = one_line(value)
    return fields, problems
