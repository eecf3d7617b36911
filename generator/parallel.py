"""Order-preserving parallel map over chunks of work, for the per-article stages.

Small sites stay in one process (a pool costs more than it saves); large ones use one
worker per core with chunks big enough that no article pays a process round trip.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
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


def iter_chunks(function: Callable[[Sequence[T]], list[R]], items: Sequence[T],
                most: int | None = None) -> Iterator[R]:
    """`function`'s results for chunks of at most `most` items, one by one in order as the
    chunks complete, so a caller can consume each (and let it go) before the rest arrive."""
    for part in iter_parts(function, items, most=most):
        yield from part


def map_parts(function: Callable[..., R], items: Sequence[T], shared: object = None,
              minimum: int = PARALLEL_FROM) -> list[R]:
    """`function(chunk)` for consecutive chunks of `items`, in order, across cores when
    there are at least `minimum` items. With `shared`, each call is `function(chunk,
    shared)`: forked workers inherit `shared` instead of receiving it pickled per chunk."""
    return list(iter_parts(function, items, shared, minimum))


def iter_parts(function: Callable[..., R], items: Sequence[T], shared: object = None,
               minimum: int = PARALLEL_FROM, most: int | None = None) -> Iterator[R]:
    """map_parts's results in order, each as soon as it (and those before it) are done."""
    count = workers()
    call = function if shared is None else _with_shared
    _SHARED.update(function=function, value=shared)
    try:
        if count == 1 or len(items) < minimum:  # in this process, still `most` at a time
            step = most or max(len(items), 1)
            yield from (call(items[at:at + step]) for at in range(0, len(items), step))
            return
        parts = max(count * 4, -(-len(items) // most) if most else 0)
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(count, initializer=_worker_setup, initargs=(_spawned(context),)) as pool:
            yield from pool.imap(call, _chunks(items, parts))
    finally:
        _SHARED.clear()


_SHARED: dict = {}  # the shared value and function of the map in progress


def _with_shared(chunk):
    return _SHARED["function"](chunk, _SHARED["value"])


def _spawned(context) -> dict:
    """What a spawned worker (no fork on this platform) must be sent once to rebuild _SHARED."""
    return dict(_SHARED) if context.get_start_method() == "spawn" else {}


def _worker_setup(shared: dict) -> None:
    if shared:
        _SHARED.update(shared)
    _worker_signals()


def _worker_signals() -> None:
    """Ctrl-C is the parent's to handle; a worker stops at once when the pool is ended, so
    none can write into a staging folder the parent has already discarded."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    die_with_parent()


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """This process gets `signum` when its parent ends: if a build is killed outright
    (SIGKILL), Linux kills its workers too, instead of leaving orphans writing into a
    dead build's staging folder."""
    # (Not Linux: the writer still refuses to recreate a discarded staging folder.)
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(1, signum)  # 1 = PR_SET_PDEATHSIG


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (a build), then as it was.

    A build makes millions of objects that live until it ends (articles, evidence rows,
    events, pages), and the collector would walk them again and again for nothing: a
    whole 10k build leaves under a thousand objects in reference cycles, while the
    walks cost 15% of a rebuild after one edit. Reference counting frees everything else
    as before; forked workers inherit the pause, and the collector is back on between
    the builds of `serve`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def process_alive(pid: int) -> bool:
    """Whether a build's process (by the pid in its folder's name) still runs; this one's
    counts as running."""
    if pid == os.getpid() or os.name == "nt":  # os.kill(pid, 0) would end it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def release_memory() -> None:
    """Hands the heap's free pages back to the system (glibc's malloc_trim). A stage that
    lets go of hundreds of megabytes of small objects leaves holes in the heap that the
    next stage's large arrays do not reuse, and would count towards the build's peak
    memory all the same. Elsewhere (macOS, musl) nothing happens."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


@functools.cache
def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _chunks(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    size = max(1, -(-len(items) // parts))
    return [items[start:start + size] for start in range(0, len(items), size)]

