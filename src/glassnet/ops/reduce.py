"""Reductions: sum, mean, max/min, var/std, prod, logsumexp, norm, softmax/log_softmax, argmax.

A reduction collapses the axes in ``dim`` (an int, a tuple, or None for all). Its backward
must undo the collapse: the gradient of each output element is spread back over the input
elements that fed it. ``_expand_back`` re-inserts the reduced axes (as size 1) so that the
gradient broadcasts against the input.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, is_grad_enabled, reads_no_input, reads_output_only, wrap
from ..errors import DTypeError, ShapeError
from . import sum_loops


def normalize_dims(dim, ndim: int, op: str = "reduction") -> tuple[int, ...]:
    """``dim`` (None, int or sequence, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dims = (dim,)
    elif isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    else:  # a float such as dim=1.0: name it, rather than "'float' object is not iterable"
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
    out = []
    for d in dims:
        if not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(
                f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions "
                f"(expected -{max(ndim, 1)} to {max(ndim, 1) - 1})"
            )
        out.append(int(d) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: dim {dim!r} names an axis twice")  # PyTorch: RuntimeError
    return tuple(sorted(out)) if ndim else ()


def single_axis(dim: int, ndim: int, op: str = "reduction") -> int:
    """``dim`` (negatives allowed) as the one axis it names, checked as ``normalize_dims``."""
    (axis,) = normalize_dims(dim, ndim, op)
    return axis


#: Up to this many numbers, a sum's gradient is a new array filled with g rather than a
#: broadcast view: np.full takes about 1.4 us on 16 numbers and np.broadcast_to about 5 us
#: (its Python-level checks), which is a tenth of a small graph's whole backward pass.
FILL_MAX_NUMBERS = 1024


def _expand_back(g, dims: tuple, keepdim: bool, in_ndim: int):
    """Give ``g`` back the reduced axes as size-1 axes so it broadcasts over the input."""
    if keepdim or not dims or g.ndim == in_ndim:
        return g
    shape = list(g.shape)
    for d in dims:
        shape.insert(d, 1)
    return g.reshape(tuple(shape))


class _Reduction(Op):
    def __init__(self, dim=None, keepdim: bool = False):
        if dim is not None and not isinstance(dim, (int, np.integer)) and len(dim) == 0:
            dim = None  # PyTorch: sum(x, dim=()) or dim=[] reduces every axis, as dim=None
        self.dim = dim
        self.keepdim = keepdim

    def _axes(self, x) -> tuple:
        if self.dim is None:  # the common full reduction (a loss): every axis, nothing to check
            self.dims = tuple(range(x.ndim))
        else:
            self.dims = normalize_dims(self.dim, x.ndim, type(self).__name__.lower())
        self.in_shape = x.shape
        return self.dims

    def _whole(self, total: float, x):
        """A reduction of every axis of ``x`` to the number ``total``, as NumPy would give it:
        a 0-d array of x's dtype, or of shape (1, 1, ...) with keepdim."""
        out = np.asarray(total, dtype=x.dtype)
        return out.reshape((1,) * x.ndim) if self.keepdim else out

    def _spread_back(self, g):
        """dL/dx for a sum: ``g`` given back the reduced axes, then broadcast over x's shape.

        In the first-order walk this is a broadcast view of g's array (no copy, no graph), or
        for a small x a new array filled with it; recorded (``create_graph=True``) it is the
        same two steps as Tensor ops.
        """
        if not is_grad_enabled():
            g = _expand_back(g.array, self.dims, self.keepdim, len(self.in_shape))
            if math.prod(self.in_shape) <= FILL_MAX_NUMBERS:
                return wrap(np.full(self.in_shape, g, dtype=g.dtype))
            return wrap(np.broadcast_to(g, self.in_shape))
        g = _expand_back(g, self.dims, self.keepdim, len(self.in_shape))
        return g.expand(self.in_shape)


class Sum(_Reduction):
    """y = sum of x over dim;   dL/dx = g broadcast back over the summed axes"""

    saved_inputs = reads_no_input  # only x's shape is read

    def forward(self, x):
        axes = self._axes(x)
        if self.dim is None and sum_loops.worth_compiling(x):  # all of a large array
            return self._whole(sum_loops.compiled_sum(x), x)
        # np.add.reduce is what np.sum calls (same result, dtype rules included), minus the
        # Python-level dispatch np.sum adds for other array types.
        return np.add.reduce(x, axis=axes, keepdims=self.keepdim)

    def backward(self, g):
        return (self._spread_back(g),)


class Mean(_Reduction):
    """y = sum(x) / n over dim;   dL/dx = g / n broadcast back"""

    saved_inputs = reads_no_input  # only x's shape is read

    def forward(self, x):
        if x.dtype.kind not in "fc":
            raise DTypeError(f"mean: expected a floating tensor, got dtype {x.dtype}")
        axes = self._axes(x)
        if self.dim is None and sum_loops.worth_compiling(x):  # all of a large array
            return self._whole(sum_loops.compiled_sum(x) / x.size, x)
        return np.mean(x, axis=axes, keepdims=self.keepdim)

    def backward(self, g):
        n = 1
        for d in self.dims:
            n *= self.in_shape[d]
        return (self._spread_back(g / n),)


class _Extreme(_Reduction):
    """Shared by Max and Min: the gradient goes to the element(s) that won."""

    pick = None

    def forward(self, x):
        axes = self._axes(x)
        # Only an empty *reduced* axis has no extreme: (3, 0) reduced over dim 0 is shape (0,).
        if x.size == 0 and (not axes or any(x.shape[d] == 0 for d in axes)):
            raise ValueError(f"{type(self).__name__.lower()}: cannot reduce an empty tensor")
        self.out_data = type(self).pick(x, axis=axes, keepdims=True)
        return self.out_data if self.keepdim else np.squeeze(self.out_data, axis=self.dims)

    def backward(self, g):
        x = self.inputs[0]
        winners = (x.array == self.out_data).astype(g.array.dtype)
        # Ties share the gradient equally, so the total passed down equals g.
        winners /= winners.sum(axis=self.dims, keepdims=True)
        g = _expand_back(g, self.dims, self.keepdim, len(self.in_shape))
        return (g * winners,)


class Max(_Extreme):
    """y = max of x over dim;   dL/dx = g at the maximum (shared equally between ties)"""

    pick = np.max


class Min(_Extreme):
    """y = min of x over dim;   dL/dx = g at the minimum (shared equally between ties)"""

    pick = np.min


class Var(_Reduction):
    """y = sum((x - mean)**2) / (n - correction);   dL/dx = g * 2 (x - mean) / (n - correction)"""

    def __init__(self, dim=None, keepdim: bool = False, correction: int = 1):
        super().__init__(dim, keepdim)
        self.correction = correction

    def forward(self, x):
        axes = self._axes(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # n <= correction: inf / nan
            return np.var(x, axis=axes, keepdims=self.keepdim, ddof=self.correction)

    def backward(self, g):
        x = self.inputs[0]
        n = 1
        for d in self.dims:
            n *= self.in_shape[d]
        centered = x - x.mean(dim=self.dims, keepdim=True)
        g = _expand_back(g, self.dims, self.keepdim, len(self.in_shape))
        dof = n - self.correction
        if dof <= 0 and self.dim is None:
            # As PyTorch: 2 / dof is infinite, so the gradient is nan where x equals the mean
            # (inf * 0) and +inf elsewhere.
            with np.errstate(invalid="ignore"):  # g may be 0 (after a sqrt): 0 * inf is nan
                return (g * np.where(centered.array == 0, np.nan, np.inf).astype(g.array.dtype),)
        scale = np.inf if dof == 0 else 2 / dof
        with np.errstate(invalid="ignore"):  # dof == 0: inf * 0 is nan, as in PyTorch
            return (g * centered * scale,)


class Prod(_Reduction):
    """y = product of x over dim;   dL/dx_i = g * prod_{j != i} x_j"""

    def forward(self, x):
        return np.prod(x, axis=self._axes(x), keepdims=self.keepdim)

    def backward(self, g):
        x = self.inputs[0]
        if x.array.size == 0:  # no element to receive a gradient
            return (wrap(np.zeros(x.shape, dtype=g.array.dtype)),)
        g = _expand_back(g, self.dims, self.keepdim, len(self.in_shape))
        # prod_{j != i} x_j computed without division, so zeros in x are handled exactly:
        # move the reduced axes to the end, flatten them, take exclusive cumulative products.
        moved = x.permute(*[d for d in range(x.ndim) if d not in self.dims], *self.dims)
        kept_shape = moved.shape[: x.ndim - len(self.dims)]
        flat = moved.reshape((*kept_shape, -1))
        others = _ExclusiveProd()(flat)
        others = others.reshape(moved.shape)
        inverse = np.argsort([d for d in range(x.ndim) if d not in self.dims] + list(self.dims))
        return (g * others.permute(*inverse),)


class _ExclusiveProd(Op):
    """y_i = prod_{j != i} x_j along the last axis (helper of Prod's backward)."""

    def forward(self, x):
        ones = np.ones(x.shape[:-1] + (1,), dtype=x.dtype)
        left = np.cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, x[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        return left * right

    def backward(self, g):
        # d y_i / d x_k = prod_{j != i, k} x_j for k != i; built from the same op on x_k-removed.
        # Only reached for third derivatives of prod; computed by brute force (small shapes).
        x = self.inputs[0]
        n = x.shape[-1]
        cols = []
        for k in range(n):
            mask = np.ones(n, dtype=x.array.dtype)
            mask[k] = 0
            # y_i with x_k replaced by 1 then multiplied by mask excludes i == k.
            replaced = x * mask + (1 - mask)
            cols.append((g * _ExclusiveProd()(replaced) * mask).sum(dim=-1, keepdim=True))
        from .shape import cat

        return (cat(cols, dim=-1),)


class NormRoot(Op):
    """y = s**(1/p), s >= 0 a sum of |x|**p;   dL/ds = g y / (p s), and 0 where s = 0

    The last step of a p-norm (sum |x|**p)**(1/p). Its derivative is infinite at s = 0, the
    norm of a zero vector, where the norm has no gradient: 0 is taken there, as in PyTorch, so
    a zero vector gets a zero gradient instead of nan (0 times infinity).
    """

    def __init__(self, p: float):
        self.p = p

    def forward(self, s):
        self.out_data = np.sqrt(s) if self.p == 2 else s ** (1.0 / self.p)
        return self.out_data

    def backward(self, g):
        (s,) = self.inputs
        positive = (s > 0).to(s.dtype)
        safe = s + (1 - positive)  # s where it is positive, 1 where it is 0 (no 0 / 0)
        return (g * self.output() / (self.p * safe) * positive,)


class LogSumExp(_Reduction):
    """y = log(sum(exp(x))) over dim;   dL/dx = g * softmax(x)"""

    def forward(self, x):
        axes = self._axes(x)
        # An empty row's log-sum-exp is log(0) = -inf (np.max needs a start value there).
        start = {"initial": -np.inf} if x.size == 0 else {}
        m = np.max(x, axis=axes, keepdims=True, **start)
        m = np.where(np.isfinite(m), m, 0)  # rows of all -inf stay -inf instead of nan
        with np.errstate(divide="ignore"):  # log(0) of an empty or all -inf row
            out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        self.out_data = out if self.keepdim else np.squeeze(out, axis=axes)
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        lse = _expand_back(self.output(), self.dims, self.keepdim, len(self.in_shape))
        g = _expand_back(g, self.dims, self.keepdim, len(self.in_shape))
        return (g * (x - lse).exp(),)


class Softmax(Op):
    """y_i = exp(x_i) / sum_j exp(x_j) along dim;   dL/dx = y * (g - sum(g * y))"""

    saved_inputs = reads_output_only

    def __init__(self, dim: int = -1):
        self.dim = dim

    def forward(self, x):
        (self.axis,) = normalize_dims(self.dim, x.ndim, "softmax")
        e = np.exp(x - np.max(x, axis=self.axis, keepdims=True))
        self.out_data = e / np.sum(e, axis=self.axis, keepdims=True)
        return self.out_data

    def backward(self, g):
        y = self.output()
        return (y * (g - (g * y).sum(dim=self.axis, keepdim=True)),)


class LogSoftmax(Op):
    """y = x - logsumexp(x) along dim;   dL/dx = g - softmax(x) * sum(g)"""

    saved_inputs = reads_output_only

    def __init__(self, dim: int = -1):
        self.dim = dim

    def forward(self, x):
        (self.axis,) = normalize_dims(self.dim, x.ndim, "log_softmax")
        shifted = x - np.max(x, axis=self.axis, keepdims=True)
        self.out_data = shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))
        return self.out_data

    def backward(self, g):
        softmax = self.output().exp()
        return (g - softmax * g.sum(dim=self.axis, keepdim=True),)


class ArgMax(Op):
    """index of the largest element along dim (no gradient)"""

    differentiable = False

    def __init__(self, dim=None, keepdim: bool = False):
        self.dim = dim
        self.keepdim = keepdim

    def forward(self, x):
        if self.dim is None:
            return np.asarray(np.argmax(x), dtype=np.int64)
        if x.ndim == 0:  # (api.argmax checked dim) a 0-d tensor's one element is index 0
            return np.zeros((), dtype=np.int64)
        return np.argmax(x, axis=self.dim, keepdims=self.keepdim).astype(np.int64)


class ArgMin(ArgMax):
    """index of the smallest element along dim (no gradient)"""

    def forward(self, x):
        if self.dim is None:
            return np.asarray(np.argmin(x), dtype=np.int64)
        if x.ndim == 0:
            return np.zeros((), dtype=np.int64)
        return np.argmin(x, axis=self.dim, keepdims=self.keepdim).astype(np.int64)
