"""PyTorch's top-level loss functions (torch.kl_div, torch.ctc_loss, ...), whose reduction is a number: 0 none, 1 mean, 2 sum.

``torch.binary_cross_entropy_with_logits(x, y)`` and its kin are the kernels behind
``torch.nn.functional``'s losses. They take the same tensors as F's losses, in the same order,
but the reduction as PyTorch's integer code instead of a word, always positionally after the
loss's own options (``torch.kl_div(input, target, 1)`` is the mean). Each function here turns
the code into F's word and calls F, where the loss's formula and derivative are written.
"""

from __future__ import annotations

from typing import Any

from .errors import ValueRangeError
from .nn import functional as F

__all__ = [
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "ctc_loss",
    "hinge_embedding_loss",
    "kl_div",
    "margin_ranking_loss",
    "poisson_nll_loss",
    "triplet_margin_loss",
]

# PyTorch's reduction numbers (at::Reduction) and F's words for them.
REDUCTIONS = ("none", "mean", "sum")


def reduction_name(code: Any, who: str) -> str:
    """'none', 'mean' or 'sum' for the reduction code 0, 1 or 2."""
    if isinstance(code, bool) or code not in (0, 1, 2):
        raise ValueRangeError(
            f"{who}: reduction must be 0 (none), 1 (mean) or 2 (sum), got {code!r}"
        )
    return REDUCTIONS[code]


def binary_cross_entropy_with_logits(
    input: Any,  # noqa: A002 - PyTorch's names
    target: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: int = 1,
) -> Any:
    """``F.binary_cross_entropy_with_logits``: -w [p y log s(x) + (1 - y) log(1 - s(x))], with
    s the sigmoid and p the pos_weight; here pos_weight comes before the reduction code."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight,
        reduction=reduction_name(reduction, "binary_cross_entropy_with_logits"),
        pos_weight=pos_weight,
    )  # fmt: skip


def cosine_embedding_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: int = 1
) -> Any:
    """``F.cosine_embedding_loss``: 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin)
    where y = -1."""
    return F.cosine_embedding_loss(
        input1, input2, target, margin,
        reduction=reduction_name(reduction, "cosine_embedding_loss"),
    )  # fmt: skip


def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: int = 1,
    zero_infinity: bool = False,
) -> Any:
    """``F.ctc_loss``: -log of the total probability of every alignment of each target; the
    mean (code 1) divides each sample's loss by its target length before averaging.
    Lengths may be tensors or lists of ints."""
    return F.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank,
        reduction_name(reduction, "ctc_loss"), zero_infinity,
    )  # fmt: skip


def hinge_embedding_loss(
    input: Any,  # noqa: A002
    target: Any,
    margin: float = 1.0,
    reduction: int = 1,
) -> Any:
    """``F.hinge_embedding_loss``: x where y = 1, max(0, margin - x) where y = -1."""
    return F.hinge_embedding_loss(
        input, target, margin, reduction=reduction_name(reduction, "hinge_embedding_loss")
    )


def kl_div(
    input: Any,  # noqa: A002
    target: Any,
    reduction: int = 1,
    *,
    log_target: bool = False,
) -> Any:
    """``F.kl_div``: target (log target - input) per element, input being log-probabilities
    (and the target too with log_target=True). Code 1 is the mean over all elements, without
    F's warning that it is not 'batchmean' (the kernel has no batchmean: divide a sum yourself).
    """
    name = reduction_name(reduction, "kl_div")
    if name == "mean":
        return F.kl_div(input, target, reduction="none", log_target=log_target).mean()
    return F.kl_div(input, target, reduction=name, log_target=log_target)


def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: int = 1
) -> Any:
    """``F.margin_ranking_loss``: max(0, -y (x1 - x2) + margin)."""
    return F.margin_ranking_loss(
        input1, input2, target, margin,
        reduction=reduction_name(reduction, "margin_ranking_loss"),
    )  # fmt: skip


def poisson_nll_loss(
    input: Any,  # noqa: A002
    target: Any,
    log_input: bool,
    full: bool,
    eps: float,
    reduction: int,
) -> Any:
    """``F.poisson_nll_loss``: e^x - y x (log_input) or x - y log(x + eps), plus Stirling's
    term for log(y!) when full; every argument is required, eps before the reduction code."""
    return F.poisson_nll_loss(
        input, target, log_input, full, eps=eps,
        reduction=reduction_name(reduction, "poisson_nll_loss"),
    )  # fmt: skip


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 1,
) -> Any:
    """``F.triplet_margin_loss``: max(0, d(a, p) - d(a, n) + margin), d the p-norm distance."""
    return F.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap,
        reduction=reduction_name(reduction, "triplet_margin_loss"),
    )  # fmt: skip
