"""The LU factorisation with partial pivoting, A = P L U, and solving with it: lu_factor, lu, lu_solve.

For each column j, the largest |a_ij| on or below the diagonal is swapped into row j (the
pivot), the entries below it are divided by it (column j of L) and their multiples of row j
are subtracted from the rows below (the Schur complement). L (m, k) is unit lower triangular,
U (k, n) upper triangular, k = min(m, n); ``lu_factor`` stores both in one matrix LU = L - I + U
and the row swaps as ``pivots`` (1-based: row j was swapped with row pivots[j], in order, as
LAPACK's getrf and PyTorch).

Gradient of the factorisation (``lu_factor`` and ``lu``), for square A:

    dL/dA = P L^-T [tril(L^T G_L, -1) + triu(G_U U^T)] U^-T

For a wide A = P L [U1 | U2] the bracket gains -G_U2 U2^T (U2 = L^-1 P^T A2 moves with L) and
dL/dA2 = P L^-T G_U2; for a tall A = P [L1; L2] U it gains -L2^T G_L2 and the lower rows of
P^T A get G_L2 U^-T.

written with Tensor ops on L and U (second derivatives work); ``lu_solve`` is two triangular
solves and a permutation, so its gradient is theirs.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, wrap
from ..errors import ShapeError
from . import api
from .cholesky import solve_triangular
from .decompositions import _matrices
from .linalg import SingularMatrixError, _mT

__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack"]

_lu_factor = namedtuple("linalg_lu_factor", ["LU", "pivots"])
_lu_factor_ex = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_lu = namedtuple("linalg_lu", ["P", "L", "U"])
_lu_unpack = namedtuple("lu_unpack", ["P", "L", "U"])


def _getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(LU, pivots, info) of each matrix of ``a`` (..., m, n), by Gaussian elimination with
    partial pivoting, one column at a time over the whole batch. info is the 1-based index of
    the first zero pivot (0 if none); a zero pivot's column is left undivided, as LAPACK."""
    m, n = a.shape[-2:]
    k = min(m, n)
    lu = a.reshape(-1, m, n).astype(a.dtype, copy=True)
    batch = np.arange(lu.shape[0])
    pivots = np.zeros((lu.shape[0], k), dtype=np.int32)
    info = np.zeros(lu.shape[0], dtype=np.int32)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=-1)
        pivots[:, j] = p + 1
        row_j = lu[batch, j].copy()
        lu[batch, j] = lu[batch, p]
        lu[batch, p] = row_j
        pivot = lu[:, j, j]
        zero = pivot == 0
        info[zero & (info == 0)] = j + 1
        lu[:, j + 1 :, j] /= np.where(zero, 1, pivot)[:, None]
        lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, None, j, j + 1 :]
    batch_shape = a.shape[:-2]
    return lu.reshape(a.shape), pivots.reshape(batch_shape + (k,)), info.reshape(batch_shape)


def _permutation(pivots: np.ndarray, m: int, dtype: Any) -> np.ndarray:
    """P (..., m, m) with A = P L U, from the row swaps ``pivots`` (1-based)."""
    flat = pivots.reshape(-1, pivots.shape[-1]) - 1
    order = np.tile(np.arange(m), (flat.shape[0], 1))  # order[i] = original row now at row i
    batch = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        row_j = order[batch, j].copy()
        order[batch, j] = order[batch, p]
        order[batch, p] = row_j
    # P A puts row order[i] ... : (P^T A)[i] = A[order[i]], so P[order[i], i] = 1.
    perm = np.zeros((flat.shape[0], m, m), dtype=dtype)
    perm[batch[:, None], order, np.arange(m)] = 1
    return perm.reshape(pivots.shape[:-1] + (m, m))


def _split(packed: Any, m: int, n: int) -> tuple[Any, Any]:
    """(L, U) from LU = L - I + U: L (..., m, k) unit lower, U (..., k, n) upper."""
    k = min(m, n)
    eye = wrap(np.eye(m, k, dtype=packed.array.dtype))
    return packed[..., :, :k].tril(-1) + eye, packed[..., :k, :].triu()


class LUFactor(Op):
    """A = P L U;   dL/dA = P L^-T [tril(L^T G_L, -1) + triu(G_U U^T)] U^-T   (square A; see above)"""

    def forward(self, a):
        self.out_data, self.pivots, self.info = _getrf(a)
        return self.out_data

    def backward(self, g):
        m, n = g.shape[-2:]
        k = min(m, n)
        low, up = _split(self.output(), m, n)
        g_low, g_up = g[..., :, :k].tril(-1), g[..., :k, :].triu()  # the parts of LU: L and U
        low1, up1 = low[..., :k, :], up[..., :, :k]  # the square k x k factors
        inner_low = _mT(low1) @ g_low[..., :k, :]
        inner_up = g_up[..., :, :k] @ _mT(up1)
        # Wide A = P L [U1 | U2]: U2 = L^-1 P^T A2 also moves with L. Tall A = P [L1; L2] U:
        # L2 = (P^T A)_2 U^-1 also moves with U. Each adds its term to the square formula.
        if n > k:
            inner_low = inner_low - g_up[..., :, k:] @ _mT(up[..., :, k:])
        if m > k:
            inner_up = inner_up - _mT(low[..., k:, :]) @ g_low[..., k:, :]
        inner = inner_low.tril(-1) + inner_up.triu()
        # L1^-T inner U1^-T: solve L1^T Y = inner, then Z U1^T = Y.
        y = solve_triangular(_mT(low1), inner, upper=True, unitriangular=True)
        g_a = solve_triangular(_mT(up1), y, upper=False, left=False)
        if n > k:  # dL/dA2 = P L^-T G_U2
            rest = solve_triangular(_mT(low1), g_up[..., :, k:], upper=True, unitriangular=True)
            g_a = api.cat([g_a, rest], -1)
        if m > k:  # dL/d(P^T A)_2 = G_L2 U^-T
            rest = solve_triangular(_mT(up1), g_low[..., k:, :], upper=False, left=False)
            g_a = api.cat([g_a, rest], -2)
        return (wrap(_permutation(self.pivots, m, g_a.array.dtype)) @ g_a,)

    def saved_inputs(self):
        return ()


