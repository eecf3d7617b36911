"""Bytes set aside in an unnamed temporary file until they are asked for again.

What a build produces long before it needs it (each article's merge evidence, new cache
entries) would otherwise sit in memory: hundreds of megabytes at 100,000 articles. The
file is created in the given folder (the site's, so not on a RAM-backed /tmp), or in the
system's temporary folder when that one is read-only; on Linux it has no name at all.
A file that cannot be written (a full disk) only costs memory: what follows is kept in
memory instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

Where = tuple[int, int]  # (offset, length) in the file; a negative offset: in memory


class SpillFile:
    def __init__(self, folder: Path | None = None):
        self.file: IO[bytes] | None = _temporary(folder)
        self.end = 0
        self.full = False  # a write failed: later entries stay in memory
        self.memory: list[bytes] = []

    def put(self, data: bytes) -> Where:
        if not self.full:
            try:
                self.file.seek(self.end)
                self.file.write(data)
                self.file.flush()  # (so a full disk shows here, not at a later read)
                where, self.end = (self.end, len(data)), self.end + len(data)
                return where
            except OSError:
                self.full = True  # (what was written before stays readable)
        self.memory.append(data)
        return -len(self.memory), len(data)

    def get(self, where: Where) -> bytes:
        offset, length = where
        if offset < 0:
            return self.memory[-offset - 1]
        self.file.seek(offset)
        return self.file.read(length)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self.memory = []

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _temporary(folder: Path | None) -> IO[bytes]:
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return tempfile.TemporaryFile(dir=folder)
        except OSError:  # a read-only site folder
            pass
    return tempfile.TemporaryFile()
