"""Orthogonal decompositions and their gradients: QR, the symmetric eigendecomposition, the SVD, eig.

    qr:    A = Q R          Q^T Q = I, R upper triangular           (..., m, n)
    eigh:  A = V diag(l) V^T   A symmetric, V orthogonal, l ascending (..., n, n)
    svd:   A = U diag(s) V^T   U^T U = V^T V = I, s >= 0 descending   (..., m, n)
    eig:   A = V diag(l) V^-1  here only when every eigenvalue is real (no complex dtype)

The values come from NumPy's LAPACK routines on the last two axes. An Op has one output, so
each decomposition's factors travel in one array, stacked along the second-to-last axis (for
eigh: V with l as one more row below it); the public functions cut them apart by slicing,
whose backward puts each factor's gradient back in its place (zeros for a factor the loss did
not use). Gradients (G_X = dL/dX, ^T the transpose of the last two axes, sym(X) = (X + X^T)/2,
o the elementwise product, diag(g) the diagonal matrix of g):

    qr (m >= n):  M = R G_R^T - G_Q^T Q,  dL/dA = (G_Q + Q copyltu(M)) R^-T,
                  copyltu(M) = tril(M) + tril(M, -1)^T          (A = [X | Y] when m < n)
    eigh:         dL/dA = V (diag(G_l) + sym(F o (V^T G_V))) V^T,   F_ij = 1 / (l_j - l_i)
    svd:          dL/dA = U [(F o (U^T G_U - G_U^T U)) S + diag(G_s) + S (F o (V^T G_V - G_V^T V))] V^T
                          + (I - U U^T) G_U S^-1 V^T + U S^-1 G_V^T (I - V V^T),
                  F_ij = 1 / (s_j^2 - s_i^2)                     (Townsend 2016)
    eig:          dL/dA = V^-T (diag(G_l) + F o (V^T G_V - V^T V diag(V^T G_V))) V^T

(F is 0 on its diagonal.) Where only the eigen- or singular values reach the loss, the
gradient is just V diag(G_l) V^T (or U diag(G_s) V^T), finite even for repeated values; the
vector terms divide by the gaps between values, so with repeated values a loss that uses the
vectors gets inf / NaN, exactly as PyTorch documents. The singular vectors' gradient needs the
reduced SVD: with ``full_matrices=True`` the extra columns carry no gradient (as PyTorch).
Each backward is written with Tensor ops, so second derivatives work.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, is_grad_enabled, wrap
from ..dtypes import is_floating
from ..errors import DTypeError, ShapeError
from . import api
from .cholesky import solve_triangular
from .linalg import _mT, _square, solve

__all__ = ["eig", "eigh", "eigvals", "eigvalsh", "qr", "svd", "svdvals"]

_qr = namedtuple("linalg_qr", ["Q", "R"])
_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
_eig = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])


def _matrices(x: Any, who: str) -> Any:
    """``x`` as a floating tensor of matrices (..., m, n), or one clear error."""
    t = as_tensor(x)
    if not is_floating(t.array.dtype):
        raise DTypeError(f"linalg.{who}: expected a floating tensor, got dtype {t.array.dtype}")
    if t.ndim < 2:
        raise ShapeError(
            f"linalg.{who}: expected matrices of shape (..., m, n) with at least 2 dimensions, "
            f"got shape {tuple(t.shape)}"
        )
    return t


def _eye_like(x: Any, n: int) -> Any:
    return wrap(np.eye(n, dtype=x.array.dtype))


def _inverse_gaps(values: Any) -> Any:
    """F with F_ij = 1 / (v_j - v_i) off the diagonal and 0 on it, for each vector of values
    (..., n). Equal values give inf off the diagonal: the gradient there is undefined."""
    n = values.shape[-1]
    eye = _eye_like(values, n)
    gaps = values.unsqueeze(-2) - values.unsqueeze(-1)  # [i, j] = v_j - v_i
    with np.errstate(divide="ignore"):
        return (1 - eye) / (gaps + eye)


def _used(g: Any) -> bool:
    """Whether a factor's gradient reached the loss at all (an unused one arrives as zeros)."""
    return bool(np.any(g.array))


def _needs_graph(t: Any) -> bool:
    return is_grad_enabled() and t.requires_grad


# ---------------------------------------------------------------------- QR


