"""The beta distribution Beta(concentration1, concentration0) on (0, 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Op, wrap
from ..creation import ones_like
from ..ops import api
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from . import _incomplete
from .distribution import _UnitIntervalPair, as_float
from .exp_family import ExponentialFamily

__all__ = ["Beta"]


class _BetaSample(Op):
    """x ~ Beta(a, b);   dx/da = -(dI_x(a, b)/da) / p(x),   dx/db = +(dI_{1-x}(b, a)/db) / p(x)

    The implicit reparameterization gradient (the draw moves with a and b so that its CDF value
    I_x(a, b) stays fixed); since 1 - x ~ Beta(b, a), dx/db = -d(1 - x)/db is the same formula
    with the roles swapped. PyTorch's ``Beta.rsample`` gradient approximates the same quantity.
    """

    def forward(self, a, b):
        dtype = np.result_type(a, b)
        x = default_generator().beta(a.astype(np.float64), b.astype(np.float64))
        info = np.finfo(dtype)
        self.out_data = np.clip(x, info.tiny, 1 - info.eps).astype(dtype)
        return self.out_data

    def backward(self, g):
        a, b = (t.numpy() for t in self.inputs)
        x = self.out_data.astype(np.float64)
        da = _incomplete.beta_sample_grad_a(a, b, x)
        db = -_incomplete.beta_sample_grad_a(b, a, 1 - x)
        dtype = self.out_data.dtype
        return g * wrap(da.astype(dtype)), g * wrap(db.astype(dtype))


class Beta(ExponentialFamily, _UnitIntervalPair):
    r"""p(x) = x^(a-1) (1 - x)^(b-1) / B(a, b) on (0, 1), a = ``concentration1``,
    b = ``concentration0`` (both > 0); B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b).

        log p(x) = (a - 1) log x + (b - 1) log(1 - x) - log B(a, b)
        entropy = log B(a, b) - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b)
        mean = a / (a + b);   variance = a b / ((a + b)**2 (a + b + 1))
        mode = (a - 1) / (a + b - 2) (for a, b > 1)

    ``rsample`` is differentiable in a and b by the implicit reparameterization gradient.
    """

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return _BetaSample()(self.concentration1.expand(shape), self.concentration0.expand(shape))

    def _log_beta(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.concentration1))
        a, b = self.concentration1, self.concentration0
        return (a - 1).xlogy(x) + (b - 1).xlogy(1 - x) - self._log_beta()

    # As an exponential family (exp_family.py): eta = (concentration1, concentration0),
    # A(eta) = lgamma(eta_1) + lgamma(eta_2) - lgamma(eta_1 + eta_2)
    @property
    def _natural_params(self) -> tuple:
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return lgamma(x) + lgamma(y) - lgamma(x + y)

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return (
            self._log_beta()
            - (a - 1) * api.digamma(a)
            - (b - 1) * api.digamma(b)
            + (a + b - 2) * api.digamma(a + b)
        )

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        # PyTorch's Dirichlet rule on (a, b): (a - 1)+ / ((a - 1)+ + (b - 1)+). When both are
        # below 1 the density is infinite at both ends (no single mode) and PyTorch names the
        # end x = 1 (the first vertex of its Dirichlet); so does glassnet, for the same answer.
        a1 = (self.concentration1 - 1).clamp(min=0)
        b1 = (self.concentration0 - 1).clamp(min=0)
        both_small = (self.concentration1 < 1) & (self.concentration0 < 1)
        return api.where(both_small, ones_like(a1), a1 / (a1 + b1))

    @property
    def variance(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total**2 * (total + 1))
