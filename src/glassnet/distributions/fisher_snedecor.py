"""The Fisher-Snedecor (F) distribution: the ratio of two scaled chi-squared variables."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import api
from ..ops.api import lgamma
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params
from .gamma import standard_gamma

__all__ = ["FisherSnedecor"]


class FisherSnedecor(Distribution):
    r"""X = (U1 / d1) / (U2 / d2) with U_i ~ chi-squared(d_i), d1 = ``df1``, d2 = ``df2`` (> 0).

        log p(x) = lgamma((d1 + d2) / 2) - lgamma(d1 / 2) - lgamma(d2 / 2)
                   + d1/2 log(d1 / d2) + (d1/2 - 1) log x - (d1 + d2)/2 log(1 + d1 x / d2)
        mean = d2 / (d2 - 2)                                         (NaN for d2 <= 2)
        mode = (d1 - 2) / d1 * d2 / (d2 + 2)                         (NaN for d1 <= 2)
        variance = 2 d2**2 (d1 + d2 - 2) / (d1 (d2 - 2)**2 (d2 - 4))   (NaN for d2 <= 4)

    (The NaNs where a moment does not exist follow PyTorch.) ``rsample`` divides two gamma
    draws, U_i / d_i = G_i / (d_i / 2) with G_i ~ Gamma(d_i / 2, 1): gradients reach d1 and d2
    by the gammas' implicit reparameterization.
    """

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1: Any, df2: Any, validate_args: Any = None) -> None:
        self.df1, self.df2 = float_params(df1, df2)
        super().__init__(self.df1.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        tiny = float(np.finfo(self.df1.dtype).tiny)
        d1, d2 = self.df1.expand(shape), self.df2.expand(shape)
        top = standard_gamma(0.5 * d1) / d1
        bottom = (standard_gamma(0.5 * d2) / d2).clamp(min=tiny)
        return (top / bottom).clamp(min=tiny)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.df1))
        h1, h2 = 0.5 * self.df1, 0.5 * self.df2
        ratio = self.df1 / self.df2
        return (
            lgamma(h1 + h2) - lgamma(h1) - lgamma(h2)
            + h1 * ratio.log() + (h1 - 1).xlogy(x) - (h1 + h2) * (ratio * x).log1p()
        )  # fmt: skip

    @property
    def mean(self) -> Tensor:
        d2 = self.df2
        return api.where(d2 > 2, d2 / (d2 - 2), float("nan"))

    @property
    def mode(self) -> Tensor:
        d1, d2 = self.df1, self.df2
        return api.where(d1 > 2, (d1 - 2) / d1 * d2 / (d2 + 2), float("nan"))

    @property
    def variance(self) -> Tensor:
        d1, d2 = self.df1, self.df2
        finite = 2 * d2**2 * (d1 + d2 - 2) / (d1 * (d2 - 2) ** 2 * (d2 - 4))
        return api.where(d2 > 4, finite, float("nan"))
