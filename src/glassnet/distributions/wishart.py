"""The Wishart distribution W(df, Sigma) over p x p positive definite matrices (the law of a scatter matrix of Gaussian draws)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..autograd import wrap
from ..errors import ShapeError
from ..ops import api
from ..ops.cholesky import cholesky, cholesky_inverse
from ..ops.special import mvlgamma
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .exp_family import ExponentialFamily
from .gamma import standard_gamma
from .matrix_forms import ThreeMatrixForms
from .utils import vec_to_tril_matrix

__all__ = ["Wishart"]

_LOG_2 = math.log(2.0)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The multivariate digamma psi_p(x) = d ln Gamma_p(x) / dx = sum_{i=0}^{p-1} digamma(x - i/2)."""
    total = api.digamma(x)
    for i in range(1, p):
        total = total + api.digamma(x - i / 2)
    return total


def _log_det_spd(a: Tensor) -> Tensor:
    """log det A of symmetric positive definite A = L L^T: 2 sum_i log L_ii."""
    return 2 * cholesky(a).diagonal(dim1=-2, dim2=-1).log().sum(-1)


class Wishart(ThreeMatrixForms, ExponentialFamily):
    r"""W(nu, Sigma) over p x p symmetric positive definite X: nu = ``df`` > p - 1, and exactly
    one of ``covariance_matrix`` Sigma, ``precision_matrix`` Sigma^-1 or ``scale_tril`` L
    (Sigma = L L^T), each (..., p, p).

        log p(X) = (nu - p - 1)/2 log|X| - tr(Sigma^-1 X)/2 - nu p/2 log 2 - nu/2 log|Sigma|
                   - ln Gamma_p(nu / 2)
        mean = nu Sigma;   variance_ij = nu (Sigma_ij**2 + Sigma_ii Sigma_jj)
        mode = (nu - p - 1) Sigma   (nan unless nu > p + 1)
        entropy = (p + 1)/2 log|Sigma| + p (p + 1)/2 log 2 + ln Gamma_p(nu/2)
                  - (nu - p - 1)/2 psi_p(nu/2) + nu p / 2

    (ln Gamma_p, psi_p the multivariate log-gamma and digamma). As an exponential family its
    natural parameters are (-Sigma^-1 / 2, (nu - p - 1) / 2).

    ``rsample`` is Bartlett's construction: X = (L A)(L A)^T with A lower-triangular,
    A_ii = sqrt(chi2(nu - i)) (i = 0..p-1) and A_ij ~ N(0, 1) below the diagonal; gradients
    reach L directly and nu through the chi-squared (gamma) draws' implicit gradient. For
    p - 1 < nu < p a draw can be singular; such draws are drawn again up to
    ``max_try_correction`` times.
    """

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self) -> dict:  # type: ignore[override]
        return {
            "covariance_matrix": constraints.positive_definite,
            "precision_matrix": constraints.positive_definite,
            "scale_tril": constraints.lower_cholesky,
            "df": constraints.greater_than(self.event_shape[-1] - 1),
        }

    def __init__(self, df: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: Any = None) -> None:  # fmt: skip
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError(
                "Wishart: give exactly one of covariance_matrix, precision_matrix or scale_tril, "
                f"got {sum(given)}"
            )
        name = ("covariance_matrix", "precision_matrix", "scale_tril")[given.index(True)]
        matrix = as_tensor(
            next(m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None)
        )
        matrix = matrix if matrix.dtype.kind == "f" else matrix.float()
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2]:
            raise ShapeError(
                f"Wishart: {name} must be square matrices (..., p, p), got shape "
                f"{tuple(matrix.shape)}"
            )
        p = matrix.shape[-1]
        df = as_tensor(df) if isinstance(df, Tensor) else as_tensor(np.asarray(df, matrix.dtype))
        df = df if df.dtype == matrix.dtype else df.to(matrix.dtype)
        batch = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(df.shape))
        found = df.detach().numpy()
        if (found <= p - 1).any():
            raise ValueError(
                f"Wishart: expected df > p - 1 = {p - 1}, got {found[found <= p - 1][:3].tolist()}"
            )
        if (found < p).any():
            warnings.warn(
                f"Wishart: df < p = {p} makes singular draws likely (p - 1 < df < p)",
                stacklevel=2,
            )
        self.__dict__["df"] = df.expand(batch) if df.shape != batch else df
        self.__dict__[name] = matrix.expand(batch + (p, p))
        self._given = name
        super().__init__(batch, (p, p), validate_args=validate_args)
        self._keep_factor(name, matrix)

    @property
    def df(self) -> Tensor:
        return self.__dict__["df"]

    def _df_matrix(self) -> Tensor:
        """df with two unit axes, to scale (..., p, p) matrices."""
        return self.df.reshape(self.batch_shape + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self.event_shape[-1] - 1
        factor = api.where(factor > 0, factor, float("nan"))
        return factor.reshape(self.batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        v = self.covariance_matrix
        d = v.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (v**2 + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett(self, sample_shape: tuple) -> Tensor:
        """One set of draws (L A)(L A)^T, shape sample_shape + batch_shape + (p, p)."""
        p = self.event_shape[-1]
        dtype = self.df.dtype
        shape = tuple(sample_shape) + self.batch_shape
        offsets = as_tensor(np.arange(p, dtype=dtype))
        half_df = ((self.df.unsqueeze(-1) - offsets) / 2).expand(shape + (p,))
        chi2 = 2 * standard_gamma(half_df)  # chi2(k) = 2 Gamma(k / 2, 1)
        tiny = float(np.finfo(dtype).tiny)
        diag = api.diag_embed(chi2.clamp(min=tiny).sqrt())
        gen = default_generator()
        below = wrap(gen.standard_normal(shape + (p * (p - 1) // 2,)).astype(dtype))
        a = diag + vec_to_tril_matrix(below, diag=-1) if p > 1 else diag
        factor = self._unbroadcasted_scale_tril @ a
        return factor @ factor.mT

    def rsample(self, sample_shape: Any = (), max_try_correction: int = 10) -> Tensor:
        sample_shape = (sample_shape,) if isinstance(sample_shape, int) else tuple(sample_shape)
        draws = self._bartlett(sample_shape)
        for _ in range(max_try_correction):
            singular = ~self.support.check(draws.detach()).numpy()
            if not singular.any():
                break
            warnings.warn("Wishart.rsample: singular draw detected; drawing it again", stacklevel=2)
            mask = as_tensor(singular.reshape(singular.shape + (1, 1)))
            draws = api.where(mask, self._bartlett(sample_shape), draws)
        return draws

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        x = x if x.dtype == self.df.dtype else x.to(self.df.dtype)
        nu, p = self.df, self.event_shape[-1]
        low = self._unbroadcasted_scale_tril
        half_log_det_sigma = low.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        trace = (cholesky_inverse(low) * x).sum((-2, -1))  # tr(Sigma^-1 X), both symmetric
        return (
            -nu * (p * _LOG_2 / 2 + half_log_det_sigma)
            - mvlgamma(nu / 2, p)
            + (nu - p - 1) / 2 * _log_det_spd(x)
            - trace / 2
        )

    def entropy(self) -> Tensor:
        nu, p = self.df, self.event_shape[-1]
        half_log_det_sigma = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return (
            (p + 1) * (p * _LOG_2 / 2 + half_log_det_sigma)
            + mvlgamma(nu / 2, p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
            + nu * p / 2
        )

    @property
    def _natural_params(self) -> tuple:
        return -self.precision_matrix / 2, (self.df - self.event_shape[-1] - 1) / 2

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        """A(x, y) = (y + (p + 1)/2) (p log 2 - log|-2 x|) + ln Gamma_p(y + (p + 1)/2)"""
        p = self.event_shape[-1]
        a = y + (p + 1) / 2
        return a * (p * _LOG_2 - _log_det_spd(-2 * x)) + mvlgamma(a, p)
