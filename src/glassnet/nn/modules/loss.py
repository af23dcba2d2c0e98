"""PyTorch's torch.nn.modules.loss: the loss modules (CrossEntropyLoss, MSELoss, ...) and their bases _Loss / _WeightedLoss.

All are glassnet's own (``glassnet.nn.loss``), bases included, so ``isinstance(criterion,
_Loss)`` holds for every glassnet loss, and a script's own loss on them works::

    class FocalLoss(_WeightedLoss):
        def __init__(self, weight=None, gamma=2.0, reduction="mean"):
            super().__init__(weight=weight, reduction=reduction)  # self.weight: a buffer
            self.gamma = gamma

``_Loss`` checks and keeps ``reduction`` (PyTorch's ``size_average=`` / ``reduce=`` keywords
are turned into it, with PyTorch's deprecation warning); ``_WeightedLoss`` also registers
``weight`` (a tensor or None) as a buffer.
"""

from __future__ import annotations

from ..legacy_layers import NLLLoss2d
from ..linear_cross_entropy import LinearCrossEntropyLoss
from ..loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    CTCLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)
from ..loss import _Loss as _Loss
from ..loss import _WeightedLoss as _WeightedLoss

__all__ = [
    "L1Loss",
    "LinearCrossEntropyLoss",
    "NLLLoss",
    "NLLLoss2d",
    "PoissonNLLLoss",
    "GaussianNLLLoss",
    "KLDivLoss",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "HingeEmbeddingLoss",
    "MultiLabelMarginLoss",
    "SmoothL1Loss",
    "HuberLoss",
    "SoftMarginLoss",
    "CrossEntropyLoss",
    "MultiLabelSoftMarginLoss",
    "CosineEmbeddingLoss",
    "MarginRankingLoss",
    "MultiMarginLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
    "CTCLoss",
]
