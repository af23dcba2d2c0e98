"""Randomized low-rank SVD and PCA (svd_lowrank, pca_lowrank): the top q singular triplets from a random sketch of the range.

For A of shape (..., m, n) and a target rank q (Halko, Martinsson and Tropp 2011):

1. Sketch the range: Y = A G with G an (n, q) standard Gaussian matrix; Q = qr(Y).Q, an
   orthonormal (m, q) basis that holds A's top-q column space with high probability.
2. ``niter`` power iterations sharpen it when the singular values decay slowly:
   Q <- qr(A Q'), Q' = qr(A^T Q).Q, which multiplies the weight of singular value s by s**2.
3. Project and decompose the small matrix: B = Q^T A (q, n) = U_B diag(S) V^T, then U = Q U_B.

So A ~ U diag(S) V^T with U (..., m, q), S (..., q), V (..., n, q); exact (to rounding) when A
has rank <= q. Every step is a recorded op (matmul, qr, svd), so the factors are
differentiable. G comes from glassnet's random generator: ``glassnet.manual_seed`` makes the
result repeatable. ``pca_lowrank`` subtracts the column means first (``center=True``), so V's
columns are the principal directions and S**2 / (m - 1) the variances along them.
"""

from __future__ import annotations

from typing import Any

from .. import random as glassnet_random
from ..autograd import as_tensor
from ..errors import ShapeError, ValueRangeError
from .decompositions import qr, svd

__all__ = ["pca_lowrank", "svd_lowrank"]


def _check(A: Any, q: Any, niter: int, who: str) -> tuple:  # noqa: N803
    A = as_tensor(A)  # noqa: N806
    if A.ndim < 2:
        raise ShapeError(f"{who}: expected a matrix or a batch of them (..., m, n), got shape "
                         f"{tuple(A.shape)}")  # fmt: skip
    if A.array.dtype.kind != "f":
        A = A.to("float32")  # noqa: N806
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    if isinstance(q, bool) or not isinstance(q, int) or not 0 < q <= min(m, n):
        raise ValueRangeError(f"{who}: expected q in 1..min(m, n) = {min(m, n)}, got {q!r}")
    if isinstance(niter, bool) or not isinstance(niter, int) or niter < 0:
        raise ValueRangeError(f"{who}: expected niter to be an integer >= 0, got {niter!r}")
    return A, q


def _range_basis(A: Any, q: int, niter: int) -> Any:  # noqa: N803
    """An orthonormal (..., m, q) Q whose span approximates A's top-q column space (steps 1-2)."""
    shape = (*A.shape[:-2], A.shape[-1], q)
    sketch = glassnet_random.default_generator().standard_normal(shape).astype(A.array.dtype)
    Q = qr(A @ as_tensor(sketch)).Q  # noqa: N806
    At = A.transpose(-2, -1)  # noqa: N806
    for _ in range(niter):
        Q = qr(A @ qr(At @ Q).Q).Q  # noqa: N806
    return Q


def svd_lowrank(A: Any, q: Any = 6, niter: int = 2, M: Any = None) -> tuple:  # noqa: N803
    """(U, S, V) with A - M ~ U diag(S) V^T, the top q singular triplets by a randomized
    sketch (see the module's docstring). A: (..., m, n); U: (..., m, q); S: (..., q);
    V: (..., n, q). ``M``, if given, is subtracted from A first (broadcast to its shape)."""
    A, q = _check(A, q, niter, "svd_lowrank")  # noqa: N806
    if M is not None:
        A = A - as_tensor(M)  # noqa: N806
    m, n = A.shape[-2:]
    if m < n:  # sketch the smaller side: the range of A^T has dimension <= m
        V, S, U = svd_lowrank(A.transpose(-2, -1), q, niter)  # noqa: N806
        return U, S, V
    Q = _range_basis(A, q, niter)  # noqa: N806
    B = Q.transpose(-2, -1) @ A  # noqa: N806 - (q, n)
    U_B, S, Vh = svd(B, full_matrices=False)  # noqa: N806
    return Q @ U_B, S, Vh.transpose(-2, -1)


def pca_lowrank(A: Any, q: Any = None, center: bool = True, niter: int = 2) -> tuple:  # noqa: N803
    """(U, S, V) of the randomized low-rank SVD of A with its column means subtracted
    (``center=True``): the columns of V are the top q principal directions of the rows of A,
    and S**2 / (m - 1) the variances along them. q defaults to min(6, m, n)."""
    A, q = _check(A, q, niter, "pca_lowrank")  # noqa: N806
    if center:
        A = A - A.mean(dim=-2, keepdim=True)  # noqa: N806
    return svd_lowrank(A, q, niter)
