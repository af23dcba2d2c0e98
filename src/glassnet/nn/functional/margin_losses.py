"""Margin losses (F.margin_ranking_loss, F.triplet_margin_loss, ...): pairs and triples pushed apart.

These losses compare samples with each other instead of with a class: two scores that should
come in an order, two embeddings that should be alike (label 1) or not (label -1), an anchor
nearer its positive than its negative. Each is a formula of differentiable ops, zero once the
margin is kept, and is reduced as the other losses are ('mean', 'sum' or 'none'). Names,
arguments and numbers follow PyTorch.
"""

from __future__ import annotations

from typing import Any

from ...ops.api import softplus, where
from ...tensor import Tensor, as_tensor
from .distance import pairwise_distance
from .loss import _check_reduction, _reduce

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]

# PyTorch's guard in the cosine of cosine_embedding_loss (added to each squared norm).
_COSINE_EPS = 1e-12


def _prepared(name: str, reduction: str, *tensors: Any) -> list[Tensor]:
    _check_reduction(name, reduction)
    return [as_tensor(t) for t in tensors]


def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, *, reduction: str = "mean"
) -> Tensor:
    """l = max(0, -y (x1 - x2) + margin): x1 should rank above x2 by ``margin`` where y = 1,
    below where y = -1;   dL/dx1 = -y g where the margin is not kept, 0 elsewhere."""
    x1, x2, y = _prepared("margin_ranking_loss", reduction, input1, input2, target)
    return _reduce((-y * (x1 - x2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(
    input: Any, target: Any, margin: float = 1.0, *, reduction: str = "mean"
) -> Tensor:  # noqa: A002
    """l = x where y = 1, max(0, margin - x) where y = -1 (x usually a distance: small for
    alike pairs, at least ``margin`` for unlike ones)."""
    x, y = _prepared("hinge_embedding_loss", reduction, input, target)
    return _reduce(where(y == 1, x, (margin - x).clamp(min=0)), reduction)


def soft_margin_loss(input: Any, target: Any, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """l = log(1 + exp(-y x)), a smooth hinge for labels y of 1 or -1;   dL/dx = -y g sigmoid(-y x)."""
    x, y = _prepared("soft_margin_loss", reduction, input, target)
    return _reduce(softplus(-y * x), reduction)


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
