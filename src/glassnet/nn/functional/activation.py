"""Activation functions as plain functions (F.relu, F.gelu, F.softmax, ...): the nonlinearities between layers.

Without a nonlinearity, a stack of Linear layers collapses into a single linear map; these
elementwise functions (and softmax, which normalises along one axis) are what let a network
bend. Each docstring gives y(x) and dy/dx. Where glassnet's core already has the op
(relu, sigmoid, tanh, gelu, softplus, softmax, ...) it is reused; ELU and SiLU are fused ops
in ``glassnet.ops.nn``; the rest are short compositions whose gradients follow from the
chain rule.

``inplace=True`` is accepted for PyTorch compatibility; the result is computed out of place
(the values are the same, the input is left unchanged).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...dtypes import to_dtype
from ...errors import ShapeError
from ...ops import api
from ...ops import elementwise as elementwise_ops
from ...ops import nn as nn_ops
from ...random import default_generator
from ...tensor import Tensor, as_tensor

__all__ = [
    "relu",
    "relu6",
    "leaky_relu",
    "rrelu",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "mish",
    "sigmoid",
    "logsigmoid",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "tanh",
    "tanhshrink",
    "hardshrink",
    "softshrink",
    "softsign",
    "softplus",
    "threshold",
    "prelu",
    "glu",
    "softmax",
    "softmin",
    "log_softmax",
    "gumbel_softmax",
]

# SELU's constants (Klambauer et al., 2017): the fixed point of mean 0 / variance 1.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _check(x: Any, who: str, floating: bool = True) -> Tensor:
    """The input as a Tensor; with ``floating``, integer tensors become float32 (as in PyTorch)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a glassnet Tensor, got {type(x).__name__}")
    return x if not floating or x.array.dtype.kind == "f" else x.to("float32")


