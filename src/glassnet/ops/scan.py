"""Running (cumulative) ops along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp.

y_j combines x_0 .. x_j, so x_i influences every y_j with j >= i: each backward is a sum over
the *later* outputs, a cumulative sum run backwards (``_reverse_cumsum``).
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..autograd import Op, wrap
from . import api as A
from .reduce import normalize_dims
from .shape import IndexAdd


def _axis(dim, ndim: int, op: str) -> int:
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    axes = normalize_dims(dim, ndim, op)  # checks the range (0 or -1 for a 0-d tensor)
    return axes[0] if axes else 0


def _reverse_cumsum(g, axis: int):
    """z_i = sum_{j >= i} g_j along ``axis`` (differentiable: flips and a cumsum)."""
    return g.flip(axis).cumsum(axis).flip(axis)


class Cumsum(Op):
    """y_j = sum_{i <= j} x_i along dim;   dL/dx_i = sum_{j >= i} g_j"""

    def __init__(self, dim: int):
        self.dim = dim

    def forward(self, x):
        self.axis = _axis(self.dim, x.ndim, "cumsum")
        return np.cumsum(x, axis=self.axis) if x.ndim else x.copy()

    def backward(self, g):
        return (_reverse_cumsum(g, self.axis) if g.ndim else g,)


class Cumprod(Op):
    """y_j = prod_{i <= j} x_i along dim;   dL/dx_i = sum_{j >= i} g_j * prod_{k <= j, k != i} x_k"""

    def __init__(self, dim: int):
        self.dim = dim

    def forward(self, x):
        self.axis = _axis(self.dim, x.ndim, "cumprod")
        self.out_data = np.cumprod(x, axis=self.axis) if x.ndim else x.copy()
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        if x.ndim == 0:
            return (g,)
        if np.all(x.array != 0):
            # prod_{k <= j, k != i} x_k = y_j / x_i when no factor is zero.
            return (_reverse_cumsum(g * self.output(), self.axis) / x,)
        return (_cumprod_grad_with_zeros(g, x, self.axis),)


def _cumprod_grad_with_zeros(g, x, axis: int):
    """The exact rule, for inputs holding zeros: build M[i, j] = prod_{k <= j, k != i} x_k.

    Row i is the running product of x with x_i replaced by 1; only j >= i counts. O(n**2) in
    the length n of ``axis``, but only taken when some x is exactly 0.
    """
    xm = A.transpose(x, axis, -1)  # (..., n)
    gm = A.transpose(g, axis, -1)
    n = xm.shape[-1]
    eye = np.eye(n, dtype=bool)
    rows = A.where(eye, 1.0, A.expand(A.unsqueeze(xm, -2), xm.shape[:-1] + (n, n)))
    products = rows.cumprod(-1)  # [..., i, j] = prod_{k <= j, k != i} x_k
    later = np.triu(np.ones((n, n), dtype=xm.array.dtype))  # j >= i
    grad = (products * wrap(later) * A.unsqueeze(gm, -2)).sum(dim=-1)
    return A.transpose(grad, axis, -1)


class _CumExtreme(Op):
    """Shared by Cummax and Cummin: the gradient goes to the element each running extreme came from."""

    accumulate = None
    name_ = ""

    def __init__(self, dim: int):
        self.dim = dim

    def forward(self, x):
        self.axis = _axis(self.dim, x.ndim, self.name_)
        if x.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return x.copy()
        values = type(self).accumulate(x, axis=self.axis)
        # The index of the latest element equal to the running extreme (PyTorch's choice on ties).
        shape = [1] * x.ndim
        shape[self.axis] = x.shape[self.axis]
        steps = np.broadcast_to(np.arange(x.shape[self.axis]).reshape(shape), x.shape)
        reached = x == values
        if x.dtype.kind == "f":  # as PyTorch, a nan is the running extreme from where it occurs
            reached |= np.isnan(x)
        self.indices = np.maximum.accumulate(np.where(reached, steps, 0), axis=self.axis)
        return values

    def backward(self, g):
        if g.ndim == 0:
            return (g,)
        from .indexing import positions

        where = positions(self.indices, self.axis)
        return (IndexAdd(where, self.inputs[0].shape)(g),)


class Cummax(_CumExtreme):
    """y_j = max_{i <= j} x_i along dim;   dL/dx_i = sum of g_j over the j whose maximum is x_i"""

    accumulate = np.maximum.accumulate
    name_ = "cummax"


class Cummin(_CumExtreme):
    """y_j = min_{i <= j} x_i along dim;   dL/dx_i = sum of g_j over the j whose minimum is x_i"""

    accumulate = np.minimum.accumulate
    name_ = "cummin"


class LogCumSumExp(Op):
    """y_j = log sum_{i <= j} e**x_i along dim;   dL/dx_i = sum_{j >= i} g_j e**(x_i - y_j)"""

    def __init__(self, dim: int):
        self.dim = dim

    def forward(self, x):
        self.axis = _axis(self.dim, x.ndim, "logcumsumexp")
        self.out_data = np.logaddexp.accumulate(x, axis=self.axis) if x.ndim else x.copy()
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        if x.ndim == 0:
            return (g,)
        if x.array.size == 0:  # nothing to spread (and np.max has no identity to start from)
            return (g * 0,)
        # e**(x_i - y_j) = e**(x_i - c) * e**(c - y_j); the shift c (the largest x along the
        # axis) keeps the first factor <= 1.
        c = wrap(np.max(x.array, axis=self.axis, keepdims=True))
        later = _reverse_cumsum(g * (c - self.output()).exp(), self.axis)
        return ((x - c).exp() * later,)


# ---------------------------------------------------------------------- function forms


def _accumulating_dtype(x, dtype):
    x = A._t(x)
    if dtype is not None:
        return x.to(dtype)
    return x.to(np.int64) if x.array.dtype.kind in "biu" else x


def cumsum(input, dim: int, *, dtype=None):  # noqa: A002 - PyTorch's argument name
    """Running sums along ``dim``: y_j = x_0 + ... + x_j (integers and bools sum in int64)."""
    return Cumsum(dim)(_accumulating_dtype(input, dtype))


def cumprod(input, dim: int, *, dtype=None):  # noqa: A002
    """Running products along ``dim``: y_j = x_0 * ... * x_j."""
    return Cumprod(dim)(_accumulating_dtype(input, dtype))


def _cum_extreme(op, input, result):  # noqa: A002
    values = op(A._t(input))
    return result(values, wrap(op.indices))


def cummax(input, dim: int):  # noqa: A002
    """Running maxima along ``dim`` and the index each came from: (values, indices)."""
    return _cum_extreme(Cummax(dim), input, return_types.cummax)


def cummin(input, dim: int):  # noqa: A002
    """Running minima along ``dim`` and the index each came from: (values, indices)."""
    return _cum_extreme(Cummin(dim), input, return_types.cummin)


def logcumsumexp(input, dim: int):  # noqa: A002
    """y_j = log(e**x_0 + ... + e**x_j) along ``dim``, without overflow."""
    return LogCumSumExp(dim)(A._float(input))
