"""The exponential distribution with rate lambda: the waiting time of a Poisson process."""

from __future__ import annotations

from typing import Any

from ..autograd import wrap
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import as_float, float_params
from .exp_family import ExponentialFamily

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    r"""p(x) = rate exp(-rate x) for x >= 0, one per element of ``rate`` (> 0).

        log p(x) = log rate - rate x;   entropy = 1 - log rate
        mean = 1 / rate;   variance = 1 / rate**2;   mode = 0
        cdf(x) = 1 - exp(-rate x);   icdf(q) = -log(1 - q) / rate

    ``rsample`` is e / rate with e ~ Exponential(1) drawn apart from the parameter, so gradients
    reach ``rate`` through the draw (d/d rate of e / rate = -e / rate**2).
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: Any = None) -> None:
        (self.rate,) = float_params(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        e = default_generator().standard_exponential(shape).astype(self.rate.dtype)
        return wrap(e) / self.rate

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        return self.rate.log() - self.rate * x

    # As an exponential family (exp_family.py): eta = -rate, A(eta) = -log(-eta), h(x) = 1
    @property
    def _natural_params(self) -> tuple:
        return (-self.rate,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return -(-x).log()

    _mean_carrier_measure = 0

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()

    def cdf(self, value: Any) -> Tensor:
        return 1 - (-self.rate * self._value(value)).exp()

    def icdf(self, value: Any) -> Tensor:
        return -(-as_float(value, self.rate)).log1p() / self.rate

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()
