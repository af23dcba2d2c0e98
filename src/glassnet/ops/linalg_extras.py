"""The rest of ``torch.linalg``: cond, inv_ex, solve_ex, vander, tensorinv, tensorsolve, householder_product.

Each is a formula of the linear algebra ops in ops/linalg.py, ops/lu.py and
ops/decompositions.py, written with differentiable tensor operations, so its gradient follows
from theirs:

* ``cond(A, p)``: how much A can stretch an error, ``norm(A, p) * norm(inv(A), p)``; for the
  2-norm (the default) the ratio of the largest to the smallest singular value;
* ``inv_ex`` / ``solve_ex``: ``inv`` and ``solve`` that report a singular matrix in ``info``
  (PyTorch's LU numbering) instead of raising;
* ``vander(x, N)``: the powers x**0, x**1, ..., x**(N-1) side by side;
* ``tensorinv`` / ``tensorsolve``: ``inv`` and ``solve`` for a tensor read as a matrix;
* ``householder_product(A, tau)``: the product of the reflections H_i = I - tau_i v_i v_i^T
  that a QR factorisation stores compactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import return_types
from ..autograd import as_tensor, wrap
from ..dtypes import is_floating
from ..errors import DTypeError, ShapeError
from . import api
from .decompositions import svdvals
from .linalg import SingularMatrixError, _square, inv, matrix_norm, solve
from .lu import lu_factor_ex

__all__ = ["cond", "householder_product", "inv_ex", "solve_ex", "tensorinv", "tensorsolve",
           "vander"]  # fmt: skip

_inv_ex = return_types.result_type("linalg_inv_ex", ("inverse", "info"))
_solve_ex = return_types.result_type("linalg_solve_ex", ("result", "info"))


def cond(A: Any, p: Any = None) -> Any:  # noqa: N803 - PyTorch's argument name
    """The condition number of each matrix of A (..., m, n): how many times a relative error in
    b can grow in the solution of A x = b.

        cond(A) = sigma_max / sigma_min              (p = None or 2: singular values, any m, n)
        cond(A, -2) = sigma_min / sigma_max
        cond(A, p) = norm(A, p) * norm(inv(A), p)   (p = 'fro', 'nuc', inf, -inf, 1, -1: square A)

    A singular matrix has condition number inf (as PyTorch gives it).
    """
    t = as_tensor(A)
    if t.ndim < 2:
        raise ShapeError(f"linalg.cond: expected matrices of shape (..., m, n), got {t.shape}")
    if p is None or p in (2, -2):
        sigma = svdvals(t)
        largest, smallest = sigma[..., 0], sigma[..., -1]
        return smallest / largest if p == -2 else largest / smallest
    if p not in ("fro", "nuc", math.inf, -math.inf, 1, -1):
        raise ValueError(
            f"linalg.cond: p must be None, 2, -2, 'fro', 'nuc', inf, -inf, 1 or -1, got {p!r}"
        )
    a = _square(t, "cond")
    inverse, info = inv_ex(a)
    value = matrix_norm(a, p) * matrix_norm(inverse.nan_to_num(nan=0.0), p)
    singular = wrap(info.array.astype(bool).reshape(value.shape))
    return api.where(singular, math.inf, value)


def _on_invertible(a: Any, who: str, check_errors: bool, compute: Any) -> tuple:
    """``(compute(a), info)`` for square matrices a, NaN where a matrix is singular.

    ``info`` (int32, one per matrix) is 0 where the matrix is invertible, otherwise the 1-based
    index of the first zero on the diagonal of its LU factor U (PyTorch's numbering). Each
    singular matrix is replaced by the identity for ``compute`` and its result then set to NaN
    (PyTorch leaves whatever LAPACK had computed there); ``check_errors=True`` raises
    ``LinAlgError`` for the first singular matrix instead.
    """
    info = lu_factor_ex(a.detach()).info
    bad = info.array != 0
    if not bad.any():
        return compute(a), info
    if check_errors:
        first = int(np.flatnonzero(bad.reshape(-1))[0])
        raise SingularMatrixError(
            f"linalg.{who}: matrix {first} of the batch is singular (U[{int(info.array.flat[first])}]"
            " of its LU factor is zero), so it has no inverse"
        )
    eye = wrap(np.eye(a.shape[-1], dtype=a.array.dtype))
    result = compute(api.where(wrap(bad[..., None, None]), eye, a))
    mask = bad.reshape(bad.shape + (1,) * (result.ndim - bad.ndim))  # vector results: one axis
    return api.where(wrap(mask), math.nan, result), info


def inv_ex(A: Any, *, check_errors: bool = False) -> Any:  # noqa: N803
    """``(inverse, info)``: ``inv`` without raising for a singular matrix (``_on_invertible``:
    info 0 or the first zero pivot of A's LU factor, NaN inverses for singular matrices)."""
    return _inv_ex(*_on_invertible(_square(A, "inv_ex"), "inv_ex", check_errors, inv))


def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """``(result, info)``: ``solve(A, B, left=left)`` without raising for a singular A (info as
    ``inv_ex``'s, NaN solutions for singular matrices). ``left=False`` solves X A = B."""
    a = _square(A, "solve_ex")
    return _solve_ex(*_on_invertible(a, "solve_ex", check_errors, lambda m: solve(m, B, left=left)))


def vander(x: Any, *, N: int | None = None) -> Any:  # noqa: N803
    """The Vandermonde matrix of the last axis of x (..., n): V[..., i, j] = x_i ** j for
    j = 0 .. N-1 (N = n by default, at least 2), increasing powers (``torch.vander`` has them decreasing).

    dV/dx_i = j x_i ** (j - 1) along row i, from the power's own gradient.
    """
    t = as_tensor(x)
    if t.ndim < 1:
        raise ShapeError("linalg.vander: expected a tensor of at least one axis, got a 0-d tensor")
    n = t.shape[-1] if N is None else N
    if not isinstance(n, (int, np.integer)) or n <= 1:  # PyTorch asks for two columns or more
        raise ValueError(f"linalg.vander: N must be an integer greater than 1, got {n!r}")
    columns = [wrap(np.ones_like(t.array)), t]  # x**0 = 1, a constant
    for _ in range(2, int(n)):
        columns.append(columns[-1] * t)  # x**j as a running product: exact for integers
    return api.stack(columns, -1)


def tensorinv(A: Any, ind: int = 2) -> Any:  # noqa: N803
    """The inverse of A read as a matrix: the first ``ind`` axes are its rows, the rest its
    columns (their sizes must multiply to the same number). The result has shape
    A.shape[ind:] + A.shape[:ind], so ``tensordot(tensorinv(A), A, ind)`` is the identity."""
    t = as_tensor(A)
    if not isinstance(ind, (int, np.integer)) or ind <= 0:
        raise ValueError(f"linalg.tensorinv: ind must be a positive integer, got {ind!r}")
    rows, columns = t.shape[:ind], t.shape[ind:]
    if math.prod(rows) != math.prod(columns):
        raise ShapeError(
            f"linalg.tensorinv: the product of the first ind={ind} sizes {tuple(rows)} must equal "
            f"that of the rest {tuple(columns)}"
        )
    return inv(t.reshape(math.prod(rows), math.prod(columns))).reshape(*columns, *rows)


def tensorsolve(A: Any, B: Any, dims: Any = None) -> Any:  # noqa: N803
    """X with ``tensordot(A, X, X.ndim) == B``: A's first B.ndim axes match B, the rest are X's.

    With ``dims``, those axes of A are moved to its end first. Solved as one square system
    of size B.numel().
    """
    a, b = as_tensor(A), as_tensor(B)
    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        rest = [d for d in range(a.ndim) if d not in [k % a.ndim for k in dims]]
        a = a.permute(*rest, *[k % a.ndim for k in dims])
    x_shape = a.shape[b.ndim :]
    if tuple(a.shape[: b.ndim]) != tuple(b.shape) or math.prod(x_shape) != b.numel():
        raise ShapeError(
            f"linalg.tensorsolve: A of shape {tuple(a.shape)} needs B of shape "
            f"{tuple(a.shape[: b.ndim])} and its remaining sizes to hold as many numbers, got B "
            f"of shape {tuple(b.shape)}"
        )
    n = b.numel()
    return solve(a.reshape(n, n), b.reshape(n)).reshape(*x_shape)


def householder_product(A: Any, tau: Any) -> Any:  # noqa: N803
    """The first n columns of H_1 H_2 ... H_k, each a reflection H_i = I - tau_i v_i v_i^T,
    for A (..., m, n) with m >= n and tau (..., k), k <= n.

    v_i is column i of A below the diagonal, with 1 on the diagonal and 0 above (how
    ``geqrf`` packs a QR factorisation). Built one reflection at a time, from the right: the
    gradient flows into A's lower part and tau.
    """
    a, t = as_tensor(A), as_tensor(tau)
    if not is_floating(a.array.dtype):
        raise DTypeError(f"linalg.householder_product: expected a floating A, got {a.dtype}")
    m, n = (a.shape[-2], a.shape[-1]) if a.ndim >= 2 else (0, 0)
    if a.ndim < 2 or m < n or t.ndim < 1 or t.shape[-1] > n or t.shape[:-1] != a.shape[:-2]:
        raise ShapeError(
            f"linalg.householder_product: expected A (..., m, n) with m >= n and tau (..., k) "
            f"with k <= n and A's batch shape, got A {tuple(a.shape)} and tau {tuple(t.shape)}"
        )
    rows = np.arange(m)[:, None]
    below = wrap((rows > np.arange(n)[None, :]).astype(a.array.dtype))
    on = wrap((rows == np.arange(n)[None, :]).astype(a.array.dtype))
    v_all = a * below + on  # (..., m, n): the reflection vectors as columns
    q = wrap(np.broadcast_to(np.eye(m, n, dtype=a.array.dtype), a.shape).copy())
    for i in reversed(range(t.shape[-1])):  # Q = H_1 (H_2 (... (H_k I)))
        v = v_all[..., :, i : i + 1]  # (..., m, 1)
        q = q - (t[..., i, None, None] * v) * (v.transpose(-2, -1) @ q)
    return q
