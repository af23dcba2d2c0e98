"""The half-normal distribution: |X| for X ~ N(0, scale**2)."""

from __future__ import annotations

import math
from typing import Any

from ..creation import randn
from ..ops import api
from ..tensor import Tensor
from .distribution import _FoldedAtZero, as_float

__all__ = ["HalfNormal"]


class HalfNormal(_FoldedAtZero):
    r"""|X| with X ~ N(0, scale**2), one per element of ``scale`` (> 0); values x >= 0.

    Folding the normal onto x >= 0 doubles its density there:

        log p(x) = log 2 - x**2 / (2 scale**2) - log(scale) - log(sqrt(2 pi))   (x >= 0; else -inf)
        entropy = 1/2 log(pi scale**2 / 2) + 1/2
        mean = scale sqrt(2 / pi);   variance = scale**2 (1 - 2 / pi);   mode = 0
        cdf(x) = erf(x / (scale sqrt 2));   icdf(q) = scale sqrt(2) erfinv(q)

    ``rsample`` is |scale eps| = scale |eps| with eps ~ N(0, 1), so gradients reach ``scale``.
    """

    _unfolded = ("normal", "Normal")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = randn(self._extended_shape(sample_shape), dtype=self.scale.dtype)
        return self.scale * eps.abs()

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        lp = (
            math.log(2.0)
            - x**2 / (2 * self.scale**2)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )
        return api.where(x >= 0, lp, float("-inf"))

    def cdf(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        return api.erf(x / (self.scale * math.sqrt(2)))

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.scale)
        return self.scale * math.sqrt(2) * api.erfinv(q)

    def entropy(self) -> Tensor:
        return 0.5 * math.log(math.pi / 2) + self.scale.log() + 0.5

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self) -> Tensor:
        return self.scale**2 * (1 - 2 / math.pi)
