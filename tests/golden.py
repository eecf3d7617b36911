"""Regenerates the golden output of tests/fixtures/golden: `make golden`.

Run it after an intended change to the output, then review `git diff` of expected/.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from generator.build import build
from generator.config import load_config

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
SITE = GOLDEN / "site"
EXPECTED = GOLDEN / "expected"


def build_golden(output: Path) -> None:
    """Builds the golden fixture site into `output` (search off: its index is binary)."""
    build(load_config(SITE / "content", output=output, search=False), cache=False)


def main() -> int:
    if EXPECTED.exists():
        shutil.rmtree(EXPECTED)
    build_golden(EXPECTED)
    print(f"Regenerated {EXPECTED.relative_to(Path.cwd())}; review it with git diff.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
