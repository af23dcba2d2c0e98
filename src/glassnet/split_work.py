"""Running large elementwise NumPy work on every core: ranges of rows handed to worker threads.

NumPy's matrix products already use every core (through BLAS), but its elementwise functions
(``+``, ``np.exp``, ``np.maximum``, ...) run on one. On a 2-core machine PyTorch runs both on
both cores, so a LayerNorm or an Adam step written in NumPy is up to twice as slow for that
reason alone. NumPy's functions release Python's global lock while they loop over large arrays,
so plain threads do run them side by side: ``run_split(work, n)`` cuts ``range(n)`` into one
contiguous range per core and calls ``work(rows)`` with a ``slice`` on each, at the same time,
returning when all are done.

The readable twin is the call it replaces: ``work(slice(0, n))``, one range on one thread. Every
caller must give the same result either way (each range writes only its own rows), and the
tests check that they do.

Small work stays on the calling thread: handing a range to another thread costs some tens of
microseconds (the workers are woken through locks, the cheapest hand-over Python has: see
``_Worker``), so a split is made only when each range has at least ``min_rows`` rows. The
number of threads follows ``glassnet.set_num_threads`` / ``GLASSNET_NUM_THREADS`` when set,
else the cores other programs leave free (``threads.thread_limit``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np

from . import threads, ufunc_loops

__all__ = ["min_rows_for", "row_ranges", "run_split", "split_count", "split_ufunc"]

#: The fewest numbers of output per thread for ``split_ufunc`` to split (a pass over 2**17
#: float32 numbers takes some tens of microseconds, about what a hand-off costs).
UFUNC_MIN_NUMBERS = 1 << 17

_inside = threading.local()  # set while a worker runs: nested splits run inline, never wait


def row_ranges(n: int, parts: int) -> list[slice]:
    """``range(n)`` cut into ``parts`` contiguous slices whose lengths differ by at most one."""
    parts = max(1, min(parts, n))
    base, extra = divmod(n, parts)
    ranges, start = [], 0
    for index in range(parts):
        stop = start + base + (1 if index < extra else 0)
        ranges.append(slice(start, stop))
        start = stop
    return ranges


def min_rows_for(numbers_per_row: int, min_numbers: int) -> int:
    """The ``min_rows`` for ``run_split`` that gives each thread at least ``min_numbers``
    numbers when each row holds ``numbers_per_row`` of them (at least one row)."""
    return max(1, min_numbers // max(1, numbers_per_row))


def split_count(n: int, min_rows: int) -> int:
    """How many ranges ``run_split`` would use for ``n`` rows (1: no split)."""
    if getattr(_inside, "active", False):
        return 1
    return max(1, min(threads.thread_limit(), n // max(1, min_rows)))


class _Worker:
    """A thread that runs one range at a time for ``run_split``, woken through two locks.

    A lock released by one thread and acquired by another is the cheapest hand-over Python
    has: a round trip took 18 us here, against 41 us through a ThreadPoolExecutor (a queue, a
    Future and its condition), and a 2 MB multiply split in two took 207 us instead of 246 us
    (373 us on one thread). The thread is a daemon, asleep on its lock between ranges.
    """

    def __init__(self) -> None:
        self._start, self._done = threading.Lock(), threading.Lock()
        self._start.acquire()  # held: the thread waits on it for a range
        self._done.acquire()  # held: the caller waits on it for the range's end
        self._task: Callable[[], None] | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._serve, name="glassnet-split", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._start.acquire()
            try:
                self._task()
            except BaseException as error:  # noqa: BLE001 - raised again in the caller
                self._error = error
            finally:
                self._task = None
                self._done.release()

    def start(self, task: Callable[[], None]) -> None:
        self._task, self._error = task, None
        self._start.release()

    def wait(self) -> BaseException | None:
        """Wait for the range to end; the exception it raised, if any."""
        self._done.acquire()
        return self._error


_workers: list[_Worker] = []  # started when first needed, kept for the process's life
_workers_lock = threading.Lock()  # held by the one run_split that is using the workers


def _forget_workers() -> None:
    """In a forked child: the parent's worker threads do not exist there."""
    global _workers_lock
    _workers.clear()
    _workers_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


