"""The Cauchy (Lorentz) distribution: a ratio of two normals, with no mean and no variance."""

from __future__ import annotations

import math
from typing import Any

from ..autograd import wrap
from ..random import default_generator
from ..tensor import Tensor
from .distribution import _LocationScale, as_float

__all__ = ["Cauchy"]


class Cauchy(_LocationScale):
    r"""p(x) = 1 / (pi scale (1 + ((x - loc) / scale)**2)), per element of ``loc`` and ``scale``.

        log p(x) = -log(pi) - log(scale) - log(1 + z**2),   z = (x - loc) / scale
        entropy = log(4 pi scale);   mode = loc;   mean NaN;   variance inf
        cdf(x) = atan(z) / pi + 1/2;   icdf(q) = loc + scale tan(pi (q - 1/2))

    ``rsample`` is loc + scale c with c standard Cauchy (tan(pi (u - 1/2)), u uniform).
    """

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        c = default_generator().standard_cauchy(shape).astype(self.loc.dtype)
        return self.loc + self.scale * wrap(c)

    def log_prob(self, value: Any) -> Tensor:
        z = (self._value(value) - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - (z * z).log1p()

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()

    def cdf(self, value: Any) -> Tensor:
        return ((self._value(value) - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Any) -> Tensor:
        return self.loc + self.scale * (math.pi * (as_float(value, self.loc) - 0.5)).tan()

    @property
    def mean(self) -> Tensor:
        return self.loc * float("nan")

    @property
    def variance(self) -> Tensor:
        return self.loc * 0 + float("inf")
