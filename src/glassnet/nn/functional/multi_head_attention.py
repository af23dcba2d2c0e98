"""F.multi_head_attention_forward: multi-head attention from explicit weights, with PyTorch's arguments (nn.MultiheadAttention's computation as a function).

With E = embed_dim, h = num_heads and d = E / h, for sequence-first inputs query (L, N, E),
key (S, N, E), value (S, N, E)::

    q = query W_Q^T + b_Q,   k = key W_K^T + b_K,   v = value W_V^T + b_V     (projections)
    head_i = softmax(q_i k_i^T / sqrt(d) + bias) v_i      (q_i: the i-th d columns of q)
    output = concat(head_1 .. head_h) W_O^T + b_O                              (L, N, E)
    weights = the softmax of each head, (N, h, L, S), averaged over the heads by default

W_Q, W_K, W_V are the three (E, E) blocks of ``in_proj_weight`` (or ``q/k/v_proj_weight``
with ``use_separate_proj_weight``), b_Q, b_K, b_V the three thirds of ``in_proj_bias``.
``bias`` collects the masks: ``attn_mask`` (True or -inf = may NOT attend, floats are
added) and ``key_padding_mask`` (True or -inf = a padding key to ignore). ``bias_k`` /
``bias_v`` append one learned key and value, ``add_zero_attn`` one of zeros; ``static_k`` /
``static_v`` replace the projected keys and values (given per head: (N * h, S, d)).

Everything is built from glassnet ops (linear, reshape, cat and the shared ``attention`` of
attention.py), so gradients reach every tensor argument through the engine. The
computation is the one of ``nn.MultiheadAttention``, written here as a function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...ops.api import pad
from ...ops.shape import cat
from ...tensor import Tensor
from ._args import not_a_tensor_message, shape_text
from .attention import attention, causal_bias, mask_to_bias
from .linear import linear

__all__ = ["multi_head_attention_forward"]

_FN = "multi_head_attention_forward"


def _tensor(x: Any, what: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{_FN}: {not_a_tensor_message(x, what)}")
    return x


def _pad_keys(bias: Any, n: int = 1) -> Any:
    """Append n zero columns (keys that may be attended) to a bias, if there is one."""
    if bias is None:
        return None
    if isinstance(bias, Tensor):
        return pad(bias, (0, n))
    return np.pad(bias, [(0, 0)] * (bias.ndim - 1) + [(0, n)])


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if isinstance(b, Tensor) and not isinstance(a, Tensor):
        a = wrap(a)
    return a + b


def _static(x: Any, what: str, N: int, heads: int, d: int) -> Tensor:
    """A static key or value (N * heads, S, d) as (N, heads, S, d)."""
    x = _tensor(x, what)
    if x.ndim != 3 or x.shape[0] != N * heads or x.shape[2] != d:
        raise ShapeError(
            f"{_FN}: expected {what} of shape ({N * heads}, S, {d}) (batch * num_heads, "
            f"length, head_dim), got {shape_text(x.shape)}"
        )
    return x.reshape(N, heads, x.shape[1], d)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of query over key / value with the given weights (see the module docstring).

    Args:
        query: (L, N, E) or unbatched (L, E); key (S, N, E_k), value (S, N, E_v) (or unbatched).
        embed_dim_to_check: E, checked against the query's last size.
        num_heads: h; E must be a multiple of it.
        in_proj_weight: (3E, E), the stacked W_Q, W_K, W_V (None with use_separate_proj_weight).
        in_proj_bias: (3E,) or None.
        bias_k, bias_v: (1, 1, E) extra key and value appended to the sequences, or None.
        add_zero_attn: append a key and a value of zeros.
        dropout_p: dropout on the attention weights, applied only when ``training``.
        out_proj_weight, out_proj_bias: W_O (E, E) and b_O (E,) or None.
        key_padding_mask: (N, S) or (S,); True (or -inf) marks keys to ignore.
        need_weights: also return the attention weights (else None).
        attn_mask: (L, S) or (N * h, L, S); True (or -inf) marks pairs that may NOT attend.
        use_separate_proj_weight: take W_Q, W_K, W_V from q/k/v_proj_weight ((E, E), (E, E_k),
            (E, E_v)).
        static_k, static_v: (N * h, S', d) keys / values used instead of the projected ones.
        average_attn_weights: weights averaged over the heads, (N, L, S); else (N, h, L, S).
        is_causal: without ``attn_mask``, query i attends to keys 0..i only (PyTorch takes it
            only as a hint and requires attn_mask; glassnet builds the mask, as its
            nn.MultiheadAttention does).

    Returns:
        (output (L, N, E) or (L, E), weights or None). A query whose keys are all masked
        gets NaN weights with need_weights=True and a zero attention result without, as in
        PyTorch.
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        _tensor(t, name)
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(
            f"{_FN}: expected query, key and value all 3-D (length, batch, features) or all "
            f"2-D (length, features), got {shape_text(query.shape)}, {shape_text(key.shape)} "
            f"and {shape_text(value.shape)}"
        )
    batched = query.ndim == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if isinstance(key_padding_mask, Tensor):
            key_padding_mask = key_padding_mask.unsqueeze(0)
    L, N, E = query.shape
    S = key.shape[0]
    if E != embed_dim_to_check:
        raise ShapeError(f"{_FN}: expected query with {embed_dim_to_check} features (embed_dim_"
                         f"to_check), got query of shape {shape_text(query.shape)}")  # fmt: skip
    if num_heads < 1 or E % num_heads:
        raise ValueError(f"{_FN}: embed_dim {E} must be divisible by num_heads, got {num_heads}")
    if key.shape[:2] != value.shape[:2] or key.shape[1] != N:
        raise ShapeError(
            f"{_FN}: key and value must have the same length and query's batch size, got "
            f"query {shape_text(query.shape)}, key {shape_text(key.shape)} and value "
            f"{shape_text(value.shape)}"
        )
    heads, d, dtype = num_heads, E // num_heads, query.array.dtype

    # Projections.
    if use_separate_proj_weight:
        w_q, w_k, w_v = (_tensor(w, name) for w, name in ((q_proj_weight, "q_proj_weight"),
                         (k_proj_weight, "k_proj_weight"), (v_proj_weight, "v_proj_weight")))  # fmt: skip
    else:
        w = _tensor(in_proj_weight, "in_proj_weight")
        if tuple(w.shape) != (3 * E, E):
            raise ShapeError(f"{_FN}: expected in_proj_weight of shape ({3 * E}, {E}), got "
                             f"{shape_text(w.shape)}")  # fmt: skip
        w_q, w_k, w_v = w[:E], w[E : 2 * E], w[2 * E :]
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b = _tensor(in_proj_bias, "in_proj_bias")
        b_q, b_k, b_v = b[:E], b[E : 2 * E], b[2 * E :]
    q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)

    # Masks as one additive bias, broadcastable to (N, heads, L, S).
    bias: Any = None
    if attn_mask is not None:
        shape = tuple(_tensor(attn_mask, "attn_mask").shape)
        if shape not in ((L, S), (N * heads, L, S)):
            raise ShapeError(f"{_FN}: expected attn_mask of shape ({L}, {S}) or ({N * heads}, "
                             f"{L}, {S}), got {shape_text(shape)}")  # fmt: skip
        bias = mask_to_bias(attn_mask, dtype, False, _FN, "attn_mask")
        if len(shape) == 3:
            bias = bias.reshape(N, heads, L, S)
    elif is_causal:
        bias = causal_bias(L, S, dtype)
    padding: Any = None
    if key_padding_mask is not None:
        padding = mask_to_bias(_tensor(key_padding_mask, "key_padding_mask"), dtype, False, _FN,
                               "key_padding_mask")  # fmt: skip

    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{_FN}: give both bias_k and bias_v, or neither")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise ValueError(f"{_FN}: bias_k and bias_v cannot be added to static_k / static_v")
        k = cat([k, _tensor(bias_k, "bias_k").reshape(1, 1, E).expand(1, N, E)], dim=0)
        v = cat([v, _tensor(bias_v, "bias_v").reshape(1, 1, E).expand(1, N, E)], dim=0)
        bias, padding = _pad_keys(bias), _pad_keys(padding)

    # Heads, batch first: (len, N, E) -> (N, heads, len, d).
    def split(x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], N, heads, d).permute(1, 2, 0, 3)

    q, k, v = split(q), split(k), split(v)
    if static_k is not None:
        k = _static(static_k, "static_k", N, heads, d)
    if static_v is not None:
        v = _static(static_v, "static_v", N, heads, d)
    if k.shape[2] != v.shape[2]:
        raise ShapeError(f"{_FN}: keys and values have different lengths, {k.shape[2]} and "
                         f"{v.shape[2]}")  # fmt: skip
    if padding is not None:
        if tuple(padding.shape) != (N, k.shape[2]):
            given = padding.shape[1] - (bias_k is not None)
            raise ShapeError(f"{_FN}: expected key_padding_mask of shape ({N}, "
                             f"{k.shape[2] - (bias_k is not None)}), got ({N}, {given})")  # fmt: skip
        padding = padding.reshape(N, 1, 1, k.shape[2])
    if add_zero_attn:
        zeros = wrap(np.zeros((N, heads, 1, d), dtype=dtype))
        k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
        bias, padding = _pad_keys(bias), _pad_keys(padding)
    if padding is not None:
        bias = _add(bias, padding)
    if isinstance(dropout_p, bool) or not 0 <= dropout_p <= 1:
        raise ValueError(f"{_FN}: dropout_p must be in [0, 1], got {dropout_p!r}")
    p = float(dropout_p) if training else 0.0
    out, weights = attention(q, k, v, bias, p, safe=not need_weights)

    # Merge the heads and project: (N, heads, L, d) -> (L, N, E).
    out = linear(out.permute(2, 0, 1, 3).reshape(L, N, E), _tensor(out_proj_weight,
                 "out_proj_weight"), out_proj_bias)  # fmt: skip
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    if average_attn_weights:
        weights = weights.mean(dim=1)
    return out, weights if batched else weights.squeeze(0)
