"""Converts a make_corpus.py content folder into a Hugo site and a Pelican site.

The peers get the same articles with the same metadata and a plain blog theme (a page
per article, paginated lists), so the comparison with Dateline is like for like: only
the front matter is renamed where a peer gives a key its own meaning. Converted sites
are cached beside the corpus, because converting 100k files takes a while too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Dateline benchmark"
paginate = 50
disableKinds = ["taxonomy", "term"]
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1>"
    "<p>{{ .Date.Format \"2006-01-02\" }} · {{ .Params.source }}</p>{{ .Content }}"
    "</article>{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>"
    "{{ range (.Paginate .Pages).Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}"
    "</a> {{ .Date.Format \"2006-01-02\" }}</li>{{ end }}</ul>{{ end }}\n",
    "index.html": "{{ define \"main\" }}<h1>{{ .Site.Title }}</h1>"
    "{{ range (.Paginate .Site.RegularPages).Pages }}<article><h2><a href=\""
    "{{ .RelPermalink }}\">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}"
    "{{ end }}\n",
}
PELICAN_CONFIG = """AUTHOR = "Dateline benchmark"
SITENAME = "Dateline benchmark"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 50
SLUGIFY_SOURCE = "basename"
"""
PELICAN_PACKAGES = ["pelican", "markdown"]


def split_front_matter(text: str) -> tuple[dict, str]:
    """The corpus's YAML front matter and body; the corpus always writes both."""
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def hugo_site(content: Path, site: Path) -> Path:
    """A Hugo site of the corpus: same front matter, but `url` (a Hugo permalink override)
    becomes `source_url`, or Hugo would write every page at the outlet's path."""
    if (site / ".complete").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    for rel, layout in HUGO_LAYOUTS.items():
        _write(site / "layouts" / rel, layout)
    _write(site / "config.toml", HUGO_CONFIG)
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8").replace("\nurl: ", "\nsource_url: ", 1)
        _write(site / "content" / path.relative_to(content), text)
    (site / ".complete").touch()
    return site


def pelican_site(content: Path, site: Path) -> Path:
    """A Pelican site of the corpus: YAML front matter becomes Pelican's `Key: value`
    metadata; slugs come from file names, since rewrites share their headlines."""
    if (site / ".complete").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    _write(site / "pelicanconf.py", PELICAN_CONFIG)
    for path in sorted(content.rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        head = (f"Title: {meta['title']}\nDate: {meta['date']}\nAuthor: {meta['source']}\n"
                f"Source_url: {meta['url']}\n\n")
        _write(site / "content" / path.relative_to(content), head + body)
    (site / ".complete").touch()
    return site


def hugo_command(site: Path, out: Path) -> list[str] | None:
    """Hugo's build command, or None when Hugo is not installed."""
    hugo = shutil.which("hugo")
    return [hugo, "--quiet", "-s", str(site), "-d", str(out)] if hugo else None


def pelican_command(venv: Path, out: Path) -> list[str] | None:
    """Pelican's build command (run in the site folder), installing Pelican into its own
    venv on first use so it never touches the project's; None if that fails."""
    pelican = venv / "bin" / "pelican"
    if not pelican.exists() and not _install(venv, PELICAN_PACKAGES):
        return None
    return [str(pelican), "content", "-o", str(out), "-s", "pelicanconf.py", "-q"]


def _install(venv: Path, packages: list[str]) -> bool:
    print(f"Installing {' '.join(packages)} into {venv} ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *packages],
                       check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"Could not install {packages}: {exc}", file=sys.stderr)
        return False
    return True


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


__all__ = ["hugo_command", "hugo_site", "pelican_command", "pelican_site"]
