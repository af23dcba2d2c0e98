"""The Transformer's layers (Vaswani et al., 2017) under PyTorch's names: encoder and decoder layers, their stacks, nn.Transformer.

Each layer is a residual block around attention and around a two-layer feed-forward network,
built from modules glassnet already has (``MultiheadAttention``, ``Linear``, ``LayerNorm``,
``Dropout``), with PyTorch's submodule names, so a PyTorch ``state_dict`` loads as it is::

    post-norm (default):  x = norm1(x + SA(x));        x = norm2(x + FF(x))
    pre-norm (norm_first): x = x + SA(norm1(x));        x = x + FF(norm2(x))
    SA(x) = dropout1(self_attn(x, x, x));   FF(x) = dropout2(linear2(dropout(act(linear1(x)))))

The decoder layer adds, between the two, attention to the encoder's output (``memory``):
``CA(x) = dropout2(multihead_attn(x, memory, memory))``, with ``norm2`` around it and ``norm3``
around the feed-forward block. The gradients are those of the modules they are made of.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from ..creation import tensor
from ..tensor import Tensor
from . import functional as F
from . import init
from .attention import MultiheadAttention
from .containers import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = [
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation(activation: str | Callable[[Tensor], Tensor], who: str) -> Callable:
    """The feed-forward block's nonlinearity: "relu", "gelu", or a function of a tensor."""
    if callable(activation):
        return activation
    if activation in _ACTIVATIONS:
        return _ACTIVATIONS[activation]
    raise RuntimeError(f"{who}: activation should be relu/gelu, not {activation!r}")