def _run_marked(work: Callable[[slice], None], rows: slice) -> None:
    _inside.active = True
    try:
        work(rows)
    finally:
        _inside.active = False


def run_split(work: Callable[[slice], None], n: int, min_rows: int = 1) -> None:
    """Call ``work(rows)`` for ranges ``rows`` covering ``range(n)``, in parallel when worth it.

    Args:
        work: writes the results of rows ``rows`` (a ``slice``) and nothing else, so that the
            ranges can run in any order or at once.
        n: the number of rows.
        min_rows: the fewest rows worth a thread of their own (the work below it is too small
            to pay for the hand-off).

    An exception raised by ``work`` in any range is raised here, after every range finished.
    """
    parts = split_count(n, min_rows)
    # Another thread of the program is using the workers: this work runs here, in one range.
    if parts <= 1 or not _workers_lock.acquire(blocking=False):
        work(slice(0, n))
        return
    try:
        ranges = row_ranges(n, parts)
        while len(_workers) < parts - 1:
            _workers.append(_Worker())
        helpers = _workers[: parts - 1]
        for worker, rows in zip(helpers, ranges[1:]):
            worker.start(lambda rows=rows: _run_marked(work, rows))
        try:
            _run_marked(work, ranges[0])  # this thread takes the first range itself
        finally:
            errors = [worker.wait() for worker in helpers]  # every range ends, even on error
    finally:
        _workers_lock.release()
    for error in errors:
        if error is not None:
            raise error


def split_ufunc(ufunc: np.ufunc, a: object, b: object) -> np.ndarray:
    """``ufunc(a, b)`` (``np.multiply``, ``np.add``, ...), computed on every core when large.

    The twin is the plain call ``ufunc(a, b)``: the output is the same array, number for number
    (each number is computed by the same instruction either way). The output's first axis is cut
    into ranges; an operand whose first axis runs along the output's is cut with it, any other
    (a number, or an array broadcast along that axis) is passed whole to every range.
    """
    large = 2 * UFUNC_MIN_NUMBERS
    if (a.size if type(a) is np.ndarray else 0) < large and (
        b.size if type(b) is np.ndarray else 0
    ) < large:
        return ufunc(a, b)  # the common case, decided in well under a microsecond
    try:
        shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:  # shapes that do not fit: NumPy's own call raises its usual error
        return ufunc(a, b)
    size = 1
    for length in shape:
        size *= length
    # Each array operand must be C-ordered, or one number repeated (all strides 0, as after
    # broadcast_to), so that NumPy's own output would be C-ordered too.
    arrays = [x for x in (a, b) if isinstance(x, np.ndarray)]
    if size < large or not shape or not all(_c_ordered(x) for x in arrays):
        return ufunc(a, b)  # small, or a layout the C-ordered output would not keep
    rows = shape[0]
    min_rows = min_rows_for(size // rows, UFUNC_MIN_NUMBERS)
    if split_count(rows, min_rows) <= 1:
        return ufunc(a, b)
    try:
        dtype = ufunc.resolve_dtypes((_dtype_of(a), _dtype_of(b), None))[2]
    except (TypeError, ValueError):  # a combination NumPy resolves otherwise: leave it to NumPy
        return ufunc(a, b)
    out = ufunc_loops.on_numba_threads(ufunc, a, b, shape, dtype)  # their threads wake sooner
    if out is not None:
        return out
    out = np.empty(shape, dtype)

    def cut(operand: object, part: slice) -> object:
        along = isinstance(operand, np.ndarray) and operand.ndim == len(shape)
        return operand[part] if along and operand.shape[0] == rows else operand

    def work(part: slice) -> None:
        ufunc(cut(a, part), cut(b, part), out=out[part])

    run_split(work, rows, min_rows)
    return out


def _dtype_of(operand: object) -> object:
    """The dtype NumPy's promotion sees: an array's own; a Python number stays weak (its type)."""
    return operand.dtype if isinstance(operand, (np.ndarray, np.generic)) else type(operand)


def _c_ordered(array: np.ndarray) -> bool:
    return array.flags.c_contiguous or not any(array.strides)
