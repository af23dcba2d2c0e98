"""Matrix products through ``gemm`` called directly (ctypes): MKL's when installed, else NumPy's own.

Two callers need it.

**Compiled loops.** A recurrent layer's time loop is, at every step, one small matrix product and
some elementwise gate arithmetic. Run from Python, each of those is a call that takes and gives
back Python's global lock; when the batch's rows are split over two cores, the two loops wait for
the lock at every call (about ten times a step), and the split was measured slower than one
core. A compiled loop (numba, ``jit.loop``) releases the lock for its whole run, but it cannot
call ``np.matmul``. It can call a C function, though: ``gemm_function`` finds a
``cblas_sgemm`` / ``cblas_dgemm``, and the loop calls it at its address (``gemm_address``,
through ``c_function``), so a whole time loop, products included, runs in one compiled call per
range of rows.

**Large products from Python** (``matmul``: Linear, MatMul, the recurrent weight gradients).
Where Intel's MKL is installed and used (``mkl_library``: on Intel's processors), it computes
them: about 1.4x as fast as NumPy's OpenBLAS on a training step's products on 2 cores; elsewhere
NumPy's own OpenBLAS does, called the same way. Once numba is imported the call goes through a
small compiled function (``gemm_into``), which also reads the operands' layouts and can add a
Linear layer's bias inside gemm: made that way it costs about 0.5 us, made by Python through
ctypes 9 us, as much as a product of 64 x 64 by 64 x 64, which only MKL's speed repays (OpenBLAS
is then called by ``np.matmul`` itself). Small products stay with ``np.matmul``, whose call
costs less.

What is found. MKL's 64-bit-integer CBLAS (``cblas_sgemm_64``) first, then NumPy's wheels'
OpenBLAS (2.x), built with 64-bit integers and its symbols renamed (``scipy_cblas_sgemm64_``).
Only names whose integer width is stated by their suffix are used, and each function is checked
once on a small product against ``np.matmul`` before it is handed out. Anything else (another
BLAS, a build without the suffix, no shared library found) gives None, and callers keep NumPy,
which stays the readable twin: the call ``gemm(ROW_MAJOR, NO_TRANS, NO_TRANS, M, N, K, 1, A, K,
B, N, 0, C, N)`` computes exactly ``np.matmul(A, B, out=C)`` for C-ordered A (M, K), B (K, N) and
C (M, N), and ``matmul(a, b)`` is ``np.matmul(a, b)`` up to the rounding of the library's sums.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
from typing import Any

import numpy as np

from .. import jit, mkl_library
from ..c_function import c_function, function_address

__all__ = [
    "FAST_MIN_MULTIPLY_ADDS",
    "NO_TRANS",
    "ROW_MAJOR",
    "TRANS",
    "UNREADABLE",
    "fast_gemm",
    "gemm_into",
    "threaded_fast_gemm",
    "threaded_gemm_address",
    "gemm_address",
    "gemm_function",
    "matmul",
    "matmul_into",
    "numpy_gemm",
    "operand_layout",
]

# The CBLAS enumerations (cblas.h): C-ordered arrays; an operand read as it is, or transposed.
ROW_MAJOR = 101
NO_TRANS = 111
TRANS = 112

#: Products with fewer multiply-adds (M K N) than this stay with np.matmul, whose call costs
#: less (about 1 us against 0.5-9 us for MKL's, see ``gemm_into``). The line is where NumPy's OpenBLAS may
#: start to use its threads (it never does below 65536 x 4 multiply-adds, interface/gemm.c),
#: because waking them costs more than the product: they then spin on both cores for about a
#: tenth of a second, against MKL's and glassnet's own threads, unless glassnet was imported
#: before NumPy (native_settings.py). Measured: an MLP epoch whose 512 -> 10 layer's forward
#: (655,360 multiply-adds) woke them took 1.80 s with NumPy imported first, 1.20 s without.
FAST_MIN_MULTIPLY_ADDS = 1 << 18

_SCALARS = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}
_LETTERS = {np.dtype(np.float32): "s", np.dtype(np.float64): "d"}
# How NumPy's wheels name the 64-bit-integer CBLAS symbols ({} is s or d), and how MKL does.
_NAMES = ("scipy_cblas_{}gemm64_", "cblas_{}gemm64_")
_MKL_NAMES = ("cblas_{}gemm_64",)


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


def _numpy_libraries() -> list[Any]:
    libraries = []
    for path in _numpy_blas_paths():
        try:
            libraries.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libraries


def _find(dtype: np.dtype, libraries: list[Any], names: tuple[str, ...]) -> Any:
    scalar, int64, pointer, enum = _SCALARS[dtype], ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
    for library in libraries:
        for name in names:
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

    The call the compiled loops make (``recurrent_loops.rows_product``), made from Python by
    ``gemm_into``'s own steps: used to check a function once, and by the tests.
    """
    gemm_into.in_python(function_address(gemm), a, False, b, False, _NO_BIAS[a.dtype], out)


