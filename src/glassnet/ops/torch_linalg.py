"""PyTorch's top-level and Tensor-method forms of the linalg functions (torch.svd, x.cholesky(), ...).

The maths lives in the ``linalg`` functions (ops/cholesky.py, decompositions.py, lu.py,
pseudoinverse.py, matrix_exp.py, linalg.py); these are PyTorch's older names and argument
conventions for them: ``torch.svd`` returns V (not Vh) and takes ``some``, ``torch.qr`` takes
``some`` for the mode, ``torch.pinverse``'s ``rcond`` is a relative tolerance, and
``torch.triangular_solve`` takes b first and returns a copy of A. glassnet's ``__init__``
exports the names in ``__all__``; tensor.py binds those in ``TENSOR_METHODS`` as methods.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import as_tensor, wrap
from . import cholesky as _cholesky
from . import decompositions as _decompositions
from . import linalg as _linalg
from . import lu as _lu
from .cholesky import cholesky_inverse, cholesky_solve, triangular_solve  # noqa: F401
from .lu import lu_unpack  # noqa: F401 - re-exported as torch.lu_unpack
from .matrix_exp import matrix_exp  # noqa: F401 - re-exported as torch.matrix_exp
from .pseudoinverse import pinv

__all__ = [
    "cholesky", "cholesky_inverse", "cholesky_solve", "det", "inverse", "lu", "lu_solve",
    "lu_unpack", "matrix_exp", "pinverse", "qr", "slogdet", "svd", "triangular_solve",
]  # fmt: skip

#: The Tensor methods (x.cholesky(), ...); det and inverse are written out in tensor.py already.
TENSOR_METHODS = [
    "cholesky", "cholesky_inverse", "cholesky_solve", "lu", "lu_solve", "matrix_exp", "pinverse",
    "qr", "slogdet", "svd", "triangular_solve",
]  # fmt: skip

_svd = namedtuple("svd", ["U", "S", "V"])
_qr = namedtuple("qr", ["Q", "R"])


def cholesky(input: Any, upper: bool = False) -> Any:  # noqa: A002
    """``torch.cholesky`` (PyTorch deprecates it for ``linalg.cholesky``, which it is)."""
    return _cholesky.cholesky(input, upper=upper)


def qr(input: Any, some: bool = True) -> Any:  # noqa: A002
    """``torch.qr``: ``(Q, R)``, reduced when ``some`` (mode='reduced'), else complete."""
    q, r = _decompositions.qr(input, "reduced" if some else "complete")
    return _qr(q, r)


def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """``torch.svd``: ``(U, S, V)`` with A = U diag(S) V^T; note V, not linalg.svd's Vh = V^T.
    ``some=True`` gives the reduced factors. With ``compute_uv=False`` U and V are zeros of
    shape (..., m, m) and (..., n, n), as PyTorch, and S alone is computed (differentiable)."""
    a = _decompositions._matrices(input, "svd")
    if not compute_uv:
        m, n = a.shape[-2:]
        zeros = lambda k: wrap(np.zeros(a.shape[:-2] + (k, k), dtype=a.array.dtype))  # noqa: E731
        return _svd(zeros(m), _decompositions.svdvals(a), zeros(n))
    u, s, vh = _decompositions.svd(a, full_matrices=not some)
    return _svd(u, s, _linalg._mT(vh))


def pinverse(input: Any, rcond: float = 1e-15) -> Any:  # noqa: A002
    """``torch.pinverse``: ``linalg.pinv`` with ``rcond`` as the relative tolerance rtol."""
    return pinv(input, rtol=rcond)


def det(input: Any) -> Any:  # noqa: A002
    """``torch.det``: ``linalg.det``."""
    return _linalg.det(input)


def slogdet(input: Any) -> Any:  # noqa: A002
    """``torch.slogdet``: ``linalg.slogdet``, ``(sign, logabsdet)``."""
    return _linalg.slogdet(input)


def inverse(input: Any) -> Any:  # noqa: A002
    """``torch.inverse``: ``linalg.inv``."""
    return _linalg.inv(input)


def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> Any:  # noqa: N803
    """``torch.lu`` (deprecated there): ``(LU, pivots)`` of ``linalg.lu_factor``, or with
    ``get_infos`` ``(LU, pivots, info)`` of ``linalg.lu_factor_ex`` (never raising)."""
    if get_infos:
        return tuple(_lu.lu_factor_ex(A, pivot=pivot))
    packed, pivots, _ = _lu.lu_factor_ex(A, pivot=pivot)
    return packed, pivots


def lu_solve(b: Any, LU_data: Any, LU_pivots: Any) -> Any:  # noqa: N803
    """``torch.lu_solve(b, LU_data, LU_pivots)`` (deprecated there): ``linalg.lu_solve`` with b
    first."""
    return _lu.lu_solve(LU_data, LU_pivots, as_tensor(b))
