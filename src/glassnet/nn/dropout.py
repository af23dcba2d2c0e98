"""Dropout layers (Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout): random zeroing in training mode, identity in eval mode."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .functional.dropout import check_probability
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    """Shared by the dropout layers: p (validated) and the inplace flag."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = check_probability(p, type(self).__name__)
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """During training, zero each element with probability p and scale the rest by 1 / (1 - p).

    y = x * m / (1 - p), m ~ Bernoulli(1 - p) independently per element, so E[y] = x. In
    evaluation mode (``model.eval()``) the layer returns its input unchanged. A fresh mask is
    drawn on every call from glassnet's global generator.

    Args:
        p: probability of zeroing an element (default 0.5), in [0, 1].
        inplace: accepted for PyTorch compatibility (the result is a new tensor).

    Shape: input (*), output the same shape.

    Example::

        >>> drop = nn.Dropout(p=0.5)
        >>> drop(glassnet.ones(6))           # training mode: about half are 0, the rest 2
        tensor([0., 2., 0., 2., 0., 0.])
        >>> drop.eval()(glassnet.ones(3))    # eval mode: identity
        tensor([1., 1., 1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            self.check_input_shape(input, ("*",))
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p (training only).

    Each channel's whole sequence is kept (and scaled by 1 / (1 - p)) or zeroed together.
    """

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", "C", "L"), ("C", "L"))
        return F.dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole feature maps of (N, C, H, W) input with probability p (training only).

    Each channel's whole H x W map is kept (and scaled by 1 / (1 - p)) or zeroed together.
    As PyTorch does (with a UserWarning), a 3-D input is read as (N, C, L), and a 2-D (N, C)
    or 5-D and larger input as (N, C, *), one draw per channel (see ``F.dropout2d``).
    """

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", "C", "H", "W"), ("C", "H", "W"), ("N", "C", "*"))
        return F.dropout2d(input, self.p, self.training)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p (training only)."""

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", "C", "D", "H", "W"), ("C", "D", "H", "W"))
        return F.dropout3d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped units take SELU's saturation value, then an affine
    correction keeps mean 0 and variance 1 (training only; identity in eval mode).

    y = a (x m + s (1 - m)) + b with m ~ Bernoulli(1 - p), s = -scale * alpha ~ -1.7581,
    a = ((1 - p) (1 + p s**2)) ** -1/2, b = -a s p (see ``F.alpha_dropout``).

    Args:
        p: probability of dropping an element (default 0.5), in [0, 1].
        inplace: accepted for PyTorch compatibility.

    Shape: input (*), output the same shape.

    Example: ``nn.Sequential(nn.Linear(64, 64), nn.SELU(), nn.AlphaDropout(0.1))``.
    """

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            self.check_input_shape(input, ("*",))
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (training only; identity in eval mode).

    Each channel of each sample is kept or set to SELU's saturation value s ~ -1.7581 as a
    whole, then corrected affinely: y = a (x m + s (1 - m)) + b, one m ~ Bernoulli(1 - p)
    per (sample, channel) (see ``F.feature_alpha_dropout``).

    Args:
        p: probability of dropping a channel (default 0.5), in [0, 1].
        inplace: accepted for PyTorch compatibility.

    Shape: input (N, C, *) (at least 2-D), output the same shape.

    Example: ``nn.Sequential(nn.Conv2d(3, 16, 3), nn.SELU(), nn.FeatureAlphaDropout(0.2))``.
    """

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", "C", "*"))
        return F.feature_alpha_dropout(input, self.p, self.training)
