"""PyTorch's torch.nn.modules.normalization: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm, CrossMapLRN2d.

All are glassnet's own (``glassnet.nn.normalization``, ``glassnet.nn.cross_map_lrn``).
"""

from __future__ import annotations

from ..cross_map_lrn import CrossMapLRN2d
from ..normalization import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm

__all__ = ["LocalResponseNorm", "CrossMapLRN2d", "LayerNorm", "GroupNorm", "RMSNorm"]
