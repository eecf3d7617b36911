"""Where a build reaches its peak memory: one build, in this process, sampled.

    python bench/peak_memory.py SITE [--output DIR] [--every 0.05] [--top 20]

Builds SITE (its content/ into its site/ or DIR, search off, with the cache, as `dateline build`
does) while a thread reads the process's resident memory every `--every` seconds with the
main thread's stack. Prints the stage timings, the peak and the stack at the peak, and the
highest memory seen at each innermost generator line: the figures in docs/performance.md
("Stop 19") come from it. The parse, compare and render workers are separate processes
and are not counted; the main process is the build's peak (bench/run.py measures the
whole process tree's, which is the same figure within the sampling).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.build import build  # noqa: E402
from generator.config import load_config  # noqa: E402


def resident_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def generator_stack(thread_id: int) -> list[str]:
    frame = sys._current_frames().get(thread_id)
    stack = traceback.extract_stack(frame) if frame is not None else []
    return [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack
            if "generator" in Path(f.filename).parts]


class Sampler(threading.Thread):
    """Resident memory and the main thread's generator stack, every `every` seconds."""

    def __init__(self, every: float):
        super().__init__(daemon=True)
        self.every, self.main = every, threading.main_thread().ident
        self.samples: list[tuple[float, int, list[str]]] = []
        self.done = threading.Event()
        self.start_time = time.perf_counter()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.perf_counter() - self.start_time, resident_mb(),
                                 generator_stack(self.main)))
            self.done.wait(self.every)


def report(sampler: Sampler, top: int) -> None:
    at, peak, stack = max(sampler.samples, key=lambda s: s[1])
    print(f"peak {peak} MB at {at:.1f} s, in:")
    for line in stack:
        print(f"    {line}")
    highest: dict[str, tuple[int, float]] = {}
    for when, mb, where in sampler.samples:
        line = where[-1] if where else "(outside the generator)"
        if mb > highest.get(line, (0, 0.0))[0]:
            highest[line] = (mb, when)
    print("highest memory in each stretch of 5 seconds (where it was):")
    stretches: dict[int, tuple[int, float, str]] = {}
    for when, mb, where in sampler.samples:
        if mb > stretches.get(int(when // 5), (0,))[0]:
            stretches[int(when // 5)] = (mb, when, " < ".join(reversed(where[-3:])))
    for _, (mb, when, where) in sorted(stretches.items()):
        print(f"  {mb:6d} MB {when:7.1f} s  {where}")
    print("highest memory by innermost generator line:")
    for line, (mb, when) in sorted(highest.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"  {mb:6d} MB {when:7.1f} s  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a folder holding content/")
    parser.add_argument("--output", type=Path, help="the output folder (SITE/site)")
    parser.add_argument("--every", type=float, default=0.05, help="seconds between samples")
    parser.add_argument("--top", type=int, default=20, help="lines of the by-line table")
    args = parser.parse_args()
    config = load_config(args.site / "content", output=args.output or args.site / "site",
                         search=False)
    sampler = Sampler(args.every)
    sampler.start()
    result = build(config)
    sampler.done.set()
    sampler.join()
    timings = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.timings.items())
    print(f"built in {time.perf_counter() - sampler.start_time:.1f} s ({timings})")
    report(sampler, args.top)


if __name__ == "__main__":
    main()
