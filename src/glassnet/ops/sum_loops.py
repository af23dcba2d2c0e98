"""Compiled sum of a large array (numba, optional): one pass, a float64 running total, on every core.

    total = x_0 + x_1 + ... + x_{n-1}

NumPy adds float32 numbers pairwise in float32, one number after another (about 0.2 ms for the
2 MB of a (32, 64, 16, 16) batch here; PyTorch takes 0.04 ms). The loop here keeps its running
total in float64, which numba turns into vector additions (fast-math lets it reorder them):
about twice as fast on one core, and each core takes a range of the numbers (on numba's own
threads where oneTBB is installed, which wake sooner than Python's, in blocks of a fixed
size). The float64 total is also more accurate than NumPy's float32 one (it matches
``math.fsum`` to float32 rounding), so the result may differ from ``np.sum`` in the last bit;
the tests compare them with a tolerance and the exact sum.

Used by ``Sum`` and ``Mean`` (``ops/reduce.py``) when they reduce every axis of a large
C-contiguous float32 or float64 array; NumPy's ``np.add.reduce`` is the twin and the fallback.
"""

from __future__ import annotations

import numpy as np

from .. import jit
from ..jit import prange
from ..split_work import run_split

__all__ = ["BLOCK_NUMBERS", "MIN_NUMBERS", "block_sums", "compiled_sum", "worth_compiling"]

#: The fewest numbers a compiled sum takes: below it NumPy's own sum takes some tens of
#: microseconds at most, and a first large sum is what may import numba (about half a second).
MIN_NUMBERS = 1 << 17


def worth_compiling(x: np.ndarray) -> bool:
    """Whether the sum of all of ``x`` runs as a compiled loop (size checked first)."""
    return x.flags.c_contiguous and jit.pays(x.size, x.dtype, MIN_NUMBERS)


@jit.loop
def range_sum(x, start, stop):
    """x[start] + ... + x[stop - 1], added in float64."""
    part = x[start:stop]  # a loop over range(part.size) is vectorised; over start:stop, not
    total = 0.0
    for k in range(part.size):
        total += part[k]
    return total


#: Where numba has threads of its own, the numbers are summed in blocks of this many, shared out
#: among them: a fixed size, so the result does not depend on how many threads there are.
BLOCK_NUMBERS = 1 << 16


@jit.parallel_rows
def block_sums(x, block, totals):
    """totals[b] = the sum of block b of x (``block`` numbers, the last one maybe fewer), each
    block added by one thread with ``range_sum``."""
    for b in prange(totals.size):
        totals[b] = range_sum(x, b * block, min((b + 1) * block, x.size))


def compiled_sum(x: np.ndarray) -> float:
    """The sum of every number of ``x`` (C-contiguous), as a float64 Python number: blocks of
    ``BLOCK_NUMBERS`` on numba's threads where it has them, else one range of the numbers per
    core; the blocks' or ranges' totals are added in order (so the result does not depend on
    which thread finished first)."""
    flat = x.reshape(-1)
    if block_sums.compiled_parallel():
        totals_of_blocks = np.empty(-(-flat.size // BLOCK_NUMBERS))
        block_sums(flat, BLOCK_NUMBERS, totals_of_blocks)
        return sum(totals_of_blocks.tolist())
    totals: dict[int, float] = {}

    def work(part: slice) -> None:
        totals[part.start] = range_sum(flat, part.start, part.stop)

    run_split(work, flat.size, MIN_NUMBERS)
    return sum(totals[start] for start in sorted(totals))
