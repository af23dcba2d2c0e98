"""Writes at given places: index_copy, index_put, masked_scatter and put (Tensor.put_'s maths).

Each returns a new tensor; the in-place forms (``x.index_copy_(...)``) run these through
``Tensor._inplace``. They are built from SetItem (overwrite: dL/dinput = g with zeros where
written, dL/dsource = g read back at those places) and IndexAdd (accumulate: dL/dinput = g,
dL/dsource = g read at the places), so their gradients follow from those two ops. As in
PyTorch, the source must have the destination's dtype (no promotion in these writes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import as_tensor
from ..errors import DTypeError, ShapeError
from .elementwise import SetItem
from .reduce import normalize_dims
from .shape import IndexAdd

__all__ = ["index_copy", "index_put", "masked_scatter", "put"]


def _same_dtype(x: Any, source: Any, op: str) -> Any:
    """``source`` as a tensor, which must have x's dtype (a Python number takes it)."""
    if not hasattr(source, "array"):
        return as_tensor(np.asarray(source, dtype=x.array.dtype))
    if source.array.dtype != x.array.dtype:
        raise DTypeError(
            f"{op}: self and source must have the same dtype, got {x.array.dtype} and "
            f"{source.array.dtype}"
        )
    return source


def _integer_index(index: Any, op: str) -> np.ndarray:
    array = as_tensor(index).array
    if array.dtype.kind not in "iu":
        raise DTypeError(f"{op}: index must be an integer (int64) tensor, got dtype {array.dtype}")
    return array


def _in_range(positions: np.ndarray, size: int, op: str, what: str) -> np.ndarray:
    if positions.size and (positions.min() < -size or positions.max() >= size):
        bad = positions[(positions < -size) | (positions >= size)].reshape(-1)[0]
        raise IndexError(f"{op}: index {bad} is out of range for {what} of size {size}")
    return positions


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Any:  # noqa: A002
    """A copy of input whose slice ``index[j]`` along ``dim`` is ``source``'s slice j.

    Shapes: index (n,) (or a number); source is input's shape with ``dim`` of size n.
    dL/dinput = g with the written slices zeroed; dL/dsource = index_select(g, dim, index).
    """
    x = as_tensor(input)
    idx = _integer_index(index, "index_copy").reshape(-1)
    if as_tensor(index).ndim > 1:
        raise ShapeError(
            f"index_copy: index must be 0-D or 1-D, got shape {as_tensor(index).shape}"
        )
    src = _same_dtype(x, source, "index_copy")
    if x.ndim == 0:
        x_view, src_view, axis = x.reshape(1), src.reshape(-1), 0
    else:
        (axis,) = normalize_dims(dim, x.ndim, "index_copy")
        x_view, src_view = x, src
    expected = x_view.shape[:axis] + (idx.size,) + x_view.shape[axis + 1 :]
    if src_view.shape != expected:
        raise ShapeError(
            f"index_copy: source must have shape {expected} (self's with dim {dim} of the "
            f"index's length {idx.size}), got {tuple(src.shape)}"
        )
    _in_range(idx, x_view.shape[axis], "index_copy", f"dim {dim}")
    where = (slice(None),) * axis + (idx,)
    out = SetItem(where)(x_view, src_view)
    return out.reshape(x.shape) if x.ndim == 0 else out


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Any:  # noqa: A002
    """A copy of input with ``input[indices] = values`` (``+= values`` if ``accumulate``,
    repeated places then adding up).

    ``indices`` is a tuple of integer or bool tensors, one per leading axis (advanced
    indexing); ``values`` broadcasts to the shape of ``input[indices]``.
    dL/dinput = g, zeroed at the written places unless accumulating; dL/dvalues = g[indices]
    (summed over broadcast axes).
    """
    x = as_tensor(input)
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"index_put: indices must be a tuple of tensors, got {type(indices).__name__}"
        )
    where = []
    for i in indices:
        array = as_tensor(i).array
        if array.dtype.kind not in "iub":
            raise DTypeError(
                f"index_put: indices must be integer or bool tensors, got {array.dtype}"
            )
        where.append(array)
    where = tuple(where)
    if len(where) > x.ndim:
        raise IndexError(f"index_put: too many indices ({len(where)}) for a tensor of "
                         f"{x.ndim} dimensions")  # fmt: skip
    target = x.array[where].shape  # also raises IndexError for indices out of range
    vals = _same_dtype(x, values, "index_put")
    try:
        vals = vals.expand(target) if vals.shape != target else vals
    except Exception:
        raise ShapeError(
            f"index_put: values of shape {tuple(vals.shape)} do not broadcast to the indexed "
            f"shape {target}"
        ) from None
    if accumulate:
        return x + IndexAdd(where, x.shape)(vals)
    return SetItem(where)(x, vals)


def masked_scatter(input: Any, mask: Any, source: Any) -> Any:  # noqa: A002
    """A copy of input whose elements where ``mask`` is true are ``source``'s first elements,
    in row-major order (the k-th true place takes ``source.reshape(-1)[k]``).

    ``mask`` is bool and broadcasts with input; source needs at least as many elements as
    there are true places. dL/dinput = g where mask is false; dL/dsource = g at the true
    places, put back in source's first elements (0 in the rest).
    """
    x = as_tensor(input)
    m = as_tensor(mask).array
    if m.dtype != np.bool_:
        raise DTypeError(f"masked_scatter: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise ShapeError(f"masked_scatter: mask of shape {m.shape} does not broadcast with "
                         f"self of shape {tuple(x.shape)}") from None  # fmt: skip
    src = _same_dtype(x, source, "masked_scatter")
    m = np.broadcast_to(m, shape)
    count = int(m.sum())
    if src.numel() < count:
        raise ShapeError(f"masked_scatter: source has {src.numel()} elements but the mask "
                         f"selects {count}")  # fmt: skip
    x = x.expand(shape) if x.shape != shape else x
    return SetItem(m)(x, src.reshape(-1)[:count])


def put(input: Any, index: Any, source: Any, accumulate: bool = False) -> Any:  # noqa: A002
    """A copy of input, seen as 1-D, with element ``index[j]`` set to (or, accumulating,
    increased by) ``source``'s element j; negative indices count from the end.

    index and source hold the same number of elements (any shapes). dL/dinput = g (zeroed
    at the written places unless accumulating), dL/dsource = g at those places.
    """
    x = as_tensor(input)
    idx = _integer_index(index, "put").reshape(-1)
    src = _same_dtype(x, source, "put")
    if src.numel() != idx.size:
        raise ShapeError(f"put: source has {src.numel()} elements but index has {idx.size}; "
                         "they must be equal")  # fmt: skip
    _in_range(idx, x.numel(), "put", "a tensor with numel")
    flat, values = x.reshape(-1), src.reshape(-1)
    where = (idx % max(x.numel(), 1),)
    if accumulate:
        out = flat + IndexAdd(where, flat.shape)(values)
    else:
        out = SetItem(where)(flat, values)
    return out.reshape(x.shape)
