"""Student's t distribution with df degrees of freedom, location and scale."""

from __future__ import annotations

import math
from typing import Any

from ..autograd import wrap
from ..ops import api
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, float_params
from .gamma import standard_gamma

__all__ = ["StudentT"]


class StudentT(Distribution):
    r"""X = loc + scale Y, Y = Z / sqrt(V / df) with Z ~ N(0, 1) and V ~ Chi2(df).

        log p(x) = -(df + 1)/2 log(1 + y**2 / df) - log scale - log(sqrt(df) B(1/2, df/2)),
                   y = (x - loc) / scale
        entropy = log scale + (df + 1)/2 (psi((df + 1)/2) - psi(df/2)) + 1/2 log df + log B(1/2, df/2)
        mean = loc (df > 1, else NaN);   mode = loc
        variance = scale**2 df / (df - 2) (df > 2; inf for 1 < df <= 2; NaN for df <= 1)

    ``rsample`` draws V = 2 Gamma(df / 2, 1), so gradients reach df (implicitly), loc and scale.
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}  # fmt: skip
    support = constraints.real
    has_rsample = True

    def __init__(
        self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: Any = None
    ) -> None:
        self.df, self.loc, self.scale = float_params(df, loc, scale)
        super().__init__(self.df.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        z = wrap(default_generator().standard_normal(shape).astype(self.df.dtype))
        v = 2 * standard_gamma((0.5 * self.df).expand(shape))  # Chi2(df)
        return self.loc + self.scale * z * (v / self.df).rsqrt()

    def _log_beta_half(self) -> Tensor:
        """log B(1/2, df/2) = lgamma(1/2) + lgamma(df/2) - lgamma((df + 1)/2)"""
        return math.lgamma(0.5) + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1))

    def log_prob(self, value: Any) -> Tensor:
        y = (self._value(value) - self.loc) / self.scale
        return (
            -0.5 * (self.df + 1) * (y * y / self.df).log1p()
            - self.scale.log()
            - 0.5 * self.df.log()
            - self._log_beta_half()
        )

    def entropy(self) -> Tensor:
        half = 0.5 * self.df
        return (
            self.scale.log()
            + (half + 0.5) * (api.digamma(half + 0.5) - api.digamma(half))
            + 0.5 * self.df.log()
            + self._log_beta_half()
        )

    @property
    def mean(self) -> Tensor:
        return api.where(self.df > 1, self.loc, self.loc * float("nan"))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        finite = self.scale**2 * self.df / (self.df - 2)
        zero = self.df.detach() * 0
        undefined = api.where(self.df > 1, zero + float("inf"), zero + float("nan"))
        return api.where(self.df > 2, finite, undefined)
