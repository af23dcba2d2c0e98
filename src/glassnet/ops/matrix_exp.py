"""The matrix exponential exp(A) = I + A + A^2/2! + ..., by scaling and squaring, and its gradient.

Value (Higham 2005, "The scaling and squaring method for the matrix exponential revisited"):
exp(A) = exp(A / 2^s)^(2^s). With s chosen so that the 1-norm of A / 2^s is at most
theta_13 = 5.37, the degree-13 Pade approximant r(X) = q(X)^-1 p(X) of exp(X) is accurate to
double precision, and s squarings undo the scaling. p(X) = U + V and q(X) = V - U split the
polynomial into its odd part U and even part V, so that only X^2, X^4 and X^6 are multiplied.

Gradient, from the exponential of a block-triangular matrix (Van Loan 1978):

    exp([[A, E], [0, A]]) = [[exp(A), D exp(A)[E]], [0, exp(A)]]

so the derivative of exp in direction E is the upper-right block. Its adjoint is the same
construction with A^T: dL/dA = upper-right n x n block of exp([[A^T, G], [0, A^T]]). That is
matrix_exp again, of a Tensor built from A and G, so second derivatives work.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Op
from . import api
from .linalg import _mT, _square

__all__ = ["matrix_exp"]

# Coefficients b_0 ... b_13 of the degree-13 Pade approximant of exp (Higham 2005, Table 10.4).
_PADE13 = (
    64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
    129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
    40840800.0, 960960.0, 16380.0, 182.0, 1.0,
)  # fmt: skip
_THETA13 = 5.371920351148152


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of each matrix of ``a`` (..., n, n), computed in float64."""
    x = a.astype(np.float64)
    n = x.shape[-1]
    norm1 = np.abs(x).sum(-2).max(-1)  # the largest column sum, per matrix
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.maximum(norm1, 1e-300) / _THETA13))).astype(int)
    x = x / (2.0**s)[..., None, None]
    b = _PADE13
    eye = np.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)  # fmt: skip
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    # Square each matrix as often as it was scaled (the matrices of a batch may differ).
    for step in range(int(s.max()) if s.size else 0):
        squared = r @ r
        r = np.where((s > step)[..., None, None], squared, r)
    return r


class MatrixExp(Op):
    """Y = exp(A);   dL/dA = the upper-right block of exp([[A^T, G], [0, A^T]])"""

    def forward(self, a):
        return _expm(a).astype(a.dtype, copy=False)

    def backward(self, g):
        (a,) = self.inputs
        n = a.shape[-1]
        a_t = _mT(a)
        zeros = a_t * 0  # (..., n, n) zeros, with a's batch shape
        top = api.cat([a_t, g.to(a_t.array.dtype) + zeros], -1)
        block = api.cat([top, api.cat([zeros, a_t], -1)], -2)  # [[A^T, G], [0, A^T]]
        return (matrix_exp(block)[..., :n, n:],)


def matrix_exp(A: Any) -> Any:  # noqa: N803
    """exp(A) = sum_k A^k / k! of each square matrix of A (..., n, n); exp(A) exp(-A) = I, and
    for a diagonal A it is the exp of the diagonal. Gradient: see the module docstring."""
    return MatrixExp()(_square(A, "matrix_exp"))
