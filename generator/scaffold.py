"""`dateline new`: a new article file with front matter an author only has to complete."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from .slugs import slug


def new_article(content: Path, title: str, story: str = "", source: str = "", url: str = "",
                today: dt.date | None = None) -> Path:
    """Writes content/<story>/<date>-<slug>.md; refuses to overwrite an existing file."""
    day = today or dt.date.today()
    folder = story_index(content, story).parent if story else content
    path = folder / f"{day.isoformat()}-{slug(title, 60, 'article')}.md"
    fields = {"title": title, "date": day, "source": source, "url": url or None}
    if path.exists():
        raise FileExistsError(17, "File exists", str(path))
    if story and not folder.exists():
        _write_new(folder / "_index.md", {"title": story.strip()}, "")  # its intro: the text
    _write_new(path, fields, "")  # (no placeholder: the same text in every new file
    # made them all one event until they were written)
    return path


def story_index(content: Path, story: str) -> Path:
    """Where `new --story` keeps the story's title and description. A story folder it
    creates gets one, keeping the story's name as typed ("Élections européennes", which
    the folder's slug cannot)."""
    return content / slug(story, 60, "story") / "_index.md"


def _write_new(path: Path, fields: dict, body: str) -> None:
    front = yaml.safe_dump({k: v for k, v in fields.items() if v is not None},
                           sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fails if the file exists
        handle.write(f"---\n{front}---\n{body}")
