"""Elementwise ops: arithmetic, the smooth functions, activations, clamp/where, comparisons.

Each op pairs its value with its derivative. ``g`` is dL/dy arriving from above; each backward
returns dL/dx = g * dy/dx for every input (the engine sums broadcast dimensions away).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import (
    Op,
    hooks_run_in_backward,
    is_grad_enabled,
    is_tensor,
    reads_no_input,
    reads_output_only,
    reads_the_other_factor,
    wrap,
)
from ..errors import DTypeError
from ..split_work import min_rows_for, run_split, split_ufunc
from ..ufunc_loops import one_number
from . import compiled, relu_loops
from .compiled import use_compiled, use_compiled_if_loaded

# ---------------------------------------------------------------------- arithmetic (binary)


class Add(Op):
    """y = a + b;   dL/da = g,   dL/db = g"""

    def forward(self, a, b):
        return split_ufunc(np.add, a, b)  # a + b, on every core when large

    def backward(self, g):
        return g, g

    def saved_inputs(self):
        return ()  # the gradient reads no input value


class Sub(Op):
    """y = a - b;   dL/da = g,   dL/db = -g"""

    def forward(self, a, b):
        return split_ufunc(np.subtract, a, b)  # a - b, on every core when large

    def backward(self, g):
        return g, -g

    def saved_inputs(self):
        return ()  # the gradient reads no input value


class Mul(Op):
    """y = a * b;   dL/da = g * b,   dL/db = g * a"""

    def forward(self, a, b):
        return split_ufunc(np.multiply, a, b)  # a * b, on every core when large

    def backward(self, g):
        a, b = self.inputs
        parent_a, parent_b = self.parents  # None where no gradient is wanted
        return (
            _gradient_times(g, b) if parent_a is not None else None,
            _gradient_times(g, a) if parent_b is not None else None,
        )

    saved_inputs = reads_the_other_factor


def _gradient_times(g, factor):
    """g * factor: the gradient of one factor of a product, dL/da = g * b.

    When g is the number 1 repeated (the gradient of a sum, as in ``(y * w).sum()``) and
    ``factor`` is an array of g's shape and dtype, g * factor is ``factor`` itself, number for
    number: x * 1 = x in IEEE arithmetic, for zeros of either sign, infinities and NaN too. The
    first-order walk is then given a read-only view of ``factor`` instead of a new array, one
    pass over memory fewer (on (32, 64, 16, 16) float32: about 185 us, 15 % of a GroupNorm
    forward and backward). Read-only, so nothing downstream can write into the caller's tensor
    through it; a leaf's ``.grad`` is a copy of it (``autograd._accumulate_grad`` copies every
    view but one of the gradient arriving). Not taken while hooks run during the walk: they may
    keep the gradients they are shown, or change ``factor`` in place (an optimizer's step in a
    post-accumulate hook) while the view is still to be read.
    """
    if (
        not is_grad_enabled()
        and is_tensor(factor)
        and not hooks_run_in_backward()
        and factor.array.shape == g.array.shape
        and factor.array.dtype == g.array.dtype
        and one_number(g.array) == 1
    ):
        view = factor.array.view()
        view.flags.writeable = False
        return wrap(view)
    return g * factor


class Div(Op):
    """y = a / b;   dL/da = g / b,   dL/db = -g * a / b**2"""

    def forward(self, a, b):
        return split_ufunc(np.true_divide, a, b)  # a / b, on every core when large

    def backward(self, g):
        a, b = self.inputs
        ga = g / b
        return ga, -ga * a / b

    def saved_inputs(self):
        return [0, 1] if self.needs_input_grad[1] else [1]  # a is read only for dL/db


def _integer_power_with_negatives(a, b: np.ndarray) -> np.ndarray:
    """a ** b for integers where some b < 0, as PyTorch (NumPy refuses): 1 / a**|b| truncated,
    so 1 for a = 1, +-1 for a = -1 (by the parity of b) and 0 for every other a."""
    out = np.asarray(a) ** np.where(b < 0, 0, b)
    a, b = np.broadcast_arrays(a, b)
    odd = (b % 2) != 0
    below = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(b < 0, below, out).astype(out.dtype)


class Pow(Op):
    """y = a ** b;   dL/da = g * b * a**(b-1),   dL/db = g * y * log(a)"""

    def forward(self, a, b):
        if isinstance(b, np.ndarray) and b.dtype.kind == "i" and np.asarray(a).dtype.kind in "iu":
            if (b < 0).any():
                return self._keep_if_exponent_is_array(_integer_power_with_negatives(a, b), b)
        return self._keep_if_exponent_is_array(a**b, b)

    def _keep_if_exponent_is_array(self, y, b):
        # dL/db reads y; with a number for b (x ** 2) there is no dL/db, so y is not kept
        if isinstance(b, np.ndarray):
            self.out_data = y
        return y

    def backward(self, g):
        a, b = self.inputs
        ga = None
        if self.parents[0] is not None:
            # d(a**0)/da is 0 everywhere (PyTorch), but b * a**(b-1) is 0 * inf = nan at a = 0.
            if not is_tensor(b) and b == 0:
                ga = g * 0.0
            elif not is_tensor(b) or b.array.all():
                ga = g * b * a ** (b - 1)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):  # 0**-1, replaced below
                    ga = Where()(b.array == 0, 0.0, g * b * a ** (b - 1))
        gb = None
        if self.parents[1] is not None:
            # log(a) is undefined for a <= 0; there the exponent has no gradient (as in PyTorch
            # for a == 0 it is 0). Only reached when b requires grad.
            a_t = a if is_tensor(a) else wrap(np.asarray(a))
            safe = Where()(a_t.array > 0, a_t, 1.0)
            gb = g * self.output() * safe.log()
        return ga, gb


class Maximum(Op):
    """y = max(a, b);   dL/da = g where a > b (half of g on ties),   dL/db = the rest"""

    def forward(self, a, b):
        return np.maximum(a, b)

    def backward(self, g):
        return _select_grads(g, *self.inputs, np.greater)


class Minimum(Op):
    """y = min(a, b);   dL/da = g where a < b (half of g on ties),   dL/db = the rest"""

    def forward(self, a, b):
        return np.minimum(a, b)

    def backward(self, g):
        return _select_grads(g, *self.inputs, np.less)


def _select_grads(g, a, b, wins):
    av = a.array if is_tensor(a) else a
    bv = b.array if is_tensor(b) else b
    dtype = g.array.dtype
    share_a = wins(av, bv).astype(dtype) + 0.5 * (av == bv).astype(dtype)
    return g * share_a, g * (1 - share_a)


# ---------------------------------------------------------------------- smooth functions


class Neg(Op):
    """y = -x;   dL/dx = -g"""

    saved_inputs = reads_no_input

    def forward(self, x):
        if x.dtype.kind == "b":  # as PyTorch: a mask is inverted with ~, not negated
            raise DTypeError(
                "neg: expected a number tensor, got a bool tensor; to invert a mask use `~` or "
                "logical_not()"
            )
        return -x

    def backward(self, g):
        return (-g,)


class Exp(Op):
    """y = e**x;   dL/dx = g * y"""

    saved_inputs = reads_output_only  # the gradient is a formula of y, not of x

    def forward(self, x):
        self.out_data = np.exp(x)
        return self.out_data

    def backward(self, g):
        return (g * self.output(),)


class Log(Op):
    """y = ln(x);   dL/dx = g / x   (x <= 0 gives nan / -inf, as in NumPy)"""

    def forward(self, x):
        return np.log(x)

    def backward(self, g):
        return (g / self.inputs[0],)


class Sqrt(Op):
    """y = sqrt(x);   dL/dx = g / (2 * y)"""

    saved_inputs = reads_output_only  # the gradient is a formula of y, not of x

    def forward(self, x):
        self.out_data = np.sqrt(x)
        return self.out_data

    def backward(self, g):
        return (g / (2 * self.output()),)


class Abs(Op):
    """y = |x|;   dL/dx = g * sign(x)   (0 at x = 0)"""

    def forward(self, x):
        return np.abs(x)

    def backward(self, g):
        return (g * np.sign(self.inputs[0].array),)


class Sign(Op):
    """y = sign(x);   dL/dx = 0   (as in PyTorch: the output is in the graph, its gradient zero)

    sign(nan) is 0, as PyTorch gives it (NumPy's own sign keeps the nan).
    """

    def forward(self, x):
        y = np.sign(x)
        if y.dtype.kind == "f":
            y = np.where(np.isnan(y), y.dtype.type(0), y)
        return y

    def backward(self, g):
        return (g * 0.0,)


class Sin(Op):
    """y = sin(x);   dL/dx = g * cos(x)"""

    def forward(self, x):
        return np.sin(x)

    def backward(self, g):
        return (g * self.inputs[0].cos(),)


class Cos(Op):
    """y = cos(x);   dL/dx = -g * sin(x)"""

    def forward(self, x):
        return np.cos(x)

    def backward(self, g):
        return (-g * self.inputs[0].sin(),)


class Tanh(Op):
    """y = tanh(x);   dL/dx = g * (1 - y**2)"""

    saved_inputs = reads_output_only  # the gradient is a formula of y, not of x

    def forward(self, x):
        self.out_data = np.tanh(x)
        return self.out_data

    def backward(self, g):
        y = self.output()
        return (g * (1 - y * y),)


class Sigmoid(Op):
    """y = 1 / (1 + e**-x);   dL/dx = g * y * (1 - y)"""

    saved_inputs = reads_output_only  # the gradient is a formula of y, not of x

    def forward(self, x):
        # Computed as e**x / (1 + e**x) for negative x so that e**-x never overflows.
        z = np.exp(-np.abs(x))
        self.out_data = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        y = self.output()
        return (g * y * (1 - y),)


# ---------------------------------------------------------------------- activations


class ReLU(Op):
    """y = max(x, 0);   dL/dx = g * (x > 0)

    With numba, both directions of a float array of ``compiled.COMPILED_MIN_NUMBERS`` or more
    (dense in memory) run the compiled loops of ``relu_loops``, one pass each: for a mid-sized
    array (an MLP's hidden layer of 128 x 512) in one call on this thread, once other work has
    imported numba; for a large one (a convolution's output) on numba's threads where it has
    them, else in ranges of numbers over ``split_work``'s threads. Without numba the NumPy
    lines run (large arrays cut into ranges of rows, one thread each); they are the loops'
    twin, with the same numbers.
    """

    saved_inputs = reads_output_only  # the gradient reads y > 0, which is x > 0

    #: Arrays of this many numbers or more are shared out over several threads: below it, one
    #: thread finishes before a second one would have woken.
    SPLIT_MIN_NUMBERS = 1 << 17

    def _compiled(self, loop: Any, *arrays: np.ndarray, import_numba: bool) -> np.ndarray | None:
        """``loop(*flat arrays, *flat output, start, stop)`` over all numbers, into a new array
        of the arrays' memory order; None (nothing run) where compiled loops do not apply:
        small work, not float32/float64, arrays not one dense block each, or no numba. Only a
        large array may import numba, and only with ``import_numba``: a mid-sized one saves
        microseconds, and evaluating a small model on a whole data set should not pay half a
        second for them."""
        first = arrays[0]
        n = first.size
        large = n >= 2 * self.SPLIT_MIN_NUMBERS
        if large and import_numba:
            ready = use_compiled(n, first.dtype)
        else:
            ready = use_compiled_if_loaded(n, first.dtype)
        flats = relu_loops.flat_views(*arrays) if ready else None
        if flats is None:
            return None
        # The pool saves touching fresh pages for a large output; for a mid-sized one its
        # lookup (8 us) costs more than malloc's reused memory.
        out = compiled.empty_like(first) if large else np.empty_like(first)
        flats.append(relu_loops.flat_views(out)[0])
        if large and loop.compiled_parallel():
            loop(*flats, 0, n)  # numba's threads share the range out
        elif not large:
            loop.one_thread(*flats, 0, n)
        else:
            run_split(lambda r: loop.one_thread(*flats, r.start, r.stop), n, self.SPLIT_MIN_NUMBERS)
        return out

    def forward(self, x):
        if x.ndim and x.dtype.kind == "f":
            out = self._compiled(relu_loops.relu_forward, x, import_numba=False)  # np.maximum(x, 0)
            if out is not None:
                self.out_data = out
                return out
        if x.size < 2 * self.SPLIT_MIN_NUMBERS or x.ndim == 0 or x.dtype.kind != "f":
            self.out_data = np.maximum(x, 0)
            return self.out_data
        out = np.empty_like(x)  # keeps x's memory order

        def rows(r: slice) -> None:  # twin: np.maximum(x, 0) on all rows at once
            np.maximum(x[r], 0, out=out[r])

        run_split(rows, len(x), min_rows_for(x[0].size, self.SPLIT_MIN_NUMBERS))
        self.out_data = out
        return out

    def backward(self, g):
        # y > 0 exactly where x > 0; multiplying by the 0/1 mask avoids boolean indexing.
        if not is_grad_enabled():
            # First-order fast path (the common case in training): one NumPy multiply by the
            # boolean mask, no cast and no extra op. Same numbers as the recorded path below.
            g, y = g.array, self.out_data
            if g.shape == y.shape and g.ndim:
                out = self._compiled(
                    relu_loops.relu_backward, g, y, import_numba=True
                )  # g * (y > 0)
                if out is not None:
                    return (wrap(out),)
            if g.size < 2 * self.SPLIT_MIN_NUMBERS or g.shape != y.shape:
                return (wrap(g * (y > 0)),)
            out = np.empty_like(g)  # keeps g's memory order

            def rows(r: slice) -> None:  # twin: g * (y > 0) on all rows at once
                np.multiply(g[r], y[r] > 0, out=out[r])

            run_split(rows, len(g), min_rows_for(g[0].size, self.SPLIT_MIN_NUMBERS))
            return (wrap(out),)
        return (g * (self.out_data > 0).astype(g.array.dtype),)


class LeakyReLU(Op):
    """y = x if x > 0 else slope * x;   dL/dx = g * (1 if x > 0 else slope)"""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope

    def forward(self, x):
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, g):
        x = self.inputs[0].array
        return (g * np.where(x > 0, 1.0, self.negative_slope).astype(g.array.dtype),)


_exact_erf = np.frompyfunc(math.erf, 1, 1)


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function, vectorised (NumPy has none).

    float64 inputs (gradient checks) use Python's exact math.erf element by element. Other
    dtypes use the Chebyshev-fitted complementary error function of Numerical Recipes
    (relative error below 1.2e-7, i.e. float32 rounding), evaluated in float64 then cast back.
    """
    if x.dtype == np.float64:
        # a 0-d input gives a Python float back from the ufunc, hence asarray
        return np.asarray(_exact_erf(x), dtype=np.float64)
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t
                            * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    erfc = t * np.exp(poly)
    return (np.sign(x) * (1.0 - erfc)).astype(np.result_type(x, np.float32), copy=False)


class Erf(Op):
    """y = erf(x);   dL/dx = g * 2/sqrt(pi) * exp(-x**2)"""

    def forward(self, x):
        return _erf(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g * (2 / math.sqrt(math.pi)) * (-(x * x)).exp(),)


def gelu(x, approximate: str = "none"):
    """GELU(x) = x * Phi(x), Phi the standard normal CDF = (1 + erf(x / sqrt 2)) / 2.

    ``approximate='tanh'`` uses 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))).
    Built from primitives, so its derivative Phi(x) + x * phi(x) comes from the chain rule.
    """
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + inner.tanh())
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * x * (1 + Erf()(x * (1 / math.sqrt(2))))


class Softplus(Op):
    """y = log(1 + e**(beta x)) / beta (linear above threshold);   dL/dx = g * sigmoid(beta x)"""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        self.beta = beta
        self.threshold = threshold

    def forward(self, x):
        bx = x * self.beta
        # log(1 + e**z) = max(z, 0) + log(1 + e**-|z|): never overflows.
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / self.beta
        return np.where(bx > self.threshold, x, soft).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        bx = x * self.beta
        linear = (bx.array > self.threshold).astype(g.array.dtype)
        return (g * (linear + (1 - linear) * bx.sigmoid()),)


class Clamp(Op):
    """y = min(max(x, lo), hi);   dL/dx = g where lo <= x <= hi, else 0"""

    def __init__(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        self.min = min
        self.max = max

    def forward(self, x):
        return np.clip(x, self.min, self.max)

    def backward(self, g):
        x = self.inputs[0].array
        inside = np.ones(x.shape, dtype=bool)
        if self.min is not None:
            inside &= x >= self.min
        if self.max is not None:
            inside &= x <= self.max
        return (g * inside.astype(g.array.dtype),)


class Where(Op):
    """y = a where cond else b;   dL/da = g * cond,   dL/db = g * (1 - cond)"""

    def forward(self, cond, a, b):
        self.cond = np.asarray(cond, dtype=bool)
        return np.where(self.cond, a, b)

    def backward(self, g):
        mask = self.cond.astype(g.array.dtype)
        return None, g * mask, g * (1 - mask)


class Cast(Op):
    """y = x converted to another dtype;   dL/dx = g converted back"""

    saved_inputs = reads_no_input

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return (g.to(self.in_dtype),)


# ---------------------------------------------------------------------- comparisons (no grad)


class _Compare(Op):
    differentiable = False
    ufunc = None

    def forward(self, a, b):
        return type(self).ufunc(a, b)


class Eq(_Compare):
    """y = (a == b), a bool tensor without gradient"""

    ufunc = np.equal


class Ne(_Compare):
    """y = (a != b), a bool tensor without gradient"""

    ufunc = np.not_equal


class Lt(_Compare):
    """y = (a < b), a bool tensor without gradient"""

    ufunc = np.less


class Le(_Compare):
    """y = (a <= b), a bool tensor without gradient"""

    ufunc = np.less_equal


class Gt(_Compare):
    """y = (a > b), a bool tensor without gradient"""

    ufunc = np.greater


class Ge(_Compare):
    """y = (a >= b), a bool tensor without gradient"""

    ufunc = np.greater_equal


class LogicalAnd(_Compare):
    """y = a and b (elementwise), without gradient"""

    ufunc = np.logical_and


class LogicalOr(_Compare):
    """y = a or b (elementwise), without gradient"""

    ufunc = np.logical_or


class LogicalXor(_Compare):
    """y = a xor b (elementwise), without gradient"""

    ufunc = np.logical_xor


class _Bitwise(_Compare):
    """Shared by the bitwise ops: integer and bool tensors only (bool works bit by bit too)."""

    def forward(self, *operands):
        for x in operands:
            if np.asarray(x).dtype.kind not in "biu":
                raise DTypeError(
                    f"{type(self).__name__}: expected integer or bool tensors, "
                    f"got dtype {np.asarray(x).dtype}"
                )
        return type(self).ufunc(*operands)


class BitwiseAnd(_Bitwise):
    """y = a & b bit by bit (logical and on bool), without gradient"""

    ufunc = np.bitwise_and


class BitwiseOr(_Bitwise):
    """y = a | b bit by bit (logical or on bool), without gradient"""

    ufunc = np.bitwise_or


class BitwiseXor(_Bitwise):
    """y = a ^ b bit by bit (logical xor on bool), without gradient"""

    ufunc = np.bitwise_xor


class BitwiseNot(_Bitwise):
    """y = ~x: every bit flipped (-x - 1 for integers, logical not on bool), without gradient"""

    ufunc = np.invert


class BitwiseLeftShift(_Bitwise):
    """y = a << b = a * 2**b on integers, without gradient"""

    ufunc = np.left_shift


class BitwiseRightShift(_Bitwise):
    """y = a >> b = floor(a / 2**b) on integers, without gradient"""

    ufunc = np.right_shift


class LogicalNot(Op):
    """y = not x (elementwise), without gradient"""

    differentiable = False

    def forward(self, x):
        return np.logical_not(x)


class IsNan(Op):
    """y = (x is nan), without gradient"""

    differentiable = False

    def forward(self, x):
        return np.isnan(x)


class IsInf(Op):
    """y = (x is +inf or -inf), without gradient"""

    differentiable = False

    def forward(self, x):
        return np.isinf(x)


class IsFinite(Op):
    """y = (x is finite), without gradient"""

    differentiable = False

    def forward(self, x):
        return np.isfinite(x)


class Clone(Op):
    """y = a copy of x;   dL/dx = g"""

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return (g,)

    def saved_inputs(self):
        return ()  # the gradient reads no value: x may change in place afterwards


class SetItem(Op):
    """y = x with y[index] = v;   dL/dx = g with zeros at index,   dL/dv = g[index]"""

    def __init__(self, index):
        self.index = index

    def forward(self, x, v):
        from .shape import set_item

        y = x.copy()
        set_item(y, self.index, v)
        return y

    def backward(self, g):
        from .shape import GetItem

        mask = np.ones(g.shape, dtype=g.array.dtype)
        mask[self.index] = 0
        return g * mask, GetItem(self.index)(g)

    def saved_inputs(self):
        return ()  # reads neither the old values nor the new ones, only where they go
