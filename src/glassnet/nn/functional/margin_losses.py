"""Margin losses (F.margin_ranking_loss, F.multi_margin_loss, ...): scores pushed apart by a margin.

These losses compare samples with each other instead of with a class: two scores that should
come in an order, two embeddings that should be alike (label 1) or not (label -1), an anchor
nearer its positive than its negative; the multi-class hinges (``multi_margin_loss``,
``multilabel_margin_loss``) ask the score of each right class to beat every wrong one. Each is a formula of differentiable ops, zero once the
margin is kept, and is reduced as the other losses are ('mean', 'sum' or 'none'). Names,
arguments and numbers follow PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ShapeError
from ...ops.api import softplus, where
from ...tensor import Tensor, as_tensor
from ._args import shape_text
from .distance import pairwise_distance
from .loss import _check_reduction, _reduce, accepts_legacy_flags

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]

# PyTorch's guard in the cosine of cosine_embedding_loss (added to each squared norm).
_COSINE_EPS = 1e-12


def _prepared(name: str, reduction: str, *tensors: Any) -> list[Tensor]:
    _check_reduction(name, reduction)
    return [as_tensor(t) for t in tensors]


@accepts_legacy_flags
def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, *, reduction: str = "mean"
) -> Tensor:
    """l = max(0, -y (x1 - x2) + margin): x1 should rank above x2 by ``margin`` where y = 1,
    below where y = -1;   dL/dx1 = -y g where the margin is not kept, 0 elsewhere."""
    x1, x2, y = _prepared("margin_ranking_loss", reduction, input1, input2, target)
    return _reduce((-y * (x1 - x2) + margin).clamp(min=0), reduction)


@accepts_legacy_flags
def hinge_embedding_loss(
    input: Any, target: Any, margin: float = 1.0, *, reduction: str = "mean"
) -> Tensor:  # noqa: A002
    """l = x where y = 1, max(0, margin - x) where y = -1 (x usually a distance: small for
    alike pairs, at least ``margin`` for unlike ones)."""
    x, y = _prepared("hinge_embedding_loss", reduction, input, target)
    return _reduce(where(y == 1, x, (margin - x).clamp(min=0)), reduction)


@accepts_legacy_flags
def soft_margin_loss(input: Any, target: Any, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """l = log(1 + exp(-y x)), a smooth hinge for labels y of 1 or -1;   dL/dx = -y g sigmoid(-y x)."""
    x, y = _prepared("soft_margin_loss", reduction, input, target)
    return _reduce(softplus(-y * x), reduction)


@accepts_legacy_flags
def cosine_embedding_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, *, reduction: str = "mean"
) -> Tensor:
    """With c the cosine of the angle between x1 and x2 (along the last axis): l = 1 - c where
    y = 1 (pull together), max(0, c - margin) where y = -1 (push apart).

    c = sum(x1 x2) / sqrt((sum(x1**2) + eps) (sum(x2**2) + eps)), eps = 1e-12 as in PyTorch.
    """
    x1, x2, y = _prepared("cosine_embedding_loss", reduction, input1, input2, target)
    dot = (x1 * x2).sum(-1)
    squares = ((x1 * x1).sum(-1) + _COSINE_EPS) * ((x2 * x2).sum(-1) + _COSINE_EPS)
    cosine = dot / squares.sqrt()
    return _reduce(where(y == 1, 1 - cosine, (cosine - margin).clamp(min=0)), reduction)


@accepts_legacy_flags
def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    *,
    reduction: str = "mean",
) -> Tensor:
    """l = max(d(a, pos) - d(a, neg) + margin, 0), d the p-norm distance (``pairwise_distance``):
    the anchor should be nearer its positive than its negative by ``margin``. With ``swap``,
    d(a, neg) is replaced by the smaller of it and d(pos, neg)."""
    a, pos, neg = _prepared("triplet_margin_loss", reduction, anchor, positive, negative)
    near = pairwise_distance(a, pos, p, eps)
    far = pairwise_distance(a, neg, p, eps)
    if swap:
        other = pairwise_distance(pos, neg, p, eps)
        far = where(other < far, other, far)
    return _reduce((near - far + margin).clamp(min=0), reduction)


# ----------------------------------------------------------------------------------------------
# Multi-class hinges: the right class(es) should score above every wrong one by a margin
# ----------------------------------------------------------------------------------------------


def _class_scores(name: str, input: Any, target: Any) -> tuple[Tensor, np.ndarray, bool]:
    """Scores as (N, C) and integer targets as a NumPy array; whether the input had no batch axis."""
    x = as_tensor(input)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ShapeError(
            f"{name}: expected input of shape (C,) or (N, C) with C > 0, got {shape_text(x.shape)}"
        )
    t = np.asarray(target.array if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected an integer (class index) target, got dtype {t.dtype}")
    single = x.ndim == 1
    return (x.unsqueeze(0) if single else x), t, single


@accepts_legacy_flags
def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    *,
    reduction: str = "mean",
) -> Tensor:  # noqa: A002
    """Multi-class hinge: the score of the target class y should beat every other by ``margin``.

        l = (1 / C) sum_{i != y} w_y max(0, margin - x_y + x_i) ** p      (p = 1 or 2)

    dl/dx_i = (w_y / C) p h_i ** (p - 1) for each wrong class i with h_i > 0, and dl/dx_y is
    minus their sum (h_i the hinge above). As in PyTorch the class weight w_y multiplies the
    powered hinge.

    Args:
        input: scores (N, C) or (C,).
        target: class indices (N,) (or a single index for a (C,) input), in [0, C).
        p: 1 (hinge) or 2 (squared hinge).
        margin: how far the target's score should lead.
        weight: optional per-class weights (C,).
        reduction: 'mean' (over samples, default) | 'sum' | 'none' (one loss per sample).
    """
    name = "multi_margin_loss"
    _check_reduction(name, reduction)
    if p not in (1, 2):
        raise ValueError(f"{name}: only p == 1 and p == 2 are supported, got p={p!r}")
    x, t, single = _class_scores(name, input, target)
    n, c = x.shape
    if t.shape != (n,) and not (single and t.shape == ()):
        raise ShapeError(
            f"{name}: expected target of shape {shape_text((n,) if not single else ())} for an "
            f"input of shape {shape_text(as_tensor(input).shape)}, got {shape_text(t.shape)}"
        )
    t = t.reshape(n)
    if t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"{name}: target class indices must be in [0, {c}), got {t.tolist()}")
    # The one-hot of the targets picks x_y (a differentiable sum) and drops the i == y term.
    one_hot = np.zeros((n, c), dtype=x.array.dtype)
    one_hot[np.arange(n), t] = 1.0
    picked = as_tensor(one_hot)
    x_y = (x * picked).sum(1, keepdim=True)
    hinge = (margin - x_y + x).clamp(min=0)
    if p == 2:
        hinge = hinge * hinge
    hinge = hinge * as_tensor(1.0 - one_hot)
    if weight is not None:
        w = as_tensor(weight)
        if w.shape != (c,):
            raise ShapeError(
                f"{name}: weight must have shape ({c},) (one per class), got {shape_text(w.shape)}"
            )
        hinge = hinge * (w * picked).sum(1, keepdim=True)
    loss = hinge.sum(1) * (1.0 / c)
    return _reduce(loss.reshape(()) if single else loss, reduction)


@accepts_legacy_flags
def multilabel_margin_loss(input: Any, target: Any, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Multi-label hinge: every target class j should beat every non-target class i by 1.

        l = (1 / C) sum_{j in targets} sum_{i not in targets} max(0, 1 - (x_j - x_i))

    The target row lists class indices and ends at its first -1 (the rest is ignored), e.g.
    [3, 0, -1, 1] means classes {3, 0}. A class listed twice counts twice, as in PyTorch.
    dl/dx_i = +1/C and dl/dx_j = -1/C for every pair whose hinge is positive.

    Args:
        input: scores (N, C) or (C,).
        target: integer tensor of the input's shape, class indices padded with -1.
        reduction: 'mean' (over samples, default) | 'sum' | 'none' (one loss per sample).
    """
    name = "multilabel_margin_loss"
    _check_reduction(name, reduction)
    x, t, single = _class_scores(name, input, target)
    n, c = x.shape
    if t.shape != tuple(as_tensor(input).shape):
        raise ShapeError(
            f"{name}: expected target of the input's shape {shape_text(as_tensor(input).shape)}, "
            f"got {shape_text(t.shape)}"
        )
    t = t.reshape(n, c)
    valid = np.cumprod(t >= 0, axis=1).astype(bool)  # the entries before the first -1
    if np.any(t[valid] >= c) or np.any(t < -1):
        raise IndexError(
            f"{name}: target entries must be class indices in [0, {c}) or -1, got {t.tolist()}"
        )
    count = np.zeros((n, c), dtype=x.array.dtype)  # how often each class is listed
    np.add.at(count, (np.nonzero(valid)[0], t[valid]), 1.0)
    others = (count == 0).astype(x.array.dtype)
    pairs = as_tensor(count[:, :, None] * others[:, None, :])  # [n, j, i]: j a target, i not
    hinge = (1.0 - x.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)  # [n, j, i] = 1 - x_j + x_i
    loss = (hinge * pairs).sum(2).sum(1) * (1.0 / c)
    return _reduce(loss.reshape(()) if single else loss, reduction)
