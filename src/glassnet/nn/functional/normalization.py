"""Normalization as functions (F.batch_norm, F.layer_norm, F.group_norm): standardize, scale, shift.

All three compute y = (x - mean) / sqrt(var + eps) * weight + bias; they differ only in which
elements share a mean and a variance:

* batch norm: each channel, over the batch and all positions (axes 0, 2, 3, ... of
  (N, C, ...)); at evaluation time the running averages collected in training are used;
* layer norm: each sample, over its last few axes (``normalized_shape``);
* group norm: each sample and each group of C / G channels, over those channels and all
  positions.

Standardization, scale and shift are one fused op (glassnet.ops.norm.Normalize) with a
closed-form backward: dL/dx, dL/dweight = sum(g * x_hat) and dL/dbias = sum(g) in one step.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd import no_grad, wrap
from ...errors import ShapeError
from ...ops.norm import Normalize
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text

__all__ = ["batch_norm", "layer_norm", "group_norm"]


def _channels_first_input(input: Any, name: str) -> Tensor:
    """The input, checked to be a floating Tensor (N, C, ...) with at least 2 dimensions."""
    x = floating_tensor(input, name)
    if x.ndim < 2:
        raise ShapeError(
            f"{name}: expected input of shape (N, C, ...) with at least 2 dimensions, got "
            f"{shape_text(x.shape)}"
        )
    return x


def _per_channel(name: str, what: str, t, shape: tuple):
    if t is None:
        return None
    t = as_tensor(t)
    if t.shape != shape:
        raise ShapeError(
            f"{name}: expected {what} of shape {shape_text(shape)}, got {shape_text(t.shape)}"
        )
    return t


def _normalize(x: Tensor, dims: tuple, eps: float, weight, bias, shape: tuple) -> tuple:
    """The fused op on x, with weight and bias viewed as ``shape``; returns (y, op)."""
    args = [x]
    if weight is not None or bias is not None:
        for p in (weight, bias):
            args.append(p if p is None or p.shape == shape else p.reshape(shape))
    op = Normalize(dims, eps)
    return op(*args), op


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization of (N, C, ...) input, per channel C.

    Training (``training=True``): each channel is standardized with the mean and the biased
    variance of this batch, over N and all positions:

        y = (x - mean_B) / sqrt(var_B + eps) * weight + bias

    and, when running statistics are given, they are updated in place (no gradient):

        running_mean = (1 - momentum) * running_mean + momentum * mean_B
        running_var  = (1 - momentum) * running_var  + momentum * var_B * M / (M - 1)

    (the unbiased batch variance, M = number of values per channel, as in PyTorch).
    Evaluation (``training=False``): the running statistics replace the batch ones, so each
    sample's output depends on that sample alone.

    Args:
        input: (N, C), (N, C, L), (N, C, H, W), ... floating.
        running_mean, running_var: shape (C,) or None (required when ``training=False``).
        weight, bias: optional per-channel scale and shift, shape (C,).
        training: use batch statistics (and update the running ones).
        momentum: weight of the new batch in the running averages.
        eps: added to the variance for stability.

    Example: ``F.batch_norm(x, rm, rv, w, b, training=True)``.
    """
    name = "batch_norm"
    x = _channels_first_input(input, name)
    n_channels = x.shape[1]
    per_channel = (n_channels,)
    running_mean = _per_channel(name, "running_mean", running_mean, per_channel)
    running_var = _per_channel(name, "running_var", running_var, per_channel)
    weight = _per_channel(name, "weight", weight, per_channel)
    bias = _per_channel(name, "bias", bias, per_channel)
    view = (1, n_channels) + (1,) * (x.ndim - 2)
    if training:
        if eps <= 0:
            raise ValueError(f"{name}: eps must be positive in training, got {eps}")
        per_group = x.array.size // max(n_channels, 1)
        if per_group <= 1:
            raise ShapeError(
                f"{name}: expected more than 1 value per channel when training, got input of "
                f"shape {shape_text(x.shape)}"
            )
        y, op = _normalize(x, (0,) + tuple(range(2, x.ndim)), eps, weight, bias, view)
        if running_mean is not None or running_var is not None:
            with no_grad():
                _update_running(running_mean, op.mean.reshape(-1), momentum)
                unbiased = op.var.reshape(-1) * (per_group / (per_group - 1))
                _update_running(running_var, unbiased, momentum)
        return y
    if running_mean is None or running_var is None:
        raise ValueError(
            f"{name}: running_mean and running_var must be given when training=False "
            "(they replace the batch statistics at evaluation time)"
        )
    if eps < 0:
        raise ValueError(f"{name}: eps must not be negative, got {eps}")
    # y = x * scale + shift, with scale = weight / sqrt(running_var + eps) and
    # shift = bias - running_mean * scale: two passes over x, differentiable in weight and bias.
    invstd = 1.0 / np.sqrt(running_var.array.astype(x.dtype) + eps)
    scale = wrap(invstd) if weight is None else weight * invstd
    shift = wrap(-running_mean.array.astype(x.dtype)) * scale
    if bias is not None:
        shift = shift + bias
    return x * scale.reshape(view) + shift.reshape(view)


