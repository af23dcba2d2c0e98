"""More of PyTorch's small functions, as formulas of glassnet's ops: xlog1py, ldexp, dist, inner, trapezoid, renorm, the scatters, dtype rules, ...

Like ops/torch_formulas.py, each function here is the formula it computes, written with
differentiable ops, so its gradient follows from theirs (the docstrings give it); those that
PyTorch does not differentiate (``nextafter``, ``unique_consecutive``, ``unravel_index``, the
dtype rules) return tensors outside the graph or plain values, as there. Sections:

* elementwise formulas: expit, xlog1py, entr, logaddexp2, ldexp, frexp, nextafter;
* products and distances: dist, inner, ger, addr, vdot;
* arrangement: row_stack, fliplr, flipud, diagflat, vander, split_with_sizes, unravel_index,
  unique_consecutive;
* writes that return a new tensor: index_fill, select_scatter, slice_scatter, diagonal_scatter;
* reductions: nanmedian, nanquantile, renorm, trapezoid, cumulative_trapezoid;
* dtype rules: result_type, promote_types, can_cast; and is_nonzero, is_same_size, rsub,
  scalar_tensor, and the constants pi, e, inf, nan, newaxis.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, is_tensor, wrap
from ..dtypes import DType, as_dtype, is_floating, to_dtype
from ..errors import ShapeError
from . import api as A
from .indexing import gather
from .reduce import single_axis as _axis
from .special import float_operands
from .torch_formulas import (
    _between,
    _floating,
    _median_frame,
    _neighbour_ranks,
    _picked,
    _quantile_arguments,
)

__all__ = [
    "addr", "can_cast", "cumulative_trapezoid", "diagflat", "diagonal_scatter", "dist", "e",
    "entr", "expit", "fliplr", "flipud", "frexp", "ger", "index_fill", "inf", "inner",
    "index_reduce", "is_nonzero", "is_same_size", "ldexp", "logaddexp2", "nan", "nanmedian", "nanquantile",
    "newaxis", "nextafter", "pi", "promote_types", "renorm", "result_type", "row_stack", "rsub",
    "scalar_tensor", "select_scatter", "slice_scatter", "split_with_sizes", "trapezoid", "trapz",
    "unique_consecutive", "unravel_index", "vander", "vdot", "xlog1py",
]  # fmt: skip

# PyTorch's constants (torch.pi, torch.inf, x[:, torch.newaxis]).
pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


# ---------------------------------------------------------------------- elementwise formulas


def expit(input: Any) -> Any:  # noqa: A002
    """The logistic sigmoid 1 / (1 + e**-x) (SciPy's name);   dL/dx = g y (1 - y)."""
    return A.sigmoid(input)


def xlog1py(input: Any, other: Any) -> Any:  # noqa: A002
    """y = x log(1 + other), and 0 where x == 0 (unless other is NaN);
    dL/dx = g log1p(other), dL/dother = g x / (1 + other).

    Where x == 0 and other <= -1 the logarithm is taken at 0 instead, so that 0 times -inf or
    NaN does not poison the value; there the gradient for x is 0, as PyTorch's.
    """
    x, y = float_operands(input, other)
    no_log = (x.array == 0) & (y.array <= -1)  # False where other is NaN: NaN stays
    safe_y = A.where(wrap(no_log), 0.0, y) if no_log.any() else y
    return x * safe_y.log1p()


class Entr(Op):
    """y = -x ln x (0 at x = 0, -inf for x < 0);   dL/dx = -g (1 + ln x)"""

    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), 0.0)
        value = np.where(x < 0, -np.inf, value)
        return np.where(np.isnan(x), np.nan, value).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        return (-g * (1 + x.log()),)


def entr(input: Any) -> Any:  # noqa: A002
    """The entropy term -x ln x elementwise: 0 at 0, -inf for negative x (as PyTorch);
    dL/dx = -g (1 + ln x) (+inf at 0)."""
    return Entr()(_floating(input))


