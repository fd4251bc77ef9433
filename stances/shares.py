"""Work shared across the cores: forked processes each take every n-th item and hand back what they made."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor

_work: tuple | None = None  # what forked workers inherit: (task, shares)


def _share(index: int):
    task, parts = _work
    return task(parts[index])


def in_turn(items: list, count: int) -> list[list]:
    """Items dealt out in turn into `count` shares: the i-th share takes every count-th item from the i-th."""
    return [items[index::count] for index in range(count)]


def _trimmer():
    """glibc's malloc_trim, or None where the C library has none (macOS, musl) or this process's own
    C library cannot be opened by name None (Windows: TypeError)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


_trim = _trimmer()


def _die_with_parent(parent: int) -> None:
    """In a worker: end when the build that forked it is killed (Linux's PR_SET_PDEATHSIG), so that no
    worker writes on into a folder that a later build clears as the killed build's debris."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (AttributeError, OSError, TypeError):  # no prctl: not Linux
        return
    if os.getppid() != parent:  # killed already, before the request was made
        os._exit(1)


def give_back() -> None:
    """Hand the C heap's free pages back to the system (glibc only).

    What this process freed (the pickles its workers sent back, records it let go of) stays
    mapped, and a forked worker's resident size counts it again: at 10,000 quotes, 18 MB of
    a render worker's 141 at the fork."""
    if _trim is not None:
        _trim(0)


def can_fork() -> bool:
    """Forking is safe only where the platform has it and no other thread holds a lock a child would inherit."""
    return hasattr(os, "fork") and threading.active_count() == 1


def shared(task, items: list, workers: int, at_least: int, pieces: int = 1, meanwhile=None, cut=in_turn) -> list:
    """[task(share) for each share of the items], each share in a forked process; `cut(items, n)` makes the
    n shares (by default, `in_turn`: the i-th takes items[i::n]).

    `meanwhile()`, if given, is called here while the workers work (after the task, without them).

    With `pieces` > 1, the items are cut in that many shares per worker: this process takes in
    (unpickles) what the first shares made while the workers are still at the rest.

    With fewer than `at_least` items, one worker, or no safe fork, it is one share, done here.
    The task and the items reach the workers by fork, not by pickling; only what each share
    returns is pickled back. This process does none of the shares, so what they make while
    they work (a page's fragments, say) leaves with them.
    """
    shares = min(workers, len(items))
    if shares < 2 or len(items) < at_least or not can_fork():
        done = [task(items)]
        if meanwhile is not None:
            meanwhile()
        return done
    global _work
    parts = cut(items, min(len(items), shares * pieces))
    _work = (task, parts)
    # Frozen, the objects a worker inherits are never walked by its collector, so their memory
    # pages stay shared with this process instead of being copied into every worker.
    frozen = gc.get_freeze_count()  # a caller's own freeze (a rebuild's cache) is left as it was
    gc.freeze()
    give_back()
    try:
        with ProcessPoolExecutor(shares, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            made = pool.map(_share, range(len(parts)))  # every share is handed out (and every worker forked) here
            if meanwhile is not None:
                meanwhile()
            return list(made)
    finally:
        _work = None
        if not frozen:
            gc.unfreeze()


PIECES = 8  # shares per worker for `each`: at 10,000 quotes, reading all files took 0.5 s less than with one


def each(function, items: list, workers: int, at_least: int, pieces: int = PIECES) -> list:
    """[function(item) for item in items], computed across processes as `shared` does, in the items' order.

    Its results come back in several pieces a worker, so this process takes in the first while
    the workers make the rest."""
    shares = shared(lambda part: [function(item) for item in part], items, workers, at_least, pieces)
    found: list = [None] * len(items)
    for index, part in enumerate(shares):
        found[index::len(shares)] = part
    return found
