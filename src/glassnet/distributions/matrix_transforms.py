"""Transforms onto matrices: LowerCholeskyTransform, PositiveDefiniteTransform, CorrCholeskyTransform.

    LowerCholesky:   any square x  ->  L = tril(x, -1) + diag(exp(diag x))   (a Cholesky factor)
    PositiveDefinite: any square x ->  L L^T with L the above                (an SPD matrix)
    CorrCholesky:    a vector of n (n - 1) / 2 reals -> the Cholesky factor of a correlation
                     matrix (lower-triangular, positive diagonal, rows of unit length)

The first two discard the upper triangle, so they are onto but not one-to-one on all matrices
and, as in PyTorch, give no log |det J|; CorrCholeskyTransform is a bijection onto its set and
gives the log |det| of the map onto the strict lower triangle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..creation import eye
from ..nn import functional as F
from ..ops import api
from ..ops.cholesky import cholesky
from ..tensor import Tensor, as_tensor
from . import constraints
from .transforms import Transform, _no_sign
from .utils import tril_matrix_to_vec, vec_to_tril_matrix

__all__ = ["CorrCholeskyTransform", "LowerCholeskyTransform", "PositiveDefiniteTransform"]


def _square(name: str, t: Tensor) -> None:
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(
            f"{name}: expected square matrices (..., n, n), got shape {tuple(t.shape)}"
        )


class LowerCholeskyTransform(Transform):
    """L = tril(x, -1) + diag(exp(x_ii)): the strict lower triangle kept, the diagonal made
    positive by exp, the upper triangle dropped.   inv(L) = tril(L, -1) + diag(log L_ii)."""

    _equal_by = ()  # any two are equal, as in PyTorch

    bijective = False  # the upper triangle is dropped
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky
    sign = property(_no_sign)  # type: ignore[assignment]

    def _call(self, x: Tensor) -> Tensor:
        _square("LowerCholeskyTransform", x)
        return x.tril(-1) + api.diag_embed(x.diagonal(dim1=-2, dim2=-1).exp())

    def _inverse(self, y: Tensor) -> Tensor:
        _square("LowerCholeskyTransform.inv", y)
        return y.tril(-1) + api.diag_embed(y.diagonal(dim1=-2, dim2=-1).log())


class PositiveDefiniteTransform(Transform):
    """A = L L^T with L = LowerCholeskyTransform()(x): symmetric positive definite.
    inv(A) = LowerCholeskyTransform().inv(cholesky(A))."""

    _equal_by = ()  # any two are equal, as in PyTorch

    bijective = False  # the upper triangle is dropped
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite
    sign = property(_no_sign)  # type: ignore[assignment]

    def _call(self, x: Tensor) -> Tensor:
        low = LowerCholeskyTransform()(x)
        return low @ low.mT

    def _inverse(self, y: Tensor) -> Tensor:
        _square("PositiveDefiniteTransform.inv", y)
        return LowerCholeskyTransform().inv(cholesky(y))


class CorrCholeskyTransform(Transform):
    r"""A vector x of N = n (n - 1) / 2 reals to the Cholesky factor L of an n x n correlation
    matrix, row by row (the construction Stan uses):

        t = tanh(x) in (-1, 1), placed in the strict lower triangle (row-major)
        L_ij = t_ij sqrt(1 - sum_{k<j} L_ik**2)   (j < i),   L_ii = sqrt(1 - sum_{k<i} L_ik**2)

    so each row has unit length: every t_ij takes the fraction t_ij**2 of what is left of the
    row's squared length (stick-breaking on the squares). Inverse, row by row:
    t_ij = L_ij / sqrt(1 - sum_{k<j} L_ik**2),  x = atanh(t).

    The Jacobian of x -> the strict lower triangle of L is triangular within each row
    (L_ij depends on t_ik for k <= j only), with diagonal dL_ij/dx_ij = (1 - t_ij**2)
    sqrt(1 - sum_{k<j} L_ik**2), so

        log |det J| = sum_{i>j} [ 1/2 log(1 - sum_{k<j} L_ik**2) + log(1 - tanh(x_ij)**2) ]

    with log(1 - tanh(x)**2) = 2 (log 2 - x - softplus(-2 x)), finite for large |x|.
    """

    _equal_by = ()  # any two are equal, as in PyTorch

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    sign = property(_no_sign)  # type: ignore[assignment]

    def _call(self, x: Tensor) -> Tensor:
        eps = float(np.finfo(x.dtype).eps)
        t = x.tanh().clamp(-1 + eps, 1 - eps)
        r = vec_to_tril_matrix(t, diag=-1)  # (..., n, n), zero on and above the diagonal
        # sqrt of what is left of each row after columns 0..j: prod_{k<=j} sqrt(1 - t_ik**2)
        # equals sqrt(1 - sum_{k<=j} L_ik**2); shifted right by one it scales column j.
        left = (1 - r * r).sqrt().cumprod(-1)
        n = r.shape[-1]
        r = r + eye(n, dtype=r.dtype)
        return r * api.pad(left[..., :-1], (1, 0), value=1.0)

    def _inverse(self, y: Tensor) -> Tensor:
        _square("CorrCholeskyTransform.inv", y)
        left = 1 - (y * y).cumsum(-1)  # 1 - sum_{k<=j} L_ik**2
        left_before = api.pad(left[..., :-1], (1, 0), value=1.0)  # 1 - sum_{k<j} L_ik**2
        t = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left_before, diag=-1).sqrt()
        return 0.5 * (t.log1p() - (-t).log1p())  # atanh(t)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x, y = as_tensor(x), as_tensor(y)
        left = 1 - (y * y).cumsum(-1)
        # Entry (i, j - 1) of `left` is what scales L_ij; the triangle at diagonal -2 lists
        # exactly those (i, j - 1) for 0 < j < i, and the j = 0 entries add log 1 = 0.
        stick = 0.5 * tril_matrix_to_vec(left, diag=-2).log().sum(-1) if y.shape[-1] > 2 else 0.0
        tanh = (2.0 * (math.log(2.0) - x - F.softplus(-2.0 * x))).sum(-1)
        return stick + tanh

    def forward_shape(self, shape: tuple) -> tuple:
        if len(shape) < 1:
            raise ValueError("CorrCholeskyTransform: expected at least one axis, got shape ()")
        count = shape[-1]
        n = round((0.25 + 2 * count) ** 0.5 + 0.5)
        if n * (n - 1) // 2 != count:
            raise ValueError(
                f"CorrCholeskyTransform: a vector of length {count} is not the strict lower "
                "triangle of a square matrix (expected n (n - 1) / 2 entries)"
            )
        return tuple(shape[:-1]) + (n, n)

    def inverse_shape(self, shape: tuple) -> tuple:
        if len(shape) < 2 or shape[-1] != shape[-2]:
            raise ValueError(
                f"CorrCholeskyTransform: expected square matrices (..., n, n), got shape {tuple(shape)}"
            )
        n = shape[-1]
        return tuple(shape[:-2]) + (n * (n - 1) // 2,)
