"""Embedding and EmbeddingBag: a learned table of vectors, one row per token id, looked up by integer index."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import no_grad
from ..creation import empty
from ..dtypes import to_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .errors import call_function_form, layer_size
from .functional.embedding import normalize_padding_idx
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding", "EmbeddingBag"]


class Embedding(Module):
    """A lookup table: token id i -> the learned vector ``weight[i]``.

    The result is the same as one_hot(input) @ weight, without building the one-hot matrix.
    In the backward pass each output row's gradient is added into the table row it came from
    (dL/dweight[r] = sum of g[k] over positions k with input[k] == r); rows that were not
    looked up get zero gradient.

    Args:
        num_embeddings: size of the vocabulary (number of rows).
        embedding_dim: length of each vector.
        padding_idx: a row for padding tokens: initialised to zeros and never updated by
            gradients (negative values count from the end).
        max_norm: if given, looked-up rows with norm above it are rescaled to it in place.
        norm_type: the p of the p-norm used with ``max_norm`` (default 2).
        scale_grad_by_freq: divide gradients by each index's frequency in the mini-batch.
        sparse: accepted for PyTorch compatibility; gradients are always dense.
        dtype: dtype of the table (default float32).

    Shape:
        input: integer Tensor (*), any shape; output (*, embedding_dim).

    Attributes:
        weight: Parameter of shape (num_embeddings, embedding_dim), initialised from N(0, 1)
            (PyTorch's default), with the padding row set to 0.

    Example::

        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb(glassnet.tensor([[1, 2, 0], [4, 0, 0]])).shape
        (2, 3, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            layer_size("Embedding", name, value, smallest=0)
        if device not in (None, "cpu"):
            raise ValueError(f"Embedding: glassnet runs on the CPU only, got device={device!r}")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = normalize_padding_idx(padding_idx, num_embeddings, "Embedding")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            dtype = to_dtype(dtype) if dtype is not None else None
            self.weight = Parameter(
                empty(num_embeddings, embedding_dim, dtype=dtype), requires_grad=not _freeze
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                    f"({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw every row from N(0, 1), then zero the padding row (if any)."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight.array[self.padding_idx] = 0
                self.weight._version[0] += 1

    def forward(self, input: Tensor) -> Tensor:
        # F.embedding checks the indices once; its errors come out naming this layer.
        return call_function_form(
            self,
            F.embedding,
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D), frozen (not learned) by default.

        The table is used as given (its padding row is not zeroed), and shares memory with
        ``embeddings`` as in PyTorch.
        """
        embeddings = _pretrained_table("Embedding", embeddings)
        rows, cols = embeddings.shape
        return cls(
            rows,
            cols,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            text += ", sparse=True"
        return text


class EmbeddingBag(Module):
    """A lookup table that reduces each bag of token ids to one vector: the sum, mean or max
    of the bag's rows (``F.embedding_bag``), without the (bags, n, dim) tensor in between.

    Args:
        num_embeddings, embedding_dim, max_norm, norm_type, scale_grad_by_freq, padding_idx:
            as ``Embedding`` (the padding row is left out of every bag).
        mode: 'mean' (default), 'sum' or 'max'.
        include_last_offset: ``offsets`` ends with the end of the last bag.

    Shape: input (B, n) (one bag a row), or (N,) with ``offsets`` (B,); output (B, dim).

    Example::

        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(glassnet.tensor([1, 2, 4, 5, 4]), glassnet.tensor([0, 2])).shape
        (2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight: Tensor | None = None,
                 include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        table = Embedding(num_embeddings, embedding_dim, padding_idx, _weight=_weight,
                          device=device, dtype=dtype)  # fmt: skip
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type, self.scale_grad_by_freq = (
            max_norm,
            norm_type,
            scale_grad_by_freq,
        )
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset
        self.padding_idx = table.padding_idx
        self.weight = table.weight

    def forward(self, input: Tensor, offsets: Tensor | None = None,
                per_sample_weights: Tensor | None = None) -> Tensor:  # fmt: skip
        return call_function_form(self, F.embedding_bag, input, self.weight, offsets,
                                  self.max_norm, self.norm_type, self.scale_grad_by_freq,
                                  self.mode, self.sparse, per_sample_weights,
                                  self.include_last_offset, self.padding_idx)  # fmt: skip

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag whose table is ``embeddings`` (2-D, one row per token), frozen (not
        learned) by default; the table is used as given and shares memory with ``embeddings``,
        as ``Embedding.from_pretrained``."""
        embeddings = _pretrained_table("EmbeddingBag", embeddings)
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm=max_norm, norm_type=norm_type,
                  scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  _weight=embeddings, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)  # fmt: skip
        bag.weight.requires_grad = not freeze
        return bag

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, mode='{self.mode}'"


def _pretrained_table(layer: str, embeddings: Any) -> Tensor:
    """``from_pretrained``'s table as a Tensor (sharing the memory it was given), checked 2-D."""
    if not isinstance(embeddings, Tensor):
        embeddings = Tensor(np.asarray(embeddings))
    if embeddings.ndim != 2:
        raise ValueError(
            f"{layer}.from_pretrained: embeddings must be 2-D, got shape {tuple(embeddings.shape)}"
        )
    return embeddings
