"""Search: Pagefind indexes the staged site into pagefind/ at the end of a build.

Pagefind (PyPI `pagefind[bin]`) ships its binary inside the wheel. Only event pages carry
`data-pagefind-body`, so only events are indexed; `data-pagefind-filter` on their story
and outlet links gives the search page its filters. The index is written into the staging
folder, before the atomic swap, so a failed indexing leaves the old site in place.

Pagefind writes a filter's values in hash-map order, which changes from run to run
(Pagefind/pagefind#638), and the index's file names follow. So that rebuilding unchanged
content gives a byte-identical site, the previous index is reused when the pages it was
made from are unchanged: a digest of every HTML page is kept in pagefind/INPUT_DIGEST.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from .write import OutputError

OUTPUT_SUBDIR = "pagefind"
INPUT_DIGEST = "dateline-input.sha256"


class SearchError(OutputError):
    """Pagefind is missing or failed; the build stops (reported like an output problem)."""


def index_site(folder: Path, previous: Path | None = None) -> int:
    """Indexes the HTML under `folder` into folder/pagefind/; returns the files written.

    `previous` is the site being replaced: its index is copied when still current.
    """
    executable = _executable()
    digest = input_digest(folder, executable)
    target = folder / OUTPUT_SUBDIR
    old = previous / OUTPUT_SUBDIR if previous else None
    if old and (old / INPUT_DIGEST).is_file() and \
            (old / INPUT_DIGEST).read_text(encoding="ascii").strip() == digest:
        shutil.copytree(old, target)
    else:
        _run(executable, folder)
        (target / INPUT_DIGEST).write_text(digest + "\n", encoding="ascii")
    return sum(1 for p in target.rglob("*") if p.is_file())


def input_digest(folder: Path, executable: Path) -> str:
    """SHA-256 over every HTML page (path and bytes) and the Pagefind binary's size."""
    digest = hashlib.sha256(f"pagefind {executable.stat().st_size}\n".encode())
    for page in sorted(folder.rglob("*.html")):
        rel = page.relative_to(folder).as_posix()
        if not rel.startswith(OUTPUT_SUBDIR + "/"):
            digest.update(rel.encode() + b"\0" + page.read_bytes() + b"\0")
    return digest.hexdigest()


def _run(executable: Path, folder: Path) -> None:
    command = [str(executable), "--site", str(folder), "--output-subdir", OUTPUT_SUBDIR,
               "--silent"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SearchError(f"pagefind failed ({done.returncode}): "
                          f"{(done.stderr or done.stdout).strip()[-2000:]}")


def _executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise SearchError("search needs the pagefind[bin] package (pip install "
                          "'pagefind[bin]'), or build with --no-search") from exc
    return get_executable()
