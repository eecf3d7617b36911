"""Article bodies to safe HTML and to plain text, from one markdown-it parse.

Article text is untrusted: raw HTML is escaped and only http(s), mailto and relative
links survive unless the site declares its content trusted.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

SAFE_SCHEME = re.compile(r"^(?:https?:|mailto:|#|/|\./|\.\./|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def safe_link(url: str) -> bool:
    """Allows web, mail and relative links; refuses javascript:, vbscript:, data: and the like."""
    cleaned = _CONTROL.sub("", html.unescape(url))
    return bool(SAFE_SCHEME.match(cleaned))


@lru_cache(maxsize=2)
def _markdown(trusted: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": trusted, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # render_markdown normalises line endings and NULs with str.replace, far cheaper than
    # this rule's two regex passes; without "html" the html rules only ever say no.
    md.disable("normalize")
    if not trusted:
        md.disable(["html_block", "html_inline"])
        md.validateLink = safe_link
    return md


def render_markdown(source: str, trusted: bool = False) -> tuple[str, str]:
    """Returns (html, plain text) of a Markdown body."""
    md = _markdown(trusted)
    if "\r" in source:  # what markdown-it's "normalize" rule does, in the same order
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in source:
        source = source.replace("\0", "\ufffd")
    tokens = md.parse(source)
    return md.renderer.render(tokens, md.options, {}), plain_text(tokens)


def plain_text(tokens: list[Token]) -> str:
    """The words of a parsed document, one block a paragraph, for merging and comparing."""
    blocks: list[str] = []
    for token in tokens:
        if token.type == "inline":
            words = "".join([child.content if child.type in _WORDS else
                             " " if child.type in _BREAKS else ""
                             for child in token.children or ()]).strip()
            if words:
                blocks.append(words)
        elif token.type in ("code_block", "fence") and token.content.strip():
            blocks.append(token.content.strip())
    return "\n\n".join(blocks)


_WORDS = ("text", "code_inline")
_BREAKS = ("softbreak", "hardbreak")


def render_plain(source: str) -> tuple[str, str]:
    """A plain-text body (wire copy, a translation): blank lines separate paragraphs."""
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(source) if p.strip()]
    markup = "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paragraphs)
    return markup, "\n\n".join(paragraphs)
