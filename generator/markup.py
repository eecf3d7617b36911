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


def safe_link(url: str) -> bool:
    """Allows web, mail and relative links; refuses javascript:, vbscript:, data: and the like."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    return bool(SAFE_SCHEME.match(cleaned))


@lru_cache(maxsize=2)
def _markdown(trusted: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": trusted, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    if not trusted:
        md.validateLink = safe_link
    return md


def render_markdown(source: str, trusted: bool = False) -> tuple[str, str]:
    """Returns (html, plain text) of a Markdown body."""
    md = _markdown(trusted)
    tokens = md.parse(source)
    return md.renderer.render(tokens, md.options, {}), plain_text(tokens)


def plain_text(tokens: list[Token]) -> str:
    """The words of a parsed document, one block a paragraph, for merging and comparing."""
    blocks: list[str] = []
    for token in tokens:
        if token.type == "inline":
            words = "".join(_inline_text(child) for child in token.children or [])
            if words.strip():
                blocks.append(words.strip())
        elif token.type in ("code_block", "fence") and token.content.strip():
            blocks.append(token.content.strip())
    return "\n\n".join(blocks)


def _inline_text(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return ""


def render_plain(source: str) -> tuple[str, str]:
    """A plain-text body (wire copy, a translation): blank lines separate paragraphs."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", source) if p.strip()]
    markup = "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paragraphs)
    return markup, "\n\n".join(paragraphs)
