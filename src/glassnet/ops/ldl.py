"""The LDL^T factorisation of a symmetric indefinite matrix (Bunch-Kaufman pivoting) and solving with it.

A symmetric A that is not positive definite has no Cholesky factor, and an LDL^T without
row exchanges may divide by a zero (A = [[0, 1], [1, 0]]). Bunch and Kaufman's pivoting keeps
every multiplier bounded by choosing, at column k, either a 1x1 pivot (a diagonal entry, swapped
in if needed) or a 2x2 pivot block (two rows and columns at once):

    P A P^T = L D L^T,   L unit lower triangular,  D block diagonal with 1x1 and 2x2 blocks.

The choice at column k, with alpha = (1 + sqrt 17) / 8 (it bounds the growth of the entries),
colmax = the largest |a_ik| below the diagonal (at row r) and rowmax = the largest
off-diagonal |a_rj| of row and column r:

* |a_kk| >= alpha colmax, or |a_kk| rowmax >= alpha colmax**2: a 1x1 pivot a_kk;
* else |a_rr| >= alpha rowmax: a 1x1 pivot a_rr (rows and columns k and r swapped);
* else: the 2x2 pivot [[a_kk, a_rk], [a_rk, a_rr]] (rows and columns k+1 and r swapped).

Each pivot's Schur complement updates the rest: for a 1x1 pivot d and column l = a_{k+1:,k} / d,
A' = A' - d l l^T; for a 2x2 pivot E and columns C (two of them), A' = A' - C E^-1 C^T, and
L's columns are C E^-1.

The result is kept in LAPACK's ``sytrf`` format (lower triangle), which PyTorch returns:
``LD`` holds D on its diagonal (a 2x2 block's off-diagonal entry below it) and L's
multipliers below (L's unit diagonal not stored; the upper triangle is 0); ``pivots`` (int32,
1-based) says, per column, pivots[k] = r + 1 > 0 for a 1x1 pivot after swapping k and r, and
pivots[k] = pivots[k+1] = -(r + 1) for a 2x2 block at k, k+1 after swapping k+1 and r. The
steps follow LAPACK's unblocked ``sytf2``, so the pivots are LAPACK's (and PyTorch's) except
where two candidates tie to rounding. Only A's lower triangle is read.

``ldl_solve`` undoes the factors in turn: for X with A X = B, the swaps and L D (forward,
column by column), then L^T and the swaps (backward). Neither function has a derivative in
PyTorch (``backward`` raises there), and neither has one here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, wrap
from ..dtypes import is_floating
from ..errors import DTypeError, ShapeError
from ..return_types import result_type
from .linalg import SingularMatrixError

__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]

linalg_ldl_factor = result_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = result_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))

# Bunch-Kaufman's constant: it makes the growth of the entries the same for both pivot sizes.
_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _swap_symmetric(a: np.ndarray, k: int, p: int, q: int) -> None:
    """Swap rows and columns p < q of the trailing block a[k:, k:], in its lower triangle only.

    The lower triangle of the block holds a[i, j] for i >= j >= k; exchanging p and q moves
    rows p and q left of p (columns k..p-1), column p below q with column q, row p between
    them with column q there, and the diagonals.
    """
    if p == q:
        return
    a[[p, q], k:p] = a[[q, p], k:p]
    a[q + 1 :, [p, q]] = a[q + 1 :, [q, p]]
    between = a[p + 1 : q, p].copy()
    a[p + 1 : q, p] = a[q, p + 1 : q]
    a[q, p + 1 : q] = between
    a[p, p], a[q, q] = a[q, q], a[p, p]


def bunch_kaufman(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(LD, pivots, info) of one symmetric matrix ``a`` (n, n), read from its lower triangle.

    LAPACK's ``sytf2`` (lower) step by step; see the module docstring for the pivot rule and
    the format. ``info`` is the 1-based index of the first column with nothing to pivot on (a
    zero column below and on the diagonal: D has a zero there), 0 if none; that column is left
    as it is, as LAPACK does.
    """
    n = a.shape[0]
    a = np.tril(a).astype(a.dtype, copy=True)
    pivots = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        step = 1
        diag = abs(a[k, k])
        if k + 1 < n:
            r = k + 1 + int(np.argmax(np.abs(a[k + 1 :, k])))  # argmax: the first largest
            colmax = abs(a[r, k])
        else:
            r, colmax = k, 0.0
        if not max(diag, colmax) > 0:  # a zero (or NaN) column: D is singular here
            info = info or k + 1
            pivots[k] = k + 1
            k += 1
            continue
        if diag >= _ALPHA * colmax:
            pivot = k
        else:
            # rowmax: the largest off-diagonal entry of row/column r within the block.
            rowmax = np.max(np.abs(a[r, k:r]))
            if r + 1 < n:
                rowmax = max(rowmax, np.max(np.abs(a[r + 1 :, r])))
            if diag >= _ALPHA * colmax * (colmax / rowmax):
                pivot = k
            elif abs(a[r, r]) >= _ALPHA * rowmax:
                pivot = r
            else:
                pivot, step = r, 2
        # A 1x1 pivot r moves to k; a 2x2 block's second row r moves to k + 1.
        _swap_symmetric(a, k, k + step - 1, pivot)
        if step == 1:
            if k + 1 < n:
                column = a[k + 1 :, k] / a[k, k]  # L's column: the multipliers l = a / d
                a[k + 1 :, k + 1 :] -= np.tril(np.outer(column, a[k + 1 :, k]))
                a[k + 1 :, k] = column
            pivots[k] = pivot + 1
        else:
            if k + 2 < n:
                # E = [[a_kk, e], [e, a_k1k1]] with e = a_{k+1,k}; L's two columns are C E^-1,
                # written as LAPACK does with e factored out (d11, d22 the diagonals over e).
                e = a[k + 1, k]
                d11 = a[k + 1, k + 1] / e
                d22 = a[k, k] / e
                scale = 1.0 / (d11 * d22 - 1.0) / e
                c0, c1 = a[k + 2 :, k].copy(), a[k + 2 :, k + 1].copy()
                l0 = scale * (d11 * c0 - c1)
                l1 = scale * (d22 * c1 - c0)
                a[k + 2 :, k + 2 :] -= np.tril(np.outer(c0, l0) + np.outer(c1, l1))
                a[k + 2 :, k] = l0
                a[k + 2 :, k + 1] = l1
            pivots[k] = pivots[k + 1] = -(pivot + 1)
        k += step
    return a, pivots, info


