"""Triangular factors and solves: the Cholesky factor A = L L^T, solve_triangular, cholesky_solve.

A symmetric positive-definite matrix A has one lower-triangular L with a positive diagonal and
A = L L^T (``cholesky``); the upper factor is U = L^T, A = U^T U. Systems with a triangular
matrix are solved by substitution, without factorising again (``solve_triangular``), and A X = B
is then two triangular solves, L Y = B and L^T X = Y (``cholesky_solve``).

Gradients (^T is the transpose of the last two axes, sym(X) = (X + X^T) / 2, and Phi(X) the
lower triangle of X with its diagonal halved):

    L = chol(A):        dL/dA = sym(L^-T Phi(L^T G) L^-1)        (Murray 2016, "Differentiation
                                                                   of the Cholesky decomposition")
    X = T^-1 B:         dL/dB = T^-T G,  dL/dT = tri(-(dL/dB) X^T)  (tri: T's own triangle)
    X = (L L^T)^-1 B:   dL/dB = (L L^T)^-1 G,  dL/dL = -(dL/dB X^T + X dL/dB^T) L

Only the triangle of A that the factorisation reads is used (the lower one, or the upper one
with ``upper=True``), as LAPACK and PyTorch do; the gradient of ``cholesky`` is the symmetric
matrix that the formula gives, as PyTorch's is. Every backward is written with the Tensor forms
of these functions, so second derivatives work.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, wrap
from ..errors import ShapeError
from .linalg import SingularMatrixError, _mT, _square

__all__ = [
    "NotPositiveDefiniteError", "cholesky", "cholesky_ex", "cholesky_inverse", "cholesky_solve",
    "solve_triangular", "triangular_solve",
]  # fmt: skip

_cholesky_info = namedtuple("cholesky_ex", ["L", "info"])
_solution_coefficient = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


class NotPositiveDefiniteError(SingularMatrixError):
    """The matrix has no Cholesky factor (PyTorch raises its LinAlgError, a RuntimeError)."""


def _phi(x: Any) -> Any:
    """Phi(X): the lower triangle of X with its diagonal halved."""
    return 0.5 * (x.tril() + x.tril(-1))


def _sym(x: Any) -> Any:
    return 0.5 * (x + _mT(x))


def _cholesky_by_columns(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, info) by the textbook algorithm, one column at a time over the whole batch:

        d_j = a_jj - sum_(k<j) l_jk^2,   l_jj = sqrt(d_j),
        l_ij = (a_ij - sum_(k<j) l_ik l_jk) / l_jj   (i > j).

    The first j with d_j <= 0 (1-based) is the matrix's ``info``: its leading minor of that
    order is not positive-definite, and its later columns stay zero. Reads the lower triangle.
    Used when LAPACK's factorisation (which stops the whole batch) fails."""
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    low = np.zeros_like(flat)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for j in range(n):
        d = flat[:, j, j] - np.einsum("bk,bk->b", low[:, j, :j], low[:, j, :j])
        info[(info == 0) & ~(d > 0)] = j + 1
        ok = info == 0
        root = np.sqrt(np.where(ok, d, 1))
        low[:, j, j] = np.where(ok, root, 0)
        below = flat[:, j + 1 :, j] - np.einsum("bik,bk->bi", low[:, j + 1 :, :j], low[:, j, :j])
        low[:, j + 1 :, j] = np.where(ok[:, None], below / root[:, None], 0)
    return low.reshape(a.shape), info.reshape(a.shape[:-2])


