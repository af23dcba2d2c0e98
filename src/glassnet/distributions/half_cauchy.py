"""The half-Cauchy distribution: |X| for X ~ Cauchy(0, scale), a heavy-tailed prior for scales."""

from __future__ import annotations

import math
from typing import Any

from ..autograd import wrap
from ..ops import api
from ..random import default_generator
from ..tensor import Tensor
from .distribution import _FoldedAtZero, as_float

__all__ = ["HalfCauchy"]


class HalfCauchy(_FoldedAtZero):
    r"""|X| with X ~ Cauchy(0, scale), one per element of ``scale`` (> 0); values x >= 0.

        log p(x) = log 2 - log(pi) - log(scale) - log(1 + (x / scale)**2)   (x >= 0; else -inf)
        entropy = log(2 pi scale);   mean inf;   variance inf;   mode = 0
        cdf(x) = 2 atan(x / scale) / pi;   icdf(q) = scale tan(pi q / 2)

    ``rsample`` is scale |c| with c standard Cauchy, so gradients reach ``scale``.
    """

    _unfolded = ("cauchy", "Cauchy")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        c = default_generator().standard_cauchy(shape).astype(self.scale.dtype)
        return self.scale * wrap(c).abs()

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        z = x / self.scale
        lp = math.log(2 / math.pi) - self.scale.log() - (z * z).log1p()
        return api.where(x >= 0, lp, float("-inf"))

    def cdf(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        return (x / self.scale).atan() * (2 / math.pi)

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.scale)
        return self.scale * (q * (math.pi / 2)).tan()

    def entropy(self) -> Tensor:
        return math.log(2 * math.pi) + self.scale.log()

    @property
    def mean(self) -> Tensor:
        return self.scale * 0 + float("inf")

    @property
    def variance(self) -> Tensor:
        return self.scale * 0 + float("inf")
