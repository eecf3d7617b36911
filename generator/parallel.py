"""Order-preserving parallel map over chunks of work, for the per-article stages.

Small sites stay in one process (a pool costs more than it saves); large ones use one
worker per core with chunks big enough that no article pays a process round trip.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 400  # items; below this a single process is faster


def workers() -> int:
    """Cores this process may use (respects CPU affinity and DATELINE_JOBS)."""
    if os.environ.get("DATELINE_JOBS"):
        return max(1, int(os.environ["DATELINE_JOBS"]))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_chunks(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """Applies `function` to chunks of `items` and concatenates the results in order."""
    count = workers()
    if count == 1 or len(items) < PARALLEL_FROM:
        return function(items)
    chunks = _chunks(items, count * 4)
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(count) as pool:
        return [result for part in pool.map(function, chunks) for result in part]


def _chunks(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    size = max(1, -(-len(items) // parts))
    return [items[start:start + size] for start in range(0, len(items), size)]

