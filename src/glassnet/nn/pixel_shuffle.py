"""nn.PixelShuffle and nn.PixelUnshuffle: F.pixel_shuffle / F.pixel_unshuffle as layers (no parameters)."""

from __future__ import annotations

from ..tensor import Tensor
from .errors import call_function_form
from .functional import pixel_shuffling as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """Upsample by moving channels into space: (*, C * r**2, H, W) -> (*, C, H * r, W * r).

        y[..., c, h * r + i, w * r + j] = x[..., c * r**2 + i * r + j, h, w]

    After a convolution with C * r**2 output channels this is the "sub-pixel convolution"
    upsampler of super-resolution networks. No parameters; the gradient moves every value
    back (see ``F.pixel_shuffle``).

    Args:
        upscale_factor: r, the factor by which height and width grow.

    Shape: input (*, C * r**2, H, W); output (*, C, H * r, W * r).

    Example: ``nn.Sequential(nn.Conv2d(64, 3 * 4, 3, padding=1), nn.PixelShuffle(2))``.
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return call_function_form(self, F.pixel_shuffle, input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Downsample by moving space into channels: (*, C, H * r, W * r) -> (*, C * r**2, H, W).

    The inverse of PixelShuffle: each r x r block of pixels becomes r**2 channels.

    Args:
        downscale_factor: r, which must divide the height and the width.

    Shape: input (*, C, H * r, W * r); output (*, C * r**2, H, W).

    Example: ``nn.PixelUnshuffle(2)(glassnet.randn(1, 3, 8, 8)).shape`` is (1, 12, 4, 4).
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return call_function_form(self, F.pixel_unshuffle, input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
