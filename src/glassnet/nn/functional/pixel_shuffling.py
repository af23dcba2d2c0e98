"""F.pixel_shuffle and F.pixel_unshuffle: trade channels for resolution and back, by reshape and permute.

Sub-pixel convolution (Shi et al., 2016) upsamples an image by computing r**2 channels per
output channel at low resolution and then spreading them over an r x r block of pixels:

    y[..., c, h * r + i, w * r + j] = x[..., c * r**2 + i * r + j, h, w]

``pixel_unshuffle`` is the exact inverse. Both are only a reshape, a permutation of axes and
another reshape, so no new op is needed: the gradient of each is the same rearrangement run
backwards (every value is moved, none is combined, so dL/dx is g put back in place).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ShapeError
from ...tensor import Tensor
from ._args import not_a_tensor_message, shape_text

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


def _factor(name: str, what: str, value: Any) -> int:
    """The block size: a positive int (a bool or a float is a TypeError, as in PyTorch)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: {what} must be an int, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name}: {what} must be a positive integer, got {value}")
    return int(value)


def _image(name: str, input: Any) -> Tensor:
    """The input, checked to be a Tensor of shape (*, C, H, W)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: {not_a_tensor_message(input)}")
    if input.ndim < 3:
        raise ShapeError(
            f"{name}: expected input of shape (*, C, H, W) with at least 3 dimensions, got "
            f"{shape_text(input.shape)}"
        )
    return input


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C * r**2, H, W) into (*, C, H * r, W * r), r = ``upscale_factor``.

        y[..., c, h * r + i, w * r + j] = x[..., c * r**2 + i * r + j, h, w]

    Computed as reshape to (*, C, r, r, H, W), permute to (*, C, H, r, W, r) and reshape to
    (*, C, H * r, W * r); dL/dx is g rearranged the opposite way.

    Args:
        input: (*, C * r**2, H, W), any dtype; any number of leading batch axes.
        upscale_factor: r, a positive int.

    Example: ``F.pixel_shuffle(glassnet.randn(1, 12, 8, 8), 2).shape`` is (1, 3, 16, 16).
    """
    name = "pixel_shuffle"
    r = _factor(name, "upscale_factor", upscale_factor)
    x = _image(name, input)
    *batch, c, h, w = x.shape
    if c % (r * r):
        raise ShapeError(
            f"{name}: expected the channel axis (dim -3) to be divisible by upscale_factor**2 = "
            f"{r * r}, got input of shape {shape_text(x.shape)} with {c} channels"
        )
    b = len(batch)
    blocks = x.reshape(*batch, c // (r * r), r, r, h, w)
    # (..., c, i, j, h, w) -> (..., c, h, i, w, j): row i of each block goes below pixel h.
    moved = blocks.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return moved.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H * r, W * r) into (*, C * r**2, H, W), r = ``downscale_factor``.

        y[..., c * r**2 + i * r + j, h, w] = x[..., c, h * r + i, w * r + j]

    The inverse of ``pixel_shuffle``: reshape to (*, C, H, r, W, r), permute to
    (*, C, r, r, H, W), reshape; dL/dx is g rearranged back.

    Args:
        input: (*, C, H * r, W * r), any dtype, with H and W divisible by r.
        downscale_factor: r, a positive int.

    Example: ``F.pixel_unshuffle(glassnet.randn(1, 3, 16, 16), 2).shape`` is (1, 12, 8, 8).
    """
    name = "pixel_unshuffle"
    r = _factor(name, "downscale_factor", downscale_factor)
    x = _image(name, input)
    *batch, c, h, w = x.shape
    if h % r or w % r:
        axis = "height (dim -2)" if h % r else "width (dim -1)"
        raise ShapeError(
            f"{name}: expected the {axis} to be divisible by downscale_factor={r}, got input "
            f"of shape {shape_text(x.shape)}"
        )
    b = len(batch)
    blocks = x.reshape(*batch, c, h // r, r, w // r, r)
    # (..., c, h, i, w, j) -> (..., c, i, j, h, w): each r x r block becomes r**2 channels.
    moved = blocks.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return moved.reshape(*batch, c * r * r, h // r, w // r)
