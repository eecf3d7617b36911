"""Digests of article files, read again only when the file's status says it changed.

A rebuild used to read and hash every article to find the one an author edited (a third
of a second at 10,000 articles). As git's index does, the digest is kept with the file's
status (device, inode, size, modification and change times, in nanoseconds): while the
status is the same, so is the file. The change time cannot be set by hand (`touch -d`
and `cp -p` set the other one), and an editor that saves by replacing the file makes a
new inode. A file whose times are within `SETTLED_NS` of the build's start is hashed
again next time as well: a second write within the same clock tick as the first could
leave its status unchanged (git calls these entries "racy").
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

from .discover import status_of
from .store import PROTOCOL, Store

SETTLED_NS = 2_000_000_000  # files changed this close to the build's start: hashed again
ENTRY = "00000000-digests"  # the store's one entry (path -> (status, digest)); hex first


class FileDigests:
    """sha256 of files' bytes, taken from the last build while their status is the same."""

    def __init__(self, store: Store):
        self.store = store
        self.started = time.time_ns()
        self.old: dict[str, tuple[tuple, bytes]] = _entries(store.get(ENTRY))
        self.new: dict[str, tuple[tuple, bytes]] = {}

    def of(self, path: Path, listed: tuple[int, ...] | None = None) -> bytes | None:
        """The digest of the file's bytes; None when it cannot be read (the parse reports
        that). `listed`: its status as the build just read it (discover.status_of)."""
        name = os.path.abspath(path)
        try:
            status = listed or status_of(os.stat(name))
            known = self.new.get(name) or self.old.get(name)  # (asked twice: after parsing)
            if isinstance(known, tuple) and len(known) == 2 and known[0] == status:
                found = known[1]
            else:
                with open(name, "rb") as file:
                    found = hashlib.sha256(file.read()).digest()
        except OSError:
            return None
        if max(status[3], status[4]) < self.started - SETTLED_NS:
            self.new[name] = status, found
        return found

    def save(self) -> None:
        """Keeps what this build saw for the next one (only if it differs)."""
        if self.new != self.old:
            self.store.put(ENTRY, pickle.dumps(self.new, PROTOCOL))
        self.old = self.new


def _entries(data: bytes | None) -> dict[str, tuple[tuple, bytes]]:
    """The last build's entries; nothing when missing, unreadable or of another shape."""
    try:
        found = pickle.loads(data) if data else {}
    except Exception:  # a broken entry: everything is hashed again
        return {}
    return found if isinstance(found, dict) else {}
