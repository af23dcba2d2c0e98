"""The LKJ distribution over Cholesky factors of correlation matrices, LKJCholesky(dim, concentration)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import no_grad, wrap
from ..ops import api
from ..ops.special import mvlgamma
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .beta import Beta
from .distribution import Distribution, float_params

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    r"""The law of the lower Cholesky factor L of a d x d correlation matrix C = L L^T whose
    density over correlation matrices is proportional to det(C)^(eta - 1), eta = ``concentration``
    > 0 (eta = 1: uniform over correlation matrices; larger eta: closer to the identity).

    In terms of L (det C = prod_i L_ii**2, and the map L -> C has Jacobian prod_i L_ii^(d - i)
    with rows i = 1..d), the density of L on the set of such factors is

        log p(L) = sum_{i=2}^{d} (d - i + 2 (eta - 1)) log L_ii - log c_d(eta)
        log c_d(eta) = (d - 1)/2 log pi + ln Gamma_{d-1}(eta + (d - 2)/2) - (d - 1) lgamma(eta + (d - 1)/2)

    (ln Gamma_p the multivariate log-gamma). Draws use the onion method (Lewandowski, Kurowicka
    and Joe 2009, in Ghosh and Henderson's form): row i of L is sqrt(y_i) u_i on its first
    i - 1 entries, with u_i uniform on the unit sphere and y_i ~ Beta((i - 1)/2, eta + (d - i)/2),
    and sqrt(1 - y_i) on the diagonal. There is no reparameterized sample (as in PyTorch).
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration: Any = 1.0, validate_args: Any = None) -> None:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 2:
            raise ValueError(f"LKJCholesky: expected dim to be an integer >= 2, got {dim!r}")
        self.dim = int(dim)
        (self.concentration,) = float_params(concentration)
        super().__init__(
            self.concentration.shape, (self.dim, self.dim), validate_args=validate_args
        )

    def _beta(self) -> Beta:
        """Beta((i - 1)/2, eta + (d - i)/2) for rows i = 1..d (row 1's draw is not used: it has
        no entries below the diagonal, so its first parameter is set to 1/2 to stay valid)."""
        dtype = self.concentration.dtype
        offset = np.concatenate([[0.0], np.arange(self.dim - 1)]).astype(dtype)
        marginal = self.concentration + 0.5 * (self.dim - 2)
        return Beta(
            as_tensor(offset + 0.5).expand(self.batch_shape + (self.dim,)),
            marginal.unsqueeze(-1) - 0.5 * as_tensor(offset),
            validate_args=False,
        )

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)  # sample + batch + (d, d)
        leading = shape[: len(shape) - 2 - len(self.batch_shape)]
        with no_grad():
            y = self._beta().sample(leading).unsqueeze(-1)  # sample + batch + (d, 1)
            dtype = self.concentration.dtype
            normal = default_generator().standard_normal(shape).astype(dtype)
            normal = np.tril(normal, -1)
            norms = np.linalg.norm(normal, axis=-1, keepdims=True)
            # Row 1 has no entries (norm 0): leave it zero instead of dividing by zero.
            sphere = np.divide(normal, norms, out=np.zeros_like(normal), where=norms > 0)
            w = np.sqrt(y.numpy()) * sphere
            diag = np.sqrt(np.clip(1 - (w**2).sum(-1), np.finfo(dtype).tiny, None))
            w = w + diag[..., None] * np.eye(self.dim, dtype=dtype)
        return wrap(w.astype(dtype))

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        x = x if x.dtype == self.concentration.dtype else x.to(self.concentration.dtype)
        d, eta = self.dim, self.concentration
        diag = x.diagonal(dim1=-2, dim2=-1)[..., 1:]  # L_22 .. L_dd
        rows = as_tensor(np.arange(2, d + 1, dtype=x.dtype))
        power = 2 * (eta - 1).unsqueeze(-1) + d - rows
        unnormalized = (power * diag.log()).sum(-1)
        alpha = eta + 0.5 * (d - 1)
        log_norm = (
            0.5 * (d - 1) * math.log(math.pi)
            + mvlgamma(alpha - 0.5, d - 1)
            - (d - 1) * api.lgamma(alpha)
        )
        return unnormalized - log_norm

    def __repr__(self) -> str:
        return f"LKJCholesky(dim={self.dim}, batch_shape={self.batch_shape})"
