"""Work shared across the cores: forked processes each take every n-th item and hand back what they made."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

_work: tuple | None = None  # what forked workers inherit: (task, items, shares)


def _share(index: int):
    task, items, shares = _work
    return task(items[index::shares])


def can_fork() -> bool:
    """Forking is safe only where the platform has it and no other thread holds a lock a child would inherit."""
    return hasattr(os, "fork") and threading.active_count() == 1


def shared(task, items: list, workers: int, at_least: int) -> list:
    """[task(items[i::n]) for each share i], each share in a forked process.

    With fewer than `at_least` items, one worker, or no safe fork, it is one share, done here.
    The task and the items reach the workers by fork, not by pickling; only what each share
    returns is pickled back. This process does none of the shares, so what they make while
    they work (a page's fragments, say) leaves with them.
    """
    shares = min(workers, len(items))
    if shares < 2 or len(items) < at_least or not can_fork():
        return [task(items)]
    global _work
    _work = (task, items, shares)
    # Frozen, the objects a worker inherits are never walked by its collector, so their memory
    # pages stay shared with this process instead of being copied into every worker.
    frozen = gc.get_freeze_count()  # a caller's own freeze (a rebuild's cache) is left as it was
    gc.freeze()
    try:
        with ProcessPoolExecutor(shares, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_share, range(shares)))
    finally:
        _work = None
        if not frozen:
            gc.unfreeze()


def each(function, items: list, workers: int, at_least: int) -> list:
    """[function(item) for item in items], computed across processes as `shared` does, in the items' order."""
    shares = shared(lambda part: [function(item) for item in part], items, workers, at_least)
    found: list = [None] * len(items)
    for index, part in enumerate(shares):
        found[index::len(shares)] = part
    return found
