"""Safe path names from untrusted titles, outlets and keys.

Every output path is built from these slugs, so nothing a file says can point a write
outside the output folder: the alphabet is [a-z0-9-] and unicode is transliterated.
"""

from __future__ import annotations

import hashlib

from slugify import slugify


def slug(text: str, max_length: int = 60, fallback: str = "item") -> str:
    """A lowercase ASCII slug; text with no letters at all gets a stable hash-based slug."""
    made = slugify(text or "", max_length=max_length, word_boundary=True, save_order=True)
    if made:
        return made
    digest = hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:8]
    return f"{fallback}-{digest}"