def logaddexp2(input: Any, other: Any) -> Any:  # noqa: A002
    """y = log2(2**a + 2**b), without overflow: logaddexp(a ln 2, b ln 2) / ln 2;
    dL/da = g 2**a / (2**a + 2**b), dL/db = g 2**b / (2**a + 2**b)."""
    a, b = float_operands(input, other)
    return A.logaddexp(a * math.log(2), b * math.log(2)) / math.log(2)


def ldexp(input: Any, other: Any) -> Any:  # noqa: A002
    """y = x * 2**other (float, as PyTorch even for integers);
    dL/dx = g 2**other, dL/dother = g y ln 2."""
    x = _floating(input)
    exponent = as_tensor(other) if is_tensor(other) else as_tensor(other, x.array.dtype)
    if not is_floating(exponent.array.dtype):
        exponent = exponent.to(x.array.dtype)
    return x * A.exp2(exponent)


def frexp(input: Any) -> Any:  # noqa: A002
    """``(mantissa, exponent)`` with x = mantissa * 2**exponent, |mantissa| in [0.5, 1) (0 for
    0), the exponent int32; dL/dx = g / 2**exponent through the mantissa."""
    x = as_tensor(input)
    if not is_floating(x.array.dtype):
        raise TypeError(f"frexp: expected a floating tensor, got dtype {x.array.dtype}")
    _, exponent = np.frexp(x.array)
    scale = np.ldexp(np.ones((), x.array.dtype), -exponent).astype(x.array.dtype)
    mantissa = x * wrap(scale)
    return _mantissa_exponent(mantissa, wrap(exponent.astype(np.int32)))


_mantissa_exponent = namedtuple("frexp", ["mantissa", "exponent"])


def nextafter(input: Any, other: Any) -> Any:  # noqa: A002
    """The next floating-point number after x towards ``other`` (no gradient, as PyTorch)."""
    x, y = as_tensor(input), as_tensor(other)
    if not is_floating(x.array.dtype) or x.array.dtype != y.array.dtype:
        raise TypeError(f"nextafter: expected two floating tensors of one dtype, got "
                        f"{x.array.dtype} and {y.array.dtype}")  # fmt: skip
    return wrap(np.nextafter(x.array, y.array))


# ---------------------------------------------------------------------- products and distances


def dist(input: Any, other: Any, p: float = 2) -> Any:  # noqa: A002
    """The p-norm of the difference, ||a - b||_p (p = 0 counts the unequal elements, inf is the
    largest |a - b|); dL/da = g d||d||_p/dd, dL/db its negative (0 where a = b for p = 2)."""
    a, b = float_operands(input, other)
    difference = a - b
    if p == 0:
        return wrap(np.asarray(np.count_nonzero(difference.array), a.array.dtype))
    return A.norm(difference.reshape(-1), p)


def inner(input: Any, other: Any) -> Any:  # noqa: A002
    """The sum of products over the last axis of both: y[i.., j..] = sum_k a[i.., k] b[j.., k]
    (a product when either is 0-d); dL/da = g contracted with b, and the other way round."""
    a, b = as_tensor(input), as_tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner: the last dimensions must match, got shapes {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")  # fmt: skip
    return A.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 1]))


def _vector(name: str, x: Any) -> Any:
    x = as_tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"{name}: expected a 1-D tensor, got shape {tuple(x.shape)}")
    return x


def ger(input: Any, vec2: Any) -> Any:  # noqa: A002
    """The outer product of two vectors, y[i, j] = a[i] b[j] (PyTorch's older name for outer)."""
    return A.outer(_vector("ger", input), _vector("ger", vec2))


def addr(input: Any, vec1: Any, vec2: Any, *, beta: float = 1, alpha: float = 1) -> Any:  # noqa: A002
    """beta * input + alpha * outer(vec1, vec2) (input ignored when beta = 0, so NaN in it do not
    spread, as PyTorch); dL/dinput = beta g, dL/dvec1 = alpha g vec2, dL/dvec2 = alpha g^T vec1."""
    product = A.outer(_vector("addr", vec1), _vector("addr", vec2))
    product = product if alpha == 1 else product * alpha
    base = as_tensor(input)
    if beta == 0:  # only input's shape and dtype count
        return product + wrap(np.zeros(base.shape, base.array.dtype))
    return product + (base if beta == 1 else base * beta)


