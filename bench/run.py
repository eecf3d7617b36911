"""Benchmarks Dateline against Hugo and Pelican on bench/make_corpus.py's archive.

    python bench/run.py [--sizes 1000,10000,100000] [--no-peers] [--search] [--repeat 3]

Every build is a real process started the way a user starts it, so the figures include
interpreter start-up, worker processes and writing files. Wall time is measured around
the process; CPU time and peak RSS come from os.wait4, which reports the process
together with every child it waited for (Dateline's workers, Pagefind). Figures drift
on a shared machine: compare ratios measured in one run, not runs from different days.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
from make_corpus import write_corpus  # noqa: E402

# Two edits of one article: a sentence of words few articles have (a light edit: one
# row's weights change) and one of everyday news words, whose document frequencies move
# and reweigh every article that uses them (thousands at 10k).
EDITS = {
    "one edited": "\nA later update added one sentence to this report (edit {}).\n",
    "common words": "\nThe council met again on Tuesday, officials said, and the minister "
                    "promised a statement ({}).\n",
}


@dataclass
class Run:
    tool: str
    n: int
    wall: float
    cpu: float
    rss_kb: int
    pages: int
    status: str = "ok"  # or "exit N", "timeout"
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Bench:
    """What one invocation measures; commands are kept so the report can print them."""

    work: Path
    seed: int
    repeat: int
    timeout: float
    commands: list[str] = field(default_factory=list)

    def measure(self, tool: str, n: int, command: list[str], cwd: Path, out: Path,
                before=None) -> Run:
        """Median of `repeat` runs; `before` resets state (e.g. a clean output) each time."""
        self._note(command, cwd)
        runs = []
        for attempt in range(self.repeat):
            if before:
                before(attempt)
            runs.append(measure_once(tool, n, command, cwd, out, self.timeout))
            if runs[-1].status != "ok":
                return runs[-1]
        return median(runs)

    def _note(self, command: list[str], cwd: Path) -> None:
        line = f"(cd {shlex.quote(str(cwd))} && {shlex.join(command)})"
        if line not in self.commands:
            self.commands.append(line)


def measure_once(tool: str, n: int, command: list[str], cwd: Path, out: Path,
                 timeout: float) -> Run:
    """One process: wall clock around it, its and its waited-for children's rusage."""
    killed = threading.Event()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        timer = threading.Timer(timeout, _kill_group, (proc.pid, killed))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    outcome = "timeout" if killed.is_set() else \
        "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
    if outcome != "ok":
        print(f"{tool} N={n}: {outcome}\n{stderr[-2000:]}", file=sys.stderr)
    return Run(tool, n, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
               count_pages(out), outcome, parse_timings(stderr))


def _kill_group(pid: int, killed: threading.Event) -> None:
    killed.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def median(runs: list[Run]) -> Run:
    """Each figure's median over the runs (pages and status are the same in every run)."""
    first = runs[0]
    stages = {k: statistics.median(r.timings.get(k, 0.0) for r in runs) for k in first.timings}
    return Run(first.tool, first.n, statistics.median(r.wall for r in runs),
               statistics.median(r.cpu for r in runs),
               int(statistics.median(r.rss_kb for r in runs)), first.pages, first.status,
               stages)


def count_pages(out: Path) -> int:
    return sum(1 for _, _, files in os.walk(out) for name in files if name.endswith(".html"))


def parse_timings(stderr: str) -> dict[str, float]:
    """The table `dateline build --timings` prints last on stderr: `stage  seconds`."""
    timings: dict[str, float] = {}
    for line in stderr.splitlines():
        parts = line.split()
        if parts == ["stage", "seconds"]:
            timings = {}
        elif len(parts) == 2:
            try:
                timings[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return timings


def corpus(bench: Bench, n: int) -> Path:
    """The site folder holding content/ for (n, seed), generated once and cached. The key
    includes make_corpus.py's hash, so a changed generator never reuses a stale corpus."""
    digest = hashlib.sha256((HERE / "make_corpus.py").read_bytes()).hexdigest()[:10]
    site = bench.work / "corpus" / f"n{n}-seed{bench.seed}-{digest}"
    bench._note([sys.executable, str(HERE / "make_corpus.py"), str(n),
                 str(site / "content"), "--seed", str(bench.seed)], Path.cwd())
    if not (site / ".complete").exists():
        shutil.rmtree(site, ignore_errors=True)
        print(f"Generating {n} articles in {site} ...", file=sys.stderr)
        write_corpus(n, site / "content", bench.seed)
        (site / ".complete").touch()
    return site


def dateline_command(site: Path, out: Path, search: bool = False) -> list[str]:
    script = Path(sys.executable).with_name("dateline")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "generator"]
    return [*base, "build", "--content", str(site / "content"), "--output", str(out),
            *([] if search else ["--no-search"]), "--quiet", "--timings"]