# ---------------------------------------------------------------------- rectifiers


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU(x) = max(x, 0);   dy/dx = 1 for x > 0, else 0."""
    return api.relu(_check(input, "relu", floating=False))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU6(x) = min(max(x, 0), 6);   dy/dx = 1 for 0 < x < 6, else 0 (also at 0 and 6)."""
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """LeakyReLU(x) = x for x > 0, else negative_slope * x;   dy/dx = 1 or negative_slope.

    The small slope keeps a gradient flowing for negative inputs ("dead" ReLUs cannot recover).
    """
    return api.leaky_relu(_check(input, "leaky_relu"), negative_slope)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU (Xu et al., 2015): RReLU(x) = x for x > 0, else a x.

    In training each element draws its own slope a ~ Uniform(lower, upper) from glassnet's
    generator (``glassnet.manual_seed`` makes it reproducible); in evaluation a is the mean
    slope (lower + upper) / 2 for every element, so the function is deterministic.
    dy/dx = 1 for x > 0, else a (the drawn slope; at x = 0 the slope too, as in PyTorch).
    """
    x = _check(input, "rrelu")
    if not lower <= upper:
        raise ValueError(f"rrelu: lower must be at most upper, got lower={lower}, upper={upper}")
    if training:
        draws = default_generator().uniform(lower, upper, size=x.shape)
        slope: Any = as_tensor(draws.astype(x.array.dtype))
    else:
        slope = (lower + upper) / 2
    # ``x > 0`` (not >=) so the gradient at 0 is the slope, as PyTorch's is.
    return api.where(x > 0, x, x * slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x for x > 0, else alpha (e**x - 1);   dy/dx = 1, else alpha e**x.

    Smooth at 0 for alpha = 1, and negative outputs (down to -alpha) push mean activations
    towards zero.
    """
    return nn_ops.ELU(alpha)(_check(input, "elu"))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU(x) = scale * ELU(x, alpha) with alpha ~ 1.6733, scale ~ 1.0507 (self-normalising)."""
    return nn_ops.ELU(SELU_ALPHA, SELU_SCALE)(_check(input, "selu"))


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU(x) = x for x > 0, else alpha (e**(x / alpha) - 1);   dy/dx = 1, else e**(x / alpha)."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return nn_ops.ELU(alpha, 1.0, 1.0 / alpha)(_check(input, "celu"))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """PReLU(x) = max(x, 0) + a min(x, 0) with a learned slope a (one, or one per channel).

    ``weight`` has 1 element (shared) or C elements, C = input.shape[1] (the channel axis).
    dy/dx = 1 for x > 0, else a;   dy/da = min(x, 0) (summed over what a is shared by).
    """
    x = _check(input, "prelu")
    if not isinstance(weight, Tensor) or weight.ndim > 1:
        raise ValueError(f"prelu: weight must be a 0-D or 1-D Tensor, got {weight!r}")
    n = weight.array.size
    a = weight
    if n != 1:
        if x.ndim < 2 or x.shape[1] != n:
            raise ShapeError(
                f"prelu: weight has {n} slopes but the input's channel axis (dim 1) has "
                f"{x.shape[1] if x.ndim >= 2 else 'no'} entries (input shape {x.shape})"
            )
        a = weight.reshape((n,) + (1,) * (x.ndim - 2))
    return api.relu(x) + a * api.clamp(x, max=0.0)


# ---------------------------------------------------------------------- smooth gates


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x), Phi the standard normal CDF;   dy/dx = Phi(x) + x phi(x).

    ``approximate='tanh'``: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))).
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return api.gelu(_check(input, "gelu"), approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU(x) = x sigmoid(x) (also called swish);   dy/dx = s (1 + x (1 - s)), s = sigmoid(x)."""
    return nn_ops.SiLU()(_check(input, "silu"))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish(x) = x tanh(softplus(x));   dy/dx by the chain rule through tanh and softplus."""
    x = _check(input, "mish")
    return x * api.tanh(api.softplus(x))


def sigmoid(input: Tensor) -> Tensor:
    """sigmoid(x) = 1 / (1 + e**-x), in (0, 1);   dy/dx = y (1 - y)."""
    return api.sigmoid(_check(input, "sigmoid"))


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), computed without overflow;   dy/dx = 1 - sigmoid(x)."""
    x = _check(input, "logsigmoid")
    return -api.softplus(-x)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardsigmoid(x) = min(max(x / 6 + 1/2, 0), 1);   dy/dx = 1/6 for -3 < x < 3, else 0."""
    x = _check(input, "hardsigmoid")
    return nn_ops.Hardtanh(0.0, 1.0)(x * (1.0 / 6.0) + 0.5)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardswish(x) = x * hardsigmoid(x);   dy/dx = 0 (x < -3), x/3 + 1/2 (|x| <= 3), 1 (x > 3)."""
    x = _check(input, "hardswish")
    return x * hardsigmoid(x)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """Hardtanh(x) = min(max(x, min_val), max_val);   dy/dx = 1 strictly inside, else 0."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return nn_ops.Hardtanh(min_val, max_val)(_check(input, "hardtanh"))


def tanh(input: Tensor) -> Tensor:
    """tanh(x), in (-1, 1);   dy/dx = 1 - y**2."""
    return api.tanh(_check(input, "tanh"))


def tanhshrink(input: Tensor) -> Tensor:
    """Tanhshrink(x) = x - tanh(x);   dy/dx = tanh(x)**2."""
    x = _check(input, "tanhshrink")
    return x - api.tanh(x)


def _inside(x: Tensor, lambd: float) -> np.ndarray:
    """The mask -lambd <= x <= lambd: where the shrink functions give 0 (NaN is outside it)."""
    return (x.array >= -lambd) & (x.array <= lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Hardshrink(x) = x where |x| > lambd, else 0;   dy/dx = 1 where |x| > lambd, else 0.

    Small values are set to zero, large ones kept as they are (NaN passes through). At
    |x| = lambd the value and the derivative are 0, as in PyTorch.
    """
    x = _check(input, "hardshrink")
    return elementwise_ops.Where()(~_inside(x, lambd), x, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Softshrink(x) = x - lambd for x > lambd, x + lambd for x < -lambd, else 0.

    Every value is moved lambd towards zero and stops there (the proximal step of an L1
    penalty, soft thresholding);   dy/dx = 1 where |x| > lambd, else 0 (also at |x| = lambd).
    ``lambd`` must not be negative.
    """
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be non-negative, got {lambd}")
    x = _check(input, "softshrink")
    # The shift is a constant (lambd with the sign of x), so the gradient is 1 where kept.
    shift = np.where(x.array > 0, lambd, -lambd).astype(x.dtype)
    return elementwise_ops.Where()(~_inside(x, lambd), x - Tensor._make(shift), 0.0)


def softsign(input: Tensor) -> Tensor:
    """Softsign(x) = x / (1 + |x|), in (-1, 1);   dy/dx = 1 / (1 + |x|)**2."""
    x = _check(input, "softsign")
    return x / (1 + api.abs(x))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus(x) = log(1 + e**(beta x)) / beta, a smooth ReLU;   dy/dx = sigmoid(beta x).

    Where beta x > threshold the function is taken as x itself (they agree to float precision).
    """
    if beta == 0:
        raise ValueError("softplus: beta must not be 0 (it divides the result)")
    return api.softplus(_check(input, "softplus"), beta, threshold)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Threshold(x) = x where x > threshold, else value;   dy/dx = 1 where x > threshold, else 0."""
    x = _check(input, "threshold")
    return elementwise_ops.Where()(x.array > threshold, x, float(value))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """GLU(a, b) = a * sigmoid(b), where a and b are the two halves of the input along ``dim``."""
    x = _check(input, "glu")
    if x.ndim == 0 or x.shape[dim] % 2:
        raise ShapeError(
            f"glu: the input's size along dim {dim} must be even, got shape {tuple(x.shape)}"
        )
    a, b = api.chunk(x, 2, dim)
    return a * api.sigmoid(b)


# ---------------------------------------------------------------------- softmax family


def _softmax_dim(name: str, ndim: int, dim: int | None) -> int:
    """PyTorch's legacy choice when no dim is given (with its warning): 0 for 0/1/3-D, else 1."""
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input: Any, name: str, dtype: Any) -> Tensor:
    x = _check(input, name)
    if dtype is not None:
        x = x.to(to_dtype(dtype))
    return x


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmax(x)_i = e**x_i / sum_j e**x_j along ``dim``: positive numbers that sum to 1.

    dL/dx = y * (g - sum(g * y)). Computed after subtracting the maximum (no overflow).
    ``dtype`` converts the input first (e.g. float64 for extra precision).
    """
    x = _softmax_input(input, "softmax", dtype)
    return api.softmax(x, _softmax_dim("softmax", x.ndim, dim))


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmin(x) = softmax(-x) along ``dim``: most weight on the smallest entry."""
    x = _softmax_input(input, "softmin", dtype)
    return api.softmax(-x, _softmax_dim("softmin", x.ndim, dim))


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log(softmax(x)) = x - logsumexp(x) along ``dim``, computed stably (never log of 0).

    dL/dx = g - softmax(x) * sum(g). Pair it with ``F.nll_loss`` for cross-entropy.
    """
    x = _softmax_input(input, "log_softmax", dtype)
    return api.log_softmax(x, _softmax_dim("log_softmax", x.ndim, dim))


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A differentiable sample of a category: softmax((logits + G) / tau) along ``dim``, with G
    Gumbel noise, -log(-log U) for U uniform on (0, 1) (from glassnet's generator, so
    ``manual_seed`` repeats it). A small ``tau`` makes the sample nearly one-hot.

    With ``hard=True`` the value is the one-hot vector of the largest entry, while the
    gradient is that of the soft sample (the "straight-through" estimator):
    y = one_hot - soft.detach() + soft. ``eps`` is accepted for PyTorch's signature.
    """
    from ...random import default_generator

    x = api._t(logits)
    uniform = default_generator().random(x.shape)
    noise = -np.log(-np.log(uniform))  # Gumbel(0, 1); U = 0 has probability 0 in float64
    soft = api.softmax((x + Tensor._make(noise.astype(x.dtype))) / tau, dim)
    if not hard:
        return soft
    winners = soft.array.argmax(axis=dim)
    one_hot = np.zeros(soft.shape, dtype=soft.dtype)
    np.put_along_axis(one_hot, np.expand_dims(winners, dim), 1.0, axis=dim)
    return Tensor._make(one_hot) - soft.detach() + soft
