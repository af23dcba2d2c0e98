"""PyTorch's torch.nn.modules.transformer: Transformer, its encoder / decoder stacks and layers, and the helpers _get_clones, _get_activation_fn, _generate_square_subsequent_mask.

The layers are glassnet's own (``glassnet.nn.transformer``). The three helpers are what
custom transformer code (DETR-style decoders, ...) imports from here: ``N`` independent
copies of a layer, the feed-forward nonlinearity by name, and the causal mask.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..containers import ModuleList
from ..module import Module
from ..transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ = [
    "Transformer",
    "TransformerEncoder",
    "TransformerDecoder",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]


def _get_clones(module: Module, N: int) -> ModuleList:  # noqa: N803 - PyTorch's argument name
    """A ModuleList of ``N`` deep copies of ``module`` (each with its own parameters)."""
    return ModuleList([copy.deepcopy(module) for _ in range(N)])


def _get_activation_fn(activation: str) -> Callable[[Tensor], Tensor]:
    """``F.relu`` for "relu", ``F.gelu`` for "gelu"; any other name is refused.

    Raises:
        RuntimeError: another name (PyTorch raises the same kind).
    """
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation!r}")


def _generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    """The (sz, sz) causal mask: 0 on and below the diagonal, -inf above (``Transformer.generate_square_subsequent_mask``)."""
    return Transformer.generate_square_subsequent_mask(sz, device=device, dtype=dtype)
