"""PyTorch operations that are short formulas of glassnet's own ops: unbind, median, nansum, hypot, ...

Tutorials and real scripts use many small PyTorch functions that add no new mathematics:
``x.reciprocal()`` is 1 / x, ``torch.hypot(a, b)`` is sqrt(a**2 + b**2). Each is written here as
the formula it computes, from differentiable ops, so its gradient follows from theirs with no
backward rule of its own (the docstrings give it). The few that PyTorch does not differentiate
(``isin``, ``signbit``, ``heaviside``) return tensors outside the graph, as there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import return_types
from ..autograd import as_tensor, wrap
from ..dtypes import is_floating
from ..errors import ShapeError
from . import api as A
from .indexing import gather
from .reduce import single_axis as _axis

__all__ = [
    "absolute", "adjoint", "aminmax", "angle", "clamp_max", "clamp_min", "corrcoef", "cov", "cross",
    "deg2rad", "float_power", "fmax", "fmin", "gcd", "heaviside", "hypot", "isin", "isneginf",
    "isposinf", "isreal", "kthvalue", "lcm", "logit", "median", "mode", "nanmean", "nansum",
    "negative", "positive", "quantile", "rad2deg", "ravel", "reciprocal", "select", "sgn",
    "signbit", "sinc", "swapdims", "unbind", "xlogy",
]  # fmt: skip

_min_max = return_types.aminmax
_QUANTILE_WAYS = ("linear", "lower", "higher", "midpoint", "nearest")


def _floating(input: Any) -> Any:
    """``input`` as a tensor, made float32 when it holds integers or bools (PyTorch's rule for
    functions whose result is fractional)."""
    x = as_tensor(input)
    return x if is_floating(x.array.dtype) else x.float()


# ---------------------------------------------------------------------- picking parts


def select(input: Any, dim: int, index: int) -> Any:
    """The slice at ``index`` along ``dim``, that axis removed: ``x.select(0, 2)`` is ``x[2]``.

    dL/dinput is g put back at that index, zero elsewhere (the indexing op's rule).
    """
    x = as_tensor(input)
    axis = _axis(dim, x.ndim, "select")
    size = x.shape[axis]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(x.shape)} at "
            f"dimension {dim}"
        )
    return x[(slice(None),) * axis + (index,)]


def unbind(input: Any, dim: int = 0) -> tuple:
    """The slices along ``dim``, each without that axis: ``a, b = pair.unbind()``."""
    x = as_tensor(input)
    axis = _axis(dim, x.ndim, "unbind")
    return tuple(select(x, axis, i) for i in range(x.shape[axis]))


def ravel(input: Any) -> Any:
    """All elements in one row: ``reshape(-1)``."""
    return as_tensor(input).reshape(-1)


def adjoint(input: Any) -> Any:  # noqa: A002
    """The conjugate transpose of the last two axes, x.transpose(-2, -1).conj() (just the
    transpose for real tensors); dL/dx is g transposed back."""
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"adjoint: expected a tensor of at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")  # fmt: skip
    return _conjugate(x.transpose(-2, -1))


def _conjugate(x: Any) -> Any:
    """The complex conjugate (outside the graph) of a complex tensor; a real one itself."""
    return wrap(np.conj(x.array)) if x.array.dtype.kind == "c" else x


def swapdims(input: Any, dim0: int, dim1: int) -> Any:
    """PyTorch's other name for ``transpose(dim0, dim1)``."""
    return as_tensor(input).transpose(dim0, dim1)


# ---------------------------------------------------------------------- other names, small formulas


def absolute(input: Any) -> Any:
    """|x| (PyTorch's other name for ``abs``)."""
    return as_tensor(input).abs()


def negative(input: Any) -> Any:
    """-x (PyTorch's other name for ``neg``)."""
    return -as_tensor(input)


def positive(input: Any) -> Any:
    """x itself, as PyTorch returns it (``+x``)."""
    return as_tensor(input)


def sgn(input: Any) -> Any:
    """The sign of x, -1, 0 or 1 (``sign``, for real numbers; 0 for NaN, as PyTorch)."""
    return as_tensor(input).sign()


def angle(input: Any) -> Any:
    """The angle of x seen as a complex number: pi for x < 0, 0 for x >= 0 (-0.0 too, as in
    PyTorch), NaN for NaN;   dL/dx = 0. Integers and bools give float32.

    ``sign(x) * 0`` (zero, with sign's zero gradient) keeps the result in the graph.
    """
    x = _floating(input)
    values = np.where(x.array < 0, math.pi, np.where(np.isnan(x.array), math.nan, 0.0))
    return x.sign() * 0.0 + wrap(values.astype(x.array.dtype))


def reciprocal(input: Any) -> Any:
    """y = 1 / x;   dL/dx = -g / x**2   (integers become float32)."""
    return 1.0 / _floating(input)


def deg2rad(input: Any) -> Any:
    """Degrees to radians: y = x pi / 180;   dL/dx = g pi / 180."""
    return _floating(input) * (math.pi / 180.0)


def rad2deg(input: Any) -> Any:
    """Radians to degrees: y = x 180 / pi;   dL/dx = g 180 / pi."""
    return _floating(input) * (180.0 / math.pi)


def hypot(input: Any, other: Any) -> Any:
    """y = sqrt(a**2 + b**2), the long side of a right triangle;   dL/da = g a / y, dL/db = g b / y."""
    a, b = _floating(input), _floating(other)
    return (a * a + b * b).sqrt()


def logit(input: Any, eps: float | None = None) -> Any:
    """y = log(p / (1 - p)), the inverse of the sigmoid;   dL/dp = g / (p (1 - p)).

    With ``eps``, p is first clamped to [eps, 1 - eps] (so 0 and 1 give finite numbers, and the
    gradient is 0 where the clamp cut in).
    """
    p = _floating(input)
    if eps is not None:
        p = p.clamp(eps, 1.0 - eps)
    return (p / (1.0 - p)).log()


def xlogy(input: Any, other: Any) -> Any:
    """y = x log(other), and 0 where x == 0 (unless other is NaN), as entropy sums need;
    dL/dx = g log(other), dL/dother = g x / other.

    Where x == 0 and other <= 0 the logarithm is taken of 1 instead, so that neither the value
    nor the gradient meets log(0) = -inf or the NaN of a negative number (0 times either would
    be NaN). There both gradients are 0 here; PyTorch gives -inf or NaN.
    """
    x, y = _floating(input), _floating(other)
    no_log = (x.array == 0) & (y.array <= 0)  # False where other is NaN: NaN stays
    safe_y = A.where(wrap(no_log), 1.0, y) if no_log.any() else y
    return x * safe_y.log()


def float_power(input: Any, exponent: Any) -> Any:
    """input ** exponent computed in float64, as PyTorch's ``float_power``."""
    base = as_tensor(input).double()
    return base ** (as_tensor(exponent).double() if hasattr(exponent, "shape") else exponent)


def fmax(input: Any, other: Any) -> Any:
    """The larger of the two, elementwise, a NaN losing to a number (NumPy's ``fmax``);
    dL/d(the chosen one) = g."""
    a, b = as_tensor(input), as_tensor(other)
    larger = A.maximum(a, b)
    return A.where(b.isnan(), a, A.where(a.isnan(), b, larger))


def fmin(input: Any, other: Any) -> Any:
    """The smaller of the two, elementwise, a NaN losing to a number; dL/d(the chosen one) = g."""
    a, b = as_tensor(input), as_tensor(other)
    smaller = A.minimum(a, b)
    return A.where(b.isnan(), a, A.where(a.isnan(), b, smaller))


def clamp_min(input: Any, min: Any) -> Any:  # noqa: A002
    """max(x, min): ``clamp(min=min)``."""
    return as_tensor(input).clamp(min=min)


def clamp_max(input: Any, max: Any) -> Any:  # noqa: A002
    """min(x, max): ``clamp(max=max)``."""
    return as_tensor(input).clamp(max=max)


def sinc(input: Any) -> Any:
    """y = sin(pi x) / (pi x), and 1 at x = 0;   dL/dx = g (cos(pi x) - y) / x (0 at 0).

    At 0 the formula is evaluated at x = 1 instead and replaced by 1, so that neither the value
    nor the gradient meets 0 / 0.
    """
    x = _floating(input)
    zero = x.array == 0
    safe = A.where(wrap(zero), 1.0, x) if zero.any() else x
    value = (safe * math.pi).sin() / (safe * math.pi)
    return A.where(wrap(zero), 1.0, value) if zero.any() else value


def cross(input: Any, other: Any, dim: int | None = None) -> Any:
    """The cross product of 3-vectors along ``dim`` (the first axis of size 3 when None, as
    ``torch.cross``): (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)."""
    a, b = as_tensor(input), as_tensor(other)
    if dim is None:
        sizes = np.broadcast_shapes(a.shape, b.shape)
        dim = next((i for i, n in enumerate(sizes) if n == 3), None)
        if dim is None:
            raise ShapeError(f"cross: no dimension of size 3 in shapes {a.shape} and {b.shape}")
    axis = _axis(dim, max(a.ndim, b.ndim), "cross")
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise ShapeError(f"cross: dimension {dim} must have size 3, got shapes {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")  # fmt: skip
    a0, a1, a2 = (select(a, axis, i) for i in range(3))
    b0, b1, b2 = (select(b, axis, i) for i in range(3))
    return A.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis)


