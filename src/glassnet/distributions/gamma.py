"""The gamma distribution Gamma(concentration, rate), with a reparameterized (implicit) sample."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Op, wrap
from ..ops import api
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from . import _incomplete, constraints
from .distribution import as_float, float_params
from .exp_family import ExponentialFamily

__all__ = ["Gamma"]


class _StandardGamma(Op):
    """x ~ Gamma(alpha, 1);   dL/dalpha = g dx/dalpha,   dx/dalpha = -(dP(alpha, x)/dalpha) / p(x)

    The draw comes from NumPy's gamma sampler (Marsaglia and Tsang's method) on glassnet's
    generator. Its derivative is the implicit one (Figurnov et al. 2018): the draw is moved with
    alpha so that its CDF value P(alpha, x) stays fixed, which is what PyTorch's gradient of
    ``Gamma.rsample`` approximates. First order only (as in PyTorch).
    """

    def forward(self, alpha):
        x = default_generator().standard_gamma(alpha.astype(np.float64))
        # Tiny concentrations underflow to 0; keep draws inside the support (log x finite).
        self.out_data = np.maximum(x, np.finfo(alpha.dtype).tiny).astype(alpha.dtype)
        return self.out_data

    def backward(self, g):
        (alpha,) = self.inputs
        dx = _incomplete.gamma_sample_grad(alpha.numpy(), self.out_data)
        return (g * wrap(dx.astype(self.out_data.dtype)),)


def standard_gamma(alpha: Tensor) -> Tensor:
    """Draws x ~ Gamma(alpha, 1) of alpha's shape, differentiable in alpha (implicitly)."""
    return _StandardGamma()(alpha)


class _GammaCDF(Op):
    """P(a, y), the regularized lower incomplete gamma function;
    dL/dy = g y^(a-1) e^-y / Gamma(a),   dL/da = g dP/da (a central difference, see _incomplete)"""

    def forward(self, a, y):
        return _incomplete.gamma_cdf(a, y).astype(np.result_type(a, y))

    def backward(self, g):
        a, y = self.inputs
        an, yn = np.broadcast_arrays(a.numpy(), y.numpy())
        dtype = g.dtype
        with np.errstate(divide="ignore", invalid="ignore"):
            pdf = np.where(
                yn > 0, np.exp(_incomplete.gamma_log_pdf(an, np.maximum(yn, 1e-300))), 0.0
            )
        da = _incomplete.gamma_dcdf_da(an, np.maximum(yn, 0))
        return g * wrap(da.astype(dtype)), g * wrap(pdf.astype(dtype))


class Gamma(ExponentialFamily):
    r"""p(x) = rate^a x^(a-1) exp(-rate x) / Gamma(a) for x > 0, a = ``concentration``.

        log p(x) = a log rate + (a - 1) log x - rate x - lgamma(a)
        entropy = a - log rate + lgamma(a) + (1 - a) digamma(a)
        mean = a / rate;   variance = a / rate**2;   mode = max(a - 1, 0) / rate
        cdf(x) = P(a, rate x), the regularized lower incomplete gamma function

    ``rsample`` is x / rate with x ~ Gamma(a, 1): differentiable in rate directly and in a by
    the implicit reparameterization gradient (``_StandardGamma``).
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: Any = None) -> None:
        self.concentration, self.rate = float_params(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return x.clamp(min=float(np.finfo(x.dtype).tiny))

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.rate))
        a = self.concentration
        return a.xlogy(self.rate) + (a - 1).xlogy(x) - self.rate * x - lgamma(a)

    # As an exponential family (exp_family.py): eta = (concentration - 1, -rate),
    # A(eta) = lgamma(eta_1 + 1) + (eta_1 + 1) log(-1 / eta_2), h(x) = 1
    @property
    def _natural_params(self) -> tuple:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()

    _mean_carrier_measure = 0

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1 - a) * api.digamma(a)

    def cdf(self, value: Any) -> Tensor:
        y = self._value(as_float(value, self.rate)) * self.rate
        a, y = float_params(self.concentration, y)
        return _GammaCDF()(a, y)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate**2