class QR(Op):
    """A = Q R;   M = R G_R^T - G_Q^T Q,   dL/dA = (G_Q + Q copyltu(M)) R^-T   (m >= n; wide: see above)"""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def forward(self, a):
        q, r = np.linalg.qr(a, mode="complete" if self.mode == "complete" else "reduced")
        self.out_data = np.concatenate([q, np.swapaxes(r, -1, -2)], axis=-2)  # [Q; R^T]
        return self.out_data

    def backward(self, g):
        (a,) = self.inputs
        m, n = a.shape[-2:]
        if self.mode == "complete" and m > n:
            raise RuntimeError(
                "linalg.qr: the QR decomposition is not differentiable when mode='complete' and "
                f"nrows > ncols (here {m} > {n}); use mode='reduced'"
            )
        packed = self.output()
        q, r = packed[..., :m, :], _mT(packed[..., m:, :])
        g_q, g_r = g[..., :m, :], _mT(g[..., m:, :])
        if m >= n:
            return (_qr_backward(q, r, g_q, g_r),)
        # A = [X | Y] with X square: X = Q U, Y = Q V, R = [U | V]; V = Q^T Y adds to Q's gradient.
        y, g_u, g_v = a[..., m:], g_r[..., :m], g_r[..., m:]
        g_x = _qr_backward(q, r[..., :m], g_q + y @ _mT(g_v), g_u)
        return (api.cat([g_x, q @ g_v], -1),)


def _qr_backward(q: Any, r: Any, g_q: Any, g_r: Any) -> Any:
    """dL/dA = (G_Q + Q copyltu(M)) R^-T with M = R G_R^T - G_Q^T Q (for m >= n)."""
    m_ = r @ _mT(g_r) - _mT(g_q) @ q
    copyltu = m_.tril() + _mT(m_.tril(-1))
    # X R^-T: solve X R^T = B, with R^T lower triangular.
    return solve_triangular(_mT(r), g_q + q @ copyltu, upper=False, left=False)


