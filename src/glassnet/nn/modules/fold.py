"""PyTorch's torch.nn.modules.fold: Fold and Unfold, im2col and its adjoint as layers (glassnet's own, ``glassnet.nn.conv``)."""

from __future__ import annotations

from ..conv import Fold, Unfold

__all__ = ["Fold", "Unfold"]
