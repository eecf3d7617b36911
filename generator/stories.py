"""Each story folder's _index.md -> the story's title and description."""

from __future__ import annotations

from collections.abc import Iterable

from .discover import SourceFile
from .encoding import decode
from .errors import ContentError
from .frontmatter import split
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
            parts = split(index.rel, text.replace("\r\n", "\n"))
        except ContentError as problem:
            problems.append(problem)
            continue
        fields = parts.fields
        title = str(fields.get("title") or index.story.replace("-", " ").capitalize())
        description = str(fields.get("description") or "")
        about_html, about_text, media = render_article(parts.body, trusted, index.rel) \
            if parts.body.strip() else ("", "", ())
        stories.append(StoryInfo(index.story, title,
                                 description or about_text.split("\n\n")[0], about_html,
                                 index.rel, media))
    return stories, problems
