"""Matrix multiplication: the op where nearly all of a network's time goes.

For 2-D a (n, k) and b (k, m), y = a @ b has y[i, j] = sum_k a[i, k] * b[k, j], so
dL/da = g @ b.T and dL/db = a.T @ g. 1-D operands are treated as a row (left) or a column
(right) and the added axis is removed again; leading batch axes broadcast as in NumPy.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, reads_the_other_factor
from ..errors import ShapeError
from .blas_direct import matmul


class MatMul(Op):
    """y = a @ b;   dL/da = g @ b^T,   dL/db = a^T @ g"""

    saved_inputs = reads_the_other_factor

    def forward(self, a, b):
        if np.ndim(a) == 0 or np.ndim(b) == 0:
            raise ShapeError(
                f"matmul: both arguments need at least 1 dimension, got shapes "
                f"{np.shape(a)} and {np.shape(b)}"
            )
        ka = a.shape[-1]
        kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if ka != kb:
            raise ShapeError(
                f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({ka} columns on the left, {kb} rows on the right)"
            )
        if a.ndim == 2 and b.ndim == 2:
            return matmul(a, b)  # np.matmul, or MKL's gemm for a large product (blas_direct)
        try:
            return np.matmul(a, b)
        except ValueError:
            raise ShapeError(
                f"matmul: batch dimensions of {a.shape} and {b.shape} do not broadcast"
            ) from None

    def backward(self, g):
        a, b = self.inputs
        if a.ndim == 1 and b.ndim == 1:  # inner product: y = sum_k a_k b_k
            return g * b, g * a
        a2 = a.unsqueeze(0) if a.ndim == 1 else a  # (k,) -> (1, k)
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b  # (k,) -> (k, 1)
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        ga = gb = None
        if self.parents[0] is not None:
            ga = g @ b2.transpose(-1, -2)
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if self.parents[1] is not None:
            gb = a2.transpose(-1, -2) @ g
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb
