"""Ordering along a dim: sort, argsort, topk; and where values fall in a sorted order: searchsorted, bucketize.

The indices (int64, no gradient) come from NumPy's argsort; the values are ``gather(x, dim,
indices)``, so the gradient of each sorted value flows back to the element it came from.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..autograd import wrap
from ..errors import ShapeError
from . import api as A
from .indexing import gather
from .reduce import normalize_dims


def _order(array: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    """argsort along ``axis``; descending keeps equal elements in their original order."""
    kind = "stable" if stable else None
    if not descending:
        return np.argsort(array, axis=axis, kind=kind).astype(np.int64)
    # Sorting the reversed array ascending and reading it backwards puts the largest first and,
    # among equal elements, the earliest first (stable); NaN comes first, as in PyTorch.
    n = array.shape[axis]
    backwards = np.argsort(np.flip(array, axis), axis=axis, kind="stable")
    return (n - 1 - np.flip(backwards, axis)).astype(np.int64)


def argsort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):  # noqa: A002
    """The indices that sort ``input`` along ``dim`` (no gradient)."""
    x = A._t(input)
    if x.ndim == 0:
        return wrap(np.zeros((), dtype=np.int64))
    (axis,) = normalize_dims(dim, x.ndim, "argsort")
    return wrap(_order(x.array, axis, descending, stable))


def sort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):  # noqa: A002
    """(values, indices) of ``input`` sorted along ``dim``; dL/dinput puts g back where each value came from."""
    x = A._t(input)
    indices = argsort(x, dim, descending, stable=stable)
    if x.ndim == 0:
        return return_types.sort(x.clone(), indices)
    return return_types.sort(gather(x, dim, indices), indices)


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, largest first."""
    x = A._t(input)
    (axis,) = normalize_dims(dim, x.ndim, "topk")
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise ShapeError(f"topk: k must lie in [0, {n}] (the size of dim {dim}), got {k}")
    order = _order(x.array, axis, largest, stable=True) if x.ndim else np.zeros((), np.int64)
    indices = wrap(np.take(order, np.arange(k), axis=axis) if x.ndim else order)
    return return_types.topk(gather(x, axis, indices) if x.ndim else x.clone(), indices)


def msort(input):  # noqa: A002
    """Sorted along the first axis (values only)."""
    return sort(input, 0).values


def searchsorted(
    sorted_sequence,
    input,  # noqa: A002
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter=None,
):
    """For each value, the index at which inserting it keeps ``sorted_sequence`` sorted: the
    first such place, or with ``right=True`` (``side='right'``) the last. A sequence of shape
    (..., M) is searched row by row, for values of shape (..., K). No gradient: the answer is
    an integer position.
    """
    seq = A._t(sorted_sequence).array
    values = A._t(input).array
    if side not in (None, "left", "right") or (side == "left" and right):
        raise ValueError(f"searchsorted: side must be 'left' or 'right' (agreeing with right=), "
                         f"got side={side!r}, right={right}")  # fmt: skip
    where = side or ("right" if right else "left")
    order = None if sorter is None else A._t(sorter).array
    if seq.ndim <= 1:
        found = np.searchsorted(seq, values, side=where, sorter=order)
    else:
        if seq.shape[:-1] != values.shape[:-1]:
            raise ShapeError(
                f"searchsorted: a sequence of shape {seq.shape} is searched row by row, so the "
                f"values need its leading shape {seq.shape[:-1]}, got {values.shape}"
            )
        rows, flat_values = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        sorters = None if order is None else order.reshape(rows.shape)
        found = np.stack([
            np.searchsorted(row, v, side=where, sorter=None if sorters is None else sorters[i])
            for i, (row, v) in enumerate(zip(rows, flat_values))
        ]).reshape(values.shape)  # fmt: skip
    return wrap(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):  # noqa: A002
    """The bucket each value falls in, for 1-D sorted ``boundaries``: i with
    boundaries[i-1] < x <= boundaries[i] (with ``right=True``: boundaries[i-1] <= x <
    boundaries[i]); 0 below the first boundary, len(boundaries) above the last."""
    edges = A._t(boundaries)
    if edges.ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be 1-D, got shape {tuple(edges.shape)}")
    return searchsorted(edges, input, out_int32=out_int32, right=right)