def _factor_batch(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``bunch_kaufman`` of every matrix of ``a`` (..., n, n)."""
    n = a.shape[-1]
    flat = a.reshape((math.prod(a.shape[:-2]), n, n))  # not -1: the matrices may be 0 x 0
    ld = np.zeros_like(flat)
    pivots = np.zeros(flat.shape[:-1], dtype=np.int32)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for i, matrix in enumerate(flat):
        ld[i], pivots[i], info[i] = bunch_kaufman(matrix)
    batch = a.shape[:-2]
    return ld.reshape(a.shape), pivots.reshape(batch + (n,)), info.reshape(batch)


class LDLFactor(Op):
    """P A P^T = L D L^T (Bunch-Kaufman; LAPACK's sytrf format);   no derivative (as PyTorch)"""

    def forward(self, a):
        ld, self.pivots, self.info = _factor_batch(a)
        return ld

    def backward(self, g):
        raise RuntimeError("derivative for linalg.ldl_factor_ex is not implemented")


def _symmetric_input(A: Any, hermitian: bool, who: str) -> Any:  # noqa: N803
    a = as_tensor(A)
    if not isinstance(hermitian, bool):
        raise TypeError(f"linalg.{who}: hermitian must be a bool, got {hermitian!r}")
    if a.ndim < 2:
        raise ShapeError(
            f"linalg.{who}: the input A must have at least 2 dimensions (..., n, n), got shape "
            f"{tuple(a.shape)}"
        )
    if not is_floating(a.array.dtype) or a.array.dtype.itemsize < 4:
        raise DTypeError(
            f"linalg.{who}: expected a float32 or float64 tensor as input, got {a.dtype}"
        )
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(
            f"linalg.{who}: A must be batches of square matrices, but they are "
            f"{a.shape[-2]} by {a.shape[-1]} matrices"
        )
    return a


def _raise_zero_block(info: np.ndarray, who: str) -> None:
    j = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
    raise SingularMatrixError(
        f"linalg.{who}: D[{j},{j}] is exactly zero (the matrix is singular), so ldl_solve "
        "would divide by zero; linalg.ldl_factor_ex factorises it anyway"
    )


def ldl_factor_ex(
    A: Any,  # noqa: N803
    *,
    hermitian: bool = False,
    check_errors: bool = False,
) -> Any:
    """``(LD, pivots, info)``: ``ldl_factor`` without raising for a singular A.

    info (int32, one per matrix) is the 1-based index of D's first zero diagonal entry, 0 if
    none; with ``check_errors=True`` a nonzero info raises instead. ``hermitian`` changes
    nothing for real matrices (glassnet's only kind).
    """
    a = _symmetric_input(A, hermitian, "ldl_factor_ex")
    op = LDLFactor()
    ld = op(a)
    if check_errors and np.any(op.info):
        _raise_zero_block(op.info, "ldl_factor_ex")
    return linalg_ldl_factor_ex(ld, wrap(op.pivots), wrap(op.info))


def ldl_factor(A: Any, *, hermitian: bool = False) -> Any:  # noqa: N803
    """``(LD, pivots)``: the Bunch-Kaufman LDL^T factorisation of each symmetric matrix of A.

    Args:
        A: (..., n, n) symmetric matrices; only the lower triangle is read.
        hermitian: accepted for PyTorch's signature; no effect on real matrices.

    Returns: LD (..., n, n), D and L in LAPACK's sytrf format, and pivots (..., n) int32
    (see the module docstring). Raises for a singular A (a zero in D), as PyTorch does; use
    ``ldl_factor_ex`` to get it anyway.

    Example::

        >>> A = glassnet.tensor([[0.0, 1.0], [1.0, 0.0]])  # no LDL^T without pivoting
        >>> glassnet.linalg.ldl_factor(A).pivots
        tensor([-2, -2], dtype=glassnet.int32)             # one 2x2 block
    """
    a = _symmetric_input(A, hermitian, "ldl_factor")
    op = LDLFactor()
    ld = op(a)
    if np.any(op.info):
        _raise_zero_block(op.info, "ldl_factor")
    return linalg_ldl_factor(ld, wrap(op.pivots))


def _swap_rows(b: np.ndarray, i: int, j: int) -> None:
    if i != j:
        b[[i, j]] = b[[j, i]]


def ldl_solve_reference(ld: np.ndarray, pivots: np.ndarray, b: np.ndarray) -> np.ndarray:
    """X with A X = B for one factorised matrix (LD (n, n), pivots (n,)) and B (n, m).

    LAPACK's ``sytrs`` (lower): first L D Y = P B, the swaps applied as they were made and each
    column of L subtracted in turn, a 2x2 block of D solved by Cramer's rule; then L^T X = Y
    from the last column back, with the swaps undone in reverse.
    """
    n = ld.shape[0]
    x = b.copy()
    k = 0
    while k < n:  # L D Y = P B, forward
        if pivots[k] > 0:
            _swap_rows(x, k, pivots[k] - 1)
            x[k + 1 :] -= np.outer(ld[k + 1 :, k], x[k])
            x[k] /= ld[k, k]
            k += 1
        else:
            _swap_rows(x, k + 1, -pivots[k] - 1)
            x[k + 2 :] -= np.outer(ld[k + 2 :, k], x[k]) + np.outer(ld[k + 2 :, k + 1], x[k + 1])
            # [[d0, e], [e, d1]] y = x, by Cramer's rule with e factored out (as LAPACK).
            e = ld[k + 1, k]
            d0, d1 = ld[k, k] / e, ld[k + 1, k + 1] / e
            denominator = d0 * d1 - 1.0
            x0, x1 = x[k] / e, x[k + 1] / e
            x[k] = (d1 * x0 - x1) / denominator
            x[k + 1] = (d0 * x1 - x0) / denominator
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y, backward, then the swaps in reverse
        if pivots[k] > 0:
            x[k] -= ld[k + 1 :, k] @ x[k + 1 :]
            _swap_rows(x, k, pivots[k] - 1)
            k -= 1
        else:
            x[k] -= ld[k + 1 :, k] @ x[k + 1 :]
            x[k - 1] -= ld[k + 1 :, k - 1] @ x[k + 1 :]
            _swap_rows(x, k, -pivots[k] - 1)
            k -= 2
    return x


class LDLSolve(Op):
    """X = A^-1 B from A's LDL^T factors (LAPACK's sytrs);   no derivative (as PyTorch)"""

    def forward(self, ld, pivots, b):
        batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        n, m = b.shape[-2:]
        count = math.prod(batch)
        ld = np.broadcast_to(ld, batch + (n, n)).reshape((count, n, n))
        pivots = np.broadcast_to(pivots, batch + (n,)).reshape((count, n))
        b = np.broadcast_to(b, batch + (n, m)).reshape((count, n, m))
        x = np.empty(b.shape, dtype=b.dtype)
        for i in range(count):
            x[i] = ldl_solve_reference(ld[i], pivots[i], b[i])
        return x.reshape(batch + (n, m))

    def backward(self, g):
        raise RuntimeError("derivative for linalg.ldl_solve is not implemented")


def ldl_solve(LD: Any, pivots: Any, B: Any, *, hermitian: bool = False) -> Any:  # noqa: N803
    """X with A X = B, from ``(LD, pivots) = ldl_factor(A)``.

    Args:
        LD: (..., n, n) and pivots (..., n) as ``ldl_factor`` gives them.
        B: (..., n, k) right-hand sides; the batch axes of LD and B broadcast.
        hermitian: as given to ``ldl_factor``; no effect on real matrices.

    Returns: X (broadcast batch, n, k).
    """
    who = "linalg.ldl_solve"
    ld = _symmetric_input(LD, hermitian, "ldl_solve")
    piv = as_tensor(pivots)
    b = as_tensor(B)
    if piv.array.dtype.kind not in "iu":
        raise DTypeError(f"{who}: expected integer pivots (int32 or int64), got {piv.dtype}")
    if tuple(piv.shape) != tuple(ld.shape[:-1]):
        raise ShapeError(
            f"{who}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
            f"shape {list(piv.shape)} instead of {list(ld.shape[:-1])}"
        )
    if b.ndim < 2:
        raise ShapeError(f"{who}: expected B of shape (..., n, k), got shape {tuple(b.shape)}")
    if b.shape[-2] != ld.shape[-1]:
        raise ShapeError(
            f"{who}: incompatible matrix sizes: each A matrix is {ld.shape[-1]} by "
            f"{ld.shape[-1]} but each B matrix is {b.shape[-2]} by {b.shape[-1]}"
        )
    if b.array.dtype != ld.array.dtype:
        raise DTypeError(
            f"{who}: expected B and LD to have the same dtype, but found B of type {b.dtype} "
            f"and LD of type {ld.dtype}"
        )
    try:
        np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"{who}: the batch shapes of LD {tuple(ld.shape[:-2])} and B {tuple(b.shape[:-2])} "
            "do not broadcast"
        ) from None
    bad = (np.abs(piv.array) < 1) | (np.abs(piv.array) > ld.shape[-1])
    if np.any(bad):
        raise ValueError(
            f"{who}: pivots must be in [1, {ld.shape[-1]}] up to sign, as ldl_factor gives them"
        )
    return LDLSolve()(ld, piv.array.astype(np.int64), b)
