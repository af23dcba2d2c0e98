"""The pseudoinverse A^+ and what it gives: pinv, matrix_rank and least squares (lstsq).

With the SVD A = U diag(s) V^T, A^+ = V diag(s^+) U^T where s^+_i = 1 / s_i for the singular
values above the tolerance tol = max(atol, rtol * s_max) and 0 for the others; the rank is how
many are above it. Defaults (as PyTorch): rtol = eps * max(m, n) of A's dtype when neither is
given, and rtol = 0 when only atol > 0 is. With ``hermitian=True`` the eigendecomposition of a
symmetric A stands in for the SVD (|l| for s).

Least squares: the X minimising ||A X - B|| (the smallest such X when several do) is A^+ B.

Gradient of P = A^+ (Golub & Pereyra 1973; for A of constant rank near the point):

    dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P
    dL/dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)

written with Tensor ops on P itself, so second derivatives work; lstsq's gradient is that of
the product pinv(A) @ B.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, wrap
from ..errors import ShapeError
from .decompositions import _matrices
from .linalg import _mT

__all__ = ["lstsq", "matrix_rank", "pinv"]

_lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _tolerance(a: np.ndarray, atol: Any, rtol: Any, top: np.ndarray) -> np.ndarray:
    """tol = max(atol, rtol * s_max) per matrix, with PyTorch's defaults for atol and rtol."""
    as_array = lambda x: x.array if hasattr(x, "array") else np.asarray(x, dtype=np.float64)  # noqa: E731
    if rtol is None:
        atol_positive = atol is not None and np.any(as_array(atol) > 0)
        rtol = 0.0 if atol_positive else np.finfo(a.dtype).eps * max(a.shape[-2:])
    atol = 0.0 if atol is None else atol
    return np.maximum(as_array(atol), as_array(rtol) * top)


def _spectrum(a: np.ndarray, hermitian: bool, vectors: bool) -> tuple:
    """(left vectors, values >= 0, right vectors^T) of each matrix: the SVD, or for a symmetric
    A its eigendecomposition with |l| as the values (and the signs put into the right side)."""
    if not hermitian:
        if not vectors:
            return None, np.linalg.svd(a, compute_uv=False), None
        return np.linalg.svd(a, full_matrices=False)
    if not vectors:
        return None, np.abs(np.linalg.eigvalsh(a)), None
    values, v = np.linalg.eigh(a)
    return v, np.abs(values), np.swapaxes(v * np.sign(values)[..., None, :], -1, -2)


class Pinv(Op):
    """P = A^+;   dL/dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)"""

    def __init__(self, atol: Any, rtol: Any, hermitian: bool) -> None:
        self.atol, self.rtol, self.hermitian = atol, rtol, hermitian

    def forward(self, a):
        u, s, vh = _spectrum(a, self.hermitian, vectors=True)
        top = s.max(-1, initial=0.0)
        tol = _tolerance(a, self.atol, self.rtol, top)
        kept = s > np.asarray(tol)[..., None]
        with np.errstate(divide="ignore"):
            s_plus = np.where(kept, 1 / np.where(kept, s, 1), 0).astype(a.dtype)
        self.out_data = (np.swapaxes(vh, -1, -2) * s_plus[..., None, :]) @ np.swapaxes(u, -1, -2)
        return self.out_data

    def backward(self, g):
        (a,) = self.inputs
        p = self.output()
        p_t, g_t = _mT(p), _mT(g)
        # (I - A P) and (I - P A), applied without forming the identities.
        g_a = -(p_t @ g @ p_t)
        left = g_t @ (p @ p_t)
        g_a = g_a + left - a @ (p @ left)
        right = (p_t @ p) @ g_t
        return (g_a + right - (right @ p) @ a,)