def _agrees_with_numpy(gemm: Any, dtype: np.dtype) -> bool:
    a = np.arange(6, dtype=dtype).reshape(2, 3)
    b = np.arange(12, dtype=dtype).reshape(3, 4) - 5
    out = np.full((2, 4), np.nan, dtype=dtype)
    matmul_into(gemm, a, b, out)
    return bool(np.array_equal(out, a @ b))


@functools.cache
def fast_gemm(dtype: Any) -> Any:
    """MKL's ctypes function ``cblas_?gemm_64`` for float32 or float64, or None (MKL not
    installed or turned off, see ``mkl_library``). Looked up once per dtype and checked."""
    dtype = np.dtype(dtype)
    mkl = mkl_library.library()
    if dtype not in _SCALARS or mkl is None:
        return None
    return _find(dtype, [mkl], _MKL_NAMES)


@functools.cache
def threaded_fast_gemm(dtype: Any) -> Any:
    """The gemm ``matmul`` gives large products: ``fast_gemm(dtype)`` where MKL runs its
    products on several threads, else that of NumPy's own BLAS (OpenBLAS), else None.

    On its sequential layer (TBB missing) MKL's one thread lost to NumPy's OpenBLAS on every
    core, so OpenBLAS then computes them. The compiled loops run one thread per range of rows
    anyway, so they take MKL on either layer (``gemm_function``).
    """
    dtype = np.dtype(dtype)
    if dtype not in _SCALARS:
        return None
    if mkl_library.threading_layer() not in (None, "sequential"):
        return fast_gemm(dtype)
    return numpy_gemm(dtype)


@functools.cache
def _worth_a_python_call(dtype: Any) -> bool:
    """Whether ``matmul`` should call ``threaded_fast_gemm(dtype)`` through ctypes before numba
    is imported (9 us a call): for MKL's speed, yes; for NumPy's own OpenBLAS, which
    ``np.matmul`` calls for about 1 us, no."""
    gemm = threaded_fast_gemm(dtype)
    return gemm is not None and gemm is fast_gemm(dtype)


@functools.cache
def threaded_gemm_address(dtype: Any) -> int | None:
    """The machine address of ``threaded_fast_gemm(dtype)`` (what ``gemm_into`` is given), or
    None."""
    gemm = threaded_fast_gemm(dtype)
    return None if gemm is None else function_address(gemm)


@functools.cache
def gemm_address(dtype: Any) -> int | None:
    """The machine address of ``gemm_function(dtype)`` (what the compiled loops are given), or
    None."""
    gemm = gemm_function(dtype)
    return None if gemm is None else function_address(gemm)


@functools.cache
def gemm_function(dtype: Any) -> Any:
    """The ctypes function ``cblas_?gemm`` for float32 or float64 (MKL's, else that of NumPy's
    BLAS), or None. Looked up once per dtype (some milliseconds) and checked on a small product.
    """
    dtype = np.dtype(dtype)
    if dtype not in _SCALARS:
        return None
    return fast_gemm(dtype) or numpy_gemm(dtype)


@functools.cache
def numpy_gemm(dtype: Any) -> Any:
    """The ctypes function ``cblas_?gemm`` of NumPy's own BLAS (OpenBLAS in NumPy's wheels)
    for float32 or float64, or None; looked up once per dtype and checked."""
    dtype = np.dtype(dtype)
    return _find(dtype, _numpy_libraries(), _NAMES) if dtype in _SCALARS else None


#: ``operand_layout``'s answer for an array gemm cannot read in place.
UNREADABLE = 0


@jit.loop
def operand_layout(x, transposed):
    """``(transpose flag, leading dimension)`` that tell gemm how to read the operand ``x``
    (``x.T`` when ``transposed``), 2-D, in place: from x's strides, NO_TRANS and the step from
    row to row (in numbers) when each row's numbers lie one after another, TRANS and the step
    from column to column when each column's do, the flag the other way round for ``x.T``;
    ``(UNREADABLE, 0)`` when neither holds (as after broadcasting)."""
    step = x.itemsize
    rows, cols = x.shape
    row_step, col_step = x.strides
    if (col_step == step or cols == 1) and row_step % step == 0 and row_step >= max(cols, 1) * step:
        return (TRANS if transposed else NO_TRANS), row_step // step  # rows one after another
    if (row_step == step or rows == 1) and col_step % step == 0 and col_step >= max(rows, 1) * step:
        return (NO_TRANS if transposed else TRANS), col_step // step  # columns one after another
    return UNREADABLE, 0


