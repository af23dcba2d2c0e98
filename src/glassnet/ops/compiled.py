"""What the compiled fast paths of conv, pool and ReLU share: when to take them, and pooled output arrays.

A compiled loop (``glassnet.jit``, through numba) pays off only for large arrays, and the first
call to ``jit.available()`` imports numba, which takes about half a second. So the size is
checked first: a small network never imports numba, and its ops run their NumPy paths.
"""

from __future__ import annotations

import numpy as np

from .. import jit
from .array_pool import pool

__all__ = ["COMPILED_MIN_NUMBERS", "use_compiled", "use_compiled_if_loaded", "empty", "empty_like"]

#: The fewest numbers an op must touch for its compiled loop to run.
COMPILED_MIN_NUMBERS = jit.MIN_NUMBERS


def use_compiled(numbers: int, dtype: np.dtype) -> bool:
    """Whether work of ``numbers`` numbers of ``dtype`` should run a compiled loop
    (``jit.pays`` with this module's minimum, which the tests lower to reach small cases)."""
    return jit.pays(numbers, dtype, COMPILED_MIN_NUMBERS)


def use_compiled_if_loaded(numbers: int, dtype: np.dtype) -> bool:
    """As ``use_compiled``, but never importing numba (``jit.pays_without_import``): for work
    whose loop saves microseconds, less than the half second of the import."""
    return jit.pays_without_import(numbers, dtype, COMPILED_MIN_NUMBERS)


def empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous array for a compiled path's output, from the array pool.

    Fresh memory is slow to write (the system maps and zeroes every page on first touch: for
    a convolution's 30 MB of columns that took longer than filling them), so the compiled
    paths reuse pooled arrays that nothing refers to any more (see ``array_pool.py``).
    """
    return pool.empty(shape, dtype)


def empty_like(a: np.ndarray) -> np.ndarray:
    """``np.empty_like(a)`` (the same memory order, for a dense ``a``) from the array pool."""
    order = np.argsort(a.strides, kind="stable")[::-1]  # axes from outermost to innermost
    stored = empty(tuple(a.shape[axis] for axis in order), a.dtype)
    return stored.transpose(np.argsort(order))
