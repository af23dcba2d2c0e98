"""Compiled twins of NumPy's four arithmetic ufuncs, run on numba's threads: a + b, a - b, a * b, a / b.

``split_work.split_ufunc`` computes a large elementwise product or sum on every core. Its own
way is to hand ranges of rows to Python worker threads, and each hand-off costs some tens of
microseconds (about 80 us measured on this project's 2-core machine). Where numba runs parallel
loops on its own threads (``jit.parallel_loop``, with oneTBB installed), waking them costs
about 8 us, so for two arrays of one shape and dtype, or an array and one number, the loops
here do the work instead. Measured on two float32 arrays of (32, 64, 16, 16) (2 MB each): their
product took 215-226 us against 298-309 us split over Python threads and 253 us on one core;
the product by one number repeated (the gradient of a sum), 136-141 us against 245 us split.
They run only once other work has imported numba: the saving is some tens of microseconds a
call, the import half a second.

Each number is one IEEE operation of the two numbers at its place, exactly as NumPy computes
it, so the results are the same bits as ``ufunc(a, b)``, the twin. NumPy's warnings about
overflow or division by zero are not raised by the loops (the infinities and NaN are the same).
"""

from __future__ import annotations

import numpy as np

from . import jit
from .jit import prange

__all__ = ["LOOPS", "NUMBER_LOOPS", "on_numba_threads", "one_number"]


@jit.parallel_loop
def add(a, b, out):
    """out = a + b, number by number (flat arrays of one size)."""
    for i in prange(out.size):
        out[i] = a[i] + b[i]


@jit.parallel_loop
def subtract(a, b, out):
    """out = a - b, number by number."""
    for i in prange(out.size):
        out[i] = a[i] - b[i]


@jit.parallel_loop
def multiply(a, b, out):
    """out = a * b, number by number."""
    for i in prange(out.size):
        out[i] = a[i] * b[i]


@jit.parallel_loop
def divide(a, b, out):
    """out = a / b, number by number (IEEE division: x / 0 is an infinity or NaN)."""
    for i in prange(out.size):
        out[i] = a[i] / b[i]


@jit.parallel_loop
def add_number(a, number, out):
    """out = a + number, number by number."""
    for i in prange(out.size):
        out[i] = a[i] + number


@jit.parallel_loop
def multiply_number(a, number, out):
    """out = a * number, number by number."""
    for i in prange(out.size):
        out[i] = a[i] * number


#: The loop standing in for each ufunc, for two arrays of one shape.
LOOPS = {np.add: add, np.subtract: subtract, np.multiply: multiply, np.true_divide: divide}
#: For an array and one number (a Python or NumPy number, or an array of one number repeated,
#: as the gradient of a sum is): the two ufuncs that commute, so the number may stand on
#: either side.
NUMBER_LOOPS = {np.add: add_number, np.multiply: multiply_number}


def one_number(x: object) -> object | None:
    """The number ``x`` stands for: itself, or an array's one number repeated (all strides 0,
    as ``np.broadcast_to`` makes); None for anything else."""
    if isinstance(x, np.ndarray):
        return x.reshape(-1)[0] if x.size and not any(x.strides) else None
    return x if isinstance(x, (int, float, np.integer, np.floating)) else None


def on_numba_threads(
    ufunc: np.ufunc, a: object, b: object, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray | None:
    """``ufunc(a, b)`` computed by a loop on numba's threads, as a new C-ordered array; None
    (nothing computed) unless the ufunc has a loop, ``dtype`` (NumPy's result dtype) is float32
    or float64, one operand is a C-ordered array of that dtype and of the result's ``shape``
    and the other one the same or a single number, the work is large enough for a compiled
    loop, and numba is imported already and runs parallel loops here."""

    def whole(x: object) -> bool:
        return (
            isinstance(x, np.ndarray)
            and x.shape == shape
            and x.dtype == dtype
            and x.flags.c_contiguous
        )

    if not whole(a):
        a, b = b, a  # the array read whole first, if it is there
        if ufunc not in NUMBER_LOOPS or not whole(a):
            return None
    if not jit.pays_without_import(a.size, dtype):  # saves tens of us, not numba's 0.5 s
        return None
    if whole(b):
        loop, second = LOOPS.get(ufunc), b.reshape(-1)
    else:
        number = one_number(b)
        if number is None or ufunc not in NUMBER_LOOPS:
            return None
        loop, second = NUMBER_LOOPS[ufunc], dtype.type(number)
    if loop is None or not loop.compiled_parallel():
        return None
    out = np.empty(a.shape, dtype)
    loop(a.reshape(-1), second, out.reshape(-1))
    return out
