"""The multivariate normal distribution N(loc, Sigma), parameterized through its Cholesky factor."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..errors import ShapeError
from ..ops.cholesky import solve_triangular
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import _CentredAtLoc
from .matrix_forms import ThreeMatrixForms

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(scale_tril: Tensor, diff: Tensor) -> Tensor:
    """||L^-1 d||**2 = d^T Sigma^-1 d per batch element (Sigma = L L^T), by one triangular solve."""
    shape = np.broadcast_shapes(scale_tril.shape[:-2], diff.shape[:-1])
    n = diff.shape[-1]
    lower = scale_tril.expand(shape + (n, n))
    z = solve_triangular(lower, diff.expand(shape + (n,)).unsqueeze(-1), upper=False).squeeze(-1)
    return (z * z).sum(-1)


def _half_log_det(scale_tril: Tensor) -> Tensor:
    """log sqrt(det Sigma) = sum_i log L_ii"""
    return scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def gaussian_entropy(n: int, half_log_det: Tensor, batch_shape: tuple) -> Tensor:
    """The entropy of an n-dimensional Gaussian, H = n/2 (1 + log 2 pi) + log sqrt(det Sigma),
    given log sqrt(det Sigma) per batch element, expanded to ``batch_shape``."""
    h = 0.5 * n * (1 + math.log(2 * math.pi)) + half_log_det
    return h.expand(batch_shape) if h.shape != batch_shape else h


class MultivariateNormal(ThreeMatrixForms, _CentredAtLoc):
    r"""N(loc, Sigma) over vectors of length n: ``loc`` (..., n) and exactly one of
    ``covariance_matrix`` Sigma, ``precision_matrix`` Sigma^-1, or ``scale_tril`` L, the
    lower-triangular factor with a positive diagonal and Sigma = L L^T (..., n, n).

        log p(x) = -1/2 (n log(2 pi) + ||L^-1 (x - loc)||**2) - sum_i log L_ii
        entropy  = n/2 (1 + log(2 pi)) + sum_i log L_ii
        mean = mode = loc;   variance = diag(Sigma) = sum_j L_ij**2

    ``rsample`` is loc + L eps with eps ~ N(0, I): gradients reach loc and the matrix through
    the draw (the Cholesky factor of a covariance or precision is differentiable).
    """

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}  # fmt: skip
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: Any = None) -> None:  # fmt: skip
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError(
                "MultivariateNormal: give exactly one of covariance_matrix, precision_matrix "
                f"or scale_tril, got {sum(given)}"
            )
        loc = as_tensor(loc)
        loc = loc if loc.dtype.kind == "f" else loc.float()
        if loc.ndim < 1:
            raise ShapeError(
                f"MultivariateNormal: loc must be at least one-dimensional, got shape {tuple(loc.shape)}"
            )
        matrix = as_tensor(
            next(m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None)
        )
        matrix = matrix.to(loc.dtype) if matrix.dtype != loc.dtype else matrix
        name = ("covariance_matrix", "precision_matrix", "scale_tril")[given.index(True)]
        n = loc.shape[-1]
        if matrix.ndim < 2 or matrix.shape[-2:] != (n, n):
            raise ShapeError(
                f"MultivariateNormal: {name} must have shape (..., {n}, {n}) to match loc of shape "
                f"{tuple(loc.shape)}, got {tuple(matrix.shape)}"
            )
        batch = np.broadcast_shapes(loc.shape[:-1], matrix.shape[:-2])
        self.loc = loc.expand(batch + (n,))
        setattr(self, name, matrix.expand(batch + (n, n)))
        self._given = name
        super().__init__(batch, (n,), validate_args=validate_args)
        self._keep_factor(name, matrix)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = wrap(default_generator().standard_normal(shape).astype(self.loc.dtype))
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        n = self.event_shape[0]
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, x - self.loc)
        return -0.5 * (n * math.log(2 * math.pi) + m) - _half_log_det(
            self._unbroadcasted_scale_tril
        )

    def entropy(self) -> Tensor:
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        return gaussian_entropy(self.event_shape[0], half_log_det, self.batch_shape)

    @property
    def variance(self) -> Tensor:
        low = self._unbroadcasted_scale_tril
        return (low * low).sum(-1).expand(self.batch_shape + self.event_shape)