# ---------------------------------------------------------------------- reductions


def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over everything or along ``dim``; each gradient as ``amin``'s / ``amax``'s."""
    x = as_tensor(input)
    return _min_max(x.amin(dim, keepdim) if dim is not None else x.amin(),
                    x.amax(dim, keepdim) if dim is not None else x.amax())  # fmt: skip


def nansum(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The sum with NaN counted as 0;   dL/dx = g where x is a number, 0 at the NaN."""
    x = as_tensor(input)
    numbers = A.where(x.isnan(), 0.0, x) if is_floating(x.array.dtype) else x
    return numbers.sum(dim, keepdim) if dim is not None else numbers.sum()


def nanmean(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The mean of the numbers that are not NaN: nansum / how many there are (NaN if none)."""
    x = _floating(input)
    counted = wrap((~np.isnan(x.array)).astype(x.array.dtype))
    total = nansum(x, dim, keepdim)
    count = counted.sum(dim, keepdim) if dim is not None else counted.sum()
    return total / count


def median(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The middle value: of everything (a 0-d tensor), or ``(values, indices)`` along ``dim``.

    With n values the median is the ((n - 1) // 2)-th smallest, the lower of the two middle
    ones when n is even (PyTorch's choice: a value that is in the data, not an average). A
    slice holding NaN has NaN as its median, at the first NaN. dL/dx is g at the element
    chosen, 0 elsewhere (``gather``'s rule).
    """

    def lower_middle(x: Any, axis: int, keepdim: bool) -> Any:
        return _order_statistic(x, axis, (x.shape[axis] - 1) // 2, keepdim, nan_first=True)

    return _median_frame(as_tensor(input), dim, keepdim, "median", lower_middle)


def _median_frame(x: Any, dim: int | None, keepdim: bool, name: str, pick: Any) -> Any:
    """What ``median`` and ``nanmedian`` (called ``name``) share around choosing the element:
    with ``dim=None`` the median of the flattened tensor as a 0-d tensor, a 0-d tensor as its own
    median (index 0), the median of an empty tensor (NaN, as PyTorch gives it: for an integer
    dtype NaN cast to it, e.g. int64's smallest value) and the error for an empty dimension;
    ``pick(x, axis, keepdim)`` returns ``(values, indices)`` along a non-empty ``axis``."""
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            if is_floating(flat.array.dtype):  # in the graph, with a zero (empty) gradient
                return flat.sum() * 0.0 + math.nan
            return wrap(np.array(np.nan).astype(flat.array.dtype))
        return _median_frame(flat, 0, False, name, pick).values
    result = getattr(return_types, name)  # prints as glassnet.return_types.median(...)
    if x.ndim == 0:
        return result(x.clone(), wrap(np.zeros((), np.int64)))
    axis = _axis(dim, x.ndim, name)
    if x.shape[axis] == 0:
        raise IndexError(f"{name}(): dimension {dim} of {list(x.shape)} is empty")
    return result(*pick(x, axis, keepdim))


def _order_statistic(x: Any, axis: int, rank: int, keepdim: bool, nan_first: bool = False) -> Any:
    """``(values, indices)`` of the ``rank``-th smallest element along ``axis`` (rank 0: the
    smallest), or of the first NaN of a slice holding one when ``nan_first``; the values are
    read with ``gather``, so the gradient goes to the element chosen."""
    values = x.array
    order = np.argsort(values, axis=axis, kind="stable")  # NaN sort last
    index = np.take(order, [rank], axis=axis)
    if nan_first and is_floating(values.dtype):
        nan = np.isnan(values)
        has_nan = nan.any(axis=axis, keepdims=True)
        index = np.where(has_nan, nan.argmax(axis=axis, keepdims=True), index)
    return _picked(x, axis, index, keepdim)


def _picked(x: Any, axis: int, index: np.ndarray, keepdim: bool) -> Any:
    """``(values, indices)`` of ``x`` at ``index`` (one position along ``axis`` per slice, that
    axis kept with size 1), read with ``gather`` so the gradient goes to the elements chosen."""
    at = wrap(index.astype(np.int64))
    chosen = gather(x, axis, at)
    if not keepdim:
        chosen, at = chosen.squeeze(axis), at.squeeze(axis)
    return A._values_indices(chosen, at)


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of those
    tied), and the last index where it occurs, as PyTorch; dL/dx is g at that element."""
    x = as_tensor(input)
    if x.ndim == 0:
        return return_types.mode(x.clone(), wrap(np.zeros((), np.int64)))
    axis = _axis(dim, x.ndim, "mode")
    n = x.shape[axis]
    if n == 0:
        raise IndexError(f"mode(): dimension {dim} of {list(x.shape)} is empty")
    rows = np.moveaxis(x.array, axis, -1).reshape(-1, n)
    chosen = np.empty(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)  # sorted: argmax takes the smallest
        value = values[np.argmax(counts)]
        chosen[r] = np.flatnonzero(row == value)[-1]
    kept = np.moveaxis(x.array, axis, -1).shape[:-1] + (1,)
    index = np.moveaxis(chosen.reshape(kept), -1, axis)
    return return_types.mode(*_picked(x, axis, index, keepdim))


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the k-th smallest value along ``dim`` (k = 1 is the minimum) and
    where it is; dL/dx is g at that element."""
    x = as_tensor(input)
    axis = _axis(dim, max(x.ndim, 1), "kthvalue")
    n = x.shape[axis] if x.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue: k must lie in [1, {n}] (the size of dim {dim}), got {k}")
    if x.ndim == 0:
        return return_types.kthvalue(x.clone(), wrap(np.zeros((), np.int64)))
    return return_types.kthvalue(*_order_statistic(x, axis, k - 1, keepdim))


def _quantile_arguments(input: Any, q: Any, interpolation: str, who: str) -> tuple:  # noqa: A002
    """The checked arguments of ``quantile`` and ``nanquantile`` (called ``who``): ``input`` as
    a floating tensor and q as float64 levels (a number or 1-D, each in [0, 1])."""
    if interpolation not in _QUANTILE_WAYS:
        raise ValueError(f"{who}: interpolation must be one of {_QUANTILE_WAYS}, got "
                         f"{interpolation!r}")  # fmt: skip
    x = _floating(input)
    qs = np.asarray(q.array if hasattr(q, "array") else q, dtype=np.float64)
    if qs.ndim > 1 or np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"{who}: q must be a number or 1-D, within [0, 1], got {qs.tolist()}")
    return x, qs


