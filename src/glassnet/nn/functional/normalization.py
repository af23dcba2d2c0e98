"""Normalization as functions (F.batch_norm, F.layer_norm, F.group_norm, F.instance_norm, F.rms_norm).

The first four compute y = (x - mean) / sqrt(var + eps) * weight + bias; they differ only in
which elements share a mean and a variance:

* batch norm: each channel, over the batch and all positions (axes 0, 2, 3, ... of
  (N, C, ...)); at evaluation time the running averages collected in training are used;
* layer norm: each sample, over its last few axes (``normalized_shape``);
* group norm: each sample and each group of C / G channels, over those channels and all
  positions;
* instance norm: each sample and each channel, over its positions alone (group norm with one
  channel per group), optionally with batch-norm-like running averages.

Standardization, scale and shift are one fused op (glassnet.ops.norm.Normalize) with a
closed-form backward: dL/dx, dL/dweight = sum(g * x_hat) and dL/dbias = sum(g) in one step.

RMS norm is the odd one out: it does not subtract a mean, it only divides by the root mean
square over the trailing axes, y = x / sqrt(mean(x**2) + eps) * weight. It is a short
composition of Tensor ops, so its gradient is the chain rule through them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd import no_grad, wrap
from ...errors import ShapeError
from ...ops import api
from ...ops.norm import Normalize
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text

__all__ = [
    "batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm", "rms_norm",
]  # fmt: skip


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
    return _with_running_stats(name, x, running_mean, running_var, weight, bias, eps, view)


def _with_running_stats(
    name: str, x: Tensor, running_mean: Tensor, running_var: Tensor, weight, bias, eps, view
) -> Tensor:
    """Normalize per channel with given (running) statistics instead of the input's own.

    y = x * scale + shift, with scale = weight / sqrt(running_var + eps) and
    shift = bias - running_mean * scale: two passes over x, differentiable in weight and bias.
    Batch norm in evaluation mode and instance norm with ``use_input_stats=False`` share it.
    """
    if eps < 0:
        raise ValueError(f"{name}: eps must not be negative, got {eps}")
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
    x, shape = _trailing_input(name, input, normalized_shape)
    k = len(shape)
    weight = _per_channel(name, "weight", weight, shape)
    bias = _per_channel(name, "bias", bias, shape)
    y, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps, weight, bias, shape)
    return y


def _trailing_input(name: str, input: Any, normalized_shape: Any) -> tuple[Tensor, tuple]:
    """The floating input and the checked ``normalized_shape``, which must be its trailing
    shape (layer norm and RMS norm normalize over those axes)."""
    x = floating_tensor(input, name)
    shape = _normalized_shape(name, normalized_shape)
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise ShapeError(
            f"{name}: expected input of shape (*, {', '.join(str(s) for s in shape)}) "
            f"(normalized_shape={shape}), got {shape_text(x.shape)}"
        )
    return x, shape


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


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalization: standardize each (sample, channel) over its positions alone.

        y[n, c] = (x[n, c] - mean_{n,c}) / sqrt(var_{n,c} + eps) * weight_c + bias_c

    with mean and (biased) var of x[n, c, ...] over all its positions (L, or H and W). It is a
    group norm with one channel per group, so it runs on the same fused op (the gradient is
    that op's closed form). Used for style transfer, where the contrast of each image and
    channel should not matter.

    With ``use_input_stats=True`` (the default) and running statistics given, they are
    updated in place (no gradient) with the averages over the batch of the per-instance
    statistics:

        running_mean = (1 - momentum) * running_mean + momentum * mean_n(mean_{n,c})
        running_var  = (1 - momentum) * running_var  + momentum * mean_n(var_{n,c} * M / (M - 1))

    (M = number of positions; the unbiased variance, as in batch norm). With
    ``use_input_stats=False`` the running statistics replace the per-instance ones, as in
    batch norm's evaluation mode.

    Args:
        input: (N, C, L), (N, C, H, W), ... floating, with more than one position per
            channel when ``use_input_stats``.
        running_mean, running_var: optional, shape (C,); required when
            ``use_input_stats=False``.
        weight, bias: optional per-channel scale and shift, shape (C,).
        use_input_stats: normalize with each instance's own statistics.
        momentum: weight of this batch in the running averages.
        eps: added to the variance.

    Example: ``F.instance_norm(images)`` for images of shape (N, 3, H, W).
    """
    name = "instance_norm"
    x = _channels_first_input(input, name)
    n, c = x.shape[:2]
    per_channel = (c,)
    running_mean = _per_channel(name, "running_mean", running_mean, per_channel)
    running_var = _per_channel(name, "running_var", running_var, per_channel)
    weight = _per_channel(name, "weight", weight, per_channel)
    bias = _per_channel(name, "bias", bias, per_channel)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError(
                f"{name}: running_mean and running_var must be given when "
                "use_input_stats=False (they replace the statistics of each instance)"
            )
        view = (1, c) + (1,) * (x.ndim - 2)
        return _with_running_stats(name, x, running_mean, running_var, weight, bias, eps, view)
    if eps <= 0:
        raise ValueError(f"{name}: eps must be positive with use_input_stats=True, got {eps}")
    positions = math.prod(x.shape[2:])
    if positions <= 1:
        raise ShapeError(
            f"{name}: expected more than 1 position per channel (input of shape (N, C, L) or "
            f"(N, C, H, W), ...) when using the input's statistics, got input of shape "
            f"{shape_text(x.shape)}"
        )
    # Group norm with C groups of one channel: (N, C, positions), statistics over the last axis.
    rows = x.reshape(n, c, positions)
    y, op = _normalize(rows, (2,), eps, weight, bias, (1, c, 1))
    if running_mean is not None or running_var is not None:
        with no_grad():
            _update_running(running_mean, op.mean.reshape(n, c).mean(axis=0), momentum)
            unbiased = op.var.reshape(n, c) * (positions / (positions - 1))
            _update_running(running_var, unbiased.mean(axis=0), momentum)
    return y.reshape(x.shape)


