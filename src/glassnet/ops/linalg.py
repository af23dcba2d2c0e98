"""Linear algebra of square matrices, norms and products: inv, det, slogdet, solve, norms, multi_dot.

The values come from NumPy's LAPACK routines (``np.linalg``), on the last two axes, so a batch
of matrices (..., n, n) is one call. Each gradient is the textbook matrix identity, written with
Tensor ops (so it can be differentiated again); with Y = A^-1 and ^T the transpose of the last
two axes:

    inverse:      d(A^-1) = -Y dA Y              ->  dL/dA = -Y^T G Y^T
    determinant:  d det A = det A tr(Y dA)       ->  dL/dA = g det A Y^T
    log |det A|:  d log|det A| = tr(Y dA)        ->  dL/dA = g Y^T
    X = A^-1 B:   dX = A^-1 (dB - dA X)          ->  dL/dB = A^-T G,  dL/dA = -(dL/dB) X^T

The norms are formulas of the reductions (``glassnet.norm``, sums and maxima of |a|), and the
products (multi_dot, vecdot, cross) and linalg.diagonal compositions of Tensor ops, so their
gradients are those of matmul, mul and sum.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, wrap
from ..dtypes import is_floating
from ..errors import DTypeError, ShapeError
from . import api

__all__ = [
    "cross", "det", "diagonal", "inv", "logdet", "matrix_norm", "matrix_power", "multi_dot", "norm",
    "slogdet", "solve", "vecdot", "vector_norm",
]  # fmt: skip

_sign_logabsdet = namedtuple("slogdet", ["sign", "logabsdet"])


class SingularMatrixError(RuntimeError):
    """The matrix has no inverse (PyTorch raises its LinAlgError, also a RuntimeError)."""


def _square(x: Any, who: str) -> Any:
    """``x`` as a floating tensor of square matrices (..., n, n), or one clear error."""
    t = as_tensor(x)
    if not is_floating(t.array.dtype):
        raise DTypeError(f"linalg.{who}: expected a floating tensor, got dtype {t.array.dtype}")
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ShapeError(
            f"linalg.{who}: expected square matrices of shape (..., n, n), got {tuple(t.shape)}"
        )
    return t


def _lapack(routine: Any, who: str, *arrays: np.ndarray) -> Any:
    try:
        return routine(*arrays)
    except np.linalg.LinAlgError:
        raise SingularMatrixError(
            f"linalg.{who}: the matrix is singular (its determinant is 0), so it has no inverse"
        ) from None


def _mT(x: Any) -> Any:
    return x.transpose(-2, -1)


class Inv(Op):
    """Y = A^-1;   dL/dA = -Y^T G Y^T"""

    def forward(self, a):
        self.out_data = _lapack(np.linalg.inv, "inv", a)
        return self.out_data

    def backward(self, g):
        y_t = _mT(self.output())
        return (-(y_t @ g @ y_t),)


class Det(Op):
    """d = det A;   dL/dA = g d A^-T"""

    def forward(self, a):
        self.out_data = np.asarray(np.linalg.det(a), dtype=a.dtype)
        return self.out_data

    def backward(self, g):
        (a,) = self.inputs
        scale = (g * self.output()).unsqueeze(-1).unsqueeze(-1)  # d itself, so it is recorded
        return (scale * _mT(inv(a)),)


class LogAbsDet(Op):
    """l = log |det A|;   dL/dA = g A^-T"""

    def forward(self, a):
        _, logabs = np.linalg.slogdet(a)
        return np.asarray(logabs, dtype=a.dtype)

    def backward(self, g):
        (a,) = self.inputs
        return (g.unsqueeze(-1).unsqueeze(-1) * _mT(inv(a)),)


class Solve(Op):
    """X = A^-1 B (B of shape (..., n, k));   dL/dB = A^-T G,   dL/dA = -(dL/dB) X^T"""

    def forward(self, a, b):
        self.out_data = _lapack(np.linalg.solve, "solve", a, b)
        return self.out_data

    def backward(self, g):
        a, _ = self.inputs
        g_b = solve(_mT(a), g)
        return -(g_b @ _mT(self.output())), g_b


def inv(A: Any) -> Any:  # noqa: N803 - PyTorch's argument name
    """The inverse matrix A^-1 (A @ inv(A) is the identity), of each matrix of (..., n, n)."""
    return Inv()(_square(A, "inv"))


def det(A: Any) -> Any:  # noqa: N803
    """The determinant of each matrix of (..., n, n): how much the matrix scales volumes. Its
    gradient (g det A A^-T) needs A invertible; at a singular A backward raises LinAlgError."""
    return Det()(_square(A, "det"))


def slogdet(A: Any) -> Any:  # noqa: N803
    """``(sign, logabsdet)``: det A = sign * exp(logabsdet), without the overflow of det itself
    for large matrices. The gradient flows through logabsdet."""
    a = _square(A, "slogdet")
    sign, _ = np.linalg.slogdet(a.array)
    return _sign_logabsdet(wrap(np.asarray(sign, dtype=a.array.dtype)), LogAbsDet()(a))


def logdet(A: Any) -> Any:  # noqa: N803
    """log det A: NaN where the determinant is negative, -inf where it is 0 (as PyTorch); the
    gradient is logabsdet's, A^-T."""
    a = _square(A, "logdet")
    sign, logabs = slogdet(a)
    flags = sign.array
    if np.all(flags > 0):
        return logabs
    return api.where(wrap(flags < 0), math.nan, api.where(wrap(flags == 0), -math.inf, logabs))


