"""The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem and Cunningham, 2019)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..nn import functional as F
from ..ops import api
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float
from .geometric import binary_probs_logits

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(Distribution):
    r"""p(x) = C(lam) lam^x (1 - lam)^(1-x) for x in [0, 1], lam = ``probs`` in [0, 1] or given by
    ``logits`` = log(lam / (1 - lam)): the Bernoulli likelihood made a density (a VAE's decoder for
    pixel values in [0, 1]).

        C(lam) = 2 atanh(1 - 2 lam) / (1 - 2 lam) = |log(1 - lam) - log lam| / |1 - 2 lam|
        log p(x) = x log lam + (1 - x) log(1 - lam) + log C(lam)
        mean = lam / (2 lam - 1) + 1 / (log(1 - lam) - log lam)
        variance = lam (lam - 1) / (1 - 2 lam)**2 + 1 / (log(1 - lam) - log lam)**2
        cdf(x) = (lam^x (1 - lam)^(1-x) + lam - 1) / (2 lam - 1)
        icdf(q) = (log(1 - lam + q (2 lam - 1)) - log(1 - lam)) / (log lam - log(1 - lam))
        entropy = mean (log(1 - lam) - log lam) - log C(lam) - log(1 - lam)

    At lam = 1/2 each of these is 0 / 0 (the density is uniform there): for lam inside ``lims``
    (default (0.499, 0.501)) they are replaced by their Taylor expansions in t = lam - 1/2,

        log C = log 2 + 4/3 t**2 + 104/45 t**4,   mean = 1/2 + t / 3 + 16/45 t**3,
        variance = 1/12 - t**2 / 15 + 128/945 t**4,   cdf(x) = x,   icdf(q) = q

    ``rsample`` is icdf(u) for u uniform, so gradients reach lam through the draw.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, probs: Any = None, logits: Any = None, lims: tuple = (0.499, 0.501),
                 validate_args: Any = None) -> None:  # fmt: skip
        self.probs, self.logits = binary_probs_logits(probs, logits, "ContinuousBernoulli")
        self._lims = (float(lims[0]), float(lims[1]))
        super().__init__(self.probs.shape, validate_args=validate_args)

    def _outside_unstable_region(self) -> Tensor:
        return (self.probs <= self._lims[0]) | (self.probs >= self._lims[1])

    def _cut_probs(self) -> Tensor:
        """lam where the closed forms are used, and a harmless stand-in (lims[0]) elsewhere, so
        the discarded branch of ``where`` never computes 0 / 0 (its NaN gradient would leak)."""
        return api.where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _log_norm(self) -> Tensor:
        """log C(lam)"""
        lam = self._cut_probs()
        log_ratio = ((-lam).log1p() - lam.log()).abs().log()
        below = api.where(lam <= 0.5, lam, 0.0)
        above = api.where(lam >= 0.5, lam, 1.0)
        # log |1 - 2 lam|, taken on the side of 1/2 where lam lies (each branch stays finite).
        log_gap = api.where(lam <= 0.5, (-2.0 * below).log1p(), (2.0 * above - 1.0).log())
        t2 = (self.probs - 0.5) ** 2
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * t2) * t2
        return api.where(self._outside_unstable_region(), log_ratio - log_gap, taylor)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = wrap(default_generator().random(shape).astype(self.probs.dtype))
        return self.icdf(u)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.probs))
        # The loss below needs both of one shape: broadcast them explicitly.
        shape = np.broadcast_shapes(x.shape, self.logits.shape)
        x = x.expand(shape) if x.shape != shape else x
        logits = self.logits.expand(shape) if self.logits.shape != shape else self.logits
        bernoulli = -F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        return bernoulli + self._log_norm()

    def cdf(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.probs))
        lam = self._cut_probs()
        closed = (lam.pow(x) * (1 - lam).pow(1 - x) + lam - 1) / (2 * lam - 1)
        inner = api.where(self._outside_unstable_region(), closed, x)
        return api.where(x <= 0, 0.0, api.where(x >= 1, 1.0, inner))

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.probs)
        lam = self._cut_probs()
        closed = ((-lam + q * (2 * lam - 1)).log1p() - (-lam).log1p()) / (
            lam.log() - (-lam).log1p()
        )
        return api.where(self._outside_unstable_region(), closed, q)

    def entropy(self) -> Tensor:
        log_1m = (-self.probs).log1p()
        return self.mean * (log_1m - self.probs.log()) - self._log_norm() - log_1m

    @property
    def mean(self) -> Tensor:
        lam = self._cut_probs()
        closed = lam / (2 * lam - 1) + 1 / ((-lam).log1p() - lam.log())
        t = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * t**2) * t
        return api.where(self._outside_unstable_region(), closed, taylor)

    @property
    def variance(self) -> Tensor:
        lam = self._cut_probs()
        closed = lam * (lam - 1) / (1 - 2 * lam) ** 2 + 1 / ((-lam).log1p() - lam.log()) ** 2
        t2 = (self.probs - 0.5) ** 2
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * t2) * t2
        return api.where(self._outside_unstable_region(), closed, taylor)

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    @property
    def param_shape(self) -> tuple:
        """The shape of the probs (and logits) parameter."""
        return tuple(self.probs.shape)
