"""The Dirichlet distribution over probability vectors (the simplex), with concentration alpha."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Op, wrap
from ..nn import functional as F
from ..ops import api
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import _incomplete, constraints
from .distribution import as_float
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class _DirichletSample(Op):
    """x ~ Dirichlet(alpha) as x = y / sum(y), y_i ~ Gamma(alpha_i, 1);
    dL/dalpha_i = D_i (g_i - sum_j x_j g_j),   D_i = (dx_i/dalpha_i of Beta(alpha_i, A - alpha_i)) / (1 - x_i)

    with A = sum_j alpha_j. Each x_i alone is Beta(alpha_i, A - alpha_i); D_i is that Beta's
    implicit reparameterization gradient scaled by 1 / (1 - x_i), and the bracket keeps the
    change of x on the simplex (the pathwise gradient of Jankowiak and Obermeyer 2018, the one
    PyTorch's ``Dirichlet.rsample`` uses). First order only.
    """

    def forward(self, alpha):
        y = default_generator().standard_gamma(alpha.astype(np.float64))
        with np.errstate(invalid="ignore"):
            x = y / y.sum(-1, keepdims=True)
        info = np.finfo(alpha.dtype)
        self.out_data = np.clip(x, info.tiny, 1 - info.eps).astype(alpha.dtype)
        return self.out_data

    def backward(self, g):
        (alpha,) = self.inputs
        a = alpha.numpy().astype(np.float64)
        x = self.out_data.astype(np.float64)
        total = a.sum(-1, keepdims=True)
        d = _incomplete.beta_sample_grad_a(a, total - a, x) / (1 - x)
        d = wrap(d.astype(self.out_data.dtype))
        return (d * (g - (self.output().detach() * g).sum(-1, keepdim=True)),)


class Dirichlet(ExponentialFamily):
    r"""p(x) = Gamma(A) / prod_i Gamma(alpha_i) * prod_i x_i^(alpha_i - 1) on the simplex
    (x_i >= 0, sum_i x_i = 1), A = sum_i alpha_i; ``concentration`` is alpha (..., K), K >= 1.

        log p(x) = sum_i (alpha_i - 1) log x_i + lgamma(A) - sum_i lgamma(alpha_i)
        entropy = log B(alpha) + (A - K) psi(A) - sum_i (alpha_i - 1) psi(alpha_i)
        mean = alpha / A;   variance = alpha (A - alpha) / (A**2 (A + 1))
        mode = (alpha - 1) / (A - K) (each alpha_i > 1)

    ``rsample`` is differentiable in alpha (``_DirichletSample``). event_shape is (K,).
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: Any = None) -> None:
        c = as_tensor(concentration)
        if c.dtype.kind != "f":
            c = c.float()
        if c.ndim < 1:
            raise ValueError(
                "Dirichlet: concentration must have at least one dimension (the categories), "
                f"got shape {tuple(c.shape)}"
            )
        self.concentration = c
        super().__init__(c.shape[:-1], c.shape[-1:], validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return _DirichletSample()(self.concentration.expand(shape))

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.concentration))
        a = self.concentration
        return (a - 1).xlogy(x).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    # As an exponential family (exp_family.py): eta = concentration,
    # A(eta) = sum_i lgamma(eta_i) - lgamma(sum_i eta_i)
    @property
    def _natural_params(self) -> tuple:
        return (self.concentration,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))

    def entropy(self) -> Tensor:
        a = self.concentration
        k = a.shape[-1]
        total = a.sum(-1)
        log_beta = lgamma(a).sum(-1) - lgamma(total)
        return log_beta + (total - k) * api.digamma(total) - ((a - 1) * api.digamma(a)).sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        # (alpha - 1)+ normalized; when every alpha_i < 1 the density is infinite at every
        # corner (no single mode) and PyTorch names the first corner e_0; glassnet does the same.
        am1 = (self.concentration - 1).clamp(min=0)
        mode = am1 / am1.sum(-1, keepdim=True)
        first = np.zeros(am1.shape[:-1], dtype=np.int64)
        corner = F.one_hot(as_tensor(first), am1.shape[-1]).to(am1.dtype)
        all_small = (self.concentration < 1).all(-1, keepdim=True)
        return api.where(all_small, corner, mode)

    @property
    def variance(self) -> Tensor:
        a = self.concentration
        total = a.sum(-1, keepdim=True)
        return a * (total - a) / (total**2 * (total + 1))