def _check_pivot(pivot: bool, who: str) -> None:
    if not pivot:
        raise NotImplementedError(
            f"linalg.{who}: LU without pivoting is not implemented on the CPU (as in PyTorch); "
            "use pivot=True"
        )


def lu_factor_ex(A: Any, *, pivot: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """``(LU, pivots, info)``: ``lu_factor`` without raising for a singular A; info (int32, one
    per matrix) is the 1-based index of the first zero on U's diagonal, 0 if none."""
    a = _matrices(A, "lu_factor_ex")
    _check_pivot(pivot, "lu_factor_ex")
    op = LUFactor()
    packed = op(a)
    if check_errors and np.any(op.info):
        _raise_zero_pivot(op.info, "lu_factor_ex")
    return _lu_factor_ex(packed, wrap(op.pivots), wrap(op.info))


def _raise_zero_pivot(info: np.ndarray, who: str) -> None:
    j = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
    raise SingularMatrixError(
        f"linalg.{who}: U[{j},{j}] is zero (the matrix is singular), and using it in lu_solve "
        "would divide by zero; linalg.lu or linalg.lu_factor_ex factorise it anyway"
    )


def lu_factor(A: Any, *, pivot: bool = True) -> Any:  # noqa: N803
    """``(LU, pivots)``: the LU factorisation of each matrix of A (..., m, n) in compact form,
    LU = L - I + U (..., m, n), pivots (..., min(m, n)) int32, 1-based. Raises for a singular
    square A (a zero pivot), as PyTorch; use ``lu_factor_ex`` or ``lu`` to get it anyway."""
    a = _matrices(A, "lu_factor")
    _check_pivot(pivot, "lu_factor")
    op = LUFactor()
    packed = op(a)
    if np.any(op.info):
        _raise_zero_pivot(op.info, "lu_factor")
    return _lu_factor(packed, wrap(op.pivots))


def lu_unpack(
    LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True
) -> Any:  # noqa: N803
    """``(P, L, U)`` from the compact ``lu_factor`` result: P (..., m, m), L (..., m, k),
    U (..., k, n); differentiable in LU_data."""
    packed = as_tensor(LU_data)
    m, n = packed.shape[-2:]
    pivots = as_tensor(LU_pivots).array
    empty = wrap(np.zeros(0, dtype=packed.array.dtype))
    p = wrap(_permutation(pivots, m, packed.array.dtype)) if unpack_pivots else empty
    low, up = _split(packed, m, n) if unpack_data else (empty, empty)
    return _lu_unpack(p, low, up)


def lu(A: Any, *, pivot: bool = True) -> Any:  # noqa: N803
    """``(P, L, U)`` with A = P L U for each matrix of A (..., m, n): P a permutation (..., m, m),
    L (..., m, k) unit lower triangular, U (..., k, n) upper triangular, k = min(m, n). A
    singular A is factorised too (U then has a zero on its diagonal)."""
    a = _matrices(A, "lu")
    _check_pivot(pivot, "lu")
    op = LUFactor()
    packed = op(a)
    m, n = a.shape[-2:]
    low, up = _split(packed, m, n)
    return _lu(wrap(_permutation(op.pivots, m, a.array.dtype)), low, up)


def lu_solve(LU: Any, pivots: Any, B: Any, *, left: bool = True, adjoint: bool = False) -> Any:  # noqa: N803
    """X with A X = B from A's ``lu_factor`` (A = P L U): X = U^-1 L^-1 P^T B. With
    ``adjoint=True`` it solves A^T X = B (X = P L^-T U^-T B), with ``left=False`` X A = B
    (the transposed problem). LU (..., n, n), B (..., n, k) (left) or (..., k, n)."""
    packed = as_tensor(LU)
    if packed.ndim < 2 or packed.shape[-1] != packed.shape[-2]:
        raise ShapeError(
            f"linalg.lu_solve: expected LU of square matrices (..., n, n), got {tuple(packed.shape)}"
        )
    b = as_tensor(B)
    n = packed.shape[-1]
    if b.ndim < 2 or (b.shape[-2] if left else b.shape[-1]) != n:
        expected = f"(..., {n}, k)" if left else f"(..., k, {n})"
        raise ShapeError(
            f"linalg.lu_solve: LU of shape {tuple(packed.shape)} needs B of shape {expected} "
            f"(left={left}), got {tuple(b.shape)}"
        )
    b = b.to(packed.array.dtype)
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _mT(lu_solve(packed, pivots, _mT(b), adjoint=not adjoint))
    low, up = _split(packed, n, n)
    perm = wrap(_permutation(as_tensor(pivots).array, n, packed.array.dtype))
    if not adjoint:
        y = solve_triangular(low, _mT(perm) @ b, upper=False, unitriangular=True)
        return solve_triangular(up, y, upper=True)
    y = solve_triangular(_mT(up), b, upper=False)
    return perm @ solve_triangular(_mT(low), y, upper=True, unitriangular=True)
