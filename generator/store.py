"""Named entries (key -> bytes) kept between builds in a few shard files.

The cache's storage: shards read when first needed, rewritten atomically (temporary
file, then rename) only when they gained entries, keeping only the entries this build
used; anything unreadable, corrupt or foreign counts as empty, so a broken cache is
only ever a miss.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from .spill import SpillFile, Where

MAGIC = b"dateline-cache-1"
PROTOCOL = 5


class Store:
    """Named entries (key -> bytes) in a few shard files, each read when first needed and
    rewritten atomically, keeping only this build's entries, when it changed.

    New entries wait in an unnamed temporary file, not in memory, until their shard is
    written: a first build of 100,000 articles makes 600 MB of them. A shard whose entries
    were all read can be let go (`forget`); saving it reads its file again."""

    def __init__(self, folder: Path | None, name: str, shards: int = 1):
        self.folder, self.name, self.count = folder, name, shards
        self.shards: dict[int, dict[str, bytes]] = {}
        self.used: dict[int, set[str]] = {}
        self.dirty: set[int] = set()
        self.new: dict[str, Where] = {}  # key -> where the entry waits in the spill
        self.spill: SpillFile | None = None

    def get(self, key: str) -> bytes | None:
        if key in self.new:
            return self._unspill(key)
        number = self.number(key)
        found = self._shard(number).get(key)
        if found is not None:
            self.used.setdefault(number, set()).add(key)
        return found

    def keep(self, key: str) -> None:
        """Counts the entry as used, unread (its value is known from elsewhere): a
        rewritten shard still keeps it."""
        self.used.setdefault(self.number(key), set()).add(key)

    def put(self, key: str, data: bytes) -> None:
        number = self.number(key)
        if self.spill is None:
            self.spill = SpillFile(self.folder)
        self.new[key] = self.spill.put(data)
        self.used.setdefault(number, set()).add(key)
        self.dirty.add(number)

    def forget(self, number: int) -> None:
        """Lets a shard's entries go; what this build used of them is still kept."""
        self.shards.pop(number, None)

    def save(self) -> None:
        for number in sorted(self.dirty) if self.folder else ():
            used = self.used.get(number, set())
            old = self.shards.pop(number, None)
            if old is None:  # (let go earlier: read again only for entries it still keeps)
                old = {} if used <= self.new.keys() else _read(self._path(number))
            kept = {k: v for k, v in old.items() if k in used and k not in self.new}
            del old
            kept.update((k, self._unspill(k)) for k in sorted(used) if k in self.new)
            _write_atomic(self._path(number), pickle.dumps((MAGIC, kept), PROTOCOL))
        self.dirty.clear()
        self.close()

    def close(self) -> None:
        """Lets the unsaved new entries go (a build that failed, or after `save`)."""
        self.new.clear()
        if self.spill is not None:
            self.spill.close()
            self.spill = None

    def release(self) -> None:
        """Writes what changed and lets the entries go: the parsed articles' bytes are
        hundreds of megabytes at archive scale and are not read again in this build."""
        self.save()
        self.shards.clear()
        self.used.clear()

    def files(self) -> tuple:
        """Which shard files there are, each as (name, device, inode, size, modification
        time): any rewrite, removal or new folder shows as a change."""
        if not self.folder:
            return ()
        try:
            found = sorted(self.folder.glob(f"{self.name}-*.pickle"))
            return tuple((f.name, *_identity(f)) for f in found)
        except OSError:
            return ()

    def number(self, key: str) -> int:
        return int(key[:8], 16) % self.count


    def _unspill(self, key: str) -> bytes:
        return self.spill.get(self.new[key])

    def _path(self, number: int) -> Path:
        return self.folder / f"{self.name}-{number:02d}.pickle"

    def _shard(self, number: int) -> dict[str, bytes]:
        if number not in self.shards:
            self.shards[number] = _read(self._path(number)) if self.folder else {}
        return self.shards[number]


def _identity(path: Path) -> tuple[int, int, int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def _read(path: Path) -> dict[str, bytes]:
    """A shard's entries; anything unreadable, corrupt or foreign counts as empty."""
    try:
        magic, entries = pickle.loads(path.read_bytes())
    except Exception:  # a broken cache is only ever a miss
        return {}
    ok = magic == MAGIC and isinstance(entries, dict)
    return entries if ok else {}


def _write_atomic(path: Path, data: bytes) -> None:
    """Temporary file and rename: a reader sees the old shard or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
