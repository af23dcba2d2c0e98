"""PyTorch's torch.nn.modules.normalization: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm.

All are glassnet's own (``glassnet.nn.normalization``); PyTorch's ``CrossMapLRN2d`` is not given.
"""

from __future__ import annotations

from ..normalization import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