def clean(site: Path, out: Path) -> None:
    """No output and no incremental cache: what a first build or a CI checkout sees."""
    for folder in (out, site / ".dateline", site / "content" / ".dateline"):
        shutil.rmtree(folder, ignore_errors=True)


def dateline(bench: Bench, n: int, search: bool = False) -> Run:
    site = corpus(bench, n)
    out = bench.work / "out" / f"dateline-{n}{'-search' if search else ''}"
    tool = "dateline+search" if search else "dateline"
    return bench.measure(tool, n, dateline_command(site, out, search), site, out,
                         lambda _: clean(site, out))


def incremental(bench: Bench, n: int) -> list[Run]:
    """A rebuild with nothing changed, then one after each of the EDITS appended to one
    article; all over the output of a build of the unedited articles, as an author's next
    build is (each edit is made from the original file, rebuilt unmeasured before it)."""
    site = corpus(bench, n)
    out = bench.work / "out" / f"dateline-{n}"
    command = dateline_command(site, out)
    if not (out / "index.html").exists():
        bench.measure("dateline", n, command, site, out, lambda _: clean(site, out))
    runs = [bench.measure("no change", n, command, site, out)]
    target = sorted((site / "content").rglob("*.md"))[n // 2]
    original = target.read_bytes()
    def edited(edit: str) -> Callable[[int], None]:
        def before(attempt: int) -> None:
            target.write_bytes(original)
            subprocess.run(command, cwd=site, check=True, capture_output=True)
            target.write_bytes(original + edit.format(attempt).encode())
        return before

    try:
        for name, edit in EDITS.items():
            runs.append(bench.measure(name, n, command, site, out, edited(edit)))
    finally:
        target.write_bytes(original)
        subprocess.run(command, cwd=site, check=True, capture_output=True)
    return runs


def serve_runs(bench: Bench, n: int) -> list[Run]:
    """The same rebuilds made the way `dateline serve` makes them: in one process that
    stays up, keeping its last build's parsed articles (bench/serve_loop.py). Wall and
    CPU time are each rebuild's own, one run each whatever --repeat says; peak RSS is the
    whole process's, first build included."""
    site = corpus(bench, n)
    articles = sorted((site / "content").rglob("*.md"))
    command = [sys.executable, str(HERE / "serve_loop.py"), str(site),
               str(bench.work / "out" / f"dateline-{n}"),
               "--article", str(articles[n // 2].relative_to(site))]
    bench._note(command, Path.cwd())
    killed = threading.Event()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err,
                                start_new_session=True)
        timer = threading.Timer(bench.timeout, _kill_group, (proc.pid, killed))
        timer.start()
        with proc.stdout:
            out = proc.stdout.read().decode("utf-8")
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if killed.is_set() or proc.returncode != 0:
        outcome = "timeout" if killed.is_set() else f"exit {proc.returncode}"
        print(f"serve_loop.py N={n}: {outcome}\n{stderr[-2000:]}", file=sys.stderr)
        return [Run("serve", n, 0.0, 0.0, 0, 0, outcome)]
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [Run(f"serve: {row['name']}", n, row["wall"], row["cpu"], usage.ru_maxrss, 0,
                timings=row["timings"]) for row in rows]


def peer_runs(bench: Bench, n: int) -> list[Run]:
    """Hugo and Pelican on the same corpus, converted to their formats, and the floor for
    this stack (bench/floor.py: markdown-it-py and jinja2 alone, two processes)."""
    site = corpus(bench, n)
    runs = []
    hugo_site = peers.hugo_site(site / "content", site / "hugo")
    out = bench.work / "out" / f"hugo-{n}"
    command = peers.hugo_command(hugo_site, out)
    if command:
        runs.append(bench.measure("hugo", n, command, hugo_site, out,
                                  lambda _: shutil.rmtree(out, ignore_errors=True)))
    pelican_site = peers.pelican_site(site / "content", site / "pelican")
    out = bench.work / "out" / f"pelican-{n}"
    command = peers.pelican_command(bench.work / "peers-venv", out)
    if command:
        runs.append(bench.measure("pelican", n, command, pelican_site, out,
                                  lambda _: shutil.rmtree(out, ignore_errors=True)))
    out = bench.work / "out" / f"floor-{n}"
    command = [sys.executable, str(HERE / "floor.py"), str(site / "content"), str(out),
               "--jobs", "2"]
    runs.append(bench.measure("floor", n, command, site, out,
                              lambda _: shutil.rmtree(out, ignore_errors=True)))
    return runs


def print_report(runs: list[Run], extra: list[Run], commands: list[str], repeat: int) -> None:
    """The table, Dateline's stages, the incremental and growth figures, the commands."""
    hugo = {r.n: r for r in runs if r.tool == "hugo"}
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{os.cpu_count()} cores, load average {load} (1/5/15 min); "
          f"median of {repeat} run(s) per figure\n")
    print(f"{'tool':<20}{'N':>8}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'pages':>8}"
          f"{'s/1k art':>10}{'vs Hugo':>9}")
    for run in runs:
        print(_row(run, hugo.get(run.n)))
    _print_stages([r for r in runs if r.tool.startswith("dateline") and r.timings] +
                  [r for r in extra if r.timings])  # (the rebuilds' stages too)
    clean_runs = {r.n: r for r in runs if r.tool == "dateline"}
    if extra:
        print(f"\n{'rebuild':<20}{'N':>8}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}"
              f"{'of clean':>10}")
        for run in extra:
            base = clean_runs.get(run.n)
            share = f"{run.wall / base.wall:.2f}x" if base and base.wall else "-"
            print(f"{run.tool:<20}{run.n:>8}{_figures(run)}{share:>10}")
    _print_growth(list(clean_runs.values()))
    print("\nCommands:")
    print("\n".join(f"  {line}" for line in commands))


def _figures(run: Run) -> str:
    if run.status != "ok":
        return f"{run.status:>9}{'':>22}"
    return f"{run.wall:>9.2f}{run.cpu:>9.2f}{run.rss_kb / 1024:>13.0f}"


def _row(run: Run, hugo: Run | None) -> str:
    per_1k = f"{run.wall * 1000 / run.n:.2f}" if run.status == "ok" else "-"
    ratio = f"{run.wall / hugo.wall:.2f}" if hugo and hugo.status == "ok" else "-"
    return f"{run.tool:<20}{run.n:>8}{_figures(run)}{run.pages:>8}{per_1k:>10}{ratio:>9}"


def _print_stages(runs: list[Run]) -> None:
    stages = list(dict.fromkeys(k for r in runs for k in r.timings))
    if not runs:
        return
    print(f"\nDateline stages, s{'':<7}" + "".join(f"{s:>9}" for s in stages))
    for run in runs:
        cells = "".join(f"{run.timings[s]:>9.2f}" if s in run.timings else f"{'-':>9}"
                        for s in stages)
        print(f"{run.tool:<20}{run.n:>8}{cells}")


def _print_growth(runs: list[Run]) -> None:
    """Time per article between the two largest sizes (100k vs 10k in a full run)."""
    done = sorted((r for r in runs if r.status == "ok"), key=lambda r: r.n)
    if len(done) < 2:
        return
    small, large = done[-2], done[-1]
    growth = (large.wall / large.n) / (small.wall / small.n)
    print(f"\nGrowth: time per article at {large.n} is {growth:.2f}x that at {small.n}; "
          f"peak RSS at {large.n}: {large.rss_kb / 1024:.0f} MB")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        type=lambda s: sorted({int(x) for x in s.split(",")}))
    parser.add_argument("--peers", action=argparse.BooleanOptionalAction, default=True,
                        help="also build the peer-size corpus with Hugo and Pelican")
    parser.add_argument("--search", action="store_true",
                        help="also time a build with search indexing at the peer size")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per figure, median reported (3 for the issue's medians)")
    parser.add_argument("--at", type=int, default=10000, help="size for peers, search and "
                        "incremental figures (default 10000, or the largest size below it)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    parser.add_argument("--work", type=Path, default=HERE.parent / ".bench")
    return parser.parse_args(argv)


def reference_size(sizes: list[int], at: int) -> int:
    below = [n for n in sizes if n <= at]
    return max(below) if below else min(sizes)


def compile_package(bench: Bench) -> None:
    """Writes the package's bytecode before anything is timed, as `pip install` does:
    where PYTHONDONTWRITEBYTECODE is set (this machine sets it) every build would
    otherwise compile Dateline's own modules again, some 0.3 s that no installed copy
    pays."""
    command = [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "generator")]
    bench._note(command, HERE.parent)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / ".gitignore").write_text("*\n", encoding="utf-8")
    bench = Bench(args.work.resolve(), args.seed, max(1, args.repeat), args.timeout)
    at = reference_size(args.sizes, args.at)
    compile_package(bench)
    runs = [dateline(bench, n) for n in args.sizes]
    if args.peers:
        runs += peer_runs(bench, at)
    extra = incremental(bench, at) + serve_runs(bench, at)
    if args.search:
        extra.append(dateline(bench, at, search=True))
    print_report(runs, extra, bench.commands, args.repeat)
    failed = [r for r in runs + extra if r.status != "ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