#: ``cblas_?gemm``'s 14 arguments as ``c_function`` passes them: order, transA, transB, M, N, K,
#: alpha, A, lda, B, ldb, beta, C, ldc.
GEMM_ARGUMENTS = ("int32", "int32", "int32", "int64", "int64", "int64", "float", "pointer")
GEMM_ARGUMENTS += ("int64", "pointer", "int64", "float", "pointer", "int64")
#: gemm at an address, as ``gemm_into`` calls it (each file declares its own: see c_function).
cblas_gemm = c_function(GEMM_ARGUMENTS)


@jit.loop
def gemm_into(gemm_address, a, a_transposed, b, b_transposed, bias, out):
    """out = A @ B (+ bias on every row, when ``bias`` is not empty) by the gemm at
    ``gemm_address`` (``c_function.function_address`` of ``fast_gemm``'s ctypes function), from
    compiled code, where A is ``a`` or, when ``a_transposed``, ``a.T`` (and B so from ``b``);
    False, with nothing written, when gemm cannot read a or b in place.

    A (M, K), B (K, N), bias (N,) or (0,), out (M, N) C-ordered, all of gemm's dtype. The
    caller passes a transposed view (``w.T``) as the array it views and says so, so that numba
    compiles one form of this function for every operand (it compiles one per layout it is
    given: each form took about 1 MB). With a bias, out is first filled with it and gemm adds
    the product to it (its beta = 1), which saves the separate pass of ``out += bias``.
    Compiled, a call from Python costs about 0.5 us (2.8 us when it was handed the ctypes
    function instead of its address, see ``c_function``); run by Python itself
    (``gemm_into.in_python``: the same steps, the same gemm call and so the same numbers) 9 us,
    as ctypes builds an argument for each of gemm's 14.
    """
    M = a.shape[1] if a_transposed else a.shape[0]
    K = a.shape[0] if a_transposed else a.shape[1]
    N = b.shape[0] if b_transposed else b.shape[1]
    trans_a, lda = operand_layout(a, a_transposed)
    trans_b, ldb = operand_layout(b, b_transposed)
    if trans_a == UNREADABLE or trans_b == UNREADABLE:
        return False
    zero, one = out.dtype.type(0), out.dtype.type(1)  # gemm's alpha and beta, of its dtype
    beta = zero
    if bias.size:
        out[:, :] = bias  # on every row
        beta = one
    cblas_gemm(gemm_address, (ROW_MAJOR, trans_a, trans_b, M, N, K, one, a.ctypes.data, lda,
                              b.ctypes.data, ldb, beta, out.ctypes.data, N))  # fmt: skip
    return True


def _stored(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(x.T, True)`` for a transposed view of a C-ordered array (``w.T``), else ``(x, False)``."""
    if x.flags.f_contiguous and not x.flags.c_contiguous:
        return x.T, True
    return x, False


_NO_BIAS = {dtype: np.empty(0, dtype) for dtype in _SCALARS}


def matmul(a: np.ndarray, b: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` (``+ bias``) for 2-D arrays, by ``threaded_fast_gemm``'s gemm (MKL's on
    threads where it is loaded, else OpenBLAS's) when the product is large: through the
    compiled ``gemm_into`` once numba is imported, else, for MKL, through the same function run
    by Python.

    Args:
        a: (M, K) array; b: (K, N) array, of the same dtype (float32 or float64 for MKL).
        bias: optional (N,) array added to every row of the product.

    Returns a new C-ordered (M, N) array. The twin is ``np.matmul(a, b)`` (then ``+= bias``),
    which runs for everything else (other dtypes or shapes, small products, no gemm found,
    OpenBLAS before numba is imported): the same sums sum_k a[i, k] b[k, j], in another
    order, so float results differ by rounding only. Transposed views (``w.T``) are read in place through gemm's transpose
    flags, never copied.
    """
    if a.ndim == 2 and b.ndim == 2 and a.dtype == b.dtype:
        (M, K), N = a.shape, b.shape[1]
        if M * K * N >= FAST_MIN_MULTIPLY_ADDS and b.shape[0] == K:
            address = threaded_gemm_address(a.dtype)
            compiled = jit.loaded()
            if address is not None and (compiled or _worth_a_python_call(a.dtype)):
                fits = bias is not None and bias.dtype == a.dtype and bias.shape == (N,)
                out = np.empty((M, N), dtype=a.dtype)
                # Compiled once numba is imported; a product never imports it itself (that
                # takes 0.5 s, what 60,000 calls save: a short `glassnet train` makes fewer).
                into = gemm_into if compiled else gemm_into.in_python
                given_bias = bias if fits else _NO_BIAS[a.dtype]
                if into(address, *_stored(a), *_stored(b), given_bias, out):
                    if bias is not None and not fits:
                        out += bias
                    return out
    out = np.matmul(a, b)
    if bias is not None:
        out += bias
    return out
