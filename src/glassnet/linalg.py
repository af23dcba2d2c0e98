"""``glassnet.linalg``, PyTorch's ``torch.linalg``: inverses, determinants, solves, norms, decompositions.

The functions live in ops/ with their values, gradients and formulas: ``ops/linalg.py`` (inv,
det, solve, norms, products), ``ops/cholesky.py`` (Cholesky, triangular solves),
``ops/decompositions.py`` (QR, eigh, SVD, eig), ``ops/lu.py``, ``ops/pseudoinverse.py`` (pinv,
matrix_rank, lstsq), ``ops/matrix_exp.py`` and ``ops/linalg_extras.py`` (cond, inv_ex, solve_ex,
vander, tensorinv, tensorsolve, householder_product). This module is the namespace scripts import
(``torch.linalg.inv`` under ``glassnet run``).
"""

from __future__ import annotations

from .ops.api import matmul  # torch.linalg.matmul is torch.matmul
from .ops.cholesky import cholesky, cholesky_ex, solve_triangular
from .ops.decompositions import eig, eigh, eigvals, eigvalsh, qr, svd, svdvals
from .ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg import (
    SingularMatrixError,
    cross,
    det,
    diagonal,
    inv,
    logdet,
    matrix_norm,
    matrix_power,
    multi_dot,
    norm,
    slogdet,
    solve,
    vecdot,
    vector_norm,
)
from .ops.linalg_extras import (
    cond,
    householder_product,
    inv_ex,
    solve_ex,
    tensorinv,
    tensorsolve,
    vander,
)
from .ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from .ops.matrix_exp import matrix_exp
from .ops.pseudoinverse import lstsq, matrix_rank, pinv

LinAlgError = SingularMatrixError  # PyTorch's name for the error a singular matrix raises

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
    "eigvalsh", "inv", "logdet", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
    "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
    "slogdet", "solve", "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm",
    "cond", "householder_product", "inv_ex", "matmul", "solve_ex", "tensorinv", "tensorsolve",
    "vander", "ldl_factor", "ldl_factor_ex", "ldl_solve",
]  # fmt: skip
