"""Matrix products from inside compiled loops: NumPy's own BLAS ``gemm``, reached through ctypes.

Why. A recurrent layer's time loop is, at every step, one small matrix product and some
elementwise gate arithmetic. Run from Python, each of those is a call that takes and gives back
Python's global lock; when the batch's rows are split over two cores, the two loops wait for
the lock at every call (about ten times a step, at some microseconds each, plus the wake-up of
the other thread), and the split was measured slower than one core. A compiled loop (numba,
``jit.loop``) releases the lock for its whole run, but it cannot call ``np.matmul``. It can call
a C function, though: this module finds the ``cblas_sgemm`` / ``cblas_dgemm`` of the BLAS that
NumPy itself uses (the same code, the same thread setting as ``np.matmul``), so a whole time
loop, products included, runs in one compiled call per range of rows.

What is found. NumPy's wheels (2.x) ship OpenBLAS built with 64-bit integers and its symbols
renamed (``scipy_cblas_sgemm64_``); only such names, whose integer width their suffix states,
are used, and each function is checked once on a small product against ``np.matmul`` before it
is handed out. Anything else (another BLAS, a build without the suffix, no shared library
found) gives None, and callers keep their NumPy loops, which stay the readable twin: the call
``gemm(ROW_MAJOR, NO_TRANS, NO_TRANS, M, N, K, 1, A, K, B, N, 0, C, N)`` computes exactly
``np.matmul(A, B, out=C)`` for C-ordered A (M, K), B (K, N) and C (M, N).
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
from typing import Any

import numpy as np

__all__ = ["NO_TRANS", "ROW_MAJOR", "gemm_function", "matmul_into"]

# The CBLAS enumerations (cblas.h): C-ordered arrays, and no transposed operand.
ROW_MAJOR = 101
NO_TRANS = 111

_SCALARS = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}
_LETTERS = {np.dtype(np.float32): "s", np.dtype(np.float64): "d"}
# How NumPy's wheels name the 64-bit-integer CBLAS symbols ({} is s or d).
_NAMES = ("scipy_cblas_{}gemm64_", "cblas_{}gemm64_")


def _numpy_blas_paths() -> list[str]:
    """Files that may hold NumPy's BLAS: what threadpoolctl reports, then NumPy's bundled folder."""
    paths: list[str] = []
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        paths += [
            info["filepath"]
            for info in threadpool_info()
            if info.get("user_api") == "blas" and "numpy" in str(info.get("filepath"))
        ]
    here = os.path.dirname(np.__file__)
    for folder in (here + ".libs", os.path.join(here, ".dylibs")):
        paths += sorted(glob.glob(os.path.join(folder, "*blas*")))
    return paths


def _find(dtype: np.dtype) -> Any:
    scalar, int64, pointer, enum = _SCALARS[dtype], ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
    for path in _numpy_blas_paths():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _NAMES:
            function = getattr(library, name.format(_LETTERS[dtype]), None)
            if function is None:
                continue
            function.restype = None
            # order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc
            function.argtypes = [enum, enum, enum, int64, int64, int64, scalar, pointer, int64]
            function.argtypes += [pointer, int64, scalar, pointer, int64]
            if _agrees_with_numpy(function, dtype):
                return function
    return None


def matmul_into(gemm: Any, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b through ``gemm``, for C-ordered a (M, K), b (K, N) and out (M, N).

    The call the compiled loops make (``recurrent_loops.rows_product``), made from Python:
    used to check a function once, and by the tests.
    """
    (M, K), N = a.shape, b.shape[1]
    pointers = a.ctypes.data, b.ctypes.data, out.ctypes.data
    gemm(ROW_MAJOR, NO_TRANS, NO_TRANS, M, N, K, 1.0, pointers[0], K, pointers[1], N, 0.0,
         pointers[2], N)  # fmt: skip


def _agrees_with_numpy(gemm: Any, dtype: np.dtype) -> bool:
    a = np.arange(6, dtype=dtype).reshape(2, 3)
    b = np.arange(12, dtype=dtype).reshape(3, 4) - 5
    out = np.full((2, 4), np.nan, dtype=dtype)
    matmul_into(gemm, a, b, out)
    return bool(np.array_equal(out, a @ b))


@functools.cache
def gemm_function(dtype: Any) -> Any:
    """The ctypes function ``cblas_?gemm`` of NumPy's BLAS for float32 or float64, or None.

    Looked up once per dtype (some milliseconds) and checked on a small product.
    """
    dtype = np.dtype(dtype)
    return _find(dtype) if dtype in _SCALARS else None
