"""Each story folder's _index.md -> the story's title and description."""

from __future__ import annotations

from collections.abc import Iterable

from .discover import SourceFile
from .encoding import decode
from .errors import ContentError
from .frontmatter import split
from .markup import render_markdown
from .timeline import StoryInfo


def read_stories(indexes: Iterable[SourceFile]) -> tuple[list[StoryInfo], list[ContentError]]:
    """Story metadata; a story folder without _index.md is titled from its folder name."""
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
        if not description and parts.body.strip():
            description = render_markdown(parts.body)[1].split("\n\n")[0]
        stories.append(StoryInfo(index.story, title, description))
    return stories, problems
