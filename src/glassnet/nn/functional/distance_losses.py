"""F.triplet_margin_with_distance_loss: the triplet loss with a distance function of your choice.

``triplet_margin_loss`` (in margin_losses) measures with the p-norm; this one takes any
callable d(x1, x2) -> one distance per sample (a cosine distance, a learnt metric, an
``nn.PairwiseDistance``), so its gradient is the chain rule through whatever d is. Names,
arguments, defaults and numbers follow PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import ShapeError
from ...ops.api import minimum
from ...tensor import Tensor, as_tensor
from .distance import pairwise_distance
from .loss import _check_reduction, _reduce

__all__ = ["triplet_margin_with_distance_loss"]


def triplet_margin_with_distance_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """l = max(d(a, pos) - d(a, neg) + margin, 0) for a distance function d you pass.

    The anchor should be nearer its positive than its negative by at least ``margin``; once
    it is, the loss and its gradient are 0. With ``swap`` (the "distance swap" of Balntas et
    al., 2016) the negative's distance is the smaller of d(a, neg) and d(pos, neg), so the
    harder of the two comparisons is used. Where the margin is not kept,

        dl/dd(a, pos) = 1,    dl/dd(a, neg) = -1,

    and the rest is the chain rule through d.

    Args:
        anchor, positive, negative: tensors with the same number of dimensions, usually
            (N, D) embeddings (or (D,) for one triplet).
        distance_function: d(x1, x2) -> distances, one per sample; default
            ``F.pairwise_distance`` (the Euclidean distance). Keyword-only, as in PyTorch.
        margin: the lead the negative's distance should have, > 0 (default 1).
        swap: use min(d(a, neg), d(pos, neg)) as the negative's distance.
        reduction: 'mean' (default) | 'sum' | 'none' (one loss per triplet).

    Example::

        >>> cosine = lambda x, y: 1.0 - F.cosine_similarity(x, y)
        >>> loss = F.triplet_margin_with_distance_loss(a, p, n, distance_function=cosine)
    """
    name = "triplet_margin_with_distance_loss"
    _check_reduction(name, reduction)
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin > 0:
        raise ValueError(f"{name}: margin must be greater than 0, got {margin!r}")
    a, pos, neg = as_tensor(anchor), as_tensor(positive), as_tensor(negative)
    if not a.ndim == pos.ndim == neg.ndim:
        raise ShapeError(
            f"{name}: expected anchor, positive and negative with the same number of "
            f"dimensions, got anchor {a.ndim}-D, positive {pos.ndim}-D and negative {neg.ndim}-D"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    near = distance(a, pos)
    far = distance(a, neg)
    if swap:
        far = minimum(far, distance(pos, neg))
    return _reduce((near - far + margin).clamp(min=0), reduction)