def matrix_power(A: Any, n: int) -> Any:  # noqa: N803
    """A @ A @ ... (n factors) by repeated squaring; the identity for n = 0, powers of A^-1 for
    n < 0. Its gradient comes from the products'."""
    a = _square(A, "matrix_power")
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: expected an integer power, got {n!r}")
    if n == 0:
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.array.dtype), a.shape)
        return wrap(np.ascontiguousarray(eye))
    base = inv(a) if n < 0 else a
    result, n = None, abs(int(n))
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def solve(A: Any, B: Any, *, left: bool = True) -> Any:  # noqa: N803
    """X with A X = B, without forming A^-1: A (..., n, n); B (..., n, k), or (..., n) for
    vectors (when B has one axis fewer than A). ``left=False`` solves X A = B instead, which
    is A^T X^T = B^T (B then (..., k, n))."""
    a = _square(A, "solve")
    b = as_tensor(B)
    if not left:
        a_t = a.transpose(-2, -1)
        if b.ndim == a.ndim - 1:  # a row vector x with x A = b
            return solve(a_t, b)
        return solve(a_t, b.transpose(-2, -1)).transpose(-2, -1)
    vectors = b.ndim == a.ndim - 1
    b_mat = b.unsqueeze(-1) if vectors else b
    if b_mat.ndim < 2 or b_mat.shape[-2] != a.shape[-1]:
        raise ShapeError(
            f"linalg.solve: A of shape {tuple(a.shape)} needs B of shape (..., {a.shape[-1]}, k) "
            f"or (..., {a.shape[-1]}), got {tuple(b.shape)}"
        )
    x = Solve()(a, b_mat.to(a.array.dtype))
    return x.squeeze(-1) if vectors else x


