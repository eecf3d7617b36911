"""Article bodies to safe HTML and to plain text, from one markdown-it parse.

Article text is untrusted: raw HTML is escaped and only http(s), mailto and relative
links survive unless the site declares its content trusted.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import mdTrim
from markdown_it.rules_core import StateCore
from markdown_it.rules_core import block as block_rule
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from .media import local_target, marked_link, skipped

SAFE_SCHEME = re.compile(r"^(?:https?:|mailto:|#|/|\./|\.\./|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
# Addresses markdown-it's normalizeLink returns unchanged (checked on 29k random ones).
_PLAIN_URL = re.compile(r"https?://[a-z0-9][a-z0-9.-]*/[A-Za-z0-9._~/-]*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def safe_link(url: str) -> bool:
    """Allows web, mail and relative links; refuses javascript:, vbscript:, data: and the like."""
    cleaned = _CONTROL.sub("", html.unescape(url))
    return bool(SAFE_SCHEME.match(cleaned))


def _normalize_link(url: str) -> str:
    """markdown-it's normalizeLink parses and re-encodes every link (~20 µs, a twentieth
    of a whole article's parse); a plain web address comes back as it was, so at once."""
    return url if _PLAIN_URL.fullmatch(url) else normalizeLink(url)


@lru_cache(maxsize=2)
def _markdown(trusted: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": trusted, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # render_markdown normalises line endings and NULs with str.replace, far cheaper than
    # this rule's two regex passes; without "html" the html rules only ever say no.
    md.disable("normalize")
    md.core.ruler.at("block", _blocks)
    md.core.ruler.at("inline", _inlines)
    md.normalizeLink = _normalize_link
    if not trusted:
        md.disable(["html_block", "html_inline"])
        md.validateLink = safe_link
    return md


def _blocks(state: StateCore) -> None:
    """markdown-it's "block" rule, with a shortcut for the common body: paragraphs whose
    every line starts with a letter or an opening quote or bracket. No other block rule
    can take such a line, nor end a paragraph at one, so markdown-it would make exactly
    these tokens, after trying a dozen rules per paragraph (a third of all its work)."""
    lines = state.src.split("\n")
    if state.inlineMode or not all(not line or line[0].isalpha() or line[0] in _OPENERS
                                   for line in lines):
        block_rule(state)
        return
    start = None
    for number, line in enumerate([*lines, ""]):
        if line and start is None:
            start = number
        elif not line and start is not None:
            content = mdTrim("\n".join(lines[start:number]))
            state.tokens += (
                Token("paragraph_open", "p", 1, map=[start, number], block=True),
                Token("inline", "", 0, map=[start, number], level=1, content=content,
                      children=[], block=True),
                Token("paragraph_close", "p", -1, block=True))
            start = None


_OPENERS = "\"'“‘(«„"


def _inlines(state: StateCore) -> None:
    """markdown-it's "inline" rule, with a shortcut for text holding none of the characters
    that can start inline syntax (its text rule's terminators, newline among them), which
    markdown-it would turn into this one text token after a full inline parse."""
    inline = state.md.inline
    syntax = getattr(inline, "terminator_re", None)
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if syntax is not None and token.content and not syntax.search(token.content):
                token.children.append(Token("text", "", 0, content=token.content))
            else:
                inline.parse(token.content, state.md, state.env, token.children)


def render_markdown(source: str, trusted: bool = False) -> tuple[str, str]:
    """Returns (html, plain text) of a Markdown body."""
    html_text, text, _ = render_article(source, trusted)
    return html_text, text


def render_article(source: str, trusted: bool = False, path: str | None = None,
                   first_line: int = 1) -> tuple[str, str, tuple[tuple[str, int | None], ...]]:
    """(html, plain text, media files linked) of an article's Markdown body. With the
    article's `path`, links and images naming a media file beside it point where that
    file is published (media.py), and the files are listed with the file line of their
    first link (the body starting on `first_line`), so the build can say which are
    missing, and where."""
    md = _markdown(trusted)
    if "\r" in source:  # what markdown-it's "normalize" rule does, in the same order
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in source:
        source = source.replace("\0", "\ufffd")
    tokens = md.parse(source)
    linked = _link_media(tokens, path, first_line) if path is not None and "]" in source \
        else ()
    return md.renderer.render(tokens, md.options, {}), plain_text(tokens), linked


def _link_media(tokens: list[Token], path: str, first_line: int
                ) -> tuple[tuple[str, int | None], ...]:
    """Each local file the body links to, with the file line of its first link: found
    in the paragraph's source (counting its parsed text's line breaks missed a break
    inside a code span, which markdown-it reads as a space)."""
    linked: dict[str, int | None] = {}
    for token in tokens:
        start = first_line + token.map[0] if token.map else None
        source, seen = token.content or "", 0
        for child in token.children or ():
            attribute = "src" if child.type == "image" else "href" if \
                child.type == "link_open" else None
            url = child.attrGet(attribute) if attribute else None
            found = local_target(str(url), path) if url else None
            if found:
                target, rest = found
                if not skipped(target):  # (left as written: it names nothing published)
                    child.attrSet(attribute, marked_link(target, rest))
                at = source.find(str(url), seen)
                seen = at + 1 if at >= 0 else seen
                line = None if start is None else start + source.count("\n", 0, max(at, seen))
                linked.setdefault(target, line)
    return tuple(linked.items())


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