def qr(A: Any, mode: str = "reduced") -> Any:  # noqa: N803
    """``(Q, R)`` with A = Q R for each matrix of A (..., m, n), k = min(m, n):

    * ``mode='reduced'``: Q (..., m, k) with orthonormal columns, R (..., k, n) upper triangular;
    * ``mode='complete'``: Q (..., m, m) orthogonal, R (..., m, n);
    * ``mode='r'``: only R (Q is an empty tensor); not differentiable (no Q to use).

    Differentiable for mode='reduced' and for 'complete' when m <= n.
    """
    a = _matrices(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    if mode == "r":
        r = np.linalg.qr(a.array, mode="r")
        out_r = wrap(np.asarray(r, dtype=a.array.dtype))
        if _needs_graph(a):
            out_r = _NoGradientR()(a, out_r)
        return _qr(wrap(np.zeros(0, dtype=a.array.dtype)), out_r)
    m = a.shape[-2]
    packed = QR(mode)(a)
    return _qr(packed[..., :m, :], _mT(packed[..., m:, :]))


class _NoGradientR(Op):
    """R of qr(A, mode='r'): its backward raises (PyTorch's derivative needs Q)."""

    def forward(self, a, r):
        return r

    def backward(self, g):
        raise RuntimeError(
            "linalg.qr: the derivative of linalg.qr depends on Q, which is not computed when "
            "mode='r'; use linalg.qr(A, mode='reduced') to differentiate through it"
        )


# ---------------------------------------------------------------------- eigh


def _eigen_parts(packed: Any, g: Any) -> tuple:
    """V, l and their gradients G_V, G_l, cut from the packed [V; l] (..., n + 1, n) of Eigh and
    Eig and from its gradient of the same shape."""
    n = packed.shape[-1]
    return packed[..., :n, :], packed[..., n, :], g[..., :n, :], g[..., n, :]


class Eigh(Op):
    """A = V diag(l) V^T;   dL/dA = V (diag(G_l) + sym(F o (V^T G_V))) V^T,   F_ij = 1/(l_j - l_i)"""

    def __init__(self, uplo: str) -> None:
        self.uplo = uplo

    def forward(self, a):
        values, vectors = np.linalg.eigh(a, UPLO=self.uplo)
        self.out_data = np.concatenate([vectors, values[..., None, :]], axis=-2)  # [V; l]
        return self.out_data

    def backward(self, g):
        v, values, g_v, g_l = _eigen_parts(self.output(), g)
        inner = _eye_like(v, v.shape[-1]) * g_l.unsqueeze(-2)  # diag(G_l)
        if _used(g_v):
            spin = _inverse_gaps(values) * (_mT(v) @ g_v)
            inner = inner + 0.5 * (spin + _mT(spin))
        return (v @ inner @ _mT(v),)

    def saved_inputs(self):
        return ()


def _check_uplo(uplo: str, who: str) -> str:
    if not isinstance(uplo, str) or uplo.upper() not in ("L", "U"):
        raise ValueError(f"linalg.{who}: UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo.upper()


def eigh(A: Any, UPLO: str = "L") -> Any:  # noqa: N803
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix of A (..., n, n): eigenvalues
    (..., n) in ascending order, eigenvectors (..., n, n) as orthonormal columns, A = V diag(l)
    V^T. Only the lower (``UPLO='L'``) or upper (``'U'``) triangle of A is read.

    Each eigenvector's sign is arbitrary (LAPACK's choice, as in PyTorch); so is the basis of a
    repeated eigenvalue's eigenspace, and there the eigenvectors have no gradient (inf / NaN).
    """
    a = _square(A, "eigh")
    packed = Eigh(_check_uplo(UPLO, "eigh"))(a)
    n = a.shape[-1]
    return _eigh(packed[..., n, :], packed[..., :n, :])


def eigvalsh(A: Any, UPLO: str = "L") -> Any:  # noqa: N803
    """The eigenvalues (..., n) of each symmetric matrix of A, ascending;
    dL/dA = V diag(G_l) V^T (finite also for repeated eigenvalues)."""
    a = _square(A, "eigvalsh")
    uplo = _check_uplo(UPLO, "eigvalsh")
    if not _needs_graph(a):  # no eigenvectors needed for the gradient: the cheaper routine
        return wrap(np.linalg.eigvalsh(a.array, UPLO=uplo))
    return eigh(a, uplo).eigenvalues


# ---------------------------------------------------------------------- SVD


class SVD(Op):
    """A = U diag(s) V^T;   dL/dA = U [(F o (U^T G_U - G_U^T U)) S + diag(G_s) + S (F o (V^T G_V - G_V^T V))] V^T + (I - UU^T) G_U S^-1 V^T + U S^-1 G_V^T (I - VV^T)"""

    def __init__(self, full_matrices: bool) -> None:
        self.full_matrices = full_matrices

    def forward(self, a):
        u, s, vh = np.linalg.svd(a, full_matrices=self.full_matrices)
        k = s.shape[-1]
        # The reduced factors carry the gradient; with full_matrices the completing columns
        # of U and rows of Vh are kept aside (constants, as in PyTorch's backward).
        self.extra_u, self.extra_vh = u[..., k:], vh[..., k:, :]
        self.out_data = np.concatenate(
            [u[..., :k], s[..., None, :], np.swapaxes(vh[..., :k, :], -1, -2)], axis=-2
        )  # [U; s; V], (..., m + 1 + n, k)
        return self.out_data

    def backward(self, g):
        (a,) = self.inputs
        m, n = a.shape[-2:]
        packed = self.output()
        u, s, v = packed[..., :m, :], packed[..., m, :], packed[..., m + 1 :, :]
        g_u, g_s, g_v = g[..., :m, :], g[..., m, :], g[..., m + 1 :, :]
        k = s.shape[-1]
        inner = _eye_like(s, k) * g_s.unsqueeze(-2)  # diag(G_s)
        uses_u, uses_v = _used(g_u), _used(g_v)
        if not (uses_u or uses_v):
            return ((u * g_s.unsqueeze(-2)) @ _mT(v),)  # U diag(G_s) V^T
        f = _inverse_gaps(s * s)
        s_row, s_col = s.unsqueeze(-2), s.unsqueeze(-1)
        if uses_u:
            utgu = _mT(u) @ g_u
            inner = inner + (f * (utgu - _mT(utgu))) * s_row  # (F o [U^T G_U - G_U^T U]) S
        if uses_v:
            vtgv = _mT(v) @ g_v
            inner = inner + s_col * (f * (vtgv - _mT(vtgv)))  # S (F o [V^T G_V - G_V^T V])
        g_a = u @ inner @ _mT(v)
        if uses_u and m > k:  # U's columns do not span R^m: the part of G_U outside them
            g_a = g_a + ((g_u - u @ utgu) / s_row) @ _mT(v)
        if uses_v and n > k:
            g_a = g_a + (u / s_row) @ _mT(g_v - v @ vtgv)
        return (g_a,)

    def saved_inputs(self):
        return ()


def svd(A: Any, full_matrices: bool = True, *, driver: Any = None) -> Any:  # noqa: N803
    """``(U, S, Vh)`` with A = U diag(S) Vh for each matrix of A (..., m, n), k = min(m, n):
    S (..., k) non-negative, descending; with ``full_matrices=True`` (the default, as PyTorch)
    U (..., m, m) and Vh (..., n, n) are orthogonal, else U (..., m, k), Vh (..., k, n).

    Each pair (u_i, v_i) may flip sign together (LAPACK's choice). Only losses that do not
    depend on that choice have a gradient; with full_matrices the completing columns of U and
    rows of Vh carry none. ``driver`` (a CUDA option in PyTorch) is accepted and ignored.
    """
    a = _matrices(A, "svd")
    m, n = a.shape[-2:]
    op = SVD(bool(full_matrices))
    packed = op(a)
    u, s, vh = packed[..., :m, :], packed[..., m, :], _mT(packed[..., m + 1 :, :])
    if op.extra_u.shape[-1]:
        u = api.cat([u, wrap(op.extra_u)], -1)
    if op.extra_vh.shape[-2]:
        vh = api.cat([vh, wrap(op.extra_vh)], -2)
    return _svd(u, s, vh)


def svdvals(A: Any, *, driver: Any = None) -> Any:  # noqa: N803
    """The singular values (..., min(m, n)) of each matrix of A, descending;
    dL/dA = U diag(G_s) V^T (finite also for repeated singular values)."""
    a = _matrices(A, "svdvals")
    if not _needs_graph(a):
        return wrap(np.linalg.svd(a.array, compute_uv=False))
    return svd(a, full_matrices=False).S


# ---------------------------------------------------------------------- eig (real spectra)


def _real_spectrum(values: np.ndarray, who: str) -> None:
    if np.iscomplexobj(values):
        raise TypeError(
            f"linalg.{who}: this matrix has complex eigenvalues, and glassnet has no complex "
            "dtype (complex results are not supported); for symmetric matrices use "
            "linalg.eigh, whose eigenvalues are always real"
        )


class Eig(Op):
    """A = V diag(l) V^-1 (real l);   dL/dA = V^-T (diag(G_l) + F o (V^T G_V - V^T V diag(V^T G_V))) V^T"""

    def forward(self, a):
        values, vectors = np.linalg.eig(a)
        _real_spectrum(values, "eig")
        self.out_data = np.concatenate([vectors, values[..., None, :]], axis=-2).astype(
            a.dtype, copy=False
        )  # [V; l]
        return self.out_data

    def backward(self, g):
        v, values, g_v, g_l = _eigen_parts(self.output(), g)
        inner = _eye_like(v, v.shape[-1]) * g_l.unsqueeze(-2)  # diag(G_l)
        if _used(g_v):
            vtgv = _mT(v) @ g_v
            # Each eigenvector is kept at unit length: that removes the part of G_V along it.
            diag = api.diagonal(vtgv, 0, -2, -1).unsqueeze(-2)
            inner = inner + _inverse_gaps(values) * (vtgv - (_mT(v) @ v) * diag)
        return (solve(_mT(v), inner @ _mT(v)),)

    def saved_inputs(self):
        return ()


def eig(A: Any) -> Any:  # noqa: N803
    """``(eigenvalues, eigenvectors)`` of each square matrix of A (..., n, n) whose eigenvalues
    are all real: A = V diag(l) V^-1, columns of V of unit length (sign arbitrary), in LAPACK's
    order. PyTorch returns complex tensors; glassnet has no complex dtype, so it returns real
    ones and raises a clear error when an eigenvalue is complex (symmetric A: use eigh)."""
    a = _square(A, "eig")
    packed = Eig()(a)
    n = a.shape[-1]
    return _eig(packed[..., n, :], packed[..., :n, :])


def eigvals(A: Any) -> Any:  # noqa: N803
    """The eigenvalues (..., n) of each square matrix of A, when all are real (see ``eig``)."""
    a = _square(A, "eigvals")
    if not _needs_graph(a):
        values = np.linalg.eigvals(a.array)
        _real_spectrum(values, "eigvals")
        return wrap(values.astype(a.array.dtype, copy=False))
    return eig(a).eigenvalues
