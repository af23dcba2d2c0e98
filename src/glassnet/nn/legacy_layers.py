"""PyTorch's deprecated layer names kept for old code: NLLLoss2d (NLLLoss under its old name; warns when built)."""

from __future__ import annotations

import warnings

from ..tensor import Tensor
from .loss import NLLLoss

__all__ = ["NLLLoss2d"]


class NLLLoss2d(NLLLoss):
    """Deprecated: ``NLLLoss`` under its old name for (N, C, H, W) log-probabilities.

    ``NLLLoss`` itself takes any (N, C, d1, ...) input with (N, d1, ...) targets, so this is
    the same loss, L = -mean of log_prob[n, target[n, h, w], h, w] (see ``NLLLoss``);
    building one warns (a FutureWarning, as PyTorch's does) that ``NLLLoss`` is the name to use.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        warnings.warn(
            "NLLLoss2d is deprecated; use NLLLoss instead (the same loss, for any number of "
            "dimensions)",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(
            weight,
            size_average=size_average,
            ignore_index=ignore_index,
            reduce=reduce,
            reduction=reduction,
        )