def vector_norm(x: Any, ord: float = 2, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """(sum |x|**ord)**(1/ord) over ``dim`` (all elements when None); ord may be inf, -inf, or 0
    (how many elements are nonzero)."""
    t = as_tensor(x)
    if ord == 0:
        return (t != 0).float().sum(dim, keepdim) if dim is not None else (t != 0).float().sum()
    if dim is None:
        t, dim = t.reshape(-1), 0
        if keepdim:
            return api.norm(t, ord, dim).reshape((1,) * as_tensor(x).ndim)
    return api.norm(t, ord, dim, keepdim)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False) -> Any:  # noqa: N803, A002
    """A matrix norm over the two axes ``dim``: 'fro' (sqrt of the sum of squares), 1 / -1 (the
    largest / smallest column sum of |a|), inf / -inf (the same for rows), and from the
    singular values s_1 >= s_2 >= ...: 2 / -2 (the largest / smallest s_i, how much A can
    stretch / must shrink a vector) and 'nuc' (their sum)."""
    t = as_tensor(A)
    rows, cols = (d % t.ndim for d in dim)
    if ord == "fro":
        return api.norm(t, 2, (rows, cols), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        along, across = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = t.abs().sum(along, keepdim=True)
        pick = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
        return pick if keepdim else pick.squeeze(max(rows, cols)).squeeze(min(rows, cols))
    if ord in (2, -2, "nuc"):
        # Imported here: decompositions builds on this file's solve.
        from .decompositions import svdvals

        s = svdvals(api.movedim(t, (rows, cols), (-2, -1)))  # (..., min(m, n))
        value = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            for axis in sorted((rows, cols)):
                value = value.unsqueeze(axis)
        return value
    raise ValueError(
        f"linalg.matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got {ord!r}"
    )


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: N803, A002
    """PyTorch's ``linalg.norm``: a vector norm when ``dim`` is one axis (or A is 1-D), a matrix
    norm when ``dim`` is two axes (or A is 2-D and ``ord`` is given), else the 2-norm of all
    elements."""
    t = as_tensor(A)
    if isinstance(dim, int) or (dim is None and ord is not None and t.ndim == 1):
        return vector_norm(t, 2 if ord is None else ord, dim, keepdim)
    if dim is not None or ord is not None:
        if ord is not None and dim is None and t.ndim != 2:
            raise ShapeError(
                f"linalg.norm: with ord={ord!r} the input must be 1-D or 2-D, or dim given; got "
                f"shape {tuple(t.shape)}"
            )
        return matrix_norm(t, "fro" if ord is None else ord, tuple(dim or (-2, -1)), keepdim)
    return vector_norm(t, 2, None, keepdim)


# ---------------------------------------------------------------------- products


def _chain_order(dims: list[int]) -> list[list[int]]:
    """The cheapest parenthesisation of M_0 M_1 ... M_(k-1), M_i of shape (dims[i], dims[i+1]):
    split[i][j] is where (M_i ... M_j) splits, by the textbook matrix-chain dynamic program
    (cost[i][j] = min over s of cost[i][s] + cost[s+1][j] + dims[i] dims[s+1] dims[j+1])."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1], s)
                for s in range(i, j)
            )
    return split


def multi_dot(tensors: Any) -> Any:
    """The product M_0 @ M_1 @ ... of two or more matrices, multiplied in the order that costs
    the fewest scalar multiplications (the result is the same in any order). The first may be a
    1-D row vector and the last a 1-D column vector (their axis is then absent in the result)."""
    ts = [as_tensor(t) for t in tensors]
    if len(ts) < 2:
        raise ValueError(f"linalg.multi_dot: expected at least 2 tensors, got {len(ts)}")
    first_vector, last_vector = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_vector:
        ts[0] = ts[0].unsqueeze(0)
    if last_vector:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t.ndim != 2:
            raise ShapeError(
                f"linalg.multi_dot: tensor {i} must be 2-D (only the first and last may be 1-D), "
                f"got shape {tuple(tensors[i].shape)}"
            )
        if i and t.shape[0] != ts[i - 1].shape[1]:
            raise ShapeError(
                f"linalg.multi_dot: tensors {i - 1} and {i} cannot be multiplied: shapes "
                f"{tuple(ts[i - 1].shape)} and {tuple(t.shape)}"
            )
    split = _chain_order([ts[0].shape[0]] + [t.shape[1] for t in ts])

    def product(i: int, j: int) -> Any:
        return ts[i] if i == j else product(i, split[i][j]) @ product(split[i][j] + 1, j)

    result = product(0, len(ts) - 1)
    if first_vector:
        result = result.squeeze(0)
    if last_vector:
        result = result.squeeze(-1)
    return result


def _broadcast_pair(a: Any, b: Any, who: str) -> tuple:
    """The shape that a and b broadcast to, or a ShapeError naming ``linalg.<who>``."""
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(
            f"linalg.{who}: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast"
        ) from None


def vecdot(x: Any, y: Any, *, dim: int = -1) -> Any:
    """The dot product sum_i x_i y_i along ``dim``, broadcasting the other axes (real tensors,
    so no conjugate);   dL/dx = g y,  dL/dy = g x."""
    a, b = as_tensor(x), as_tensor(y)
    shape = _broadcast_pair(a, b, "vecdot")
    if not shape or a.shape[dim] != b.shape[dim]:
        raise ShapeError(
            f"linalg.vecdot: x and y need the same size along dim={dim}, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    return (a * b).sum(dim)


def cross(input: Any, other: Any, *, dim: int = -1) -> Any:  # noqa: A002
    """``linalg.cross``: the cross product of 3-vectors along ``dim`` (the last axis by default,
    unlike torch.cross), broadcasting the other axes."""
    a, b = as_tensor(input), as_tensor(other)
    shape = _broadcast_pair(a, b, "cross")
    if not shape or not -len(shape) <= dim < len(shape) or shape[dim] != 3:
        raise ShapeError(
            f"linalg.cross: dim={dim} must have size 3, got shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )
    return api.cross(a.expand(*shape), b.expand(*shape), dim=dim % len(shape))


def diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:  # noqa: N803
    """``linalg.diagonal``: the diagonal of each matrix of A (..., m, n) as the last axis, the
    same as ``glassnet.diagonal`` with the last two axes as its defaults."""
    return api.diagonal(as_tensor(A), offset, dim1, dim2)
