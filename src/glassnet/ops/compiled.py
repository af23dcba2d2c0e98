"""When an op takes its compiled loop: the size and dtype gate shared by the conv, pool and ReLU loops.

A compiled loop (``glassnet.jit``, through numba) pays off only for large arrays, and the first
call to ``jit.available()`` imports numba, which takes about half a second. So the size is
checked first: a small network never imports numba, and its ops run their NumPy paths.
"""

from __future__ import annotations

import numpy as np

from .. import jit

__all__ = ["COMPILED_MIN_NUMBERS", "use_compiled"]

#: The fewest numbers an op must touch for its compiled loop to run.
COMPILED_MIN_NUMBERS = 1 << 15

_LOOP_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def use_compiled(numbers: int, dtype: np.dtype) -> bool:
    """Whether work of ``numbers`` numbers of ``dtype`` should run a compiled loop.

    True when the work is large enough, the dtype is float32 or float64 (the loops are
    compiled for those two only) and ``jit.available()`` (numba installed, not switched off).
    """
    return numbers >= COMPILED_MIN_NUMBERS and dtype in _LOOP_DTYPES and jit.available()
