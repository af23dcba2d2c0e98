"""The multivariate normal with a low-rank-plus-diagonal covariance, Sigma = W W^T + D."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..errors import ShapeError
from ..ops.cholesky import cholesky, solve_triangular
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import _CentredAtLoc
from .multivariate_normal import gaussian_entropy

__all__ = ["LowRankMultivariateNormal"]


def _float(value: Any, like: Tensor | None = None) -> Tensor:
    t = as_tensor(value)
    if like is not None and t.dtype != like.dtype:
        return t.to(like.dtype)
    return t if t.dtype.kind == "f" else t.float()


class LowRankMultivariateNormal(_CentredAtLoc):
    r"""N(loc, Sigma) over vectors of length n with Sigma = W W^T + D: ``cov_factor`` W (..., n, m)
    of rank m (usually m << n) and ``cov_diag`` D = diag(d) (..., n), d > 0; ``loc`` (..., n).

    Nothing n x n is factored. With the m x m "capacitance" matrix C = I + W^T D^-1 W = L_C L_C^T:

        Sigma^-1 = D^-1 - D^-1 W C^-1 W^T D^-1               (the Woodbury identity)
        det Sigma = det C det D                                (the matrix determinant lemma)
        so   x^T Sigma^-1 x = sum_i x_i**2 / d_i - ||L_C^-1 W^T D^-1 x||**2
             log det Sigma = 2 sum_j log (L_C)_jj + sum_i log d_i

        log p(x) = -1/2 (n log(2 pi) + log det Sigma + (x - loc)^T Sigma^-1 (x - loc))
        entropy = n/2 (1 + log(2 pi)) + 1/2 log det Sigma
        mean = mode = loc;   variance = diag(Sigma) = sum_j W_ij**2 + d_i

    Cost O(n m**2) instead of O(n**3); every step is a glassnet op, so gradients reach loc, W and d.
    ``rsample`` is loc + W eps_m + sqrt(d) eps_n with eps ~ N(0, I) of sizes m and n.
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, cov_factor: Any, cov_diag: Any,
                 validate_args: Any = None) -> None:  # fmt: skip
        loc = _float(loc)
        cov_factor, cov_diag = _float(cov_factor, loc), _float(cov_diag, loc)
        if loc.ndim < 1:
            raise ShapeError(
                "LowRankMultivariateNormal: loc must be at least one-dimensional, got shape "
                f"{tuple(loc.shape)}"
            )
        n = loc.shape[-1]
        if cov_factor.ndim < 2 or cov_factor.shape[-2] != n:
            raise ShapeError(
                f"LowRankMultivariateNormal: cov_factor must have shape (..., {n}, rank) to match "
                f"loc of shape {tuple(loc.shape)}, got {tuple(cov_factor.shape)}"
            )
        if cov_diag.ndim < 1 or cov_diag.shape[-1] != n:
            raise ShapeError(
                f"LowRankMultivariateNormal: cov_diag must have shape (..., {n}) to match loc of "
                f"shape {tuple(loc.shape)}, got {tuple(cov_diag.shape)}"
            )
        m = cov_factor.shape[-1]
        try:
            batch = np.broadcast_shapes(loc.shape[:-1], cov_factor.shape[:-2], cov_diag.shape[:-1])
        except ValueError:
            raise ShapeError(
                "LowRankMultivariateNormal: batch shapes of loc, cov_factor and cov_diag do not "
                f"broadcast: {tuple(loc.shape)}, {tuple(cov_factor.shape)}, {tuple(cov_diag.shape)}"
            ) from None
        self.loc = loc.expand(batch + (n,))
        self.cov_factor = cov_factor.expand(batch + (n, m))
        self.cov_diag = cov_diag.expand(batch + (n,))
        super().__init__(batch, (n,), validate_args=validate_args)
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = self._capacitance_factor(cov_factor, cov_diag)

    @staticmethod
    def _capacitance_factor(w: Tensor, d: Tensor) -> Tensor:
        """L_C, the Cholesky factor of C = I_m + W^T D^-1 W (m x m per batch element)."""
        m = w.shape[-1]
        wt_dinv = w.mT / d.unsqueeze(-2)
        eye = wrap(np.eye(m, dtype=w.dtype))
        return cholesky(wt_dinv @ w + eye)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        new = super().expand(batch_shape)
        for name in ("_unbroadcasted_cov_factor", "_unbroadcasted_cov_diag", "_capacitance_tril"):
            new.__dict__[name] = self.__dict__[name]
        return new

    def _half_log_det(self) -> Tensor:
        """1/2 log det Sigma = sum_j log (L_C)_jj + 1/2 sum_i log d_i (the determinant lemma)."""
        capacitance = self._capacitance_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return capacitance + 0.5 * self._unbroadcasted_cov_diag.log().sum(-1)

    def _mahalanobis(self, diff: Tensor) -> Tensor:
        """diff^T Sigma^-1 diff by the Woodbury identity (one m x m triangular solve)."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        scaled = diff / d
        plain = (diff * scaled).sum(-1)
        wt_scaled = w.mT @ scaled.unsqueeze(-1)  # (..., m, 1)
        shape = np.broadcast_shapes(self._capacitance_tril.shape[:-2], wt_scaled.shape[:-2])
        m = w.shape[-1]
        low = self._capacitance_tril.expand(shape + (m, m))
        z = solve_triangular(low, wt_scaled.expand(shape + (m, 1)), upper=False)
        return plain - (z * z).sum((-2, -1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        m = self.cov_factor.shape[-1]
        gen = default_generator()
        eps_w = wrap(gen.standard_normal(shape[:-1] + (m,)).astype(self.loc.dtype))
        eps_d = wrap(gen.standard_normal(shape).astype(self.loc.dtype))
        w = self._unbroadcasted_cov_factor
        low_rank = (w @ eps_w.unsqueeze(-1)).squeeze(-1)
        return self.loc + low_rank + self._unbroadcasted_cov_diag.sqrt() * eps_d

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(_float(value, self.loc))
        n = self.event_shape[0]
        quad = self._mahalanobis(x - self.loc)
        return -0.5 * (n * math.log(2 * math.pi) + quad) - self._half_log_det()

    def entropy(self) -> Tensor:
        return gaussian_entropy(self.event_shape[0], self._half_log_det(), self.batch_shape)

    @property
    def variance(self) -> Tensor:
        w = self._unbroadcasted_cov_factor
        v = (w * w).sum(-1) + self._unbroadcasted_cov_diag
        return v.expand(self.batch_shape + self.event_shape)

    @property
    def covariance_matrix(self) -> Tensor:
        """W W^T + D, built densely (n x n)."""
        w = self._unbroadcasted_cov_factor
        cov = w @ w.mT + self._unbroadcasted_cov_diag.diag_embed()
        n = self.event_shape[0]
        return cov.expand(self.batch_shape + (n, n))

    @property
    def precision_matrix(self) -> Tensor:
        """Sigma^-1 = D^-1 - (D^-1 W L_C^-T)(D^-1 W L_C^-T)^T, the Woodbury identity."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        dinv_w = w / d.unsqueeze(-1)
        shape = np.broadcast_shapes(self._capacitance_tril.shape[:-2], dinv_w.shape[:-2])
        m, n = w.shape[-1], self.event_shape[0]
        low = self._capacitance_tril.expand(shape + (m, m))
        a = solve_triangular(low, dinv_w.expand(shape + (n, m)).mT, upper=False)  # L_C^-1 W^T D^-1
        prec = d.reciprocal().diag_embed() - a.mT @ a
        return prec.expand(self.batch_shape + (n, n))

    @property
    def scale_tril(self) -> Tensor:
        """The Cholesky factor of the dense covariance (n x n: O(n**3), as in PyTorch)."""
        return cholesky(self.covariance_matrix)
