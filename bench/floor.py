"""The floor for this stack: a bare markdown-it-py + jinja2 loop over the corpus.

    python bench/floor.py CONTENT OUTPUT [--jobs 2]

Reads every `*.md` file, splits off its front matter, renders the body with markdown-it
and one small jinja2 page template, and writes one HTML file per article, in `--jobs`
processes. No merging, comparing, dating, feeds or lists: what any Python generator on
markdown-it-py and jinja2 must at least spend, to set Dateline's and Hugo's figures
against (issue 7's table has this row).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

PAGE = jinja2.Template(
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ title }}</title>"
    "</head><body><main><h1>{{ title }}</h1>{{ body }}</main></body></html>\n")
MARKDOWN = MarkdownIt("commonmark")


def render(job: tuple[Path, Path]) -> None:
    source, target = job
    text = source.read_text(encoding="utf-8")
    title, body = source.stem, text
    if text.startswith("---\n"):
        front, _, body = text[4:].partition("\n---\n")
        for line in front.splitlines():
            if line.startswith("title:"):
                title = line[6:].strip().strip('"')
    target.write_text(PAGE.render(title=title, body=MARKDOWN.render(body)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    sources = sorted(args.content.rglob("*.md"))
    jobs = []
    for source in sources:
        target = args.output / source.relative_to(args.content).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        jobs.append((source, target))
    with multiprocessing.Pool(args.jobs) as pool:
        pool.map(render, jobs, chunksize=200)
    return 0


if __name__ == "__main__":
    sys.exit(main())
