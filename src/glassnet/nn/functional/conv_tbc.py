"""``F.conv_tbc``: a 1-D convolution of sequences stored time-first, (T, B, C), over F.conv1d.

    y[t, b, o] = bias[o] + sum_{k, i} x_pad[t + k, b, i] * weight[k, i, o]

with x_pad the input padded by ``pad`` zero time steps at both ends (a negative ``pad`` crops
that many steps from each end, as PyTorch allows). This is conv1d with the axes moved:
input (B, C_in, T), weight (C_out, C_in, K), so the value and gradients are conv1d's
(dL/dx, dL/dweight, dL/dbias go back through the same permutations).
"""

from __future__ import annotations

from ...errors import ShapeError, ValueRangeError
from ...tensor import Tensor
from ._args import floating_tensor, shape_text
from .conv import conv1d

__all__ = ["conv_tbc"]


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """Convolve time-batch-channel sequences with a (kernel width, in, out) filter.

    Args:
        input: (T, B, C_in), time first.
        weight: (K, C_in, C_out): weight[k, i, o] multiplies input channel i at offset k.
        bias: (C_out,), required (as in PyTorch).
        pad: zero steps added at each end of the time axis (negative: steps cropped).

    Returns: (T + 2 * pad - K + 1, B, C_out).

    Example::

        >>> F.conv_tbc(glassnet.randn(10, 4, 3), glassnet.randn(2, 3, 5), glassnet.zeros(5)).shape
        (9, 4, 5)
    """
    name = "conv_tbc"
    input = floating_tensor(input, name)
    weight = floating_tensor(weight, name, "weight")
    bias = floating_tensor(bias, name, "bias")
    if isinstance(pad, bool) or not isinstance(pad, int):
        raise TypeError(f"{name}: pad must be an int, got {type(pad).__name__} {pad!r}")
    if input.ndim != 3:
        raise ShapeError(
            f"{name}: input must have 3 dims (time, batch, in_channels), got shape "
            f"{shape_text(input.shape)}"
        )
    if weight.ndim != 3:
        raise ShapeError(
            f"{name}: weight must have 3 dims (kernel_width, in_channels, out_channels), got "
            f"shape {shape_text(weight.shape)}"
        )
    if bias.ndim != 1 or bias.shape[0] != weight.shape[2]:
        raise ShapeError(
            f"{name}: bias must be 1-D of size {weight.shape[2]} (the weight's out_channels), "
            f"got shape {shape_text(bias.shape)}"
        )
    if input.shape[2] != weight.shape[1]:
        raise ShapeError(
            f"{name}: input channels (dim 2 of the input, {input.shape[2]}) must equal the "
            f"weight's dim 1 ({weight.shape[1]}); got input {shape_text(input.shape)} and "
            f"weight {shape_text(weight.shape)}"
        )
    steps, kernel = input.shape[0], weight.shape[0]
    if steps + 2 * pad - kernel + 1 < 0:
        raise ValueRangeError(
            f"{name}: {steps} time steps padded by {pad} at each end are fewer than the kernel "
            f"width {kernel} minus 1, so the output would have "
            f"{steps + 2 * pad - kernel + 1} steps"
        )
    if pad < 0:  # cropping: conv1d pads only with zeros, so cut the steps off first
        input = input[-pad : steps + pad]
        pad = 0
    # (T, B, C_in) -> (B, C_in, T) and (K, C_in, C_out) -> (C_out, C_in, K): conv1d's layout.
    y = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return y.permute(2, 0, 1)
