"""The generalized Pareto distribution GeneralizedPareto(loc, scale, concentration): the law of exceedances over a high threshold."""

from __future__ import annotations

from typing import Any

from ..autograd import wrap
from ..ops import api
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    r"""With z = (x - loc) / scale, scale > 0 and shape xi = ``concentration`` (any real):

        survival S(x) = (1 + xi z)^(-1/xi)    (xi != 0),    exp(-z)    (xi = 0)
        log p(x) = -log scale - (1/xi + 1) log(1 + xi z)    (xi != 0),    -log scale - z  (xi = 0)
        icdf(q) = loc + scale ((1 - q)^(-xi) - 1) / xi      (xi != 0),    loc - scale log(1 - q)
        support: x >= loc, and also x <= loc - scale / xi when xi < 0
        mean = loc + scale / (1 - xi)  (xi < 1, else nan)
        variance = scale**2 / ((1 - xi)**2 (1 - 2 xi))  (xi < 1/2, else nan)
        entropy = log scale + xi + 1;   mode = loc

    xi = 0 is the exponential distribution shifted to loc; xi > 0 a Pareto tail; xi < 0 a
    bounded one. ``rsample`` is icdf(u) for u ~ Uniform(0, 1), so gradients reach all three
    parameters. Shape parameters within 1e-8 of 0 use the xi = 0 forms (the xi != 0 forms
    divide by xi there).
    """

    arg_constraints = {
        "loc": constraints.real,
        "scale": constraints.positive,
        "concentration": constraints.real,
    }
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, concentration: Any, validate_args: Any = None) -> None:
        self.loc, self.scale, self.concentration = float_params(loc, scale, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def support(self) -> Any:  # type: ignore[override]
        """loc <= x <= loc - scale / xi for xi < 0, loc <= x otherwise (moves with the parameters)."""
        xi = self.concentration
        upper = api.where(xi < 0, self.loc - self.scale / api.where(xi < 0, xi, -1.0), float("inf"))
        return constraints.interval(self.loc, upper)

    def _near_zero(self) -> tuple[Tensor, Tensor]:
        """(mask of xi ~ 0, xi with those entries set to 1 so the xi != 0 forms stay finite)."""
        xi = self.concentration
        zero = xi.abs() <= 1e-8
        return zero, api.where(zero, 1.0, xi)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = wrap(default_generator().random(shape).astype(self.loc.dtype))
        return self.icdf(u)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.loc))
        z = (x - self.loc) / self.scale
        zero, xi = self._near_zero()
        power = 1 / xi + 1
        log_base = (xi * z).log1p()
        # xi = -1 (the uniform) has power 0, which meets log 0 = -inf at the upper end x =
        # loc + scale: the term is 0 there. (Only there: elsewhere its derivative in xi,
        # -log(1 + xi z) / xi**2, is not 0, so the guard must not cover the interior.)
        nonzero = api.where((power == 0) & (log_base == float("-inf")), 0.0, power * log_base)
        return -self.scale.log() - api.where(zero, z, nonzero)

    def log_survival_function(self, value: Any) -> Tensor:
        """log S(x) = -log(1 + xi z) / xi   (xi != 0),   -z   (xi = 0)"""
        x = self._value(as_float(value, self.loc))
        z = (x - self.loc) / self.scale
        zero, xi = self._near_zero()
        return api.where(zero, -z, -(xi * z).log1p() / xi)

    def log_cdf(self, value: Any) -> Tensor:
        """log F(x) = log(1 - S(x))"""
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value: Any) -> Tensor:
        return self.log_cdf(value).exp()

    def icdf(self, value: Any) -> Tensor:
        q = as_float(value, self.loc)
        zero, xi = self._near_zero()
        log_left = (-q).log1p()  # log(1 - q)
        nonzero = self.loc + self.scale / xi * (-xi * log_left).expm1()
        return api.where(zero, self.loc - self.scale * log_left, nonzero)

    @property
    def mean(self) -> Tensor:
        xi = self.concentration
        valid = xi < 1
        result = self.loc + self.scale / (1 - api.where(valid, xi, 0.5))
        return api.where(valid, result, float("nan"))

    @property
    def variance(self) -> Tensor:
        xi = self.concentration
        valid = xi < 0.5
        safe = api.where(valid, xi, 0.25)
        result = self.scale**2 / ((1 - safe) ** 2 * (1 - 2 * safe))
        return api.where(valid, result, float("nan"))

    def entropy(self) -> Tensor:
        return self.scale.log() + self.concentration + 1

    @property
    def mode(self) -> Tensor:
        return self.loc