def _neighbour_ranks(p: np.ndarray, interpolation: str) -> tuple:
    """The ranks (lo, hi) of the two sorted values the quantile at fractional rank p is read
    from: floor(p) and ceil(p) for 'linear' and 'midpoint'; for 'nearest' both the nearer one
    (ties to the even rank), for 'lower' both floor(p), for 'higher' both ceil(p)."""
    lo, hi = np.floor(p).astype(np.int64), np.ceil(p).astype(np.int64)
    if interpolation == "nearest":
        lo = hi = np.round(p).astype(np.int64)  # half to even, as PyTorch
    elif interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    return lo, hi


def _between(v_lo: Any, v_hi: Any, weight: np.ndarray, interpolation: str) -> Any:
    """The quantile from the values at its neighbour ranks: v_lo + weight (v_hi - v_lo) for
    'linear' (weight = p - floor(p)), their mean for 'midpoint', else v_lo (there v_lo = v_hi)."""
    if interpolation == "linear":
        return v_lo + (v_hi - v_lo) * wrap(weight)
    if interpolation == "midpoint":
        return (v_lo + v_hi) * 0.5
    return v_lo


def quantile(
    input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
    interpolation: str = "linear",
) -> Any:  # fmt: skip
    """The q-quantiles along ``dim`` (of all elements when None), q in [0, 1] a number or a
    1-D tensor (its axis then comes first in the result).

    With the values sorted, v_0 <= ... <= v_{n-1}, and p = q (n - 1): 'linear' gives
    v_floor(p) + (p - floor(p)) (v_ceil(p) - v_floor(p)); 'lower', 'higher', 'nearest' and
    'midpoint' take v_floor(p), v_ceil(p), the nearer one (ties to the even index) or the
    mean of the two. NaN anywhere in a slice gives NaN. dL/dv flows to the sorted values used.
    """
    x, qs = _quantile_arguments(input, q, interpolation, "quantile")
    flat = dim is None
    if flat:
        x, dim = x.reshape(-1), 0
    axis = _axis(dim, x.ndim, "quantile")
    n = x.shape[axis]
    if n == 0:
        raise IndexError(f"quantile: dimension {dim} of {list(x.shape)} is empty")
    ordered = A.sort(x, axis).values  # NaN sorts last
    p = qs.reshape(-1) * (n - 1)
    lo, hi = _neighbour_ranks(p, interpolation)
    v_lo = A.index_select(ordered, axis, wrap(lo))
    v_hi = A.index_select(ordered, axis, wrap(hi))
    shape = [1] * x.ndim
    shape[axis] = len(p)  # the weights of the q's along the axis that holds them
    result = _between(v_lo, v_hi, (p - lo).astype(x.array.dtype).reshape(shape), interpolation)
    has_nan = np.isnan(x.array).any(axis=axis, keepdims=True)
    if has_nan.any():
        result = A.where(wrap(np.broadcast_to(has_nan, result.shape)), math.nan, result)
    result = result.movedim(axis, 0)  # the q axis first, as PyTorch
    if keepdim:  # the reduced axis (every axis, for dim=None) kept with size 1
        kept = (
            (1,) * as_tensor(input).ndim
            if flat
            else result.shape[1 : axis + 1] + (1,) + result.shape[axis + 1 :]
        )
        result = result.reshape((len(p),) + tuple(kept))
    return result[0] if qs.ndim == 0 else result


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:  # noqa: A002
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns): C = (x - mean) (x - mean)^T / (N - correction); a 1-D input is one variable."""
    if fweights is not None or aweights is not None:
        raise ValueError("cov: fweights and aweights are not implemented in glassnet yet")
    x = _floating(input)
    if x.ndim > 2:
        raise ShapeError(f"cov: expected a tensor of at most 2 dimensions, got {tuple(x.shape)}")
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    centred = rows - rows.mean(1, keepdim=True)
    result = (centred @ centred.transpose(0, 1)) / (rows.shape[1] - correction)
    return result.reshape(()) if x.ndim < 2 else result


def corrcoef(input: Any) -> Any:  # noqa: A002
    """Pearson's correlation between the rows: cov / (std_i std_j), clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    spread = A.diagonal(c).sqrt()
    return (c / (spread.unsqueeze(1) * spread.unsqueeze(0))).clamp(-1.0, 1.0)