def _factor(a: np.ndarray, upper: bool) -> tuple[np.ndarray, np.ndarray]:
    """(L or U, info): the factor of each matrix of ``a``, from the triangle it reads."""
    lower_source = np.swapaxes(a, -1, -2) if upper else a  # U^T is the L of A's upper triangle
    try:
        factor = np.linalg.cholesky(lower_source)
        info = np.zeros(a.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        factor, info = _cholesky_by_columns(lower_source)
    return (np.swapaxes(factor, -1, -2) if upper else factor), info


class Cholesky(Op):
    """L = chol(A), A = L L^T;   dL/dA = sym(L^-T Phi(L^T G) L^-1)"""

    def __init__(self, upper: bool = False) -> None:
        self.upper = upper

    def forward(self, a):
        self.out_data, self.info = _factor(a, self.upper)
        return self.out_data

    def backward(self, g):
        factor = self.output()
        low, g_low = (_mT(factor), _mT(g)) if self.upper else (factor, g)
        inner = _phi(_mT(low) @ g_low)
        # L^-T inner L^-1 as two triangular solves: L^T Y = inner, then Z L = Y.
        y = solve_triangular(_mT(low), inner, upper=True)
        return (_sym(solve_triangular(low, y, upper=False, left=False)),)

    def saved_inputs(self):
        return ()  # reads only its output


def _raise_not_positive_definite(info: np.ndarray, who: str) -> None:
    if not np.any(info):
        return
    where = ""
    if info.ndim:
        first = int(np.flatnonzero(info.reshape(-1))[0])
        where = f"(Batch element {first}): "
        order = int(info.reshape(-1)[first])
    else:
        order = int(info)
    raise NotPositiveDefiniteError(
        f"linalg.{who}: {where}the factorization could not be completed because the input is "
        f"not positive-definite (the leading minor of order {order} is not positive-definite)"
    )


def cholesky(A: Any, upper: bool = False) -> Any:  # noqa: N803
    """The Cholesky factor of each symmetric positive-definite matrix of A (..., n, n): the
    lower-triangular L with a positive diagonal and A = L L^T (reading A's lower triangle), or
    with ``upper=True`` the upper-triangular U = L^T with A = U^T U (reading the upper one).

    Raises NotPositiveDefiniteError (a RuntimeError, PyTorch's LinAlgError) naming the first
    leading minor that is not positive-definite. Gradient: sym(L^-T Phi(L^T G) L^-1).
    """
    a = _square(A, "cholesky")
    op = Cholesky(bool(upper))
    result = op(a)
    _raise_not_positive_definite(op.info, "cholesky")
    return result


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """``(L, info)``: ``cholesky`` without raising: ``info`` (int32, one per matrix) is 0 where
    the factor exists, else the order of the first leading minor that is not positive-definite
    (there L holds the columns computed before it, zeros after; LAPACK leaves other partial
    work in them)."""
    a = _square(A, "cholesky_ex")
    op = Cholesky(bool(upper))
    factor = op(a)
    if check_errors:
        _raise_not_positive_definite(op.info, "cholesky_ex")
    return _cholesky_info(factor, wrap(op.info))


# ---------------------------------------------------------------------- triangular solves


def _substitute(t: np.ndarray, b: np.ndarray, upper: bool) -> np.ndarray:
    """X with T X = B by forward (lower) or back (upper) substitution, one row at a time over
    the whole batch. Used only for singular T, where it gives PyTorch's inf / NaN."""
    n = t.shape[-1]
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:]
    x = np.zeros(shape, dtype=np.result_type(t, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in reversed(range(n)) if upper else range(n):
            done = slice(i + 1, n) if upper else slice(0, i)
            rest = b[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, done], x[..., done, :])
            x[..., i, :] = rest / t[..., i, i, None]
    return x


class SolveTriangular(Op):
    """X = T^-1 B (T triangular);   dL/dB = T^-T G,   dL/dT = tri(-(dL/dB) X^T)"""

    def __init__(self, upper: bool, unitriangular: bool) -> None:
        self.upper, self.unitriangular = upper, unitriangular

    def forward(self, t, b):
        tri = np.triu(t) if self.upper else np.tril(t)
        if self.unitriangular:
            n = t.shape[-1]
            tri = tri.copy()
            tri[..., np.arange(n), np.arange(n)] = 1
        try:
            self.out_data = np.linalg.solve(tri, b)
        except np.linalg.LinAlgError:  # a zero on the diagonal: inf / NaN, as PyTorch
            self.out_data = _substitute(tri, b, self.upper)
        return self.out_data

    def backward(self, g):
        t, _ = self.inputs
        # T^T is triangular the other way up; the unit diagonal (if any) stays.
        g_b = solve_triangular(_mT(t), g, upper=not self.upper, unitriangular=self.unitriangular)
        g_t = -(g_b @ _mT(self.output()))
        shift = 1 if self.unitriangular else 0  # a unit diagonal is not read: no gradient
        g_t = g_t.triu(shift) if self.upper else g_t.tril(-shift)
        return g_t, g_b


def solve_triangular(
    A: Any,  # noqa: N803
    B: Any,  # noqa: N803
    *,
    upper: bool,
    left: bool = True,
    unitriangular: bool = False,
) -> Any:
    """X with A X = B (``left=True``) or X A = B (``left=False``), where A (..., n, n) is
    triangular: only its upper (``upper=True``) or lower triangle is read, and with
    ``unitriangular=True`` its diagonal is taken to be ones. B is (..., n, k) (left) or
    (..., k, n) (right); batch axes broadcast. A zero on the diagonal gives inf / NaN (no
    error), as in PyTorch.

    X A = B is A^T X^T = B^T, so the right-hand case is the left one transposed.
    """
    a = _square(A, "solve_triangular")
    b = as_tensor(B)
    if b.ndim < 2:
        raise ShapeError(
            f"linalg.solve_triangular: expected B of shape (..., n, k) with at least 2 "
            f"dimensions, got {tuple(b.shape)}"
        )
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        expected = f"(..., {n}, k)" if left else f"(..., k, {n})"
        raise ShapeError(
            f"linalg.solve_triangular: A of shape {tuple(a.shape)} needs B of shape {expected} "
            f"(left={left}), got {tuple(b.shape)}"
        )
    b = b.to(a.array.dtype)
    if left:
        result = SolveTriangular(bool(upper), bool(unitriangular))(a, b)
    else:
        result = _mT(SolveTriangular(not upper, bool(unitriangular))(_mT(a), _mT(b)))
    return result


def triangular_solve(
    b: Any,
    A: Any,
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,  # noqa: N803
) -> Any:
    """PyTorch's legacy ``torch.triangular_solve(b, A)``: ``(solution, cloned_coefficient)``,
    the X with A X = b (A^T X = b with ``transpose=True``) and a copy of A. Note the default
    ``upper=True`` (linalg.solve_triangular has no default)."""
    a = _square(A, "triangular_solve")
    t, up = (_mT(a), not upper) if transpose else (a, upper)
    x = solve_triangular(t, b, upper=up, unitriangular=unitriangular)
    return _solution_coefficient(x, a.clone())


def _check_factor_pair(b: Any, factor: Any, who: str) -> tuple[Any, Any]:
    f = _square(factor, who)
    b = as_tensor(b)
    if b.ndim < 2 or b.shape[-2] != f.shape[-1]:
        raise ShapeError(
            f"{who}: the factor of shape {tuple(f.shape)} needs a right-hand side of shape "
            f"(..., {f.shape[-1]}, k), got {tuple(b.shape)}"
        )
    return b.to(f.array.dtype), f


class CholeskySolve(Op):
    """X = (L L^T)^-1 B;   dL/dB = (L L^T)^-1 G,   dL/dL = -(dL/dB X^T + X dL/dB^T) L"""

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def forward(self, b, factor):
        low = np.swapaxes(np.triu(factor), -1, -2) if self.upper else np.tril(factor)
        # L Y = B, then L^T X = Y.
        y = SolveTriangular(False, False).forward(low, b)
        self.out_data = SolveTriangular(True, False).forward(np.swapaxes(low, -1, -2), y)
        return self.out_data

    def backward(self, g):
        _, factor = self.inputs
        g_b = cholesky_solve(g, factor, upper=self.upper)
        x = self.output()
        common = g_b @ _mT(x) + x @ _mT(g_b)
        # With A = U^T U the factor multiplies from the left: dL/dU = -U (...).
        g_f = -(factor @ common) if self.upper else -(common @ factor)
        return g_b, g_f


def cholesky_solve(B: Any, L: Any, upper: bool = False) -> Any:  # noqa: N803
    """X with A X = B, given A's Cholesky factor L (A = L L^T; or U with A = U^T U when
    ``upper=True``): B (..., n, k), L (..., n, n), batch axes broadcast. Note the argument
    order, B first, as ``torch.cholesky_solve``. Only L's triangle is read; its gradient is
    PyTorch's, -(dL/dB X^T + X dL/dB^T) L, which treats L as the full matrix in L L^T."""
    b, factor = _check_factor_pair(B, L, "cholesky_solve")
    return CholeskySolve(bool(upper))(b, factor)


def cholesky_inverse(L: Any, upper: bool = False) -> Any:  # noqa: N803
    """A^-1 from A's Cholesky factor (A = L L^T, or U^T U with ``upper=True``): the solution of
    A X = I, so its gradient is cholesky_solve's, -Y (G + G^T) Y L with Y = A^-1."""
    factor = _square(L, "cholesky_inverse")
    n = factor.shape[-1]
    eye = wrap(np.broadcast_to(np.eye(n, dtype=factor.array.dtype), factor.shape).copy())
    return CholeskySolve(bool(upper))(eye, factor)
