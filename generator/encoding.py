"""Bytes of an article file -> text, whatever encoding the clipping tool used."""

from __future__ import annotations

import codecs
import re
from typing import Any

from .errors import ContentError, warning

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # (what a URL holds as it is, besides letters and digits)

def decode(path: str, raw: bytes) -> tuple[str | None, list[ContentError]]:
    """UTF-8 (with or without BOM) and UTF-16 with BOM decode silently; anything else is
    read as Windows-1252 with a warning, and binary files are an error naming the file.
    Control characters are taken out, with a warning (`printable`)."""
    text, problems = _decoded(path, raw)
    if text is None:
        return None, problems
    text, removed = printable(path, text)
    return text, problems + removed


CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
BREAKS = re.compile("[\x0b\x0c]")  # vertical tab and form feed: clipped page breaks
EITHER = re.compile(f"{CONTROLS.pattern}|{BREAKS.pattern}")


def printable(path: str, text: str) -> tuple[str, list[ContentError]]:
    """The text without the control characters a clipping tool or terminal left in it
    (ESC, bell, NUL past the first 8 KB...): no page can show them and a feed that
    carries one is not XML, so readers drop the whole feed. Page breaks become spaces."""
    found = EITHER.search(text)
    if found is None:
        return text, []
    line = text.count("\n", 0, found.start()) + 1
    text = CONTROLS.sub("", BREAKS.sub(" ", text))  # (a space: every line keeps its number)
    return text, [warning(path, line, f"control character U+{ord(found.group()):04X} removed "
                          "(and any others in the file)",
                          "save the file without them; a web page or feed cannot carry them")]


def without_controls(text: str) -> str:
    """`printable`'s cleaning, for a value decoded from front matter or a data file, whose
    escapes ("\\x01", "\\u0000") the file's own text did not show as control characters."""
    return CONTROLS.sub("", BREAKS.sub(" ", text)) if EITHER.search(text) else text


def one_line(value: Any) -> str:
    """A front-matter value as one line of text: runs of spaces and line ends made one
    space, control characters taken out (`without_controls`)."""
    return " ".join(without_controls(str(value)).split()) if value is not None else ""


def has_controls(value: Any) -> bool:
    """Whether a decoded value (text, or lists and mappings of it) holds a control character."""
    if isinstance(value, str):
        return EITHER.search(value) is not None
    if isinstance(value, dict):
        return any(has_controls(k) or has_controls(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_controls(item) for item in value)
    return False


def escaped_controls(path: str, line: int | None, key: str) -> ContentError:
    return warning(path, line, f"'{key}': control character removed (written as an escape)",
                   "write the value without escapes such as \\x01 or \\u0000; a web page "
                   "or feed cannot carry them")


def _decoded(path: str, raw: bytes) -> tuple[str | None, list[ContentError]]:
    for bom, codec in BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), []
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:8192]:
        return None, [ContentError(path, None, "this is a binary file, not an article",
                                   "move it out of content/ or save it as text")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        text = raw.decode("cp1252", errors="replace")
        return text, [warning(path, line, "not valid UTF-8; read as Windows-1252 (Latin-1)",
                              "save the file as UTF-8")]
