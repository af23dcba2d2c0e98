"""PyTorch's torch.nn.modules.flatten: Flatten and Unflatten (glassnet's own, ``glassnet.nn.basic``)."""

from __future__ import annotations

from ..basic import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]
