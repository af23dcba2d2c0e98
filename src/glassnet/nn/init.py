"""Weight initialization: fill a Tensor in place with numbers chosen so that signals neither explode nor vanish.

Why initialization matters. A layer computes y = W x with ``fan_in`` inputs per output. If the
entries of W are independent with mean 0 and variance s**2, and the inputs have variance v,
then Var(y_i) = fan_in * s**2 * v. Stack many layers and the signal's variance is multiplied
by ``fan_in * s**2`` at every step: above 1 it explodes, below 1 it dies out. The schemes here
choose s so that this factor is about 1:

* Xavier / Glorot (tanh, sigmoid, linear nets): s**2 = gain**2 * 2 / (fan_in + fan_out), a
  compromise between keeping forward activations (fan_in) and backward gradients (fan_out)
  steady.
* Kaiming / He (ReLU nets): ReLU zeroes half of its inputs, halving the second moment, so
  s**2 = gain**2 / fan with gain = sqrt(2) for ReLU (``calculate_gain``).
* A uniform distribution U(-b, b) has variance b**2 / 3, so the ``*_uniform_`` variants use
  b = sqrt(3) * s.

Every function works in place on ``tensor.array`` (a Tensor or Parameter), records nothing in
the graph (it is an initialization, not a computation to differentiate), bumps the tensor's
version counter, and returns the tensor. Random functions draw from ``generator`` if given,
else from glassnet's global generator (``glassnet.manual_seed`` makes them reproducible).
Samples are drawn in float64 and rounded to the tensor's dtype, so float32 and float64 weights
get the same values up to rounding.

Names, arguments and defaults are PyTorch's (``torch.nn.init``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
]

# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------


def _check_tensor(tensor: Any, who: str, floating: bool = True) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"init.{who}: expected a glassnet Tensor or Parameter, got {type(tensor).__name__}"
        )
    if floating and tensor.array.dtype.kind != "f":
        raise TypeError(
            f"init.{who}: expected a floating tensor (float32/float64), got dtype "
            f"{tensor.array.dtype}"
        )


def _rng(generator: np.random.Generator | None) -> np.random.Generator:
    if generator is None:
        return default_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be a numpy.random.Generator or None, got {type(generator).__name__}"
        )
    return generator


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Store ``values`` into the tensor's own array (no graph) and bump its version counter."""
    tensor.array[...] = values
    tensor._version[0] += 1
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale weights so a nonlinearity keeps the signal's scale.

    ===================  ====================================
    nonlinearity          gain
    ===================  ====================================
    linear, conv*, sigmoid  1
    tanh                  5/3
    relu                  sqrt(2)
    leaky_relu            sqrt(2 / (1 + negative_slope**2))
    selu                  3/4
    ===================  ====================================

    ReLU passes half of a symmetric input and zeroes the rest, so it halves the second moment;
    a gain of sqrt(2) on the weights gives that factor back. Leaky ReLU keeps a fraction
    ``negative_slope**2`` of the negative half as well.

    Args:
        nonlinearity: the function's name as in ``glassnet.nn.functional`` (e.g. ``"relu"``).
        param: the negative slope for ``"leaky_relu"`` (default 0.01).

    Example::

        >>> calculate_gain("leaky_relu", 0.2)    # sqrt(2 / 1.04)
        1.3867504905630728
    """
    linear_fns = {
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    }
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{sorted(linear_fns | {'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'})}"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: how many inputs feed each output, and vice versa.

    A Linear weight has shape (out_features, in_features): fan_in = in_features, fan_out =
    out_features. A convolution weight (out_channels, in_channels / groups, *kernel) also
    multiplies in the kernel size (its receptive field): fan_in = in_channels * prod(kernel).
    """
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
            f"(got shape {tuple(shape)})"
        )
    receptive_field = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """fan_in or fan_out, by ``mode``: which pass (forward or backward) keeps its scale."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ----------------------------------------------------------------------------------------------
# Plain distributions and constants
# ----------------------------------------------------------------------------------------------


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill ``tensor`` with samples of U(a, b) (mean (a+b)/2, variance (b-a)**2/12).

    Example::

        >>> w = glassnet.empty(3, 5)
        >>> nn.init.uniform_(w, -0.1, 0.1)
    """
    _check_tensor(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"init.uniform_: expected a <= b, got a={a}, b={b}")
    return _write(tensor, _rng(generator).uniform(a, b, tensor.shape))


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Fill ``tensor`` with samples of N(mean, std**2)."""
    _check_tensor(tensor, "normal_")
    if std < 0:
        raise ValueError(f"init.normal_: std must be non-negative, got {std}")
    return _write(tensor, _rng(generator).normal(mean, std, tensor.shape))


def _phi(z: float) -> float:
    """Standard normal CDF."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Fill ``tensor`` with N(mean, std**2) conditioned on a <= x <= b (a, b are absolute values).

    The density is the normal density cut off outside [a, b] and rescaled to integrate to 1;
    e.g. with the defaults (mean 0, std 1, [-2, 2]) no value is further than 2 from 0 and the
    standard deviation is about 0.88.

    Sampling is exact, by rejection: candidates are drawn and those outside [a, b] are drawn
    again (vectorised, a few rounds). Candidates come from N(mean, std**2) when [a, b] holds
    a good share of its mass, otherwise from U(a, b) accepted with probability
    exp(-(z**2 - z_min**2) / 2), which suits narrow or far-out intervals.
    """
    _check_tensor(tensor, "trunc_normal_")
    if std <= 0:
        raise ValueError(f"init.trunc_normal_: std must be positive, got {std}")
    if not a < b:
        raise ValueError(f"init.trunc_normal_: expected a < b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_; sampling may be slow",
            stacklevel=2,
        )
    rng = _rng(generator)
    lo, hi = (a - mean) / std, (b - mean) / std  # the interval in standard units
    n = tensor.array.size
    mass = _phi(hi) - _phi(lo)  # acceptance rate of normal candidates
    z_min = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))  # point of highest density
    use_uniform = False
    if math.isfinite(lo) and math.isfinite(hi):
        # Acceptance rate of uniform candidates: mass / ((hi - lo) * peak density / sqrt(2 pi)).
        uniform_rate = mass * math.sqrt(2 * math.pi) / ((hi - lo) * math.exp(-0.5 * z_min**2))
        use_uniform = uniform_rate > mass
    out = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        if use_uniform:
            z = rng.uniform(lo, hi, todo.size)
            ok = rng.random(todo.size) < np.exp(-0.5 * (z * z - z_min * z_min))
        else:
            z = rng.standard_normal(todo.size)
            ok = (z >= lo) & (z <= hi)
        out[todo[ok]] = z[ok]
        todo = todo[~ok]
    return _write(tensor, (mean + std * out).reshape(tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with the value ``val``."""
    _check_tensor(tensor, "constant_", floating=False)
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 0 (the usual start for biases)."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D ``tensor`` with the identity matrix (ones on the diagonal; works when not square).

    A Linear layer with this weight (and zero bias) passes its input through unchanged.
    """
    _check_tensor(tensor, "eye_", floating=False)
    if tensor.ndim != 2:
        raise ValueError(f"init.eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta (identity convolution).

    Output channel i (of each of ``groups`` groups) gets a 1 at the centre of the kernel for
    input channel i, so the convolution copies as many input channels as it can.
    """
    _check_tensor(tensor, "dirac_", floating=False)
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(
            f"init.dirac_: only 3, 4 or 5-D tensors are supported, got shape {tensor.shape}"
        )
    out_channels = tensor.shape[0]
    if groups < 1 or out_channels % groups != 0:
        raise ValueError(
            f"init.dirac_: out channels ({out_channels}) must be divisible by groups ({groups})"
        )
    per_group = out_channels // groups
    k = min(per_group, tensor.shape[1])
    values = np.zeros(tensor.shape)
    centre = tuple(s // 2 for s in tensor.shape[2:])
    i = np.arange(k)
    for g in range(groups):  # one vectorised assignment per group
        values[(g * per_group + i, i, *centre)] = 1
    return _write(tensor, values)


# ----------------------------------------------------------------------------------------------
# Variance-preserving schemes
# ----------------------------------------------------------------------------------------------


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).

    Its variance b**2 / 3 = gain**2 * 2 / (fan_in + fan_out) balances the forward and the
    backward pass (Glorot & Bengio, 2010).
    """
    _check_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Glorot normal: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    _check_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str, who: str) -> float | None:
    """He's std = gain / sqrt(fan) for ``tensor`` (None for an empty tensor: nothing to fill)."""
    _check_tensor(tensor, who)
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).

    Args:
        tensor: a weight with at least 2 dimensions.
        a: the negative slope of the leaky ReLU that follows (only for 'leaky_relu').
        mode: 'fan_in' keeps the forward activations' variance, 'fan_out' the gradients'.
        nonlinearity: 'relu' or 'leaky_relu' (the default) usually.

    PyTorch's default for Linear and Conv weights is ``kaiming_uniform_(w, a=sqrt(5))``: the
    gain is then sqrt(2 / 6) = sqrt(1/3) and b = 1 / sqrt(fan_in).
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He normal: N(0, std**2) with std = gain / sqrt(fan) (see ``kaiming_uniform_``)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(
    tensor: Tensor, gain: float = 1, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill ``tensor`` with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013).

    The tensor is viewed as a matrix of shape (rows, cols) = (shape[0], numel / shape[0]).
    A Gaussian matrix is QR-factorised, A = Q R; multiplying each column of Q by the sign of
    R's diagonal makes the result uniformly distributed over orthogonal matrices. Then
    W W^T = gain**2 I when rows <= cols, and W^T W = gain**2 I when rows >= cols: the layer
    preserves lengths exactly, neither stretching nor shrinking any direction.
    """
    _check_tensor(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(
            f"init.orthogonal_: only tensors with 2 or more dimensions are supported, got "
            f"shape {tensor.shape}"
        )
    if tensor.array.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.array.size // rows
    flat = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)  # q: (max, min) with orthonormal columns
    d = np.sign(np.diag(r))
    d[d == 0] = 1
    q = q * d
    if rows < cols:
        q = q.T
    return _write(tensor, (gain * q).reshape(tensor.shape))


def sparse_(
    tensor: Tensor,
    sparsity: float,
    std: float = 0.01,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Fill a 2-D ``tensor`` with N(0, std**2) values, then zero a fraction ``sparsity`` of each column.

    In each column ceil(sparsity * rows) randomly chosen entries become 0 (Martens, 2010).
    """
    _check_tensor(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError(f"init.sparse_: only 2-D tensors are supported, got shape {tensor.shape}")
    if not 0 <= sparsity <= 1:
        raise ValueError(f"init.sparse_: sparsity must be in [0, 1], got {sparsity}")
    rng = _rng(generator)
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    values = rng.normal(0.0, std, (rows, cols))
    # A random permutation per column (argsort of uniform keys); its first num_zeros rows -> 0.
    order = np.argsort(rng.random((rows, cols)), axis=0)[:num_zeros]
    np.put_along_axis(values, order, 0.0, axis=0)
    return _write(tensor, values)


# PyTorch's deprecated names without the underscore (init.uniform, ...): they warn and call these.
from .init_deprecated import (  # noqa: E402, F401
    constant,
    dirac,
    eye,
    kaiming_normal,
    kaiming_uniform,
    normal,
    orthogonal,
    sparse,
    uniform,
    xavier_normal,
    xavier_uniform,
)
