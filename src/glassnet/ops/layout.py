"""Rearranging elements: roll, repeat_interleave, unfold, diag / diagonal, tril / triu, meshgrid, sum_to_size.

Apart from Roll these are built from the indexing ops of shape.py (GetItem reads at index
arrays, IndexAdd writes at them) and from where / expand / sum, so their derivatives come from
those ops' rules: a gradient flows back to exactly the places each output element was read from.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, unbroadcast, wrap
from ..errors import ShapeError
from . import api as A
from .reduce import normalize_dims
from .shape import Diagonal, GetItem, IndexAdd


class Roll(Op):
    """y = x shifted by ``shifts`` along ``dims`` (wrapping around);   dL/dx = g shifted back"""

    def __init__(self, shifts, dims=None):
        self.shifts = shifts
        self.dims = dims

    def forward(self, x):
        return np.roll(x, self.shifts, axis=self.dims)

    def backward(self, g):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return (Roll(back, self.dims)(g),)


def roll(input, shifts, dims=None):  # noqa: A002 - PyTorch's argument names
    """Shift the elements along ``dims`` (or of the flattened tensor), wrapping around the end."""
    shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else int(shifts)
    if isinstance(dims, (list, tuple)):
        dims = tuple(dims)
        if len(dims) != (len(shifts) if isinstance(shifts, tuple) else 1):
            raise ShapeError(f"roll: got {len(dims)} dims but shifts {shifts!r}")
    return Roll(shifts, dims)(A._t(input))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):  # noqa: A002
    """Repeat each element (each slice along ``dim``) ``repeats`` times in place: [a, b] -> [a, a, b, b].

    ``repeats`` is an int or a 1-D tensor of counts, one per slice. Called with one integer
    tensor only, it repeats arange: repeat_interleave(tensor([2, 1])) == tensor([0, 0, 1]).
    """
    x = A._t(input)
    if repeats is None:
        counts = x.array
        return wrap(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    if dim is None:
        x, axis = A.reshape(x, -1), 0
    else:
        (axis,) = normalize_dims(dim, x.ndim, "repeat_interleave")
    counts = A._t(repeats).array if not isinstance(repeats, int) else repeats
    picks = np.repeat(np.arange(x.shape[axis]), counts)
    return GetItem((slice(None),) * axis + (picks,))(x)


def unfold(input, dimension: int, size: int, step: int):  # noqa: A002
    """All windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last axis.

    Shape: ``dimension`` becomes (n - size) // step + 1 windows and a last axis of ``size``
    is added. Overlapping windows read an element more than once; its gradient adds up.
    """
    x = A._t(input)
    (axis,) = normalize_dims(dimension, x.ndim, "unfold")
    n = x.shape[axis] if x.ndim else 1
    if size > n or step <= 0:
        raise ShapeError(
            f"unfold: need 0 < step and size <= {n} (the size of dim {dimension}), "
            f"got size {size} and step {step}"
        )
    starts = np.arange(0, n - size + 1, step)
    windows = starts[:, None] + np.arange(size)[None, :]  # (count, size)
    picked = GetItem((slice(None),) * axis + (windows,))(x)  # the window axes replace ``axis``
    order = [*range(axis + 1), *range(axis + 2, picked.ndim), axis + 1]
    return A.permute(picked, *order)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):  # noqa: A002
    """The diagonal of the (dim1, dim2) planes as a new last axis (offset > 0: above the diagonal)."""
    x = A._t(input)
    normalize_dims((dim1, dim2), x.ndim, "diagonal")  # in range and distinct
    # A view of x, as PyTorch's: an in-place change of the diagonal changes x.
    return A.view_by(Diagonal(int(offset), dim1 % x.ndim, dim2 % x.ndim), x)


def diag(input, diagonal: int = 0):  # noqa: A002
    """A 1-D tensor placed on a diagonal of a square matrix, or a matrix's diagonal as 1-D."""
    x = A._t(input)
    if x.ndim == 2:
        return globals()["diagonal"](x, diagonal)
    if x.ndim != 1:
        raise ShapeError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")
    n = x.shape[0] + abs(diagonal)
    steps = np.arange(x.shape[0])
    where = (steps + max(-diagonal, 0), steps + max(diagonal, 0))
    return IndexAdd(where, (n, n))(x)


def _triangle(x, keep, op: str):
    x = A._t(x)
    if x.ndim < 2:
        raise ShapeError(f"{op}: expected a tensor with at least 2 dims, got shape {x.shape}")
    zero = np.zeros((), dtype=x.array.dtype)
    return A.where(keep, x, wrap(zero))


def tril(input, diagonal: int = 0):  # noqa: A002
    """The lower triangle of the last two axes (on and below the ``diagonal``), zeros above it."""
    x = A._t(input)
    rows, cols = x.shape[-2:] if x.ndim >= 2 else (0, 0)
    return _triangle(x, np.tri(rows, cols, diagonal, dtype=bool), "tril")


def triu(input, diagonal: int = 0):  # noqa: A002
    """The upper triangle of the last two axes (on and above the ``diagonal``), zeros below it."""
    x = A._t(input)
    rows, cols = x.shape[-2:] if x.ndim >= 2 else (0, 0)
    return _triangle(x, ~np.tri(rows, cols, diagonal - 1, dtype=bool), "triu")


def meshgrid(*tensors, indexing: str = "ij"):
    """Coordinate grids from 1-D tensors: out[k][i0, i1, ...] = tensors[k][i_k] ('ij' indexing).

    ``indexing='xy'`` swaps the first two axes of every grid (the Cartesian convention).
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [A.reshape(A._t(t), -1) for t in tensors]
    if indexing == "xy" and len(ts) >= 2:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    grids = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = shape[k]
        grids.append(A.expand(A.reshape(t, view), shape))
    if indexing == "xy" and len(ts) >= 2:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def sum_to_size(input, *size):  # noqa: A002
    """Sum the broadcast axes away until the shape is ``size`` (the engine's unbroadcast)."""
    x = A._t(input)
    size = A._shape_arg(size)
    try:
        return unbroadcast(x, size)
    except ValueError:
        raise ShapeError(
            f"sum_to_size: size {size} is not expandable to the tensor's shape {x.shape}"
        ) from None