def pinv(
    A: Any,  # noqa: N803
    rcond: Any = None,
    hermitian: bool = False,
    *,
    atol: Any = None,
    rtol: Any = None,
) -> Any:
    """The pseudoinverse A^+ (..., n, m) of each matrix of A (..., m, n): the inverse where A is
    invertible, and in general the matrix with A A^+ A = A, A^+ A A^+ = A^+ and A A^+, A^+ A
    symmetric. Singular values at or below max(atol, rtol * s_max) count as zero; ``rcond``
    (PyTorch's older name) is rtol. ``hermitian=True`` takes A symmetric (uses eigh; reads the
    lower triangle). Gradient: see the module docstring (needs A's rank not to change)."""
    a = _matrices(A, "pinv")
    if rcond is not None:
        if rtol is not None:
            raise TypeError("linalg.pinv: give rtol or rcond (its older name), not both")
        rtol = rcond
    if hermitian and a.shape[-1] != a.shape[-2]:
        raise ShapeError(
            f"linalg.pinv: hermitian=True needs square matrices (..., n, n), got {tuple(a.shape)}"
        )
    return Pinv(atol, rtol, bool(hermitian))(a)


def matrix_rank(
    A: Any,  # noqa: N803
    tol: Any = None,
    hermitian: bool = False,
    *,
    atol: Any = None,
    rtol: Any = None,
) -> Any:
    """How many singular values of each matrix of A (..., m, n) are above max(atol, rtol *
    s_max), as int64 (..., ); ``tol`` (PyTorch's older name) is atol."""
    a = _matrices(A, "matrix_rank")
    if tol is not None:
        if atol is not None:
            raise TypeError("linalg.matrix_rank: give atol or tol (its older name), not both")
        atol = tol
    _, s, _ = _spectrum(a.array, bool(hermitian), vectors=False)
    top = s.max(-1, initial=0.0)
    tol_ = _tolerance(a.array, atol, rtol, top)
    return wrap(np.asarray((s > np.asarray(tol_)[..., None]).sum(-1), dtype=np.int64))


def lstsq(A: Any, B: Any, rcond: float | None = None, *, driver: str | None = None) -> Any:  # noqa: N803
    """``(solution, residuals, rank, singular_values)`` of min_X ||A X - B||_F for A (..., m, n)
    and B (..., m, k) (or (..., m) for one right-hand side); batch axes broadcast.

    solution (..., n, k) is the smallest-norm minimiser, pinv(A, rtol=rcond) @ B (what LAPACK's
    gelsy / gelsd / gelss give; gels assumes A has full rank, and then it is the same). The
    other fields follow PyTorch's ``driver`` (default 'gelsy'): residuals, the squared column
    norms of A X - B, only when m > n, every A has full rank and driver is not 'gelsy'; rank for
    every driver but 'gels'; singular_values for 'gelsd' and 'gelss'; else empty tensors.
    """
    a = _matrices(A, "lstsq")
    b = as_tensor(B)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise ValueError(
            f"linalg.lstsq: driver must be one of {', '.join(_DRIVERS)}, got {driver!r}"
        )
    vector = b.ndim == a.ndim - 1
    b_mat = b.unsqueeze(-1) if vector else b
    m, n = a.shape[-2:]
    if b_mat.ndim < 2 or b_mat.shape[-2] != m:
        raise ShapeError(
            f"linalg.lstsq: A of shape {tuple(a.shape)} needs B of shape (..., {m}, k) or "
            f"(..., {m}), got {tuple(b.shape)}"
        )
    b_mat = b_mat.to(a.array.dtype)
    x = pinv(a, rtol=rcond) @ b_mat
    empty = wrap(np.zeros(0, dtype=a.array.dtype))
    rank = wrap(np.zeros(0, dtype=np.int64))
    if driver != "gels":
        rank = matrix_rank(a, rtol=rcond)
    residuals = empty
    if driver != "gelsy" and m > n:
        full = rank.array if driver != "gels" else matrix_rank(a, rtol=rcond).array
        if np.all(full == n):
            residuals = ((a @ x - b_mat) ** 2).sum(-2)  # (..., k); (1,) for a vector B, as torch
    singular_values = empty
    if driver in ("gelsd", "gelss"):
        singular_values = wrap(np.linalg.svd(a.array, compute_uv=False))
    return _lstsq(x.squeeze(-1) if vector else x, residuals, rank, singular_values)
