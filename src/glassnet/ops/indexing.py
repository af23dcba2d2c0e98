"""Indexing along a dim: gather, scatter (+ add / reduce), index_select, index_add, masked_select, nonzero.

``gather`` reads and ``scatter_add`` writes at the same places: for dim = 1,

    gather:       y[i][j][k]            = x[i][index[i][j][k]][k]
    scatter_add:  y[i][index[i][j][k]][k] += src[i][j][k]

so each is the other's derivative. Both become ordinary advanced indexing with the position
arrays of ``positions(index, dim)``, which is why most functions here are built from the two
indexing ops of shape.py (GetItem reads, IndexAdd adds with repeats accumulating) and need no
backward rule of their own. Only scatter_reduce has one.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, is_tensor, wrap
from ..errors import DTypeError, ShapeError
from . import api as A
from .elementwise import SetItem
from .reduce import normalize_dims
from .shape import GetItem, IndexAdd


def _index_array(index, op: str) -> np.ndarray:
    array = A._t(index).array
    if array.dtype.kind not in "iu":
        raise DTypeError(f"{op}: index must be an integer tensor, got dtype {array.dtype}")
    return array


def positions(index: np.ndarray, dim: int) -> tuple:
    """The advanced index that picks, for every element of ``index``, its place in the tensor.

    Along ``dim`` the place is the index value; along every other axis it is the element's
    own coordinate. E.g. for a 2-D index and dim 1: (arange(rows)[:, None], index).
    """
    grid = []
    for axis, size in enumerate(index.shape):
        if axis == dim:
            grid.append(index)
        else:
            shape = [1] * index.ndim
            shape[axis] = size
            grid.append(np.arange(size).reshape(shape))
    return tuple(grid)


def _one_element(x, idx: np.ndarray, src=None):
    """A 0-d index into a 1-d tensor (``x.scatter_(0, torch.tensor(3), value=1)``, a one-hot)
    as PyTorch reads it: an index of one element, with a 0-d src likewise."""
    if idx.ndim == 0 and x.ndim == 1:
        idx = idx.reshape(1)
        if is_tensor(src) and src.ndim == 0:
            src = src.reshape(1)
    return idx, src


def _check_along(x, dim, index, op: str, src=None) -> int:
    """Check index (and src) against x as PyTorch does; return dim as a non-negative axis."""
    (axis,) = normalize_dims(dim, x.ndim, op)
    if index.ndim != x.ndim:
        raise ShapeError(
            f"{op}: index must have as many dims as the tensor ({x.ndim}), got shape {index.shape}"
        )
    for d, (n, m) in enumerate(zip(index.shape, x.shape)):
        if d != axis and n > m:
            raise ShapeError(
                f"{op}: index of shape {index.shape} is larger than the tensor's shape "
                f"{x.shape} in dim {d}"
            )
    if src is not None and any(n > m for n, m in zip(index.shape, src.shape)):
        raise ShapeError(
            f"{op}: index of shape {index.shape} is larger than src's shape {src.shape}"
        )
    if index.size and (index.min() < 0 or index.max() >= x.shape[axis]):
        raise IndexError(
            f"{op}: index values must lie in [0, {x.shape[axis]}) for dim {dim} of a tensor "
            f"of shape {x.shape}, got values from {index.min()} to {index.max()}"
        )
    return axis


def _leading(src, shape):
    """The leading block of src with the given shape (PyTorch uses only that part of src)."""
    if src.shape == tuple(shape):
        return src
    return src[tuple(slice(0, n) for n in shape)]


def gather(input, dim: int, index):  # noqa: A002 - PyTorch's argument names
    """y[i][j][k] = input[i][index[i][j][k]][k] (for dim=1): read along ``dim`` at ``index``.

    The result has index's shape; dL/dinput adds g into the positions read (repeats add up).
    """
    x, idx = A._t(input), _index_array(index, "gather")
    if idx.ndim == 0 and x.ndim == 1:  # one element read, as PyTorch reads a 0-d index
        return gather(x, dim, idx.reshape(1)).reshape(())
    axis = _check_along(x, dim, idx, "gather")
    return GetItem(positions(idx, axis))(x)


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None):  # noqa: A002
    """A copy of input with y[i][index[i][j][k]][k] = src[i][j][k] (dim=1), or = value.

    dL/dinput is g with zeros at the overwritten places, dL/dsrc = gather(g, dim, index).
    With repeated positions one of the writes wins (which one is unspecified, as in PyTorch).

    ``reduce='add'`` (PyTorch's older keyword) adds instead, y[i][index[i][j][k]][k] +=
    src[i][j][k] (``scatter_add``), and ``reduce='multiply'`` multiplies in, *= src
    (``scatter_reduce(..., 'prod')``); repeats accumulate. Unlike PyTorch, which has no
    derivative for these, glassnet's two are differentiable.
    """
    if src is None and value is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    if src is not None and not is_tensor(src):
        src, value = None, src  # scatter(x, dim, index, 1.5): a number in src's place
    x, idx = A._t(input), _index_array(index, "scatter")
    idx, src = _one_element(x, idx, src)
    if reduce is not None:
        return _scatter_with_reduce(x, dim, idx, src, value, reduce)
    axis = _check_along(x, dim, idx, "scatter", src)
    where = positions(idx, axis)
    if src is None:
        return SetItem(where)(x, value)
    return SetItem(where)(x, _leading(A._promote(x, src)[1], idx.shape))


def _scatter_with_reduce(x, dim: int, idx: np.ndarray, src, value, reduce: str):
    """scatter's ``reduce='add' | 'multiply'``: src (or value at every index) added or
    multiplied into a copy of x."""
    if reduce not in ("add", "multiply"):
        raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
    if src is None:
        src = wrap(np.full(idx.shape, value, dtype=x.array.dtype))
    if reduce == "add":
        return scatter_add(x, dim, idx, src)
    return scatter_reduce(x, dim, idx, src, "prod")


def scatter_add(input, dim: int, index, src):  # noqa: A002
    """A copy of input with y[i][index[i][j][k]][k] += src[i][j][k] (dim=1); repeats add up.

    dL/dinput = g, dL/dsrc = gather(g, dim, index).
    """
    x, idx = A._t(input), _index_array(index, "scatter_add")
    idx, src = _one_element(x, idx, A._t(src))
    src = A._promote(x, src)[1]
    axis = _check_along(x, dim, idx, "scatter_add", src)
    return x + IndexAdd(positions(idx, axis), x.shape)(_leading(src, idx.shape))


_REDUCE_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_REDUCE_AT = {
    "sum": np.add.at,
    "mean": np.add.at,
    "prod": np.multiply.at,
    "amax": np.maximum.at,
    "amin": np.minimum.at,
}


class ScatterReduce(Op):
    """y[p] = reduce(x[p] (if include_self), all src[k] with position(k) = p);  sum, prod, mean, amax, amin

    Derivatives, with N[p] the number of values reduced into p and y[pos] read at src's places:
    sum: dL/dx = g, dL/dsrc = g[pos];  mean: both divided by N;  prod: dL/dx = g y / x,
    dL/dsrc = g[pos] y[pos] / src (zeros handled exactly);  amax/amin: g shared equally among
    the values equal to the result.
    """

    def __init__(self, where: tuple, reduce: str, include_self: bool = True):
        self.where = where
        self.reduce = reduce
        self.include_self = include_self

    def forward(self, x, src):
        out = np.array(x, dtype=np.result_type(x, src))
        # 1 for the places that take part from x, 0 where include_self=False drops x's value.
        self.self_counts = np.ones(x.shape, dtype=np.int64)
        if not self.include_self:
            identity = _REDUCE_IDENTITY[self.reduce]
            if out.dtype.kind != "f" and np.isinf(identity):
                info = np.iinfo(out.dtype)
                identity = info.min if identity < 0 else info.max
            out[self.where] = identity
            self.self_counts[self.where] = 0
        _REDUCE_AT[self.reduce](out, self.where, src)
        counts = self.self_counts.copy()
        np.add.at(counts, self.where, 1)
        self.counts = counts
        if self.reduce == "mean":
            safe = np.maximum(counts, 1)
            out = out / safe.astype(out.dtype) if out.dtype.kind == "f" else out // safe
        self.out_data = out
        return out

    def backward(self, g):
        x, src = self.inputs
        xa, sa = x.array, src.array
        dtype = g.array.dtype
        keep = wrap(self.self_counts.astype(dtype))  # 0 where x's value was dropped
        if self.reduce == "sum":
            return g * keep, GetItem(self.where)(g)
        if self.reduce == "mean":
            g = g / wrap(np.maximum(self.counts, 1).astype(dtype))
            return g * keep, GetItem(self.where)(g)
        if self.reduce in ("amax", "amin"):
            y = self.out_data
            self_wins = (xa == y) & (self.self_counts > 0)
            src_wins = sa == y[self.where]
            winners = self_wins.astype(dtype)
            np.add.at(winners, self.where, src_wins)
            share = g / wrap(np.maximum(winners, 1))
            return share * wrap(self_wins.astype(dtype)), GetItem(self.where)(share) * wrap(
                src_wins.astype(dtype)
            )
        return self._prod_backward(g, x, src, keep)

    def _prod_backward(self, g, x, src, keep):
        xa, sa = x.array, src.array
        if np.all(xa != 0) and np.all(sa != 0):
            y = self.output()
            return g * y / x * keep, GetItem(self.where)(g * y) / src
        # With zeros: the product of the *other* factors, from the count of zero factors and the
        # product of the nonzero ones at each place (a division by a zero never happens).
        factors_x = np.where(self.self_counts > 0, xa, 1)
        zeros = (factors_x == 0).astype(np.int64)
        np.add.at(zeros, self.where, sa == 0)
        nonzero_prod = np.where(factors_x == 0, 1, factors_x).astype(g.array.dtype)
        np.multiply.at(nonzero_prod, self.where, np.where(sa == 0, 1, sa))

        def others(value, zeros_here, prod_here):
            rest_zeros = zeros_here - (value == 0)
            divided = prod_here / np.where(value == 0, 1, value)
            return np.where(rest_zeros > 0, 0, divided)

        gx = others(xa, zeros, nonzero_prod) * self.self_counts
        gs = others(sa, zeros[self.where], nonzero_prod[self.where])
        return g * wrap(gx.astype(g.array.dtype)), GetItem(self.where)(g) * wrap(
            gs.astype(g.array.dtype)
        )


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True):  # noqa: A002
    """Reduce src into input at y[i][index[i][j][k]][k] (dim=1) with 'sum', 'prod', 'mean', 'amax' or 'amin'.

    ``include_self=False`` leaves input's own value out at the places that receive src.
    """
    if reduce not in _REDUCE_AT:
        raise ValueError(
            f"scatter_reduce: reduce must be one of {sorted(_REDUCE_AT)}, got {reduce!r}"
        )
    x, idx = A._t(input), _index_array(index, "scatter_reduce")
    idx, src = _one_element(x, idx, A._t(src))
    x, src = A._promote(x, src)
    axis = _check_along(x, dim, idx, "scatter_reduce", src)
    return ScatterReduce(positions(idx, axis), reduce, include_self)(x, _leading(src, idx.shape))


def index_select(input, dim: int, index):  # noqa: A002
    """The slices of input along ``dim`` at the positions in ``index`` (1-D), in that order."""
    x, idx = A._t(input), _index_array(index, "index_select")
    if idx.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D, got shape {idx.shape}")
    (axis,) = normalize_dims(dim, x.ndim, "index_select")
    return GetItem((slice(None),) * axis + (idx.reshape(-1),))(x)


def index_add(input, dim: int, index, source, *, alpha: float = 1):  # noqa: A002
    """A copy of input with alpha * source[j] added to the slice index[j] along ``dim``.

    dL/dinput = g, dL/dsource = alpha * index_select(g, dim, index).
    """
    x, idx = A._t(input), _index_array(index, "index_add")
    (axis,) = normalize_dims(dim, x.ndim, "index_add")
    source = A._promote(x, A._t(source))[1]
    expected = x.shape[:axis] + (idx.size,) + x.shape[axis + 1 :]
    if source.shape != expected:
        raise ShapeError(
            f"index_add: source must have shape {expected} (the tensor's with dim {dim} of the "
            f"index's length), got {source.shape}"
        )
    where = (slice(None),) * axis + (idx.reshape(-1),)
    return x + IndexAdd(where, x.shape)(source if alpha == 1 else source * alpha)


def masked_select(input, mask):  # noqa: A002
    """The elements of input where ``mask`` (broadcast together) is true, as a 1-D tensor."""
    x, m = A._t(input), A._t(mask).array
    if m.dtype != bool:
        raise DTypeError(f"masked_select: mask must be a bool tensor, got dtype {m.dtype}")
    shape = np.broadcast_shapes(x.shape, m.shape)
    return GetItem(np.broadcast_to(m, shape))(A.expand(x, shape))


def nonzero(input, *, as_tuple: bool = False):  # noqa: A002
    """Coordinates of the nonzero elements: an int64 tensor (count, ndim), or one per axis."""
    array = A._t(input).array
    if as_tuple:
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(array)))
    return wrap(np.argwhere(array).astype(np.int64))


def argwhere(input):  # noqa: A002
    """Same as nonzero(input)."""
    return nonzero(input)
