"""PyTorch's remaining small top-level functions: nonzero_static, unsafe_split_with_sizes, empty_permuted, binomial and histogramdd.

* ``nonzero_static(x, size=n, fill_value=-1)``: ``nonzero(x)`` cut or padded to exactly n rows,
  so that the result's shape does not depend on the values (what compilers need).
* ``unsafe_chunk`` / ``unsafe_split`` / ``unsafe_split_with_sizes``: PyTorch's forms of chunk
  and split that skip a check of in-place writes to the pieces; glassnet's pieces are checked
  as always, so they are chunk, split and split_with_sizes.
* ``empty_permuted(size, physical_layout)``: an uninitialised tensor of shape ``size`` whose
  elements lie in memory with the axes in the order ``physical_layout`` (outermost first).
* ``binomial(count, prob)``: one draw of Binomial(count_i, prob_i) per element, from glassnet's
  random generator (``glassnet.manual_seed`` makes it repeatable); no gradient.
* ``histogramdd(x, bins, range=, weight=, density=)``: the D-dimensional histogram of the rows
  of x (shape (..., D)), as NumPy's ``histogramdd``; returns (hist, bin_edges).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as glassnet_random
from ..autograd import as_tensor, is_tensor
from ..dtypes import to_dtype
from ..errors import DTypeError, ShapeError, ValueRangeError
from ..return_types import result_type
from . import api as A
from . import torch_extras

__all__ = ["binomial", "empty_permuted", "histogramdd", "nonzero_static",
           "unsafe_split_with_sizes"]  # fmt: skip

_HISTOGRAMDD = result_type("histogramdd", ("hist", "bin_edges"))


def nonzero_static(input: Any, *, size: int, fill_value: int = -1) -> Any:  # noqa: A002
    """The (N, ndim) int64 indices of the nonzero elements, as ``nonzero``, made exactly ``size``
    rows long: the first ``size`` ones if there are more, else followed by rows of
    ``fill_value``."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise ValueRangeError(f"nonzero_static: size must be a non-negative integer, got {size!r}")
    found = np.argwhere(as_tensor(input).array)
    out = np.full((int(size), found.shape[1]), fill_value, dtype=np.int64)
    kept = min(int(size), found.shape[0])
    out[:kept] = found[:kept]
    return as_tensor(out)


