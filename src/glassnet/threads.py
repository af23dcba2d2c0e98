"""How many threads NumPy's BLAS may use: chosen for the size of the work, or set by the user.

Matrix products in NumPy run in a BLAS library (OpenBLAS here) that splits each product over
all cores. For big products that is a win; for the small products of a small network the
threads spend more time handing work over than working, and on a machine where other
programs keep cores busy the hand-overs wait for those cores: a training run measured 2.7 s on
an idle machine, 75 s under load, and 2.1 s under the same load with one BLAS thread.

So ``fit`` picks the thread count for the model it trains (``threads_for_work``): one thread
when a batch's forward pass is a few million multiply-adds or less, above that every core
that other programs leave free (``free_cores``, from ``machine_load``: on 2 cores with one
kept busy by another program, an MLP epoch took 7.8 s on two threads and 4.4 s on one). fit
asks again before every batch, a script's own loop at every backward pass
(``follow_free_cores``), and glassnet's own split work (``split_work``) asks before every
split, so the count follows the machine as other programs start and stop. You decide instead
with ``glassnet.set_num_threads(n)`` or the environment variable
``GLASSNET_NUM_THREADS=n``. Changing the count needs threadpoolctl (in the ``cli`` and
``test`` extras); without it everything runs as NumPy would on its own. Where glassnet uses MKL
for its large products (``mkl_library``), every count set here is set for MKL too.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Any

from . import environment, mkl_library
from .machine_load import free_cores, usable_cores

__all__ = [
    "blas_threads",
    "change_blas_threads",
    "follow_free_cores",
    "free_cores",
    "get_num_threads",
    "set_num_threads",
    "thread_limit",
    "threads_for_work",
]

#: Below this many floating-point operations per batch (forward pass), one thread is faster.
SMALL_WORK_FLOPS = 2e7

_chosen: int | None = None  # set_num_threads' value, if called


def _requested() -> int | None:
    """The user's choice: set_num_threads, else GLASSNET_NUM_THREADS, else None."""
    if _chosen is not None:
        return _chosen
    text = environment.variable("GLASSNET_NUM_THREADS").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"GLASSNET_NUM_THREADS must be a positive whole number, got {text!r}")
    return int(text)


def set_num_threads(n: int | None) -> None:
    """Use ``n`` BLAS threads from now on (None: let glassnet choose again). As torch's."""
    global _chosen
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"set_num_threads expects a positive whole number, got {n!r}")
    _chosen = n
    if n is not None:
        change_blas_threads(n)


def get_num_threads() -> int:
    """The threads NumPy's BLAS uses now (the core count when threadpoolctl is not installed)."""
    blas = _numpy_blas()
    counts = [lib.num_threads for lib in blas.lib_controllers] if blas is not None else []
    return max(counts) if counts else usable_cores()


def thread_limit() -> int:
    """The most threads glassnet's own parallel work may use: the user's choice, else the
    free cores (``free_cores``)."""
    requested = _requested()
    return requested if requested is not None else free_cores()


def threads_for_work(flops_per_batch: float) -> int:
    """The thread count for work of this size: the user's choice, else 1 for small work and
    every free core (``free_cores``) for the rest."""
    requested = _requested()
    if requested is not None:
        return requested
    return 1 if flops_per_batch < SMALL_WORK_FLOPS else free_cores()


@functools.cache
def _numpy_blas() -> Any:
    """threadpoolctl's handle on glassnet's BLAS libraries, looked up once (it takes milliseconds).

    Those are NumPy's own BLAS and MKL when glassnet uses it (``mkl_library``: loaded here, first,
    so that one count always holds for both). None without threadpoolctl. NumPy loads its BLAS
    when it is imported, before glassnet, so the handle is complete; other BLAS libraries
    (PyTorch's, say) are left alone.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    mkl = mkl_library.library_path()
    blas = ThreadpoolController().select(user_api="blas")
    ours = [
        lib.filepath
        for lib in blas.lib_controllers
        if "numpy" in str(lib.filepath) or (mkl is not None and _same_file(lib.filepath, mkl))
    ]
    return blas.select(filepath=ours) if ours else blas


def _same_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


_open_blocks = 0  # blas_threads blocks running: inside one, the block decides the count


@contextlib.contextmanager
def blas_threads(n: int) -> Iterator[None]:
    """Run the block with NumPy's BLAS on ``n`` threads, cheaply (some microseconds).

    Cheap enough for ``fit`` to wrap a training run and for one op to wrap its own loop of
    small matrix products (a recurrent layer's time loop) while its large products outside the
    block keep every core. Nothing changes without threadpoolctl.
    """
    global _open_blocks
    _open_blocks += 1
    try:
        blas = _numpy_blas()
        if blas is None or all(lib.num_threads == n for lib in blas.lib_controllers):
            yield
            return
        with blas.limit(limits=n):
            yield
    finally:
        _open_blocks -= 1


# [the BLAS count found first, the count follow_free_cores set last, the free cores it saw]
_followed: list[int] = []


def follow_free_cores() -> None:
    """Put NumPy's BLAS on the free cores (``free_cores``) in a script's own training loop.

    Called at every backward pass (``autograd.backward``); it does something only where nobody
    else decides: not inside ``fit`` or another ``blas_threads`` block, not after
    ``set_num_threads`` or ``GLASSNET_NUM_THREADS``, and not when the count was changed by
    someone else (threadpoolctl, say) since glassnet last set it. Never more threads than NumPy's
    BLAS had at first. While the free cores stay as they were at the last look (they are
    counted again at most once a second), it returns at once: under a microsecond, which
    matters for small graphs, whose whole backward pass takes some tens of microseconds. A
    change costs some tens, once in a while.
    """
    if _open_blocks:
        return
    free = free_cores()
    if _followed and free == _followed[2]:
        return  # nothing has changed since the last look
    if _requested() is not None:
        return
    blas = _numpy_blas()
    if blas is None:
        return
    current = max(lib.num_threads for lib in blas.lib_controllers)
    if not _followed:
        _followed[:] = [current, current, 0]
    first, last, _ = _followed
    if current != last:  # someone else's count: theirs to keep
        _followed[2] = free
        return
    wanted = min(first, free)
    if wanted != current:
        change_blas_threads(wanted)
        _followed[1] = wanted
    _followed[2] = free


def change_blas_threads(n: int) -> None:
    """Put NumPy's BLAS on ``n`` threads now, and leave it there: for good (``set_num_threads``,
    ``follow_free_cores``), or until an enclosing ``blas_threads`` block puts back the count it
    found (``fit`` follows the free cores batch by batch this way). Nothing changes without
    threadpoolctl."""
    blas = _numpy_blas()
    if blas is not None:
        blas.limit(limits=n)  # without `with`: it lasts until the enclosing block restores


def forward_flops(model: Any, batch_size: int) -> float:
    """About how many floating-point operations one batch's forward pass takes.

    Linear layers count 2 * batch * inputs * outputs; convolutions are counted as large work
    (their cost grows with the image size, which the layer does not know).
    """
    total = 0.0
    for module in model.modules():
        if any(True for _ in module.children()):
            continue  # containers: their layers are counted one by one
        weights = [p for p in module.parameters(recurse=False) if p.ndim >= 2]
        if any(w.ndim > 2 for w in weights):
            return float("inf")
        total += sum(2.0 * batch_size * w.numel() for w in weights)
    return total