def rms_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Root-mean-square normalization over the last ``len(normalized_shape)`` axes.

        rms = sqrt(mean(x**2) + eps),    y = x / rms * weight

    with the mean over the trailing axes, separately for every leading index. Unlike layer
    norm no mean is subtracted and there is no bias: only the scale of each vector is fixed
    (Zhang and Sennrich, 2019; the normalization of LLaMA-style transformers). With
    r = 1 / rms, M the number of normalized elements and d = g * weight (= dL/d(x r)):

        dL/dx      = r * (d - x * r**2 * mean(d * x))
        dL/dweight = sum over the leading axes of g * x * r

    both obtained here by the chain rule through the composed ops.

    Args:
        input: (*, *normalized_shape), floating.
        normalized_shape: int or tuple, the trailing shape to normalize over.
        weight: optional scale of shape ``normalized_shape``.
        eps: added to the mean square; None (the default) uses the machine epsilon of the
            input's dtype, ``glassnet.finfo(input.dtype).eps``, as PyTorch does.

    Example: ``F.rms_norm(x, (512,))`` for x of shape (batch, tokens, 512).
    """
    name = "rms_norm"
    x, shape = _trailing_input(name, input, normalized_shape)
    k = len(shape)
    weight = _per_channel(name, "weight", weight, shape)
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    elif eps < 0:
        raise ValueError(f"{name}: eps must not be negative, got {eps}")
    dims = tuple(range(x.ndim - k, x.ndim))
    mean_square = (x * x).mean(dims, keepdim=True)
    y = x * api.rsqrt(mean_square + eps)
    return y if weight is None else y * weight


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Local response normalization across channels (AlexNet):

        b_c = a_c / (k + alpha / size * sum_{c' in window(c)} a_c'**2) ** beta

    the window being ``size`` channels around c (size // 2 before it, (size - 1) // 2 after
    it, missing channels counted as 0), as PyTorch. Composed of Tensor ops (pad, slices,
    power), so its gradient is theirs.

    Args:
        input: (N, C, ...) with at least 3 dimensions.
        size: how many channels the window spans; alpha, beta, k: as in the formula.
    """
    name = "local_response_norm"
    x = _channels_first_input(input, name)
    if x.ndim < 3:
        raise ShapeError(
            f"{name}: expected an input of 3 or more dimensions (N, C, ...), got shape "
            f"{shape_text(x.shape)}"
        )
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"{name}: size must be a positive int, got {size!r}")
    channels = x.shape[1]
    squares = x * x
    before, after = size // 2, (size - 1) // 2
    zeros = (x.shape[0],) + (1,) + tuple(x.shape[2:])
    padded = api.cat(
        [wrap(np.zeros((zeros[0], before) + zeros[2:], x.dtype)), squares,
         wrap(np.zeros((zeros[0], after) + zeros[2:], x.dtype))], 1
    )  # fmt: skip
    window = padded[:, 0:channels]
    for offset in range(1, size):
        window = window + padded[:, offset : offset + channels]
    return x / (window * (alpha / size) + k) ** beta