class _ResidualLayer(Module):
    """What the encoder and decoder layers share: PyTorch's arguments, their parts, the attention
    and feed-forward blocks and the norm order.

    A subclass names its attentions (``_attentions``) and its residual blocks (``_blocks``): one
    norm and one dropout per block.
    """

    _attentions: tuple[str, ...] = ()
    _blocks = 0

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        """The parts under PyTorch's names, in its order: the attentions named ``_attentions``,
        linear1, dropout, linear2, then norm1..norm<_blocks> and dropout1..dropout<_blocks>."""
        super().__init__()
        for name in self._attentions:
            setattr(self, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                   batch_first=batch_first, device=device,
                                                   dtype=dtype))  # fmt: skip
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.activation = _activation(activation, type(self).__name__)
        self.norm_first = norm_first
        for k in range(1, self._blocks + 1):
            setattr(self, f"norm{k}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        for k in range(1, self._blocks + 1):
            setattr(self, f"dropout{k}", Dropout(dropout))
        if dtype is not None:
            self.to(dtype)

    def _attention_block(self, attention: Module, dropout: Module, x: Tensor, memory: Tensor,
                         mask: Tensor | None, key_padding_mask: Tensor | None,
                         is_causal: bool) -> Tensor:  # fmt: skip
        """dropout(attention(x, memory, memory)): self-attention when ``memory`` is x."""
        y = attention(x, memory, memory, attn_mask=mask, key_padding_mask=key_padding_mask,
                      need_weights=False, is_causal=is_causal)[0]  # fmt: skip
        return dropout(y)

    def _ff_block(self, x: Tensor, dropout: Module) -> Tensor:
        """dropout(FF(x)), FF(x) = linear2(dropout(activation(linear1(x))))"""
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _residual(self, x: Tensor, block: Callable[[Tensor], Tensor], norm: Module) -> Tensor:
        """x + block(x) with the norm after the sum (post-norm) or inside, first (pre-norm)."""
        return x + block(norm(x)) if self.norm_first else norm(x + block(x))


class TransformerEncoderLayer(_ResidualLayer):
    """One encoder layer: self-attention, then a feed-forward network, each with a residual.

    Args:
        d_model: the width of the tokens (must be divisible by ``nhead``).
        nhead: attention heads.
        dim_feedforward: the feed-forward network's hidden width (default 2048).
        dropout: after attention, inside and after the feed-forward network (default 0.1).
        activation: "relu" (default), "gelu" or a function of a tensor.
        layer_norm_eps: the LayerNorms' eps (default 1e-5).
        batch_first: inputs (N, S, E) instead of (S, N, E).
        norm_first: pre-norm (each block normalizes its input) instead of post-norm.
        bias: biases in the linear layers and the LayerNorms.

    Shape: src (S, N, E), or (N, S, E) with batch_first, or (S, E); output the same.
    """

    _attentions = ("self_attn",)
    _blocks = 2

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        def self_attention(x: Tensor) -> Tensor:
            return self._attention_block(self.self_attn, self.dropout1, x, x, src_mask,
                                         src_key_padding_mask, is_causal)  # fmt: skip

        x = self._residual(src, self_attention, self.norm1)
        return self._residual(x, lambda x: self._ff_block(x, self.dropout2), self.norm2)


class TransformerDecoderLayer(_ResidualLayer):
    """One decoder layer: self-attention, attention to ``memory``, a feed-forward network.

    Args: as ``TransformerEncoderLayer``.

    Shape: tgt (T, N, E) and memory (S, N, E), batch first with ``batch_first``; output as tgt.
    """

    _attentions = ("self_attn", "multihead_attn")
    _blocks = 3

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        def self_attention(x: Tensor) -> Tensor:
            return self._attention_block(self.self_attn, self.dropout1, x, x, tgt_mask,
                                         tgt_key_padding_mask, tgt_is_causal)  # fmt: skip

        def memory_attention(x: Tensor) -> Tensor:
            return self._attention_block(self.multihead_attn, self.dropout2, x, memory,
                                         memory_mask, memory_key_padding_mask,
                                         memory_is_causal)  # fmt: skip

        x = self._residual(tgt, self_attention, self.norm1)
        x = self._residual(x, memory_attention, self.norm2)
        return self._residual(x, lambda x: self._ff_block(x, self.dropout3), self.norm3)


class _LayerStack(Module):
    """What the encoder and decoder stacks share: ``num_layers`` independent copies of one layer
    (each with its own parameters), run one after another, and an optional final norm."""

    def __init__(self, layer: Module, num_layers: int, norm: Module | None, who: str) -> None:
        super().__init__()
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(
                f"{who}: num_layers must be a positive whole number, got {num_layers!r}"
            )
        self.layers = ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def _run(self, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """norm(layer_L(... layer_1(x, *args, **kwargs) ..., *args, **kwargs)), no norm if None."""
        for layer in self.layers:
            x = layer(x, *args, **kwargs)
        return self.norm(x) if self.norm is not None else x


class TransformerEncoder(_LayerStack):
    """``num_layers`` copies of an encoder layer, one after another, and an optional final norm.

    Shape: as the layer's. ``mask`` and ``src_key_padding_mask`` reach every layer.
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__(encoder_layer, num_layers, norm, "TransformerEncoder")

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        return self._run(src, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                         is_causal=bool(is_causal))  # fmt: skip


class TransformerDecoder(_LayerStack):
    """``num_layers`` copies of a decoder layer, each attending to the same ``memory``."""

    def __init__(
        self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__(decoder_layer, num_layers, norm, "TransformerDecoder")

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        return self._run(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=bool(tgt_is_causal),
                         memory_is_causal=memory_is_causal)  # fmt: skip


class Transformer(Module):
    """The whole encoder-decoder Transformer: an encoder stack, a decoder stack, final norms.

    Args: d_model (512), nhead (8), num_encoder_layers (6), num_decoder_layers (6),
    dim_feedforward (2048), dropout (0.1), activation, custom_encoder, custom_decoder,
    layer_norm_eps, batch_first, norm_first, bias: as PyTorch's. Every weight matrix starts
    Xavier-uniform, as there.

    Shape: src (S, N, E) and tgt (T, N, E) (batch first with ``batch_first``); output as tgt.
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        options = {"dim_feedforward": dim_feedforward, "dropout": dropout,
                   "activation": activation, "layer_norm_eps": layer_norm_eps,
                   "batch_first": batch_first, "norm_first": norm_first, "bias": bias,
                   "device": device, "dtype": dtype}  # fmt: skip

        def stack(custom: Module | None, stack_type: type, layer_type: type, n: int) -> Module:
            """The custom stack if given, else n layers of layer_type and a final LayerNorm."""
            if custom is not None:
                return custom
            layer = layer_type(d_model, nhead, **options)
            return stack_type(layer, n, LayerNorm(d_model, eps=layer_norm_eps, bias=bias))

        self.encoder = stack(custom_encoder, TransformerEncoder, TransformerEncoderLayer,
                             num_encoder_layers)  # fmt: skip
        self.decoder = stack(custom_decoder, TransformerDecoder, TransformerDecoderLayer,
                             num_decoder_layers)  # fmt: skip
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        if dtype is not None:
            self.to(dtype)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)  # fmt: skip
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)  # fmt: skip

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask of ``sz`` positions: 0 on and below the diagonal, -inf above it
        (position i may attend to positions 0..i only)."""
        mask = np.triu(np.full((sz, sz), -np.inf, dtype=np.float32), k=1)
        return tensor(mask, dtype=dtype) if dtype is not None else tensor(mask)
