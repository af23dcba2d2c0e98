"""The log-normal distribution: X = exp(Y) with Y ~ N(loc, scale**2)."""

from __future__ import annotations

import math
from typing import Any

from ..ops import api
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    r"""X = exp(Y), Y ~ Normal(loc, scale): ``loc`` and ``scale`` are those of log X.

        log p(x) = log N(log x; loc, scale) - log x       (the change of variables y = log x)
        entropy = entropy of N(loc, scale) + loc
        mean = exp(loc + scale**2 / 2);   mode = exp(loc - scale**2)
        variance = (exp(scale**2) - 1) exp(2 loc + scale**2)
        cdf(x) = Phi((log x - loc) / scale);   icdf(q) = exp(loc + scale Phi^-1(q))

    ``rsample`` is exp(loc + scale eps), so gradients reach loc and scale through the draw.
    It is the TransformedDistribution of ``base_dist`` (the Normal of log X) through
    ``ExpTransform``, as in PyTorch, with the closed forms above for its moments.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}

    def __init__(self, loc: Any, scale: Any, validate_args: Any = None) -> None:
        self.loc, self.scale = float_params(loc, scale)
        # Checked as LogNormal's parameters first, so a bad scale is reported under this name.
        Distribution.__init__(self, self.loc.shape, validate_args=validate_args)
        self.base_dist = Normal(self.loc, self.scale, validate_args=False)
        self.transforms = [ExpTransform()]

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints.positive

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogNormal:
        new = Distribution.expand(self, batch_shape)
        new.base_dist = Normal(new.loc, new.scale, validate_args=False)
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        y = x.log()
        return self.base_dist.log_prob(y) - y

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc

    def cdf(self, value: Any) -> Tensor:
        z = (self._value(value).log() - self.loc) / (self.scale * math.sqrt(2))
        return 0.5 * (1 + api.erf(z))

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.loc)
        return (self.loc + self.scale * math.sqrt(2) * api.erfinv(2 * q - 1)).exp()

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale**2 / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale**2).exp()

    @property
    def variance(self) -> Tensor:
        s2 = self.scale**2
        return s2.expm1() * (2 * self.loc + s2).exp()
