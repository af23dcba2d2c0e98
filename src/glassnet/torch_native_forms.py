"""PyTorch's native_* kernels (torch.native_layer_norm, native_batch_norm, native_group_norm, native_dropout, native_norm) and torch.norm_except_dim.

The ``native_*`` functions are what PyTorch's layers call underneath. They compute what F's
functions compute and also return what their backward pass keeps: a normalisation returns
(output, mean, rstd), the statistics it normalised with, rstd = 1 / sqrt(var + eps) with the
biased variance (divided by n); dropout returns (output, mask). The output is F's, with F's
gradient; the statistics and masks are read off the input in NumPy and carry no gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import autograd
from .autograd import as_tensor
from .errors import ShapeError, ValueRangeError
from .linalg import vector_norm
from .nn import functional as F
from .nn.functional.dropout import check_probability
from .random import default_generator

__all__ = [
    "native_batch_norm",
    "native_dropout",
    "native_group_norm",
    "native_layer_norm",
    "native_norm",
    "norm_except_dim",
]


def _statistics(values: np.ndarray, axes: Any, eps: float, dtype: Any) -> tuple:
    """(mean, 1 / sqrt(biased variance + eps)) over ``axes`` (kept as ones), as tensors of dtype."""
    mean = values.mean(axis=axes, keepdims=True, dtype=np.float64)
    var = values.var(axis=axes, keepdims=True, dtype=np.float64)
    return as_tensor(mean.astype(dtype)), as_tensor((1.0 / np.sqrt(var + eps)).astype(dtype))


def _tensor(x: Any, who: str) -> None:
    if not autograd.is_tensor(x):
        raise TypeError(f"{who}: expected a glassnet Tensor, got {type(x).__name__}")


def native_layer_norm(
    input: Any,  # noqa: A002 - PyTorch's names
    normalized_shape: Any,
    weight: Any,
    bias: Any,
    eps: float,
) -> tuple:
    """(``F.layer_norm(input, normalized_shape, weight, bias, eps)``, mean, rstd).

    mean and rstd are taken over the last len(normalized_shape) axes and keep them as ones:
    input (N, ..., *normalized_shape) gives statistics of shape (N, ..., 1, ..., 1).
    """
    _tensor(input, "native_layer_norm")
    out = F.layer_norm(input, normalized_shape, weight, bias, eps)
    count = len(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else 1
    axes = tuple(range(input.ndim - count, input.ndim))
    return (out, *_statistics(input.array, axes, eps, input.array.dtype))


def native_batch_norm(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    training: bool,
    momentum: float,
    eps: float,
) -> tuple:
    """(``F.batch_norm``'s output, save_mean, save_invstd), with PyTorch's native argument order.

    While training, save_mean and save_invstd (C,) are the batch's per-channel mean and
    1 / sqrt(biased variance + eps) over every axis but 1, and the running statistics (if
    given) move towards the batch's as in F.batch_norm. In evaluation the output uses the
    running statistics, which are then required, and both saved tensors are empty, (0,).
    """
    _tensor(input, "native_batch_norm")
    if not training and (running_mean is None or running_var is None):
        raise ValueRangeError(
            "native_batch_norm: evaluation (training=False) needs running_mean and running_var, "
            "got None"
        )
    dtype = input.array.dtype
    if training:
        axes = (0, *range(2, input.ndim))
        mean, invstd = (s.reshape(-1) for s in _statistics(input.array, axes, eps, dtype))
    else:
        mean = invstd = as_tensor(np.zeros(0, dtype=dtype))
    out = F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    return out, mean, invstd


def native_group_norm(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    N: int,  # noqa: N803
    C: int,  # noqa: N803
    HxW: int,  # noqa: N803
    group: int,
    eps: float,
) -> tuple:
    """(``F.group_norm(input, group, weight, bias, eps)``, mean, rstd), mean and rstd (N, group).

    N, C and HxW (the product of the spatial sizes) restate the input's shape (N, C, *spatial)
    and must agree with it.
    """
    _tensor(input, "native_group_norm")
    if input.ndim < 2 or tuple(input.shape[:2]) != (N, C) or input.array.size != N * C * HxW:
        raise ShapeError(
            f"native_group_norm: N={N}, C={C}, HxW={HxW} do not describe the input of shape "
            f"{tuple(input.shape)}"
        )
    out = F.group_norm(input, group, weight, bias, eps)
    grouped = input.array.reshape(N, group, -1)
    mean, rstd = _statistics(grouped, 2, eps, input.array.dtype)
    return out, mean.reshape(N, group), rstd.reshape(N, group)


def native_dropout(input: Any, p: float, train: bool | None) -> tuple:  # noqa: A002
    """(output, mask): output = input * mask / (1 - p), mask ~ Bernoulli(1 - p) as booleans.

    ``train`` of None counts as True. When not training the output is a copy of the input and
    the mask all True; with p = 1 everything is dropped (output 0, mask all False).
    dL/dinput = g * mask / (1 - p). The mask comes from glassnet's global generator.
    """
    _tensor(input, "native_dropout")
    p = check_probability(p, "native_dropout")
    if input.array.dtype.kind != "f":
        raise TypeError(f"native_dropout: expected a floating tensor, got {input.array.dtype}")
    if train is False:
        return input.clone(), as_tensor(np.ones(input.shape, dtype=bool))
    keep = default_generator().random(input.shape, dtype=np.float32) >= p
    scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    out = input * as_tensor(keep.astype(input.array.dtype) * input.array.dtype.type(scale))
    return out, as_tensor(keep)


def native_norm(
    input: Any,  # noqa: A002
    p: Any = 2,
    dim: Any = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Any:
    """The p-norm (sum |x|^p)^(1/p) over ``dim`` (every element when None; p None means 2).

    PyTorch runs this kernel only on sparse tensors; here it is the vector norm of a dense one.
    d/dx = sign(x) |x|^(p-1) / norm^(p-1).
    """
    _tensor(input, "native_norm")
    x = input if dtype is None else input.to(dtype)
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
    return vector_norm(x, 2 if p is None else p, dim, keepdim)


def norm_except_dim(v: Any, pow: int = 2, dim: int = 0) -> Any:  # noqa: A002
    """The p-norm of each slice v[..., i, ...] along ``dim``, over every other axis, kept as ones.

    For v (C_out, C_in, k) and dim 0 the result is (C_out, 1, 1): the norm of each output
    unit's weights, as weight normalisation (w = g v / ||v||) uses. dim = -1 means the norm of
    all of v (a 0-d tensor); a 1-D v with dim 0 gives |v|.
    """
    _tensor(v, "norm_except_dim")
    if dim == -1:
        return vector_norm(v, pow)
    if not -v.ndim <= dim < max(v.ndim, 1):
        raise ShapeError(
            f"norm_except_dim: dim {dim} is out of range for a tensor of {v.ndim} dimensions"
        )
    dim %= max(v.ndim, 1)
    others = tuple(axis for axis in range(v.ndim) if axis != dim)
    if not others:
        return v.abs()
    return vector_norm(v, pow, others, True)
