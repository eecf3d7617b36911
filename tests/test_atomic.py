"""Atomic output and determinism (issue 8), tested the way they fail: in real processes.

A build killed midway (SIGKILL, Ctrl-C, SIGTERM) must leave the previous site byte for
byte, and the next build must sweep away what the dead one left. The same content must
give the same bytes whatever the hash seed, the machine's time zone or the order in
which the file system lists files.
"""

from __future__ import annotations

import os
import random
import signal
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import discover as discover_module
from generator import write as write_module
from generator.cli import main
from generator.dates import reference_day
from generator.parse import implausible_dates, parse_article
from generator.write import MARKER, OutputError, SiteWriter, sweep_stale

from .conftest import FIXTURES, REPO

BIG = 600  # enough that rendering lasts well over the 10 ms the test polls at
NO_SEARCH = "search = false\n"  # Pagefind's index is not byte-stable (generator/search.py)


def write_corpus(content: Path, count: int, start: int = 0) -> None:
    """Small articles that share no words, so each is its own event."""
    rng = random.Random(start)
    content.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(8))
                 for _ in range(30)]
        day = f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}"
        (content / f"a{number:05d}.md").write_text(
            f"---\ntitle: {' '.join(words[:5]).capitalize()}\ndate: {day}\nsource: Outlet "
            f"{number % 5}\n---\n{' '.join(words)}.\n", encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_in_process(site: Path, output: Path, *options: str) -> None:
    result = CliRunner().invoke(main, ["build", "--content", str(site / "content"),
                                       "--output", str(output), "--quiet", *options])
    assert result.exit_code == 0, result.output


def dateline(site: Path, output: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--content", str(site / "content"),
         "--output", str(output), "--quiet"],
        cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


def wait_for_staging(process: subprocess.Popen, output: Path, files: int = 50) -> None:
    """Blocks until the build is writing pages into its staging folder."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for staging in output.parent.glob(f".{output.name}.{process.pid}.*.tmp"):
            try:
                if sum(1 for _ in staging.rglob("*.html")) >= files:
                    return
            except FileNotFoundError:
                pass
        time.sleep(0.01)
    raise AssertionError("the build never started writing")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM],
                         ids=["SIGKILL", "SIGINT", "SIGTERM"])
def test_build_killed_midway_leaves_the_previous_site(tmp_path, signum):
    site, output = tmp_path / "site", tmp_path / "site" / "public"
    write_corpus(site / "content", 10)
    (site / "site.toml").write_text(NO_SEARCH, encoding="utf-8")
    build_in_process(site, output)
    before = snapshot(output)
    write_corpus(site / "content", BIG, start=10)

    process = dateline(site, output)
    wait_for_staging(process, output)
    process.send_signal(signum)
    process.wait(timeout=60)

    after = snapshot(output)
    if after != before:  # the signal came late, once every page was written: all new
        complete = tmp_path / "complete"
        build_in_process(site, complete, "--no-cache")
        assert after == snapshot(complete), "the output is the old site or the new one"
    elif signum == signal.SIGKILL:
        assert leftovers(output), "a killed build cannot clean up; the next one must"
    else:
        assert leftovers(output) == [], "Ctrl-C and SIGTERM discard the staging folder"
    for number in range(10, 10 + BIG):
        (site / "content" / f"a{number:05d}.md").unlink()  # keep the next build small
    build_in_process(site, output)
    assert leftovers(output) == []
    assert (output / MARKER).is_file()


def test_ctrl_c_while_a_rebuild_patches_the_output_waits_until_it_is_done(tmp_path,
                                                                         monkeypatch):
    """Stopped halfway, a patch would leave some files old and some new: the signal is
    held until every staged file is in place, then raised."""
    output = tmp_path / "public"
    output.mkdir()
    (output / MARKER).write_text("", encoding="utf-8")
    for name in ("a", "b", "gone"):
        (output / f"{name}.html").write_text("old", encoding="utf-8")
    writer = SiteWriter(output, patch=True)
    for name in ("a", "b", "c"):
        writer.write(f"{name}.html", b"new")
    real_replace, calls = os.replace, []

    def replace_then_interrupt(source, target):
        calls.append(target)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while two files are still staged
        real_replace(source, target)

    monkeypatch.setattr(write_module.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        writer.commit()
    assert len(calls) == 4  # the three pages and the marker
    assert {p.name: p.read_text(encoding="utf-8") for p in output.glob("*.html")} == {
        "a.html": "new", "b.html": "new", "c.html": "new"}


def test_next_build_sweeps_only_dead_builds_leftovers(tmp_path):
    output = tmp_path / "public"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as alive:
        (tmp_path / f".public.{dead}.abcd1234.tmp" / "events").mkdir(parents=True)
        (tmp_path / f".public.{alive.pid}.efgh5678.tmp").mkdir()
        (tmp_path / ".public.notours").mkdir()
        swept = sweep_stale(output)
        alive.kill()
    assert [p.name for p in swept] == [f".public.{dead}.abcd1234.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".public.{alive.pid}.efgh5678.tmp", ".public.notours"]


def test_old_site_retired_by_a_dead_build_is_put_back(tmp_path):
    output = tmp_path / "public"
    retired = tmp_path / ".public.old-999999999"
    retired.mkdir()
    (retired / MARKER).write_text("", encoding="utf-8")
    (retired / "index.html").write_text("old", encoding="utf-8")
    sweep_stale(output)
    assert (output / "index.html").read_text(encoding="utf-8") == "old"
    assert not retired.exists()


def test_keyboard_interrupt_while_writing_discards_the_staging_folder(tmp_path):
    output = tmp_path / "public"
    writer = SiteWriter(output)
    with pytest.raises(KeyboardInterrupt):
        try:
            writer.write("index.html", b"x")
            raise KeyboardInterrupt
        except BaseException:
            writer.discard()
            raise
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make", ["home", "file", "symlink"])
def test_output_that_is_not_a_dateline_site_is_refused(tmp_path, make):
    target = tmp_path / "target"
    if make == "home":
        (target / "Documents").mkdir(parents=True)
        (target / ".bashrc").write_text("export PATH", encoding="utf-8")
    elif make == "file":
        target.write_text("notes", encoding="utf-8")
    else:
        (tmp_path / "real").mkdir()
        (tmp_path / "real" / MARKER).write_text("", encoding="utf-8")
        target.symlink_to(tmp_path / "real")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(OutputError):
        SiteWriter(target)
    write_corpus(tmp_path / "content", 1)
    result = CliRunner().invoke(main, ["build", "--content", str(tmp_path / "content"),
                                       "--output", str(target)])
    assert result.exit_code == 1
    assert sorted(str(p) for p in tmp_path.rglob("*") if "content" not in p.parts) == before


TZ_ARTICLES = {
    "edge.md": "---\ntitle: Vote closes at midnight\ndate: 2024-12-31T23:30:00-10:00\n"
               "source: Island Post\n---\nThe polls closed late on Tuesday.\n",
    "naive.md": "---\ntitle: Ferry timetable published\ndate: 2024-12-31T23:30:00\n"
                "source: Coastwire\n---\nThe operator published it yesterday.\n",
    "east.md": "---\ntitle: New year fireworks cancelled\ndate: 2025-01-01T00:15:00+14:00\n"
               "source: Kiritimati Times\n---\nThe fireworks were cancelled today.\n",
}


@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory) -> Path:
    """The golden fixture's content plus datetimes at the edges of the day."""
    import shutil

    site = tmp_path_factory.mktemp("determinism")
    shutil.copytree(FIXTURES / "golden" / "site" / "content", site / "content")
    for name, text in TZ_ARTICLES.items():
        (site / "content" / name).write_text(text, encoding="utf-8")
    (site / "site.toml").write_text(NO_SEARCH, encoding="utf-8")
    return site


def built_with(site: Path, output: Path, **env: str) -> dict[str, bytes]:
    process = dateline(site, output, **env)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    return snapshot(output)


def test_same_bytes_whatever_hash_seed_or_time_zone(mixed_site, tmp_path):
    reference = built_with(mixed_site, tmp_path / "a", PYTHONHASHSEED="1",
                           TZ="Pacific/Kiritimati")
    assert built_with(mixed_site, tmp_path / "b", PYTHONHASHSEED="2",
                      TZ="Pacific/Kiritimati") == reference
    assert built_with(mixed_site, tmp_path / "c", PYTHONHASHSEED="1",
                      TZ="America/Adak") == reference
    assert b'"published": "2025-01-01"' in reference["events.json"]  # 23:30 at -10 = UTC


def test_same_bytes_whatever_the_file_system_listing_order(mixed_site, tmp_path, monkeypatch):
    build_in_process(mixed_site, tmp_path / "sorted")
    real_walk = os.walk

    def reversed_walk(top, *args, **kwargs):
        for folder, dirs, files in real_walk(top, *args, **kwargs):
            dirs.reverse()
            files.reverse()
            yield folder, dirs, files

    monkeypatch.setattr(discover_module.os, "walk", reversed_walk)
    build_in_process(mixed_site, tmp_path / "reversed")
    assert snapshot(tmp_path / "reversed") == snapshot(tmp_path / "sorted")


def test_the_one_clock_judgement_follows_source_date_epoch(monkeypatch):
    text = "---\ntitle: T\ndate: 2030-06-01\nsource: X\n---\nBody.\n"
    article, problems = parse_article("a.md", text)
    assert not problems
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.mktime((2030, 1, 1, 0, 0, 0, 0, 0,
                                                                  -1)))))
    assert not implausible_dates(article, reference_day())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # November 2023
    [problem] = implausible_dates(article, reference_day())
    assert "more than a year in the future" in problem.message
    assert (problem.path, problem.line) == ("a.md", 3)  # (the front matter's date line)
