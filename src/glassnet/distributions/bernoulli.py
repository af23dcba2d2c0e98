"""The Bernoulli distribution: 1 with probability p, else 0."""

from __future__ import annotations

from typing import Any

import numpy as np

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
    mode = 1 if p > 1/2, 0 if p < 1/2 (nan at p = 1/2: both are modes)
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

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
        super().__init__(self.probs.shape, validate_args=validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return bernoulli(self.probs.detach().expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value).to(self.logits.dtype)
        shape = np.broadcast_shapes(x.shape, self.logits.shape)
        logits = self.logits.expand(shape) if shape != self.logits.shape else self.logits
        x = x.expand(shape) if shape != x.shape else x
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

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0 and 1 as shape (2,) + (1,) * len(batch_shape), expanded over the batch when
        ``expand``; in the parameters' dtype."""
        values = np.arange(2, dtype=self.probs.dtype).reshape((2,) + (1,) * len(self.batch_shape))
        out = as_tensor(values)
        return out.expand((2,) + self.batch_shape) if expand else out

    @property
    def mode(self) -> Tensor:
        p = self.probs.detach().numpy()
        mode = np.where(p == 0.5, np.nan, (p > 0.5).astype(p.dtype)).astype(p.dtype)
        return as_tensor(mode)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    @property
    def param_shape(self) -> tuple:
        """The shape of the probs (and logits) parameter."""
        return tuple(self.probs.shape)
