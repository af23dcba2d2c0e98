"""PyTorch's torch.nn.modules.sparse: Embedding and EmbeddingBag (glassnet's own, ``glassnet.nn.embedding``)."""

from __future__ import annotations

from ..embedding import Embedding, EmbeddingBag

__all__ = ["Embedding", "EmbeddingBag"]
