"""sitemap.xml and robots.txt.

The sitemap protocol requires absolute URLs, so without a base_url there is no sitemap
(and robots.txt names none). Past 50,000 URLs, the protocol's limit per file, sitemap.xml
becomes a sitemap index over sitemap-<n>.xml files. Dates come from content, never the
clock, so builds stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

from .config import Config
from .encoding import URL_SAFE
from .feeds import updated
from .timeline import Page

MAX_URLS = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
SKIPPED = ("404.html", "search/index.html")


def sitemap_files(pages: Sequence[Page], config: Config) -> list[tuple[str, bytes]]:
    """(path, bytes) of the sitemap file(s); none without a base_url."""
    if not config.base_url:
        return []
    base = ascii_url(config.base_url.rstrip("/") + "/")
    entries = [_entry(base, page, config) for page in pages if page.path not in SKIPPED]
    if len(entries) <= MAX_URLS:
        return [("sitemap.xml", _urlset(entries))]
    parts = [entries[i:i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)]
    files = [(f"sitemap-{n}.xml", _urlset(part)) for n, part in enumerate(parts, 1)]
    index = "".join(f"<sitemap><loc>{escape(base + name)}</loc></sitemap>\n"
                    for name, _ in files)
    document = f'<sitemapindex xmlns="{NAMESPACE}">\n{index}</sitemapindex>\n'
    return [*files, ("sitemap.xml", _xml(document))]


def robots_txt(config: Config) -> bytes:
    """Allows everything; names the sitemap when there is one."""
    lines = ["User-agent: *", "Allow: /"]
    if config.base_url:
        lines.append(f"Sitemap: {ascii_url(config.base_url.rstrip('/'))}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode("utf-8")


def ascii_url(url: str) -> str:
    """The site's address as RFC 3986 wants it in a sitemap: a host outside ASCII in IDNA
    ("bücher.example" as "xn--bcher-kva.example"), the rest percent-encoded, and else
    as written (`base_url` is checked to have a scheme and a host: config.py)."""
    start = url.index("//") + 2
    end = start + len(urlsplit(url).netloc)
    host = url[start:end]
    if not host.isascii():
        name, colon, port = host.rpartition(":") if "]" not in host else (host, "", "")
        name, port = (name, port) if colon and port.isdigit() else (host, "")
        try:
            host = name.encode("idna").decode("ascii") + (f":{port}" if port else "")
        except UnicodeError:  # (a name IDNA refuses: percent-encoded like the path)
            host = quote(host, safe=":")
    return url[:start] + host + quote(url[end:], safe=URL_SAFE)


def _entry(base: str, page: Page, config: Config) -> str:
    loc = base + page.path.removesuffix("index.html")
    event = page.context.get("event")
    day = updated(event, config.zone).astimezone(config.zone).date() if event else None
    lastmod = f"<lastmod>{day.isoformat()}</lastmod>" if day else ""
    return f"<url><loc>{escape(loc)}</loc>{lastmod}</url>\n"


def _urlset(entries: Sequence[str]) -> bytes:
    return _xml(f'<urlset xmlns="{NAMESPACE}">\n{"".join(entries)}</urlset>\n')


def _xml(document: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + document).encode("utf-8")