def vdot(input: Any, other: Any) -> Any:  # noqa: A002
    """sum_i conj(a_i) b_i of two vectors of one length (the plain dot product for real ones)."""
    a, b = _vector("vdot", input), _vector("vdot", other)
    if a.shape != b.shape:
        raise ShapeError(f"vdot: expected two vectors of one length, got {a.shape[0]} and "
                         f"{b.shape[0]}")  # fmt: skip
    return (a * b).sum()


# ---------------------------------------------------------------------- arrangement


def row_stack(tensors: Any) -> Any:
    """``vstack``: the tensors stacked as rows (1-D ones become rows first)."""
    return A.vstack(tensors)


def fliplr(input: Any) -> Any:  # noqa: A002
    """The columns in reverse order (axis 1 flipped); needs at least 2 dimensions."""
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"fliplr: expected a tensor of at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")  # fmt: skip
    return A.flip(x, 1)


def flipud(input: Any) -> Any:  # noqa: A002
    """The rows in reverse order (axis 0 flipped); needs at least 1 dimension."""
    x = as_tensor(input)
    if x.ndim < 1:
        raise ShapeError("flipud: expected a tensor of at least 1 dimension, got a 0-d tensor")
    return A.flip(x, 0)


def diagflat(input: Any, offset: int = 0) -> Any:  # noqa: A002
    """A square matrix with the flattened input on diagonal ``offset``, zeros elsewhere."""
    return A.diag(as_tensor(input).reshape(-1), offset)


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:  # noqa: N803
    """The Vandermonde matrix: column j holds x**(N - 1 - j) (x**j when ``increasing``), N =
    len(x) by default; built by repeated products, so dL/dx = g sum_j j x**(j - 1) holds at 0."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"vander: expected a 1-D tensor, got shape {tuple(x.shape)}")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise ValueError(f"vander: N must be non-negative, got {N}")
    if x.array.dtype.kind == "b":
        x = x.long()
    if n == 0:
        return wrap(np.zeros((x.shape[0], 0), x.array.dtype))
    columns = [wrap(np.ones(x.shape, x.array.dtype))]
    for _ in range(1, n):
        columns.append(columns[-1] * x)
    if not increasing:
        columns.reverse()
    return A.stack(columns, 1)


def split_with_sizes(input: Any, split_sizes: Any, dim: int = 0) -> tuple:  # noqa: A002
    """Pieces of the given sizes along ``dim``; the sizes must add up to that axis's length."""
    x = as_tensor(input)
    axis = _axis(dim, x.ndim, "split_with_sizes")
    sizes = [int(s) for s in split_sizes]
    if sum(sizes) != x.shape[axis] or any(s < 0 for s in sizes):
        raise ValueError(f"split_with_sizes: sizes {sizes} must be non-negative and sum to "
                         f"{x.shape[axis]}, the size of dim {dim}")  # fmt: skip
    return tuple(A.split(x, sizes, axis))


def unravel_index(indices: Any, shape: Any) -> tuple:
    """The coordinates in ``shape`` of flat (row-major) ``indices``: one int64 tensor per axis."""
    flat = as_tensor(indices).array
    if flat.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: expected integer indices, got dtype {flat.dtype}")
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    size = math.prod(shape)
    if flat.size and (flat.min() < -size or flat.max() >= size):
        raise IndexError(f"unravel_index: indices must lie in [-{size}, {size - 1}] for shape "
                         f"{list(shape)}")  # fmt: skip
    coordinates = np.unravel_index(np.where(flat < 0, flat + size, flat), shape)
    return tuple(wrap(c.astype(np.int64)) for c in coordinates)


