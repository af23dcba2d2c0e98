"""PyTorch's torch.nn.modules.pixelshuffle: PixelShuffle and PixelUnshuffle (glassnet's own, ``glassnet.nn.pixel_shuffle``)."""

from __future__ import annotations

from ..pixel_shuffle import PixelShuffle, PixelUnshuffle

__all__ = ["PixelShuffle", "PixelUnshuffle"]
