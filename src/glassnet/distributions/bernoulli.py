"""The Bernoulli distribution: 1 with probability p, else 0."""

from __future__ import annotations

from typing import Any

from ..creation import bernoulli
from ..nn import functional as F
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import float_params
from .exp_family import ExponentialFamily

__all__ = ["Bernoulli"]


class Bernoulli(ExponentialFamily):
    r"""P(1) = p, P(0) = 1 - p, from ``probs`` (p) or ``logits`` (log(p / (1 - p))).

    log p(x) = x log p + (1 - x) log(1 - p)   (computed from the logits, stably)
    entropy  = -p log p - (1 - p) log(1 - p);   mean = p;   variance = p (1 - p)
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: Any = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: give either probs or logits, not both and not neither")
        if probs is not None:
            (self.probs,) = float_params(probs)
            p = self.probs.numpy()
            bad = ~((p >= 0) & (p <= 1))
            if bad.any():
                raise ValueError(
                    f"Bernoulli: probs must be between 0 and 1, got {p[bad][:3].tolist()}"
                )
            eps = 1e-7 if self.probs.dtype.itemsize == 4 else 1e-15
            clamped = self.probs.clamp(eps, 1 - eps)
            self.logits = clamped.log() - (1 - clamped).log()
        else:
            self.logits = as_tensor(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return bernoulli(self.probs.detach().expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Any) -> Tensor:
        x = as_tensor(value).to(self.logits.dtype)
        logits = self.logits.expand(x.shape) if x.shape != self.logits.shape else self.logits
        return -F.binary_cross_entropy_with_logits(logits, x, reduction="none")

    # As an exponential family (exp_family.py): eta = logits,
    # A(eta) = log(1 + exp(eta)) = softplus(eta)
    @property
    def _natural_params(self) -> tuple:
        return (self.logits,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return F.softplus(x)

    _mean_carrier_measure = 0

    def entropy(self) -> Tensor:
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)