def unique_consecutive(input: Any, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
                       dim: int | None = None) -> Any:  # fmt: skip
    """Each run of equal neighbours collapsed to one element (of the flattened tensor, or runs
    of equal slices along ``dim``); with ``return_inverse`` the run each element belongs to,
    with ``return_counts`` each run's length (no gradient)."""
    x = as_tensor(input).array
    if dim is None:
        values = x.reshape(-1)
        slices = values.reshape(-1, 1)
    else:
        axis = _axis(dim, x.ndim, "unique_consecutive")
        moved = np.moveaxis(x, axis, 0)
        slices = moved.reshape(moved.shape[0], -1)
    n = slices.shape[0]
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = np.any(slices[1:] != slices[:-1], axis=1)
    first = np.flatnonzero(starts)
    if dim is None:
        out = [wrap(values[first])]
    else:
        out = [wrap(np.ascontiguousarray(np.moveaxis(moved[first], 0, axis)))]
    if return_inverse:
        inverse = (np.cumsum(starts) - 1).astype(np.int64)
        out.append(wrap(inverse.reshape(x.shape) if dim is None else inverse))
    if return_counts:
        out.append(wrap(np.diff(np.append(first, n)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------------- writes into a copy


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Any:  # noqa: A002
    """A copy with the slices at ``index`` along ``dim`` set to ``value``;
    dL/dinput = g, 0 on those slices."""
    x = as_tensor(input)
    axis = _axis(dim, max(x.ndim, 1), "index_fill")
    positions = as_tensor(index).array
    if positions.dtype.kind not in "iu":
        raise TypeError(f"index_fill: expected an integer index, got dtype {positions.dtype}")
    mask = np.zeros(x.shape, dtype=bool)
    if x.ndim == 0:
        mask[...] = positions.size > 0
    else:
        np.moveaxis(mask, axis, 0)[positions.reshape(-1)] = True
    fill = value.item() if is_tensor(value) else value
    return A.masked_fill(x, wrap(mask), fill)


def index_reduce(input: Any, dim: int, index: Any, source: Any, reduce: str, *,  # noqa: A002
                 include_self: bool = True) -> Any:  # fmt: skip
    """A copy of ``input`` whose slice ``index[i]`` along ``dim`` is combined with ``source``'s
    slice i by ``reduce`` ('prod', 'mean', 'amax' or 'amin'; with ``include_self`` the old
    value takes part): ``scatter_reduce`` with the index spread over each slice, whose gradient
    rule it shares."""
    x, src = as_tensor(input), as_tensor(source)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise ValueError(f"index_reduce: reduce must be 'prod', 'mean', 'amax' or 'amin', got "
                         f"{reduce!r}")  # fmt: skip
    axis = _axis(dim, max(x.ndim, 1), "index_reduce")
    positions = as_tensor(index).array
    if positions.ndim != 1 or positions.dtype.kind not in "iu":
        raise TypeError(f"index_reduce: expected a 1-D integer index, got shape "
                        f"{positions.shape} and dtype {positions.dtype}")  # fmt: skip
    if (
        src.ndim != x.ndim
        or src.shape[axis] != positions.shape[0]
        or any(src.shape[a] != x.shape[a] for a in range(x.ndim) if a != axis)
    ):
        raise ShapeError(f"index_reduce: source of shape {tuple(src.shape)} does not fit input "
                         f"{tuple(x.shape)} with {positions.shape[0]} indices along dim {dim}")  # fmt: skip
    shape = [1] * x.ndim
    shape[axis] = positions.shape[0]
    spread = np.broadcast_to(positions.reshape(shape), src.shape).astype(np.int64)
    return A.scatter_reduce(x, axis, wrap(np.ascontiguousarray(spread)), src, reduce,
                            include_self=include_self)  # fmt: skip


def _scattered(input: Any, index: Any, src: Any, name: str, expected: tuple) -> Any:
    """A copy of ``input`` with ``src`` (of shape ``expected``) written at ``index``;
    dL/dinput = g outside the written part, dL/dsrc = g there."""
    x, s = as_tensor(input), as_tensor(src)
    if tuple(s.shape) != tuple(expected):
        raise ShapeError(f"{name}: src must have shape {tuple(expected)}, got {tuple(s.shape)}")
    out = x.clone()
    out[index] = s.to(x.array.dtype) if s.array.dtype != x.array.dtype else s
    return out


def select_scatter(input: Any, src: Any, dim: int, index: int) -> Any:  # noqa: A002
    """A copy of ``input`` whose slice ``index`` along ``dim`` is ``src`` (the shape of
    ``input.select(dim, index)``)."""
    x = as_tensor(input)
    axis = _axis(dim, x.ndim, "select_scatter")
    where = (slice(None),) * axis + (index,)
    return _scattered(x, where, src, "select_scatter", x[where].shape)


def slice_scatter(input: Any, src: Any, dim: int = 0, start: int | None = None,  # noqa: A002
                  end: int | None = None, step: int = 1) -> Any:  # fmt: skip
    """A copy of ``input`` whose slice ``start:end:step`` along ``dim`` is ``src``."""
    x = as_tensor(input)
    axis = _axis(dim, x.ndim, "slice_scatter")
    where = (slice(None),) * axis + (slice(start, end, step),)
    return _scattered(x, where, src, "slice_scatter", x[where].shape)


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:  # noqa: A002
    """A copy of ``input`` whose diagonal (``offset``, ``dim1``, ``dim2``, as ``diagonal``) is
    ``src`` (the shape of ``input.diagonal(offset, dim1, dim2)``: that diagonal last)."""
    x = as_tensor(input)
    d1, d2 = _axis(dim1, x.ndim, "diagonal_scatter"), _axis(dim2, x.ndim, "diagonal_scatter")
    if d1 == d2:
        raise ValueError(f"diagonal_scatter: dim1 and dim2 must differ, both are {dim1}")
    expected = A.diagonal(x, offset, d1, d2).shape
    length = expected[-1]
    steps = np.arange(length)
    where: list = [slice(None)] * x.ndim
    where[d1], where[d2] = steps + max(-offset, 0), steps + max(offset, 0)
    # NumPy puts the axis of two index arrays where they stand when adjacent, else first
    place = min(d1, d2) if abs(d1 - d2) == 1 else 0
    s = as_tensor(src)
    if tuple(s.shape) != tuple(expected):
        raise ShapeError(f"diagonal_scatter: src must have shape {tuple(expected)}, got "
                         f"{tuple(s.shape)}")  # fmt: skip
    return _scattered(x, tuple(where), s.movedim(-1, place), "diagonal_scatter",
                      s.movedim(-1, place).shape)  # fmt: skip


# ---------------------------------------------------------------------- reductions


def nanmedian(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The median of the numbers that are not NaN: the ((m - 1) // 2)-th smallest of the m
    numbers of each slice (NaN when a slice has none), or ``(values, indices)`` along ``dim``;
    dL/dx is g at the element chosen."""

    def middle_number(x: Any, axis: int, keepdim: bool) -> Any:
        values = x.array
        order = np.argsort(values, axis=axis, kind="stable")  # NaN sort last
        if is_floating(values.dtype):
            count = (~np.isnan(values)).sum(axis=axis, keepdims=True)
        else:  # integers hold no NaN: every number of the slice counts
            count = np.full(np.take(values, [0], axis=axis).shape, values.shape[axis])
        rank = np.maximum(count - 1, 0) // 2
        return _picked(x, axis, np.take_along_axis(order, rank, axis=axis), keepdim)

    return _median_frame(as_tensor(input), dim, keepdim, "nanmedian", middle_number)


def nanquantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Any:  # fmt: skip
    """``quantile`` of the numbers that are not NaN in each slice (NaN when a slice has none):
    with its m numbers sorted, p = q (m - 1) and the same interpolations."""
    x, qs = _quantile_arguments(input, q, interpolation, "nanquantile")
    flat = dim is None
    original_ndim = x.ndim
    if flat:
        x, dim = x.reshape(-1), 0
    axis = _axis(dim, x.ndim, "nanquantile")
    if x.shape[axis] == 0:
        raise IndexError(f"nanquantile: dimension {dim} of {list(x.shape)} is empty")
    ordered = A.sort(x, axis).values  # NaN sort last
    count = (~np.isnan(x.array)).sum(axis=axis, keepdims=True)  # m, per slice
    results = []
    for one_q in qs.reshape(-1):
        p = one_q * np.maximum(count - 1, 0)
        lo, hi = _neighbour_ranks(p, interpolation)
        v_lo, v_hi = gather(ordered, axis, wrap(lo)), gather(ordered, axis, wrap(hi))
        value = _between(v_lo, v_hi, (p - lo).astype(x.array.dtype), interpolation)
        if (count == 0).any():
            value = A.where(wrap(count == 0), math.nan, value)
        if keepdim and flat:
            value = value.reshape((1,) * original_ndim)
        elif not keepdim:
            value = value.squeeze(axis)
        results.append(value)
    return results[0] if qs.ndim == 0 else A.stack(results, 0)


def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Any:  # noqa: A002
    """Each slice along ``dim`` (``x.select(dim, i)``) whose p-norm n exceeds ``maxnorm`` scaled
    by maxnorm / (n + 1e-7) (PyTorch's guard), the others unchanged; the gradient flows through
    the scale too (it depends on the slice's norm)."""
    x = _floating(input)
    if not p > 0:
        raise ValueError(f"renorm: p must be positive, got {p}")
    if maxnorm < 0:
        raise ValueError(f"renorm: maxnorm must be non-negative, got {maxnorm}")
    axis = _axis(dim, x.ndim, "renorm")
    others = tuple(a for a in range(x.ndim) if a != axis)
    norms = A.norm(x, p, others, keepdim=True) if others else x.abs()
    too_long = norms.array > maxnorm
    if not too_long.any():
        return x * 1.0
    scale = A.where(wrap(too_long), maxnorm / (norms + 1e-7), 1.0)
    return x * scale


def _spacing(y: Any, x: Any, dx: Any, axis: int, name: str) -> Any:
    """The widths of the intervals along ``axis``: diff(x) (broadcast like y) or the number dx."""
    if x is not None and dx is not None:
        raise TypeError(f"{name}: give x or dx, not both")
    if x is None:
        return 1.0 if dx is None else dx
    x = as_tensor(x)
    if x.ndim == 1:
        if x.shape[0] != y.shape[axis]:
            raise ShapeError(f"{name}: x has {x.shape[0]} points, y has {y.shape[axis]} along "
                             f"dim {axis}")  # fmt: skip
        shape = [1] * y.ndim
        shape[axis] = x.shape[0] - 1
        return A.diff(x).reshape(shape) if x.shape[0] > 1 else A.diff(x)
    return A.diff(x, dim=axis)


def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The trapezoidal rule along ``dim``: sum_i (y_i + y_(i+1)) / 2 * (x_(i+1) - x_i), with
    spacing ``dx`` (default 1) when no x is given; dL/dy_i = g (w_(i-1) + w_i) / 2 for the
    widths w."""
    y = as_tensor(y)
    axis = _axis(dim, y.ndim, "trapezoid")
    n = y.shape[axis]
    if n == 0:
        return A.sum(y, axis) * 0
    width = _spacing(y, x, dx, axis, "trapezoid")
    left = A.narrow(y, axis, 0, n - 1)
    right = A.narrow(y, axis, 1, n - 1)
    return A.sum((left + right) * width / 2, axis)


def trapz(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """PyTorch's older name for ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The running trapezoidal integral along ``dim``: one value per interval (n - 1 of them),
    the cumulative sum of (y_i + y_(i+1)) / 2 * (x_(i+1) - x_i)."""
    y = as_tensor(y)
    axis = _axis(dim, y.ndim, "cumulative_trapezoid")
    n = y.shape[axis]
    width = _spacing(y, x, dx, axis, "cumulative_trapezoid")
    if n <= 1:
        return A.narrow(y, axis, 0, 0) * 1.0
    left = A.narrow(y, axis, 0, n - 1)
    right = A.narrow(y, axis, 1, n - 1)
    return A.cumsum((left + right) * width / 2, axis)


# ---------------------------------------------------------------------- dtype rules


def _category(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats, 3 for complex: PyTorch never casts down these."""
    return {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}[np.dtype(dtype).kind]


def promote_types(type1: Any, type2: Any) -> DType:
    """The smallest dtype both cast to without losing their kind: a float beats any integer
    (int64 with float16 is float16, unlike NumPy), a wider type of one kind beats a narrower."""
    a, b = to_dtype(type1), to_dtype(type2)
    ca, cb = _category(a), _category(b)
    if ca != cb and max(ca, cb) >= 2:
        return as_dtype(a if ca > cb else b)
    return as_dtype(np.promote_types(a, b))


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's type promotion may cast ``from_`` to ``to``: not to a lower kind
    (float to integer, integer to bool), any width within a kind."""
    return _category(to_dtype(from_)) <= _category(to_dtype(to))


def _combine(higher: Any, lower: Any) -> Any:
    """PyTorch's rule for a group of higher priority meeting one of lower priority: the lower
    one counts only when it is of a higher kind (and then its own dtype, for floats)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if _category(higher) >= 2:
        return higher
    if _category(higher) == 0 or _category(lower) >= 2:
        return promote_types(higher, lower)
    return higher


def result_type(tensor1: Any, tensor2: Any) -> DType:
    """The dtype ``tensor1 op tensor2`` gives, by PyTorch's rules: tensors with dimensions
    decide first, then 0-d tensors, then Python numbers, and a later group counts only if it is
    of a higher kind (so float16 with a 0-d float64 tensor stays float16, an int tensor with 1.5
    becomes float32)."""
    groups: dict = {2: None, 1: None, 0: None}
    for operand in (tensor1, tensor2):
        if is_tensor(operand):
            dtype, priority = operand.array.dtype, 2 if operand.ndim else 1
        elif isinstance(operand, bool):
            dtype, priority = np.dtype(np.bool_), 0
        elif isinstance(operand, (int, np.integer)):
            dtype, priority = np.dtype(np.int64), 0
        elif isinstance(operand, (float, np.floating)):
            dtype, priority = np.dtype(np.float32), 0
        elif isinstance(operand, complex):
            dtype, priority = np.dtype(np.complex64), 0
        else:
            raise TypeError(f"result_type: expected tensors or numbers, got "
                            f"{type(operand).__name__}")  # fmt: skip
        known = groups[priority]
        groups[priority] = dtype if known is None else promote_types(known, dtype)
    return as_dtype(_combine(groups[2], _combine(groups[1], groups[0])))


# ---------------------------------------------------------------------- small ones


def is_nonzero(input: Any) -> bool:  # noqa: A002
    """Whether the one element of a one-element tensor is not zero (an error for other sizes)."""
    return as_tensor(input).is_nonzero()


def is_same_size(input: Any, other: Any) -> bool:  # noqa: A002
    """Whether the two tensors have the same shape."""
    return tuple(as_tensor(input).shape) == tuple(as_tensor(other).shape)


def rsub(input: Any, other: Any, alpha: float = 1) -> Any:  # noqa: A002
    """other - alpha * input (``sub`` with the operands swapped);
    dL/dinput = -alpha g, dL/dother = g."""
    x = as_tensor(input)
    scaled = x if alpha == 1 else x * alpha
    return -scaled + other if not is_tensor(other) else as_tensor(other) - scaled


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
                  **_: Any) -> Any:  # fmt: skip
    """A 0-d tensor holding the number ``s`` (float32 unless ``dtype`` says otherwise)."""
    from ..device import device as _device

    if device is not None:
        _device(device)  # a device glassnet lacks raises its clear error here
    value = wrap(np.asarray(s, to_dtype(dtype) if dtype is not None else np.float32))
    return value.requires_grad_(True) if requires_grad else value
