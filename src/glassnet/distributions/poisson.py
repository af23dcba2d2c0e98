"""The Poisson distribution: counts of events at an average rate."""

from __future__ import annotations

from typing import Any

from ..autograd import wrap
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import as_float, float_params
from .exp_family import ExponentialFamily

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    r"""P(k) = rate^k e^-rate / k! for k = 0, 1, 2, ..., one per element of ``rate`` (>= 0).

        log P(k) = k log rate - rate - lgamma(k + 1)   (0 log 0 = 0, so rate 0 gives P(0) = 1)
        mean = variance = rate;   mode = floor(rate)

    Draws are floats holding whole numbers (as in PyTorch), with no gradient.
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: Any = None) -> None:
        (self.rate,) = float_params(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        lam = self.rate.detach().expand(shape).numpy()
        return wrap(default_generator().poisson(lam).astype(self.rate.dtype))

    def log_prob(self, value: Any) -> Tensor:
        k = self._value(as_float(value, self.rate))
        return k.xlogy(self.rate) - self.rate - lgamma(k + 1)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    # As an exponential family (exp_family.py): eta = log rate, A(eta) = exp(eta),
    # h(x) = 1 / x! (whose mean has no closed form, so no entropy from it)
    @property
    def _natural_params(self) -> tuple:
        return (self.rate.log(),)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.exp()
