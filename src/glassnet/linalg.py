"""``glassnet.linalg``, PyTorch's ``torch.linalg``: inverse, determinant, solving A X = B, norms.

The functions live in ``ops/linalg.py`` (their values, gradients and formulas); this module is
the namespace scripts import (``torch.linalg.inv`` under ``glassnet run``).
"""

from __future__ import annotations

from .ops.linalg import (
    SingularMatrixError,
    det,
    inv,
    logdet,
    matrix_norm,
    matrix_power,
    norm,
    slogdet,
    solve,
    vector_norm,
)

LinAlgError = SingularMatrixError  # PyTorch's name for the error a singular matrix raises

__all__ = [
    "LinAlgError", "det", "inv", "logdet", "matrix_norm", "matrix_power", "norm", "slogdet",
    "solve", "vector_norm",
]  # fmt: skip
