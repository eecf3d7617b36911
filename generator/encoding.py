"""Bytes of an article file -> text, whatever encoding the clipping tool used."""

from __future__ import annotations

import codecs

from .errors import ContentError, warning

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


def decode(path: str, raw: bytes) -> tuple[str | None, list[ContentError]]:
    """UTF-8 (with or without BOM) and UTF-16 with BOM decode silently; anything else is
    read as Windows-1252 with a warning, and binary files are an error naming the file."""
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
