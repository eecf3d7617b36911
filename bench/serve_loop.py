"""Rebuilds in one long-running process, as `dateline serve` makes them, timed.

    python bench/serve_loop.py SITE OUTPUT [--article REL]

`serve` builds again on every change as `serve.BuildState` does: in its own process,
with the parsed articles of its last build kept in memory (cache.Recall) and the
interpreter and its imports already loaded, or for a site too large to keep them, in a
process forked for each build; it hands the memory a build left back to the system after
each (untimed: serve does it while the browser reloads). This builds SITE/content into
OUTPUT twice (not timed: the first build forked, the second fills the recall), then
times a rebuild with nothing changed and one after each of bench/run.py's EDITS (each
made to the original article, rebuilt untimed before it, as run.py does), printing one
JSON line per rebuild: its name, wall seconds, CPU seconds (this process and the workers
it waited for) and the build's stage timings. REL defaults to the article run.py edits.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import EDITS  # noqa: E402

from generator.config import load_config  # noqa: E402
from generator.serve import BuildState, hand_back_memory  # noqa: E402


def cpu_seconds() -> float:
    own, workers = (resource.getrusage(who) for who in
                    (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--article", help="the article to edit, relative to SITE")
    args = parser.parse_args(argv)
    config = load_config(args.site / "content", output=args.output, search=False)
    state = BuildState()
    target = args.site / args.article if args.article else edited_article(args.site)
    original = target.read_bytes()

    def rebuild(name: str | None = None) -> None:
        wall, cpu = time.perf_counter(), cpu_seconds()
        outcome = state.rebuild(config, echo=lambda said: None)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        if outcome.errors:
            raise SystemExit(outcome.said)
        stages = outcome.timings
        hand_back_memory()  # (serve does this after the browser is told: not timed)
        if name:  # (stages as `build --timings` prints them: "other" makes up the total)
            timings = {**stages, "other": max(0.0, wall - sum(stages.values())), "total": wall}
            print(json.dumps({"name": name, "wall": wall, "cpu": cpu, "timings": timings}),
                  flush=True)

    try:
        rebuild()  # (forked: serve does not know the site's size yet)
        rebuild()  # (the first in serve's own process for a site it keeps: it reads the cache)
        rebuild("no change")
        for attempt, (name, edit) in enumerate(EDITS.items()):
            target.write_bytes(original)
            rebuild()
            target.write_bytes(original + edit.format(f"serve {attempt}").encode())
            rebuild(name)
    finally:
        target.write_bytes(original)
    rebuild()  # (output and cache as the unedited articles make them, as run.py leaves them)
    return 0


def edited_article(site: Path) -> Path:
    """The article bench/run.py edits: the middle one in path order."""
    articles = sorted((site / "content").rglob("*.md"))
    return articles[len(articles) // 2]


if __name__ == "__main__":
    sys.exit(main())