def unsafe_chunk(input: Any, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    """``chunk(input, chunks, dim)`` (glassnet checks the pieces as always)."""
    return A.chunk(input, chunks, dim)


def unsafe_split(input: Any, split_size: Any, dim: int = 0) -> tuple:  # noqa: A002
    """``split(input, split_size, dim)`` (glassnet checks the pieces as always)."""
    return A.split(input, split_size, dim)


def unsafe_split_with_sizes(input: Any, split_sizes: Any, dim: int = 0) -> tuple:  # noqa: A002
    """``split_with_sizes(input, split_sizes, dim)`` (glassnet checks the pieces as always)."""
    return torch_extras.split_with_sizes(input, split_sizes, dim)


def empty_permuted(size: Any, physical_layout: Any, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Any:  # fmt: skip
    """An uninitialised tensor of shape ``size`` stored with its axes in the order
    ``physical_layout`` (a permutation of 0..ndim-1, outermost first): empty_permuted((2, 3, 4),
    (0, 2, 1)) has strides (12, 1, 3) in elements, like a (2, 4, 3) block viewed as (2, 3, 4)."""
    size, order = tuple(int(s) for s in size), tuple(int(d) for d in physical_layout)
    if len(size) != len(order):
        raise ShapeError(
            f"empty_permuted: expected a physical_layout of {len(size)} dims (one per dim of "
            f"size {size}), got {len(order)}"
        )
    if sorted(order) != list(range(len(size))):
        raise ValueRangeError(
            f"empty_permuted: physical_layout must be a permutation of 0..{len(size) - 1}, "
            f"got {order}"
        )
    stored = np.empty([size[d] for d in order], to_dtype(dtype or "float32"))
    out = as_tensor(stored.transpose(np.argsort(order)))
    return out.requires_grad_(True) if requires_grad else out


def binomial(count: Any, prob: Any, generator: Any = None) -> Any:
    """One draw from Binomial(n = count_i, p = prob_i) per element (count and prob broadcast;
    floating tensors; the result has count's dtype). The number of successes in count_i
    independent trials of probability prob_i, from glassnet's generator (or ``generator``)."""
    count, prob = as_tensor(count), as_tensor(prob)
    for tensor, name in ((count, "count"), (prob, "prob")):
        if tensor.array.dtype.kind != "f":
            raise DTypeError(
                f"binomial: expected a floating tensor as {name}, got dtype {tensor.array.dtype}"
            )
    n, p = count.array, prob.array
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueRangeError("binomial: expected every prob in [0, 1], got values outside it")
    if not np.all((n >= 0) & (n == np.floor(n))):
        raise ValueRangeError("binomial: expected every count to be a whole number >= 0")
    try:
        shape = np.broadcast_shapes(n.shape, p.shape)
    except ValueError:
        raise ShapeError(
            f"binomial: count of shape {n.shape} and prob of shape {p.shape} do not broadcast"
        ) from None
    rng = generator if generator is not None else glassnet_random.default_generator()
    draws = rng.binomial(np.broadcast_to(n, shape).astype(np.int64), np.broadcast_to(p, shape))
    return as_tensor(np.asarray(draws, dtype=n.dtype))


def histogramdd(input: Any, bins: Any, *, range: Any = None, weight: Any = None,  # noqa: A002
                density: bool = False) -> Any:  # fmt: skip
    """The D-dimensional histogram of the points in ``input`` (shape (..., D): each row is a
    point). ``bins``: one int for every dim, D ints, or D tensors of increasing edges;
    ``range``: (low_1, high_1, ..., low_D, high_D) when bins are counts (default each dim's
    min and max); ``weight``: one per point; ``density=True`` divides by the total weight and
    the bins' volumes. Returns (hist of shape (bins_1, ..., bins_D), bin_edges: D tensors)."""
    x = as_tensor(input)
    if x.array.dtype.kind != "f":
        raise DTypeError(f"histogramdd: expected a floating tensor, got dtype {x.array.dtype}")
    if x.ndim < 1:
        raise ShapeError("histogramdd: expected an input of shape (..., D), got a 0-d tensor")
    dims = x.shape[-1]
    points = x.array.reshape(-1, dims)
    if isinstance(bins, (int, np.integer)):
        numpy_bins: Any = [int(bins)] * dims
    else:
        numpy_bins = [b.array if is_tensor(b) else b for b in bins]
        if len(numpy_bins) != dims:
            raise ShapeError(
                f"histogramdd: expected one bins entry per dim of the points ({dims}), got "
                f"{len(numpy_bins)}"
            )
    ranges = None
    if range is not None:
        flat = [float(v) for v in range]
        if len(flat) != 2 * dims:
            raise ShapeError(
                f"histogramdd: expected range to hold {2 * dims} numbers (a low and a high per "
                f"dim), got {len(flat)}"
            )
        ranges = [(flat[2 * i], flat[2 * i + 1]) for i in np.arange(dims)]
    weights = None if weight is None else as_tensor(weight).array.reshape(-1)
    if weights is not None and weights.shape[0] != points.shape[0]:
        raise ShapeError(
            f"histogramdd: expected one weight per point ({points.shape[0]}), got "
            f"{weights.shape[0]}"
        )
    hist, edges = np.histogramdd(points, numpy_bins, range=ranges, density=density,
                                 weights=weights)  # fmt: skip
    dtype = x.array.dtype
    return _HISTOGRAMDD(
        as_tensor(hist.astype(dtype)), tuple(as_tensor(e.astype(dtype)) for e in edges)
    )
