"""The inverse gamma distribution: X = 1 / Y with Y ~ Gamma(concentration, rate)."""

from __future__ import annotations

from typing import Any

from ..ops import api
from ..ops.api import lgamma
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    r"""X = 1 / Y, Y ~ Gamma(a, b) with a = ``concentration`` and b = ``rate`` (both > 0):

        p(x) = b^a x^(-a-1) exp(-b / x) / Gamma(a)                    (x > 0)
        log p(x) = a log b - (a + 1) log x - b / x - lgamma(a)
        entropy = a + log b + lgamma(a) - (1 + a) digamma(a)
        mean = b / (a - 1) (inf for a <= 1);   mode = b / (a + 1)
        variance = b**2 / ((a - 1)**2 (a - 2))   (inf for a <= 2)
        cdf(x) = Q(a, b / x), the upper regularized incomplete gamma function

    The TransformedDistribution of Gamma(a, b) through PowerTransform(-1), as in PyTorch:
    ``rsample`` is 1 / (a Gamma draw), differentiable in b directly and in a implicitly.
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: Any = None) -> None:
        concentration, rate = float_params(concentration, rate)
        self.concentration, self.rate = concentration, rate
        # Checked under this family's name first, so a bad rate is reported as InverseGamma's.
        Distribution.__init__(self, concentration.shape, validate_args=validate_args)
        self.base_dist = Gamma(concentration, rate, validate_args=False)
        self.transforms = [PowerTransform(-rate.new_ones(()))]

    def expand(self, batch_shape: Any, _instance: Any = None) -> InverseGamma:
        batch_shape = tuple(batch_shape)
        return InverseGamma(
            self.concentration.expand(batch_shape), self.rate.expand(batch_shape),
            validate_args=False,
        )  # fmt: skip

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.rate))
        a, b = self.concentration, self.rate
        return a.xlogy(b) - (a + 1) * x.log() - b / x - lgamma(a)

    def entropy(self) -> Tensor:
        a, b = self.concentration, self.rate
        return a + b.log() + lgamma(a) - (1 + a) * api.digamma(a)

    @property
    def mean(self) -> Tensor:
        a = self.concentration
        return api.where(a > 1, self.rate / (a.clamp(min=1) - 1), float("inf"))

    @property
    def mode(self) -> Tensor:
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Tensor:
        a = self.concentration.clamp(min=2)
        finite = self.rate**2 / ((a - 1) ** 2 * (a - 2))
        return api.where(self.concentration > 2, finite, float("inf"))

    def __repr__(self) -> str:
        return f"InverseGamma(batch_shape={self.batch_shape})"
