"""MultiheadAttention: several attention heads over learned projections, with PyTorch's names, masks and shapes."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..autograd import wrap
from ..backends.cuda import SDPBackend, sdpa_kernel  # noqa: F401 - PyTorch's torch.nn.attention names
from ..creation import empty
from ..dtypes import to_dtype
from ..errors import DTypeError
from ..ops.nn import Linear as LinearOp
from ..ops.shape import cat
from ..tensor import Tensor
from . import init
from .errors import layer_size
from .functional._args import shape_text
from .functional.attention import attention, causal_bias, mask_to_bias
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    r"""Multi-head attention (Vaswani et al., 2017): MultiHead(Q, K, V) = concat(head_1..head_h) W_O^T + b_O.

    Each head i projects the inputs to its own smaller space and attends there::

        q_i = query W_Qi^T + b_Qi,   k_i = key W_Ki^T + b_Ki,   v_i = value W_Vi^T + b_Vi
        head_i = softmax(q_i k_i^T / sqrt(d) + mask) v_i         d = embed_dim / num_heads

    so the heads can look for different things (one may follow syntax, another position).
    The projections of all heads are stacked in one matrix per input: W_Q, W_K, W_V are the
    three (embed_dim, *) blocks of ``in_proj_weight``, or separate parameters when
    ``kdim``/``vdim`` differ from ``embed_dim``; ``out_proj`` is W_O.

    Args:
        embed_dim: features of the query (and of the output); a multiple of num_heads.
        num_heads: number of heads.
        dropout: probability of zeroing attention weights in training mode (default 0).
        bias: learn b_Q, b_K, b_V (``in_proj_bias``) and b_O (default True).
        add_bias_kv: learn one extra key and value (``bias_k``, ``bias_v``) appended to the
            key and value sequences.
        add_zero_attn: append an all-zero key and value to the sequences.
        kdim, vdim: features of key and value (default embed_dim).
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).
        dtype: dtype of the parameters (default float32).

    Shape (L target length, S source length, N batch, E = embed_dim):
        query (L, N, E), key (S, N, kdim), value (S, N, vdim); (N, L, E) etc. with
        batch_first=True; or unbatched (L, E), (S, kdim), (S, vdim).
        key_padding_mask: (N, S) or (S,); True (or -inf) marks keys to IGNORE (padding).
        attn_mask: (L, S) or (N * num_heads, L, S); True (or -inf) marks pairs that may NOT
            attend. Note: the opposite convention of ``F.scaled_dot_product_attention``,
            where True means *may attend*; this is PyTorch's convention too. Float masks
            are added to the scores.
        attn_output: (L, N, E) ((N, L, E) batch_first, (L, E) unbatched).
        attn_weights: (N, L, S), averaged over the heads, or (N, num_heads, L, S) with
            average_attn_weights=False; None when need_weights=False.

    ``is_causal=True`` applies a causal mask (query i sees keys 0..i). PyTorch treats it
    only as a hint that attn_mask is causal and requires attn_mask; glassnet uses attn_mask
    when it is given and builds the causal mask when it is not.

    A query whose keys are all masked gets NaN weights when need_weights=True and a zero
    attention result when need_weights=False, exactly as PyTorch.

    Attributes:
        in_proj_weight: (3 * embed_dim, embed_dim), Xavier-uniform initialised
            (or q_proj_weight, k_proj_weight, v_proj_weight when kdim/vdim differ).
        in_proj_bias: (3 * embed_dim,), zeros.
        out_proj: Linear(embed_dim, embed_dim), bias zeros.

    Example::

        >>> mha = nn.MultiheadAttention(16, num_heads=4, batch_first=True)
        >>> x = glassnet.randn(2, 5, 16)                   # N=2, L=5
        >>> out, weights = mha(x, x, x)                     # self-attention
        >>> out.shape, weights.shape
        ((2, 5, 16), (2, 5, 5))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (
            ("embed_dim", embed_dim),
            ("num_heads", num_heads),
            ("kdim", kdim),
            ("vdim", vdim),
        ):
            if value is None and name in ("kdim", "vdim"):
                continue
            layer_size("MultiheadAttention", name, value)
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                f"num_heads ({num_heads})"
            )
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"MultiheadAttention: dropout must be a number in [0, 1], got {dropout!r}"
            )
        if device not in (None, "cpu"):
            raise ValueError(
                f"MultiheadAttention: glassnet runs on the CPU only, got device={device!r}"
            )
        dtype = to_dtype(dtype) if dtype is not None else None
        self.embed_dim = int(embed_dim)
        self.kdim = int(kdim) if kdim is not None else self.embed_dim
        self.vdim = int(vdim) if vdim is not None else self.embed_dim
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.batch_first = bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * E, E, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(empty(E, E, dtype=dtype))
            self.k_proj_weight = Parameter(empty(E, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(E, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * E, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, E, dtype=dtype))
            self.bias_v = Parameter(empty(1, 1, E, dtype=dtype))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.add_zero_attn = bool(add_zero_attn)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialisation: Xavier-uniform projections, zero biases, Xavier-normal bias_k/v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    # ------------------------------------------------------------------ checks
    def _check_inputs(self, query: Any, key: Any, value: Any) -> bool:
        """Check the three inputs; return whether they carry a batch dimension."""
        E = self.embed_dim
        seq = ("N", "L", E) if self.batch_first else ("L", "N", E)
        self.check_input_shape(query, seq, ("L", E), what="query")
        batched = query.ndim == 3
        for name, t, dim in (("key", key, self.kdim), ("value", value, self.vdim)):
            pattern = (
                (("N", "S", dim) if self.batch_first else ("S", "N", dim))
                if batched
                else ("S", dim)
            )
            self.check_input_shape(t, pattern, what=name)
        b_axis = 0 if self.batch_first else 1
        s_axis = 1 - b_axis if batched else 0
        if key.shape[s_axis] != value.shape[s_axis]:
            raise self.layer_error(
                f"key and value must have the same sequence length, got key "
                f"{shape_text(key.shape)} and value {shape_text(value.shape)}"
            )
        if batched and not query.shape[b_axis] == key.shape[b_axis] == value.shape[b_axis]:
            raise self.layer_error(
                f"query, key and value must have the same batch size, got "
                f"{shape_text(query.shape)}, {shape_text(key.shape)} and "
                f"{shape_text(value.shape)}"
            )
        dtype = self.out_proj.weight.array.dtype
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.array.dtype != dtype:
                raise self.layer_error(
                    f"expected {name} of dtype {dtype} (the dtype of the weights), got "
                    f"{t.array.dtype}",
                    DTypeError,
                )
        return batched

    # ------------------------------------------------------------------ forward
    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        batched = self._check_inputs(query, key, value)
        # Work batch-major: (N, L, E).
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        N, L, E = query.shape
        S = key.shape[1]
        heads, d = self.num_heads, self.head_dim
        dtype = query.array.dtype
        bias = self._mask_bias(key_padding_mask, attn_mask, is_causal, batched, N, L, S, dtype)

        # Input projections.
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            w_q, w_k, w_v = w[:E], w[E : 2 * E], w[2 * E :]
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        b = self.in_proj_bias
        if b is not None:
            q = LinearOp()(query, w_q, b[:E])
            k = LinearOp()(key, w_k, b[E : 2 * E])
            v = LinearOp()(value, w_v, b[2 * E :])
        else:
            q, k, v = LinearOp()(query, w_q), LinearOp()(key, w_k), LinearOp()(value, w_v)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(N, 1, E)], dim=1)
            v = cat([v, self.bias_v.expand(N, 1, E)], dim=1)
            bias = _pad_last(bias, 1)
            S += 1

        # Split the heads: (N, len, E) -> (N, heads, len, d).
        def split(x: Tensor) -> Tensor:
            return x.reshape(N, x.shape[1], heads, d).permute(0, 2, 1, 3)

        q, k, v = split(q), split(k), split(v)
        if self.add_zero_attn:
            zeros = wrap(np.zeros((N, heads, 1, d), dtype=dtype))
            k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
            bias = _pad_last(bias, 1)
        dropout_p = self.dropout if self.training else 0.0
        out, weights = attention(q, k, v, bias, dropout_p, safe=not need_weights)

        # Merge the heads and project: (N, heads, L, d) -> (N, L, E).
        out = self.out_proj(out.permute(0, 2, 1, 3).reshape(N, L, E))
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, weights if batched else weights.squeeze(0)

    def _mask_bias(
        self,
        key_padding_mask: Any,
        attn_mask: Any,
        is_causal: bool,
        batched: bool,
        N: int,
        L: int,
        S: int,
        dtype: np.dtype,
    ) -> Any:
        """Combine the masks into one additive bias broadcastable to (N, heads, L, S)."""
        label = self.layer_label()
        bias: Any = None
        if attn_mask is None and is_causal:
            bias = causal_bias(L, S, dtype)
        elif attn_mask is not None:
            heads = self.num_heads
            ok2 = (L, S)
            ok3 = (N * heads, L, S)
            shape = tuple(attn_mask.shape) if isinstance(attn_mask, Tensor) else None
            if shape is not None and shape not in (ok2, ok3):
                expected = f"{ok2} or {ok3}" if batched else f"{ok2} or ({heads}, {L}, {S})"
                raise self.input_error(expected, shape, what="attn_mask")
            bias = mask_to_bias(attn_mask, dtype, False, label, "attn_mask")
            if len(shape) == 3:
                bias = bias.reshape(N, heads, L, S)
        if key_padding_mask is not None:
            expected = (N, S) if batched else (S,)
            shape = tuple(key_padding_mask.shape) if isinstance(key_padding_mask, Tensor) else None
            if shape is not None and shape != expected:
                raise self.input_error(str(expected), shape, what="key_padding_mask")
            pad = mask_to_bias(key_padding_mask, dtype, False, label, "key_padding_mask")
            pad = pad.reshape(N, 1, 1, S)
            bias = pad if bias is None else _add(bias, pad)
        return bias

    def extra_repr(self) -> str:
        return ""


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a = a if isinstance(a, Tensor) else wrap(a)
        return a + b
    return a + b


def _pad_last(bias: Any, n: int) -> Any:
    """Append n zero columns (keys that may be attended) to a bias, if there is one."""
    if bias is None:
        return None
    if isinstance(bias, Tensor):
        from ..ops.api import pad

        return pad(bias, (0, n))
    width = [(0, 0)] * (bias.ndim - 1) + [(0, n)]
    return np.pad(bias, width)
