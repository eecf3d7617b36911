"""The benchmark is too slow for the suite, but a small run of it is not: this keeps
bench/run.py working as the CLI and the corpus generator change under it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import median, parse_timings  # noqa: E402


def test_smoke_run_prints_a_dateline_row_with_pages(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "200",
                           "--no-peers", "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split() for line in done.stdout.splitlines()]
    dateline = [row for row in rows if row[:2] == ["dateline", "200"]]
    assert dateline, done.stdout
    assert int(dateline[0][5]) > 0  # pages
    assert "Commands:" in done.stdout
    served = [row for row in rows if row[:3] == ["serve:", "one", "edited"]]
    assert served and float(served[0][4]) > 0, done.stdout  # (wall s)
    stages = [row for row in rows if row[:2] == ["Dateline", "stages,"]]
    assert stages and "parse" in stages[0], done.stdout  # from `build --timings`


def test_parse_timings_reads_the_last_table():
    stderr = "a warning\nstage    seconds\nparse      1.5\nmerge     0.25\nsearch  2.0\n"
    assert parse_timings(stderr) == {"parse": 1.5, "merge": 0.25, "search": 2.0}


def test_median_takes_each_figure_median():
    from run import Run

    runs = [Run("dateline", 10, wall, wall / 2, 100, 5, timings={"parse": wall})
            for wall in (3.0, 1.0, 2.0)]
    middle = median(runs)
    assert (middle.wall, middle.cpu, middle.timings["parse"]) == (2.0, 1.0, 2.0)


def test_memory_and_floor_scripts_run_on_a_small_site(tmp_path):
    """bench/memory.py (the figures docs/architecture.md quotes) and bench/floor.py (the
    stack's floor row) on the golden site: each compact form smaller than the plain one."""
    content = ROOT / "tests" / "fixtures" / "golden" / "site" / "content"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "memory.py"), str(content)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    sizes = {line.rsplit(None, 1)[0].strip(): int(line.rsplit(None, 1)[1].replace(",", ""))
             for line in done.stdout.splitlines()[1:]}
    assert sizes["models.Body (zlib)"] < sizes["text and HTML as str"]
    assert sizes["evidence packed"] < sizes["evidence as entities.Features"]
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "floor.py"), str(content),
                           str(tmp_path / "floor")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(list((tmp_path / "floor").rglob("*.html"))) == len(list(content.rglob("*.md")))
