"""PyTorch's older names for functions glassnet has: upsample, upsample_nearest, upsample_bilinear (deprecated, warn) and native_channel_shuffle.

* ``upsample(input, size, scale_factor, mode, align_corners)`` is ``interpolate`` with the
  same arguments; ``upsample_nearest`` is ``interpolate(..., mode="nearest")`` and
  ``upsample_bilinear`` is ``interpolate(..., mode="bilinear", align_corners=True)`` (the
  corners of input and output line up: output i samples input i * (H - 1) / (Ho - 1)).
  Each warns (a UserWarning, as PyTorch's do) that ``interpolate`` is the current name.
* ``native_channel_shuffle(input, groups)`` is ``channel_shuffle`` (PyTorch's name for its
  kernel-level version; the result is the same permutation of the channels).

The maths, the shapes and the gradients are those of the functions they call.
"""

from __future__ import annotations

import warnings
from typing import Any

from ...tensor import Tensor
from .channel_shuffling import channel_shuffle
from .upsampling import interpolate

__all__ = ["upsample", "upsample_nearest", "upsample_bilinear", "native_channel_shuffle"]


def _deprecated(name: str) -> None:
    warnings.warn(
        f"nn.functional.{name} is deprecated; use nn.functional.interpolate instead",
        UserWarning,
        stacklevel=3,
    )


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode, align_corners)`` (warns)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode="nearest")`` (warns)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode="bilinear",
    align_corners=True)`` for (N, C, H, W) input (warns)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``channel_shuffle(input, groups)``: y[:, i*g + j] = x[:, j*k + i] for C = g * k channels."""
    return channel_shuffle(input, groups)
