"""The Laplace (double exponential) distribution with location mu and scale b."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..random import default_generator
from ..tensor import Tensor
from .distribution import _LocationScale, as_float

__all__ = ["Laplace"]


class Laplace(_LocationScale):
    r"""p(x) = exp(-|x - loc| / scale) / (2 scale), one per element of ``loc`` and ``scale``.

        log p(x) = -log(2 scale) - |x - loc| / scale;   entropy = 1 + log(2 scale)
        mean = mode = loc;   variance = 2 scale**2
        cdf(x) = 1/2 - 1/2 sign(x - loc) (exp(-|x - loc| / scale) - 1)
        icdf(q) = loc - scale sign(q - 1/2) log(1 - 2 |q - 1/2|)

    ``rsample`` is the icdf of a uniform draw: loc - scale sign(u) log(1 - |u|), u uniform in
    (-1, 1), so gradients reach loc and scale through the draw.
    """

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = np.finfo(self.loc.dtype).eps
        u = wrap(default_generator().uniform(eps - 1, 1, shape).astype(self.loc.dtype))
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        return -(2 * self.scale).log() - (x - self.loc).abs() / self.scale

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()

    def cdf(self, value: Any) -> Tensor:
        z = self._value(value) - self.loc
        return 0.5 - 0.5 * z.sign() * (-z.abs() / self.scale).expm1()

    def icdf(self, value: Any) -> Tensor:
        d = as_float(value, self.loc) - 0.5
        return self.loc - self.scale * d.sign() * (-2 * d.abs()).log1p()

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale**2

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale
