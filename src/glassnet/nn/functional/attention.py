"""F.scaled_dot_product_attention: softmax(Q K^T * scale + mask) V, with PyTorch's arguments and masks.

Attention lets every query position look at all key positions and take a weighted average
of their values, the weights saying how well the query matches each key::

    scores  = Q K^T * scale           (L, S): one score per (query, key) pair
    weights = softmax(scores + bias)  each row sums to 1 over the S keys
    output  = weights V               (L, E_v)

The bias is how masks enter: 0 where attending is allowed and -inf where it is not (so the
weight there is exactly 0), or any float values added to the scores.

Everything here is built from glassnet ops (matmul, softmax, where), so gradients with
respect to queries, keys, values and a float mask come from the engine.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...ops import api
from ...ops.nn import Dropout as _DropoutOp
from ...tensor import Tensor

__all__ = ["scaled_dot_product_attention"]


def _shape(x: Any) -> str:
    return str(tuple(x.shape)) if isinstance(x, Tensor) else type(x).__name__


def causal_bias(L: int, S: int, dtype: Any) -> np.ndarray:
    """(L, S) float bias, 0 on and below the diagonal and -inf above: query i sees keys 0..i."""
    return np.triu(np.full((L, S), -np.inf, dtype=dtype), k=1)


def mask_to_bias(mask: Tensor, dtype: Any, allowed: bool, who: str, what: str) -> Any:
    """A boolean or float mask as an additive bias (an array, or the float Tensor itself).

    ``allowed=True``: True marks positions that MAY be attended (scaled_dot_product_attention).
    ``allowed=False``: True marks positions that may NOT be attended (MultiheadAttention).
    Float masks are added to the scores as they are (and may carry gradients).
    """
    if not isinstance(mask, Tensor):
        raise TypeError(
            f"{who}: expected {what} to be a glassnet Tensor or None, got {type(mask).__name__}"
        )
    kind = mask.array.dtype.kind
    if kind == "b":
        keep = mask.array if allowed else ~mask.array
        return np.where(keep, 0.0, -np.inf).astype(dtype)
    if kind == "f":
        return mask if mask.array.dtype == dtype else mask.to(dtype)
    raise TypeError(
        f"{who}: {what} must be a bool or floating tensor, got dtype {mask.array.dtype}"
    )


def attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    bias: Any = None,
    dropout_p: float = 0.0,
    scale: float | None = None,
    safe: bool = True,
) -> tuple[Tensor, Tensor]:
    """The attention computation shared by the functional and MultiheadAttention; returns (output, weights).

    ``bias`` is None, an array or a Tensor broadcastable to the scores (..., L, S).
    ``safe=True``: rows in which every key is masked (-inf) get weights 0 and output 0, as
    PyTorch's scaled_dot_product_attention; ``safe=False`` leaves them NaN (softmax of all
    -inf), as PyTorch's MultiheadAttention does when it returns the weights.
    """
    E = query.shape[-1]
    scale = 1.0 / math.sqrt(E) if scale is None else float(scale)
    scores = (query * scale) @ key.transpose(-2, -1)
    dead = None
    if bias is not None:
        scores = scores + (bias if isinstance(bias, Tensor) else wrap(bias))
        if safe:
            dead = np.isneginf(scores.array).all(axis=-1, keepdims=True)
            if dead.any():
                scores = api.masked_fill(scores, dead, 0.0)
            else:
                dead = None
    if bias is not None and not safe:
        with np.errstate(invalid="ignore"):  # all-masked rows give NaN on purpose (see above)
            weights = api.softmax(scores, dim=-1)
    else:
        weights = api.softmax(scores, dim=-1)
    if dead is not None:
        weights = weights * wrap((~dead).astype(weights.array.dtype))
    if dropout_p > 0:
        weights = _DropoutOp(dropout_p)(weights)
    return weights @ value, weights


def _heads_split_by_transpose(query: Tensor) -> bool:
    """Whether (N, H, L, E) ``query`` lies in memory as (N, L, H, E): strides falling in the
    axis order 0, 2, 1, 3 (the layout ``x.view(N, L, H, E).transpose(1, 2)`` gives)."""
    n, h, length, e = query.array.shape
    s0, s1, s2, s3 = query.array.strides
    return h > 1 and length > 1 and s0 >= s2 > s1 >= s3


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    r"""Attention: softmax(Q K^T * scale + bias) V (PyTorch's ``F.scaled_dot_product_attention``).

    Args:
        query: Q of shape (..., L, E): L query positions with E features each.
        key: K of shape (..., S, E): S key positions.
        value: V of shape (..., S, E_v).
        attn_mask: optional mask broadcastable to (..., L, S). Boolean: True means the query
            MAY attend to that key (False positions get weight 0). Float: added to the scores.
        dropout_p: probability of zeroing each attention weight (the kept ones are scaled by
            1 / (1 - p)). Applied whenever > 0: pass 0 in evaluation.
        is_causal: mask out the future: query i attends to keys 0..i only (the mask is
            aligned at the top left). Cannot be combined with ``attn_mask``.
        scale: factor for the scores; default 1 / sqrt(E), which keeps their variance near 1
            when Q and K have unit-variance entries.
        enable_gqa: grouped-query attention: key and value may have fewer heads (dim -3)
            than query, each serving ``heads_q / heads_kv`` query heads.

    Returns:
        Tensor of shape (..., L, E_v).

    A query row whose keys are all masked gets weights 0 and output 0 (not NaN), as in
    PyTorch. Gradients flow to query, key, value and a float ``attn_mask``.

    Example::

        >>> q = glassnet.randn(2, 4, 5, 8)                 # N=2, heads=4, L=5, E=8
        >>> k, v = glassnet.randn(2, 4, 7, 8), glassnet.randn(2, 4, 7, 8)
        >>> F.scaled_dot_product_attention(q, k, v).shape
        (2, 4, 5, 8)
        >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
        (2, 4, 5, 8)
    """
    who = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{who}: expected {name} to be a glassnet Tensor, got {type(t).__name__}"
            )
        if t.ndim < 2:
            raise ShapeError(
                f"{who}: expected {name} with at least 2 dimensions (..., length, "
                f"features), got shape {_shape(t)}"
            )
        if t.array.dtype.kind != "f":
            raise TypeError(f"{who}: expected floating {name}, got dtype {t.array.dtype}")
    dtype = query.array.dtype
    if key.array.dtype != dtype or value.array.dtype != dtype:
        raise TypeError(
            f"{who}: query, key and value must have the same dtype, got "
            f"{query.array.dtype}, {key.array.dtype} and {value.array.dtype}"
        )
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(
            f"{who}: query and key must have the same number of features (last "
            f"dimension), got query {_shape(query)} and key {_shape(key)}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(
            f"{who}: key and value must have the same length (dimension -2), got "
            f"key {_shape(key)} and value {_shape(value)}"
        )
    if isinstance(dropout_p, bool) or not 0 <= dropout_p <= 1:
        raise ValueError(f"{who}: dropout_p must be in [0, 1], got {dropout_p!r}")
    if enable_gqa and query.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise ShapeError(
                f"{who}: with enable_gqa the number of query heads ({hq}) must be "
                f"a multiple of the key ({hk}) and value ({hv}) heads"
            )
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hv)
    L, S = query.shape[-2], key.shape[-2]
    bias: Any = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{who}: pass either attn_mask or is_causal=True, not both")
        bias = causal_bias(L, S, dtype)
    elif attn_mask is not None:
        bias = mask_to_bias(attn_mask, dtype, True, who, "attn_mask")
        shape = bias.shape
        if len(shape) < 2 or shape[-2] not in (1, L) or shape[-1] not in (1, S):
            raise ShapeError(
                f"{who}: attn_mask of shape {tuple(shape)} does not broadcast to "
                f"the scores (..., L={L}, S={S})"
            )
    out, _ = attention(query, key, value, bias, float(dropout_p), scale, safe=True)
    if query.ndim == 4 and _heads_split_by_transpose(query):
        # Heads split from (N, L, H*E) by view + transpose: PyTorch's result keeps that order
        # in memory, so scripts may .transpose(1, 2).view(N, L, H*E) it; so does this one.
        out = out.transpose(1, 2).contiguous().transpose(1, 2)
    return out


def _repeat_heads(x: Tensor, n: int) -> Tensor:
    """(..., H, S, E) -> (..., H * n, S, E), each head repeated n times in a row."""
    if n == 1:
        return x
    *lead, h, s, e = x.shape
    expanded = x.unsqueeze(-3).expand(*lead, h, n, s, e)
    return expanded.reshape(*lead, h * n, s, e)