# ---------------------------------------------------------------------- tests of values (no gradient)


def isposinf(input: Any) -> Any:
    """True where the element is +inf."""
    return wrap(np.isposinf(as_tensor(input).array))


def isneginf(input: Any) -> Any:
    """True where the element is -inf."""
    return wrap(np.isneginf(as_tensor(input).array))


def isin(elements: Any, test_elements: Any, *, invert: bool = False) -> Any:
    """True where an element of ``elements`` is one of ``test_elements`` (a bool tensor)."""
    a = as_tensor(elements).array
    b = test_elements.array if hasattr(test_elements, "array") else np.asarray(test_elements)
    return wrap(np.isin(a, b, invert=invert))


def signbit(input: Any) -> Any:
    """True where the sign bit is set: negative numbers and -0.0 (a bool tensor)."""
    return wrap(np.signbit(as_tensor(input).array))


def _integers(input: Any, other: Any, op: str) -> tuple:
    a, b = as_tensor(input).array, as_tensor(other).array
    for array in (a, b):
        if array.dtype.kind not in "iu":
            raise TypeError(f"{op}: expected integer tensors, got dtype {array.dtype}")
    return a, b


def gcd(input: Any, other: Any) -> Any:  # noqa: A002
    """The greatest common divisor, elementwise, of integer tensors (>= 0; gcd(0, 0) = 0).
    No gradient."""
    a, b = _integers(input, other, "gcd")
    return wrap(np.gcd(a, b).astype(np.result_type(a, b), copy=False))


def lcm(input: Any, other: Any) -> Any:  # noqa: A002
    """The least common multiple, elementwise, of integer tensors (|a b| / gcd(a, b), 0 when
    either is 0). No gradient."""
    a, b = _integers(input, other, "lcm")
    return wrap(np.lcm(a, b).astype(np.result_type(a, b), copy=False))


def isreal(input: Any) -> Any:  # noqa: A002
    """True where the element is real: everywhere for real dtypes, where the imaginary part
    is 0 for complex ones (a bool tensor)."""
    x = as_tensor(input).array
    return wrap(x.imag == 0 if x.dtype.kind == "c" else np.ones(x.shape, np.bool_))


def heaviside(input: Any, values: Any) -> Any:
    """The step function: 0 where x < 0, ``values`` where x == 0, 1 where x > 0 (no gradient,
    as in PyTorch)."""
    x = as_tensor(input).array
    v = values.array if hasattr(values, "array") else np.asarray(values)
    return wrap(np.heaviside(x, v.astype(x.dtype, copy=False)).astype(x.dtype, copy=False))
