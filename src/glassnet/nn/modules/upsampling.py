"""PyTorch's torch.nn.modules.upsampling: Upsample, UpsamplingNearest2d, UpsamplingBilinear2d (glassnet's own, ``glassnet.nn.upsampling``)."""

from __future__ import annotations

from ..upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
