"""The Pareto distribution Pareto(scale, alpha): power-law tails above a minimum value."""

from __future__ import annotations

from typing import Any

from ..autograd import wrap
from ..ops import api
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params

__all__ = ["Pareto"]


class Pareto(Distribution):
    r"""p(x) = alpha scale^alpha / x^(alpha+1) for x >= scale (both parameters > 0).

        log p(x) = log alpha + alpha log scale - (alpha + 1) log x
        cdf(x) = 1 - (scale / x)^alpha;   icdf(q) = scale (1 - q)^(-1/alpha)
        entropy = log(scale / alpha) + 1/alpha + 1;   mode = scale
        mean = alpha scale / (alpha - 1)                          (inf for alpha <= 1)
        variance = scale**2 alpha / ((alpha - 1)**2 (alpha - 2))   (inf for alpha <= 2)

    ``rsample`` is scale exp(e / alpha) with e ~ Exponential(1) (log(x / scale) is exponential
    with rate alpha), so gradients reach both parameters through the draw.
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}
    has_rsample = True

    def __init__(self, scale: Any, alpha: Any, validate_args: Any = None) -> None:
        self.scale, self.alpha = float_params(scale, alpha)
        super().__init__(self.scale.shape, validate_args=validate_args)

    @property
    def support(self) -> Any:  # type: ignore[override]
        """x >= scale: the support moves with the parameter."""
        return constraints.greater_than_eq(self.scale)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        e = wrap(default_generator().standard_exponential(shape).astype(self.scale.dtype))
        return self.scale * (e / self.alpha).exp()

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        a = self.alpha
        return a.log() + a * self.scale.log() - (a + 1) * x.log()

    def cdf(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.scale))
        return -(self.alpha * (self.scale / x).log()).expm1()

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.scale)
        return self.scale * (-(-q).log1p() / self.alpha).exp()

    def entropy(self) -> Tensor:
        return (self.scale / self.alpha).log() + self.alpha.reciprocal() + 1

    @property
    def mean(self) -> Tensor:
        a = self.alpha.clamp(min=1)
        return api.where(self.alpha > 1, a * self.scale / (a - 1), float("inf"))

    @property
    def mode(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        a = self.alpha.clamp(min=2)
        finite = self.scale**2 * a / ((a - 1) ** 2 * (a - 2))
        return api.where(self.alpha > 2, finite, float("inf"))

    # PyTorch builds Pareto as a TransformedDistribution; glassnet computes it directly but gives
    # the same view of it. (Imports are local: transforms and exponential import this layer.)
    @property
    def base_dist(self) -> Any:
        """Exponential(alpha), the e of x = scale exp(e)."""
        from .exponential import Exponential

        return Exponential(self.alpha, validate_args=False)

    @property
    def transforms(self) -> list:
        """e -> exp(e) -> scale exp(e)."""
        from .transforms import AffineTransform, ExpTransform

        return [ExpTransform(), AffineTransform(0, self.scale)]
