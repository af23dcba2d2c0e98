"""The Gumbel distribution: the law of the maximum of many draws (the Gumbel-max trick)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..random import default_generator
from ..tensor import Tensor
from .distribution import _LocationScale, as_float

__all__ = ["Gumbel"]

_EULER = 0.57721566490153286061  # the Euler-Mascheroni constant, the mean of Gumbel(0, 1)


class Gumbel(_LocationScale):
    r"""p(x) = exp(-(z + exp(-z))) / scale with z = (x - loc) / scale, per element of the params.

        log p(x) = -(z + exp(-z)) - log scale;   entropy = log scale + 1 + gamma_Euler
        mean = loc + scale gamma_Euler;   mode = loc;   variance = (pi scale)**2 / 6
        cdf(x) = exp(-exp(-z));   icdf(q) = loc - scale log(-log q)

    ``rsample`` is the icdf of a uniform draw u in (0, 1): loc - scale log(-log u).
    """

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        info = np.finfo(self.loc.dtype)
        # u in [tiny, 1 - eps]: log(-log u) stays finite at both ends.
        u = np.clip(default_generator().random(shape), info.tiny, 1 - info.eps)
        return self.loc - self.scale * wrap(np.log(-np.log(u)).astype(self.loc.dtype))

    def log_prob(self, value: Any) -> Tensor:
        z = (self._value(value) - self.loc) / self.scale
        return -(z + (-z).exp()) - self.scale.log()

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + _EULER)

    def cdf(self, value: Any) -> Tensor:
        z = (self._value(value) - self.loc) / self.scale
        return (-(-z).exp()).exp()

    def icdf(self, value: Any) -> Tensor:
        return self.loc - self.scale * (-as_float(value, self.loc).log()).log()

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * _EULER

    @property
    def variance(self) -> Tensor:
        return (math.pi / math.sqrt(6) * self.scale) ** 2

    @property
    def stddev(self) -> Tensor:
        return math.pi / math.sqrt(6) * self.scale

    # PyTorch builds Gumbel as a TransformedDistribution; glassnet computes it directly but
    # gives the same view of it. (Imports are local: transforms and uniform import this layer.)
    @property
    def base_dist(self) -> Any:
        """Uniform(tiny, 1 - eps), the u of x = loc - scale log(-log u)."""
        from ..creation import full_like
        from .uniform import Uniform

        tiny, eps = np.finfo(self.loc.dtype).tiny, np.finfo(self.loc.dtype).eps
        return Uniform(full_like(self.loc, tiny), full_like(self.loc, 1 - eps), validate_args=False)

    @property
    def transforms(self) -> list:
        """u -> log u -> -log u -> log(-log u) -> loc - scale log(-log u)."""
        from .transforms import AffineTransform, ExpTransform

        return [ExpTransform().inv, AffineTransform(0, -1), ExpTransform().inv,
                AffineTransform(self.loc, -self.scale)]  # fmt: skip