def _update_running(stat: Tensor | None, batch_value: np.ndarray, momentum: float) -> None:
    """stat = (1 - momentum) * stat + momentum * batch_value, in place (same array)."""
    if stat is None:
        return
    data = stat.array
    data *= 1 - momentum
    data += momentum * batch_value.astype(data.dtype, copy=False)
    stat._version[0] += 1


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization: standardize each sample over its last ``len(normalized_shape)`` axes.

        y = (x - mean) / sqrt(var + eps) * weight + bias

    with mean and (biased) var taken over the trailing axes, separately for every leading
    index; the same in training and evaluation.

    Args:
        input: (*, *normalized_shape), floating.
        normalized_shape: int or tuple, the trailing shape to normalize over.
        weight, bias: optional, of shape ``normalized_shape``.
        eps: added to the variance.

    Example: ``F.layer_norm(x, (512,))`` for x of shape (batch, tokens, 512).
    """
    name = "layer_norm"
    x = floating_tensor(input, name)
    shape = _normalized_shape(name, normalized_shape)
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise ShapeError(
            f"{name}: expected input of shape (*, {', '.join(str(s) for s in shape)}) "
            f"(normalized_shape={shape}), got {shape_text(x.shape)}"
        )
    weight = _per_channel(name, "weight", weight, shape)
    bias = _per_channel(name, "bias", bias, shape)
    y, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps, weight, bias, shape)
    return y


def _normalized_shape(name: str, normalized_shape) -> tuple:
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    try:
        shape = tuple(int(s) for s in normalized_shape)
    except TypeError:
        raise TypeError(
            f"{name}: normalized_shape must be an int or a tuple of ints, got {normalized_shape!r}"
        ) from None
    if not shape or any(s <= 0 for s in shape):
        raise ValueError(
            f"{name}: normalized_shape must be non-empty with positive sizes, got {shape}"
        )
    return shape


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalization: split the C channels into ``num_groups`` groups and standardize
    each (sample, group) over its channels and all positions.

        y = (x - mean_{n,g}) / sqrt(var_{n,g} + eps) * weight_c + bias_c

    Independent of the batch size (unlike batch norm); num_groups=1 normalizes each sample
    over everything (layer norm over (C, ...) with per-channel affine), num_groups=C each
    channel separately (instance norm).

    Args:
        input: (N, C, ...) floating, with C divisible by num_groups.
        num_groups: number of groups G.
        weight, bias: optional per-channel scale and shift, shape (C,).
        eps: added to the variance.

    Example: ``F.group_norm(x, 8)`` for x of shape (N, 64, H, W).
    """
    name = "group_norm"
    x = _channels_first_input(input, name)
    n, c = x.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise ShapeError(
            f"{name}: the {c} channels of input {shape_text(x.shape)} cannot be split into "
            f"num_groups={num_groups} equal groups"
        )
    weight = _per_channel(name, "weight", weight, (c,))
    bias = _per_channel(name, "bias", bias, (c,))
    # (N, G, C/G, positions): statistics over the last two axes, parameters per channel.
    grouped = x.reshape(n, num_groups, c // num_groups, math.prod(x.shape[2:]))
    y, _ = _normalize(grouped, (2, 3), eps, weight, bias, (1, num_groups, c // num_groups, 1))
    return y.reshape(x.shape)
