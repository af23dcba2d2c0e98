"""The Kumaraswamy distribution on (0, 1): a Beta look-alike with a closed-form cdf and icdf."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import wrap
from ..ops import api
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from .distribution import _UnitIntervalPair, as_float

__all__ = ["Kumaraswamy"]

_EULER_GAMMA = 0.57721566490153286061


class Kumaraswamy(_UnitIntervalPair):
    r"""p(x) = a b x^(a-1) (1 - x^a)^(b-1) on (0, 1), a = ``concentration1``,
    b = ``concentration0`` (both > 0, broadcast together).

        log p(x) = log a + log b + (a - 1) log x + (b - 1) log(1 - x^a)
        cdf(x) = 1 - (1 - x^a)^b;   icdf(q) = (1 - (1 - q)^(1/b))^(1/a)
        E[x^k] = b B(1 + k/a, b) = b Gamma(1 + k/a) Gamma(b) / Gamma(1 + k/a + b)
        mean = E[x];   variance = E[x**2] - E[x]**2
        mode = ((a - 1) / (a b - 1))^(1/a)   (for a, b >= 1, else NaN; PyTorch 2.13 gives NaN
               for b > 1 too, a bug)
        entropy = (1 - 1/b) + (1 - 1/a) H_b - log(a b),   H_b = digamma(b + 1) + g (g Euler's)

    ``rsample`` is icdf(u) for u uniform, so gradients reach a and b through the draw.
    """

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        dtype = self.concentration1.dtype
        # u in (0, 1): 0 would give x = 0, where log p is -inf.
        u = np.maximum(default_generator().random(shape), np.finfo(dtype).tiny)
        return self._icdf(wrap(u.astype(dtype)))

    def _icdf(self, q: Tensor) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return (-((b.reciprocal() * (-q).log1p()).expm1())).pow(a.reciprocal())

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.concentration1))
        a, b = self.concentration1, self.concentration0
        return a.log() + b.log() + (a - 1).xlogy(x) + (b - 1) * (-x.pow(a)).log1p()

    def cdf(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.concentration1))
        a, b = self.concentration1, self.concentration0
        return -(b * (-x.pow(a)).log1p()).expm1()

    def icdf(self, value: Any) -> Tensor:
        return self._icdf(as_float(value, self.concentration1))

    def _moment(self, k: int) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return b * (lgamma(1 + k / a) + lgamma(b) - lgamma(1 + k / a + b)).exp()

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        harmonic = api.digamma(b + 1) + _EULER_GAMMA
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic - (a * b).log()

    @property
    def mean(self) -> Tensor:
        return self._moment(1)

    @property
    def mode(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        inside = ((a - 1) / (a * b - 1)).pow(a.reciprocal())
        return api.where((a < 1) | (b < 1), float("nan"), inside)

    @property
    def variance(self) -> Tensor:
        return self._moment(2) - self._moment(1) ** 2

    # PyTorch builds Kumaraswamy as a TransformedDistribution; glassnet computes it directly but
    # gives the same view of it. (Imports are local: transforms and uniform import this layer.)
    @property
    def base_dist(self) -> Any:
        """Uniform(0, 1), the u of x = (1 - u^(1/b))^(1/a)."""
        from ..creation import ones_like, zeros_like
        from .uniform import Uniform

        a = self.concentration1
        return Uniform(zeros_like(a), ones_like(a), validate_args=False)

    @property
    def transforms(self) -> list:
        """u -> u^(1/b) -> 1 - u^(1/b) -> (1 - u^(1/b))^(1/a)."""
        from .transforms import AffineTransform, PowerTransform

        return [PowerTransform(self.concentration0.reciprocal()), AffineTransform(1.0, -1.0),
                PowerTransform(self.concentration1.reciprocal())]  # fmt: skip
