"""nn.CosineSimilarity and nn.PairwiseDistance: F.cosine_similarity / F.pairwise_distance as layers."""

from __future__ import annotations

from ..tensor import Tensor
from .errors import call_function_form
from .functional import distance as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along ``dim``:

        cos = sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))

    1 for vectors pointing the same way, 0 at a right angle, -1 opposite. No parameters; the
    gradient is the chain rule through the norms (see ``F.cosine_similarity``).

    Args:
        dim: the axis holding the vectors (default 1).
        eps: the smallest norm divided by, so a zero vector gives 0 (default 1e-8).

    Shape: x1 and x2 broadcastable to one shape (*1, D, *2); output (*1, *2).

    Example::

        >>> cos = nn.CosineSimilarity(dim=1)
        >>> cos(glassnet.randn(8, 128), glassnet.randn(8, 128)).shape
        (8,)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return call_function_form(self, F.cosine_similarity, x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The p-norm distance between rows of x1 and x2: ||x1 - x2 + eps||_p along the last axis.

    ``eps`` keeps the gradient finite where x1 = x2 (the p-norm has no derivative at 0).

    Args:
        p: the order of the norm (default 2.0), stored as ``norm`` as in PyTorch.
        eps: added to the difference (default 1e-6).
        keepdim: keep the last axis with size 1.

    Shape: x1 and x2 (N, D) or (D,), broadcasting; output (N,) or () ((N, 1) / (1,) with
    keepdim).

    Example: ``nn.PairwiseDistance(p=1.0)(anchors, positives)`` for (N, D) inputs.
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return call_function_form(
            self, F.pairwise_distance, x1, x2, self.norm, self.eps, self.keepdim
        )
