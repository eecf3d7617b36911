"""Writes the site into a temporary folder beside the output and swaps it in on success.

A failed or interrupted build leaves the previous site exactly as it was, and a folder
that is not a previous Dateline output is never replaced (so `--output ~` is refused).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

MARKER = ".dateline-site"


class OutputError(Exception):
    """The output folder cannot be used, or two outputs claim one path."""


class SiteWriter:
    """Collects outputs into a staging folder; `commit()` swaps it in, `discard()` drops it."""

    def __init__(self, output: Path):
        self.output = output
        check_output(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp",
                                             dir=output.parent))
        self.owners: dict[str, str] = {}

    def write(self, rel: str, data: bytes, owner: str = "") -> None:
        """Writes one output; a second write to one path is an error naming both owners."""
        target = self._safe_target(rel)
        if rel in self.owners:
            raise OutputError(f"two outputs map to {rel}: {self.owners[rel]} and "
                              f"{owner or 'another page'}")
        self.owners[rel] = owner or rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def write_all(self, outputs: Iterable[tuple[str, bytes]], owner: str = "") -> None:
        for rel, data in outputs:
            self.write(rel, data, owner)

    def _safe_target(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not rel:
            raise OutputError(f"refusing to write outside the output folder: {rel!r}")
        return self.staging.joinpath(*pure.parts)

    def commit(self) -> int:
        """Swaps the staged site in place of the old one; returns the number of files."""
        (self.staging / MARKER).write_text("Built by Dateline. This folder is replaced "
                                           "on every build.\n", encoding="utf-8")
        os.chmod(self.staging, 0o755)
        check_output(self.output)
        retired = None
        if self.output.exists():
            retired = self.output.with_name(f".{self.output.name}.old-{os.getpid()}")
            self.output.rename(retired)
        self.staging.rename(self.output)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
        return len(self.owners)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def check_output(output: Path) -> None:
    """Refuses an output folder that holds anything but a previous Dateline build."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise OutputError(f"{output} is not a folder; choose another --output")
    if output.is_dir() and not (output / MARKER).exists() and any(output.iterdir()):
        raise OutputError(f"{output} is not empty and was not built by Dateline; refusing "
                          "to replace it (choose an empty or new folder for --output)")
