"""F.embedding (look up rows of a table by integer index), F.embedding_bag (a bag of rows reduced) and F.one_hot.

An embedding is the same computation as one_hot(indices) @ W, done without building the
one-hot matrix: row i of W *is* the vector of token i. Its gradient adds each output row's
gradient into the table row it came from (rows used twice get both contributions).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import no_grad, wrap
from ...errors import DTypeError, ShapeError, ValueRangeError
from ...ops.nn import EmbeddingLookup
from ...ops.shape import stack
from ...tensor import Tensor, as_tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _describe(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"a Tensor of dtype {x.array.dtype} and shape {tuple(x.shape)}"
    return type(x).__name__


def check_indices(indices: Any, num_rows: int, who: str) -> np.ndarray:
    """The integer array of ``indices``, or a clear TypeError / DTypeError / IndexError naming ``who``.

    Every index must lie in [0, num_rows). The message names the first bad index, where it
    is, and the valid range.
    """
    if not isinstance(indices, Tensor) or indices.array.dtype.kind not in "iu":
        kind = DTypeError if isinstance(indices, Tensor) else TypeError
        raise kind(
            f"{who}: expected a Tensor of integer indices (int64), got {_describe(indices)}"
            + (
                " (indices must be whole numbers: use .long())"
                if isinstance(indices, Tensor) and indices.array.dtype.kind == "f"
                else ""
            )
        )
    idx = indices.array
    if idx.dtype != np.intp:
        idx = idx.astype(np.intp)  # np.take / np.bincount want the platform index type
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= num_rows:
            bad_positions = np.argwhere((idx < 0) | (idx >= num_rows))
            where = tuple(int(i) for i in bad_positions[0])
            bad = int(idx[where]) if idx.ndim else int(idx)
            position = f" at position {where}" if idx.ndim else ""
            raise IndexError(
                f"{who}: index {bad}{position} is out of range for an embedding table of size "
                f"{num_rows} (valid indices are 0 to {num_rows - 1})"
            )
    return idx


def normalize_padding_idx(padding_idx: int | None, num_rows: int, who: str) -> int | None:
    """padding_idx as a non-negative row number (negative counts from the end), or None."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
        raise TypeError(f"{who}: padding_idx must be an integer or None, got {padding_idx!r}")
    if not -num_rows <= padding_idx < num_rows:
        raise ValueError(
            f"{who}: padding_idx must be within the number of embeddings ({num_rows}), "
            f"got {padding_idx}"
        )
    return int(padding_idx) % num_rows


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Shrink (in place, no graph) the used rows whose norm exceeds max_norm down to max_norm."""
    rows = np.unique(idx)
    with no_grad():
        norms = np.linalg.norm(weight.array[rows].astype(np.float64), ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.array[rows] *= scale[:, None].astype(weight.array.dtype)
        weight._version[0] += 1


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` by index: y[..., :] = weight[input[...], :].

    Args:
        input: integer Tensor of any shape, each entry in [0, num_embeddings).
        weight: the table, shape (num_embeddings, embedding_dim).
        padding_idx: a row that receives no gradient (its output is still weight[padding_idx]).
        max_norm: if given, every looked-up row whose ``norm_type``-norm exceeds it is first
            scaled down to norm max_norm, *in place* in ``weight`` (as PyTorch does).
        norm_type: the p of the p-norm for ``max_norm`` (default 2).
        scale_grad_by_freq: divide each row's gradient contributions by how often its index
            occurs in ``input``.
        sparse: accepted for PyTorch compatibility; gradients are always dense.

    Returns:
        Tensor of shape input.shape + (embedding_dim,).

    Gradient: dL/dweight[r] = sum of g[k] over the positions k with input[k] == r (zero for
    rows not used and for padding_idx).

    Example::

        >>> table = glassnet.arange(6.0).reshape(3, 2)
        >>> F.embedding(glassnet.tensor([2, 0, 2]), table)
        tensor([[4., 5.],
                [0., 1.],
                [4., 5.]])
    """
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ShapeError(
            f"embedding: expected weight to be a 2-D Tensor (num_embeddings, embedding_dim), got "
            f"{_describe(weight)}"
        )
    num_rows = weight.shape[0]
    idx = check_indices(input, num_rows, "embedding")
    padding_idx = normalize_padding_idx(padding_idx, num_rows, "embedding")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return EmbeddingLookup(idx, padding_idx, scale_grad_by_freq)(weight)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Turn class indices into one-hot vectors: out[..., c] = 1 if tensor[...] == c else 0.

    Args:
        tensor: integer Tensor of any shape with values in [0, num_classes).
        num_classes: length of each vector; -1 (default) uses max(tensor) + 1.

    Returns:
        int64 Tensor of shape tensor.shape + (num_classes,).

    Example::

        >>> F.one_hot(glassnet.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if not isinstance(tensor, Tensor) or tensor.array.dtype.kind not in "iu":
        raise (DTypeError if isinstance(tensor, Tensor) else TypeError)(
            f"one_hot: expected a Tensor of integer class indices (int64), got {_describe(tensor)}"
        )
    idx = tensor.array
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an integer, got {num_classes!r}")
    if num_classes == -1:
        if idx.size == 0:
            raise ValueError(
                "one_hot: cannot infer the number of classes from an empty tensor; pass num_classes"
            )
        num_classes = int(idx.max()) + 1
    elif num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        where = tuple(int(i) for i in np.argwhere((idx < 0) | (idx >= num_classes))[0])
        raise ValueRangeError(
            f"one_hot: class values must be in [0, num_classes) = [0, {num_classes}), got "
            f"{int(idx[where])}" + (f" at position {where}" if idx.ndim else "")
        )
    out = np.zeros(idx.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return wrap(out)


_BAG_MODES = ("sum", "mean", "max")


def _bag_offsets(offsets: Any, n: int, include_last_offset: bool) -> np.ndarray:
    """``offsets`` of ``embedding_bag`` as int64 positions, checked as PyTorch checks them.

    They must be a 1-D tensor of integers, start at 0, never decrease and not pass ``n`` (the
    number of indices); with ``include_last_offset`` there must be at least one (the end).
    """
    given = as_tensor(offsets)
    if given.dtype.kind not in "iu":
        raise DTypeError(
            f"embedding_bag: offsets must be integer positions (int64), got dtype {given.dtype}; "
            "make them with dtype=torch.long"
        )
    if given.ndim != 1:
        raise ShapeError(f"embedding_bag: offsets must be 1-D, got shape {tuple(given.shape)}")
    bounds = given.numpy().astype(np.int64)
    if include_last_offset and bounds.size == 0:
        raise ValueError(
            "embedding_bag: with include_last_offset=True offsets needs at least one entry "
            "(the end of the last bag)"
        )
    if bounds.size and bounds[0] != 0:
        raise ValueError(
            f"embedding_bag: offsets[0] must be 0 (the first bag starts at the first index), "
            f"got {int(bounds[0])}"
        )
    if np.any(np.diff(bounds) < 0) or (bounds.size and bounds[-1] > n):
        raise ValueError(
            f"embedding_bag: offsets must not decrease and not pass the number of indices "
            f"({n}), got {bounds.tolist()}"
        )
    return bounds


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """One vector per bag of indices: the sum, mean or max of the bag's rows of ``weight``.

    The bags are the rows of a 2-D ``input`` (B, n), or, for a 1-D ``input``, the runs that
    start at each entry of ``offsets`` (B,) (with ``include_last_offset`` its last entry is
    the end). ``per_sample_weights`` (mode 'sum' only) multiplies each row first; entries equal
    to ``padding_idx`` are left out (and not counted in a mean). An empty bag gives zeros.

    Gradient: each looked-up row receives its bag's gradient (divided by the bag's size for
    'mean'; for 'max', only the row holding each maximum).
    """
    if mode not in _BAG_MODES:
        raise ValueError(f"embedding_bag: mode must be one of {_BAG_MODES}, got {mode!r}")
    indices = as_tensor(input)
    if indices.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "embedding_bag: offsets must be None when input is 2-D (one bag a row)"
            )
        bags, width = indices.shape
        starts, last_end = np.arange(bags) * width, bags * width
        flat = indices.reshape(-1)
    elif indices.ndim == 1:
        if offsets is None:
            raise ValueError("embedding_bag: a 1-D input needs offsets (where each bag starts)")
        bounds = _bag_offsets(offsets, indices.shape[0], include_last_offset)
        # With include_last_offset the last entry is where the last bag ends (indices after
        # it belong to no bag), as in PyTorch; otherwise the last bag runs to the end.
        starts, last_end = (bounds[:-1], bounds[-1]) if include_last_offset else (bounds, None)
        flat = indices
    else:
        raise ShapeError(
            f"embedding_bag: expected a 1-D or 2-D input, got shape {tuple(indices.shape)}"
        )
    if per_sample_weights is not None and mode != "sum":
        raise ValueError(f"embedding_bag: per_sample_weights need mode='sum', got mode={mode!r}")
    n = flat.shape[0]
    ends = np.append(starts[1:], n if last_end is None else last_end).astype(np.int64)
    sizes = np.maximum(ends - starts, 0)
    bag_of = np.full(n, -1, dtype=np.int64)  # -1: after the last bag's end, in no bag
    bag_of[: int(sizes.sum())] = np.repeat(np.arange(len(starts)), sizes)
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq)
    keep = bag_of >= 0
    if padding_idx is not None:
        keep &= flat.numpy() != padding_idx
    if per_sample_weights is not None:
        rows = rows * as_tensor(per_sample_weights).reshape(-1, 1)
    out_shape = (len(starts), weight.shape[1])
    if mode == "max":
        parts = []
        for b in range(len(starts)):
            members = np.flatnonzero((bag_of == b) & keep)
            parts.append(rows[wrap(members)].amax(0) if members.size
                         else wrap(np.zeros(weight.shape[1], weight.array.dtype)))  # fmt: skip
        return stack(parts) if parts else wrap(np.zeros(out_shape, weight.array.dtype))
    chosen = np.flatnonzero(keep)
    totals = wrap(np.zeros(out_shape, weight.array.dtype)).index_add(
        0, wrap(bag_of[chosen].astype(np.int64)), rows[wrap(chosen)]
    )
    if mode == "sum":
        return totals
    counts = np.bincount(bag_of[chosen], minlength=len(starts)).astype(weight.array.dtype)
    return totals / wrap(np.maximum(counts, 1).reshape(-1, 1))
