"""The Weibull distribution Weibull(scale, concentration): lifetimes whose hazard grows as a power."""

from __future__ import annotations

from typing import Any

from ..autograd import wrap
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params

__all__ = ["Weibull"]

_EULER_GAMMA = 0.57721566490153286061


class Weibull(Distribution):
    r"""p(x) = (k / s) (x / s)^(k-1) exp(-(x / s)^k) for x >= 0, s = ``scale``,
    k = ``concentration`` (both > 0, broadcast together).

        log p(x) = log(k / s) + (k - 1) log(x / s) - (x / s)^k
        cdf(x) = 1 - exp(-(x / s)^k);   icdf(q) = s (-log(1 - q))^(1/k)
        entropy = g (1 - 1/k) + log(s / k) + 1   (g = Euler's constant 0.5772...)
        mean = s Gamma(1 + 1/k);   variance = s**2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)**2)
        mode = s ((k - 1) / k)^(1/k)   (NaN for k < 1, as in PyTorch)

    ``rsample`` is s e^(1/k) with e ~ Exponential(1) (the icdf of a uniform draw), so gradients
    reach both parameters through the draw.
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, scale: Any, concentration: Any, validate_args: Any = None) -> None:
        self.scale, self.concentration = float_params(scale, concentration)
        super().__init__(self.scale.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        e = wrap(default_generator().standard_exponential(shape).astype(self.scale.dtype))
        return self.scale * e.pow(self.concentration.reciprocal())

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        k = self.concentration
        z = x / self.scale
        return (k / self.scale).log() + (k - 1).xlogy(z) - z.pow(k)

    def cdf(self, value: Any) -> Tensor:
        z = self._value(as_float(value, self.scale)) / self.scale
        return -(-z.pow(self.concentration)).expm1()

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.scale)
        return self.scale * (-(-q).log1p()).pow(self.concentration.reciprocal())

    def entropy(self) -> Tensor:
        k = self.concentration
        return _EULER_GAMMA * (1 - k.reciprocal()) + (self.scale / k).log() + 1

    @property
    def mean(self) -> Tensor:
        return self.scale * lgamma(1 + self.concentration.reciprocal()).exp()

    @property
    def mode(self) -> Tensor:
        k = self.concentration
        return self.scale * ((k - 1) / k).pow(k.reciprocal())

    @property
    def variance(self) -> Tensor:
        k = self.concentration
        first = lgamma(1 + k.reciprocal()).exp()
        return self.scale**2 * (lgamma(1 + 2 * k.reciprocal()).exp() - first**2)

    @property
    def concentration_reciprocal(self) -> Tensor:
        """1 / concentration (the exponent of the inverse-CDF map u -> scale (-log(1 - u))^(1/k))."""
        return self.concentration.reciprocal()

    # PyTorch builds Weibull as a TransformedDistribution; glassnet computes it directly but
    # gives the same view of it. (Imports are local: transforms and exponential import this layer.)
    @property
    def base_dist(self) -> Any:
        """Exponential(1), the e of x = scale e^(1/k)."""
        from ..creation import ones_like
        from .exponential import Exponential

        return Exponential(ones_like(self.scale), validate_args=False)

    @property
    def transforms(self) -> list:
        """e -> e^(1/k) -> scale e^(1/k)."""
        from .transforms import AffineTransform, PowerTransform

        return [PowerTransform(self.concentration_reciprocal), AffineTransform(0, self.scale)]
