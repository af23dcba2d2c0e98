"""PyTorch's functions that build or rearrange tensors from others: kron, tensordot, block_diag, rot90, ...

Each is a composition of glassnet's shape ops (reshape, permute, cat, slicing, gather) and
products, so the gradient of every output number flows back to the input numbers it came
from with no backward rule of its own. The index builders (``tril_indices``,
``combinations``' positions) make integer tensors outside the graph, as in PyTorch.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ..autograd import as_tensor, wrap
from ..errors import ShapeError
from . import api
from .reduce import single_axis as _axis

__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
    "broadcast_tensors", "cartesian_prod", "combinations", "diag_embed", "dsplit", "dstack",
    "hsplit", "kron", "rot90", "take_along_dim", "tensor_split", "tensordot", "tril_indices",
    "triu_indices", "vsplit",
]  # fmt: skip


# ---------------------------------------------------------------------- at least n axes


def _at_least(tensors: tuple, shape_for: Any) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = tuple(as_tensor(t).reshape(shape_for(as_tensor(t).shape)) for t in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 axis (a number becomes shape (1,)); one tensor, or a tuple."""
    return _at_least(tensors, lambda s: s if len(s) >= 1 else (1,))


def atleast_2d(*tensors: Any) -> Any:
    """At least 2 axes: () -> (1, 1), (n,) -> (1, n)."""
    return _at_least(tensors, lambda s: s if len(s) >= 2 else (1,) * (2 - len(s)) + s)


def atleast_3d(*tensors: Any) -> Any:
    """At least 3 axes: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1), as NumPy."""
    shapes = {0: lambda s: (1, 1, 1), 1: lambda s: (1, s[0], 1), 2: lambda s: (*s, 1)}
    return _at_least(tensors, lambda s: shapes[len(s)](s) if len(s) < 3 else s)


def dstack(tensors: Any) -> Any:
    """Join along the third axis (depth), after ``atleast_3d``."""
    parts = [atleast_3d(t) for t in tensors]
    return api.cat(parts, 2)


# ---------------------------------------------------------------------- splitting


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple:  # noqa: A002
    """Views of ``input`` cut along ``dim``: into n parts as equal as possible (the first
    ``size % n`` one longer), or at the given indices."""
    x = as_tensor(input)
    axis = _axis(dim, x.ndim, "tensor_split")
    size = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n < 1:
            raise ValueError(f"tensor_split: expected at least 1 section, got {n}")
        base, extra = divmod(size, n)
        cuts = list(itertools.accumulate(base + (i < extra) for i in range(n - 1)))
    else:
        points = indices_or_sections
        cuts = [int(i) for i in (points.tolist() if hasattr(points, "tolist") else points)]
    bounds = [0, *cuts, size]
    lead = (slice(None),) * axis
    return tuple(x[(*lead, slice(lo, max(lo, hi)))] for lo, hi in zip(bounds, bounds[1:]))


def _even_split(name: str, input: Any, sections: Any, dim: int, least: int) -> tuple:
    x = as_tensor(input)
    if x.ndim < least:
        raise ShapeError(f"{name}: expected a tensor of at least {least} dimensions, got "
                         f"shape {tuple(x.shape)}")  # fmt: skip
    if isinstance(sections, (int, np.integer)) and x.shape[dim] % sections:
        raise ShapeError(f"{name}: {sections} sections do not divide dimension {dim} of size "
                         f"{x.shape[dim]} evenly")  # fmt: skip
    return tensor_split(x, sections, dim)


def hsplit(input: Any, sections: Any) -> tuple:  # noqa: A002
    """Split along the columns (axis 1; axis 0 of a 1-D tensor), into equal parts or at indices."""
    x = as_tensor(input)
    return _even_split("hsplit", x, sections, 1 if x.ndim > 1 else 0, 1)


def vsplit(input: Any, sections: Any) -> tuple:  # noqa: A002
    """Split along the rows (axis 0) of a tensor of 2 or more axes."""
    return _even_split("vsplit", input, sections, 0, 2)


def dsplit(input: Any, sections: Any) -> tuple:  # noqa: A002
    """Split along the depth (axis 2) of a tensor of 3 or more axes."""
    return _even_split("dsplit", input, sections, 2, 3)


