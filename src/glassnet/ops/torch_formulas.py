"""PyTorch operations that are short formulas of glassnet's own ops: unbind, median, nansum, hypot, ...

Tutorials and real scripts use many small PyTorch functions that add no new mathematics:
``x.reciprocal()`` is 1 / x, ``torch.hypot(a, b)`` is sqrt(a**2 + b**2). Each is written here as
the formula it computes, from differentiable ops, so its gradient follows from theirs with no
backward rule of its own (the docstrings give it). The few that PyTorch does not differentiate
(``isin``, ``signbit``, ``heaviside``) return tensors outside the graph, as there.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import as_tensor, wrap
from ..dtypes import is_floating
from . import api as A
from .indexing import gather
from .reduce import normalize_dims

__all__ = [
    "absolute", "aminmax", "deg2rad", "float_power", "fmax", "fmin", "heaviside", "hypot",
    "isin", "logit", "median", "nanmean", "nansum", "negative", "positive", "rad2deg", "ravel",
    "reciprocal", "select", "sgn", "signbit", "swapdims", "unbind", "xlogy",
]  # fmt: skip

_min_max = namedtuple("aminmax", ["min", "max"])


def _floating(input: Any) -> Any:
    """``input`` as a tensor, made float32 when it holds integers or bools (PyTorch's rule for
    functions whose result is fractional)."""
    x = as_tensor(input)
    return x if is_floating(x.array.dtype) else x.float()


def _axis(dim: int, ndim: int, who: str) -> int:
    (axis,) = normalize_dims(dim, ndim, who)
    return axis


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
    """The sign of x, -1, 0 or 1 (``sign``, for real numbers)."""
    return as_tensor(input).sign()


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
    x = as_tensor(input)
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            raise RuntimeError("median(): cannot compute the median of an empty tensor")
        return median(flat, 0).values
    if x.ndim == 0:
        return A._values_indices(x.clone(), wrap(np.zeros((), np.int64)))
    axis = _axis(dim, x.ndim, "median")
    n = x.shape[axis]
    if n == 0:
        raise IndexError(f"median(): dimension {dim} of {list(x.shape)} is empty")
    values = x.array
    order = np.argsort(values, axis=axis, kind="stable")  # NaN sort last
    index = np.take(order, [(n - 1) // 2], axis=axis)
    if is_floating(values.dtype):
        nan = np.isnan(values)
        has_nan = nan.any(axis=axis, keepdims=True)
        index = np.where(has_nan, nan.argmax(axis=axis, keepdims=True), index)
    index = wrap(index.astype(np.int64))
    chosen = gather(x, axis, index)
    if not keepdim:
        chosen, index = chosen.squeeze(axis), index.squeeze(axis)
    return A._values_indices(chosen, index)


# ---------------------------------------------------------------------- tests of values (no gradient)


def isin(elements: Any, test_elements: Any, *, invert: bool = False) -> Any:
    """True where an element of ``elements`` is one of ``test_elements`` (a bool tensor)."""
    a = as_tensor(elements).array
    b = test_elements.array if hasattr(test_elements, "array") else np.asarray(test_elements)
    return wrap(np.isin(a, b, invert=invert))


def signbit(input: Any) -> Any:
    """True where the sign bit is set: negative numbers and -0.0 (a bool tensor)."""
    return wrap(np.signbit(as_tensor(input).array))


def heaviside(input: Any, values: Any) -> Any:
    """The step function: 0 where x < 0, ``values`` where x == 0, 1 where x > 0 (no gradient,
    as in PyTorch)."""
    x = as_tensor(input).array
    v = values.array if hasattr(values, "array") else np.asarray(values)
    return wrap(np.heaviside(x, v.astype(x.dtype, copy=False)).astype(x.dtype, copy=False))
