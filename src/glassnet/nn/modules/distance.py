"""PyTorch's torch.nn.modules.distance: PairwiseDistance and CosineSimilarity (glassnet's own, ``glassnet.nn.distance``)."""

from __future__ import annotations

from ..distance import CosineSimilarity, PairwiseDistance

__all__ = ["PairwiseDistance", "CosineSimilarity"]