# ---------------------------------------------------------------------- broadcasting


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape that tensors of these shapes broadcast to (an error if they do not)."""
    try:
        return tuple(
            np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes])
        )
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {list(shapes)} do not broadcast") from None


def broadcast_tensors(*tensors: Any) -> tuple:
    """The tensors expanded to their common broadcast shape (views; gradients summed back)."""
    ts = [as_tensor(t) for t in tensors]
    shape = broadcast_shapes(*[t.shape for t in ts])
    return tuple(t.expand(*shape) for t in ts)


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Any:  # noqa: A002
    """``input`` read at ``indices`` along ``dim`` (the two broadcast elsewhere), or of the
    flattened input when ``dim`` is None: ``gather``, whose gradient goes back to each element
    read."""
    x, at = as_tensor(input), as_tensor(indices)
    if dim is None:
        return x.reshape(-1).gather(0, at.reshape(-1))
    axis = _axis(dim, x.ndim, "take_along_dim")
    x_shape, at_shape = list(x.shape), list(at.shape)
    x_shape[axis] = at_shape[axis] = 1
    common = broadcast_shapes(x_shape, at_shape)
    x_full = x.expand(*[x.shape[i] if i == axis else n for i, n in enumerate(common)])
    at_full = at.expand(*[at.shape[i] if i == axis else n for i, n in enumerate(common)])
    return x_full.gather(axis, at_full)


# ---------------------------------------------------------------------- products and blocks


def kron(input: Any, other: Any) -> Any:  # noqa: A002
    """The Kronecker product: every element of ``input`` times the whole of ``other``, in
    blocks; out[i * q + k, j * r + l] = a[i, j] b[k, l] (any number of axes)."""
    a, b = as_tensor(input), as_tensor(other)
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    spread_a = a.reshape([d for s in sa for d in (s, 1)])
    spread_b = b.reshape([d for s in sb for d in (1, s)])
    return (spread_a * spread_b).reshape([x * y for x, y in zip(sa, sb)])


def tensordot(a: Any, b: Any, dims: Any = 2) -> Any:
    """Sum of products over pairs of axes: the last ``dims`` axes of a with the first ``dims``
    of b, or the axes listed as ``([a's], [b's])``; the rest of a's axes, then b's, remain."""
    x, y = as_tensor(a), as_tensor(b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise ValueError(f"tensordot: expected dims >= 0, got {dims}")
        pairs_a, pairs_b = list(range(x.ndim - dims, x.ndim)), list(range(dims))
    else:
        pairs_a, pairs_b = ([d % t.ndim for d in ([p] if isinstance(p, int) else p)]
                            for t, p in zip((x, y), dims))  # fmt: skip
    free_a = [d for d in range(x.ndim) if d not in pairs_a]
    free_b = [d for d in range(y.ndim) if d not in pairs_b]
    size = math.prod(x.shape[d] for d in pairs_a)
    left = x.permute(*free_a, *pairs_a).reshape(-1, size)
    right = y.permute(*pairs_b, *free_b).reshape(size, -1)
    return (left @ right).reshape([x.shape[d] for d in free_a] + [y.shape[d] for d in free_b])


def block_diag(*tensors: Any) -> Any:
    """The tensors as blocks down the diagonal of one matrix, zeros elsewhere (a number is a
    1 x 1 block, a vector a row)."""
    blocks = [atleast_2d(as_tensor(t)) for t in tensors]
    if any(b.ndim != 2 for b in blocks):
        raise ShapeError("block_diag: expected tensors of at most 2 dimensions")
    if not blocks:
        return wrap(np.zeros((0, 0), np.float32))
    dtype = np.result_type(*[b.array.dtype for b in blocks])
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b.shape
        parts = [
            wrap(np.zeros((r, left), dtype)),
            b.to(dtype),
            wrap(np.zeros((r, width - left - c), dtype)),
        ]
        rows.append(api.cat(parts, 1))
        left += c
    return api.cat(rows, 0)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:  # noqa: A002
    """Each last-axis vector of ``input`` laid on the ``offset`` diagonal of a square matrix
    (zeros elsewhere), the matrices on axes ``dim1`` and ``dim2`` of the result."""
    x = as_tensor(input)
    n = x.shape[-1]
    m = n + abs(offset)
    # placement[k] is the matrix with a single 1 where element k goes.
    placement = np.zeros((n, m, m), dtype=x.array.dtype)
    k = np.arange(n)
    placement[k, k + max(-offset, 0), k + max(offset, 0)] = 1
    out = (x.unsqueeze(-1).unsqueeze(-1) * wrap(placement)).sum(-3)
    ndim = out.ndim
    d1, d2 = dim1 % ndim, dim2 % ndim
    if (d1, d2) != (ndim - 2, ndim - 1):
        out = out.movedim((ndim - 2, ndim - 1), (d1, d2))
    return out


def cartesian_prod(*tensors: Any) -> Any:
    """Every combination of one element from each 1-D tensor, as rows (itertools.product)."""
    ts = [as_tensor(t) for t in tensors]
    if len(ts) == 1:
        return ts[0]
    grids = api.meshgrid(*ts, indexing="ij")
    return api.stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:  # noqa: A002
    """Every choice of ``r`` elements of a 1-D tensor, in order, as rows (itertools'
    combinations, or with repeats allowed)."""
    x = as_tensor(input)
    if x.ndim != 1:
        raise ShapeError(f"combinations: expected a 1-D tensor, got shape {tuple(x.shape)}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if rows.size == 0:
        return wrap(np.zeros((0,) if r else (0,), dtype=x.array.dtype))
    return x[wrap(rows.reshape(-1))].reshape(rows.shape)


def rot90(input: Any, k: int = 1, dims: Any = (0, 1)) -> Any:  # noqa: A002
    """Rotate by k quarter turns in the plane of ``dims``, from the first axis towards the
    second (flips and a transpose)."""
    x = as_tensor(input)
    if len(dims) != 2 or x.ndim < 2:
        raise ShapeError(f"rot90: expected 2 distinct dims of a tensor of 2 or more axes, got "
                         f"dims={tuple(dims)} for shape {tuple(x.shape)}")  # fmt: skip
    d0, d1 = (d % x.ndim for d in dims)
    if d0 == d1:
        raise ShapeError(f"rot90: the two dims must differ, got {tuple(dims)}")
    turns = k % 4
    if turns == 1:
        return x.flip(d1).transpose(d0, d1)
    if turns == 2:
        return x.flip((d0, d1))
    if turns == 3:
        return x.transpose(d0, d1).flip(d1)
    return x.clone()


# ---------------------------------------------------------------------- index builders


def _triangle_indices(name: str, which: Any, row: int, col: int, offset: int, dtype: Any) -> Any:
    if row < 0 or col < 0:
        raise ValueError(f"{name}: expected row >= 0 and col >= 0, got {row} and {col}")
    rows, cols = which(row, offset, col)
    return wrap(np.stack([rows, cols]).astype(np.int64 if dtype is None else dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, **_: Any) -> Any:
    """(2, n): the row and column of each element on or below the ``offset`` diagonal of a
    row x col matrix, row by row."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, **_: Any) -> Any:
    """(2, n): the positions on or above the ``offset`` diagonal, row by row."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype)
