"""QR in LAPACK's compact Householder form: geqrf factors, orgqr builds Q, ormqr multiplies by Q without forming it in the caller.

For A of shape (..., m, n), k = min(m, n), ``geqrf(A)`` returns (a, tau) with

    A = Q R,   Q = H_1 H_2 ... H_k,   H_i = I - tau_i v_i v_i^T,

where R is the upper triangle of a, and v_i is column i of a below the diagonal with a 1 on it
(and zeros above). That is LAPACK's ``geqrf`` (NumPy's ``qr(mode='raw')`` gives the same
numbers, transposed). As in PyTorch, ``geqrf`` has no derivative (backward refuses).

``orgqr(a, tau)`` is ``linalg.householder_product``: the first n columns of Q.
``ormqr(a, tau, C, left=True, transpose=False)`` is op(Q) C (or C op(Q) with ``left=False``),
op(Q) = Q or Q^T, with Q the full (m, m) product of the k reflections; it is built with
``householder_product`` from a squared to m columns, so the gradient reaches a, tau and C.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Op, as_tensor
from ..errors import DTypeError, ShapeError
from ..return_types import result_type
from . import api as A
from .linalg_extras import householder_product

__all__ = ["geqrf", "orgqr", "ormqr"]

_GEQRF = result_type("geqrf", ("a", "tau"))


def geqrf_arrays(a: np.ndarray) -> tuple:
    """LAPACK's (a, tau) for each matrix of a (..., m, n), through NumPy's raw QR."""
    h, tau = np.linalg.qr(a, mode="raw")
    return np.ascontiguousarray(np.swapaxes(h, -1, -2)).astype(a.dtype), tau.astype(a.dtype)


class GeqrfPart(Op):
    """(a, tau) = geqrf(A), the compact Householder QR (part 0: a, part 1: tau); no derivative"""

    def __init__(self, part: int) -> None:
        self.part = part

    def forward(self, a):
        return geqrf_arrays(a)[self.part]

    def backward(self, g):
        raise NotImplementedError("geqrf: the derivative is not implemented (as in PyTorch); "
                                  "use linalg.qr for a differentiable QR")  # fmt: skip


def geqrf(input: Any) -> tuple:  # noqa: A002
    """(a, tau): the QR factorisation of each matrix of ``input`` (..., m, n) in Householder
    form (see the module's docstring); a (..., m, n), tau (..., min(m, n))."""
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"geqrf: expected a matrix or a batch of them (..., m, n), got shape "
                         f"{tuple(x.shape)}")  # fmt: skip
    if x.array.dtype.kind != "f":
        raise DTypeError(f"geqrf: expected a floating tensor, got dtype {x.array.dtype}")
    return _GEQRF(GeqrfPart(0)(x), GeqrfPart(1)(x))


def orgqr(input: Any, tau: Any) -> Any:  # noqa: A002
    """The first n columns of Q = H_1 ... H_k from geqrf's (a, tau): ``householder_product``."""
    return householder_product(input, tau)


def ormqr(input: Any, tau: Any, other: Any, left: bool = True, transpose: bool = False) -> Any:  # noqa: A002
    """op(Q) other (``left=True``) or other op(Q), op(Q) = Q^T if ``transpose`` else Q, with Q the
    (m, m) product of the reflections stored in geqrf's (input, tau); input (..., m, n),
    tau (..., k), other (..., m, p) on the left or (..., p, m) on the right."""
    a, t, c = as_tensor(input), as_tensor(tau), as_tensor(other)
    if a.ndim < 2 or c.ndim < 2:
        raise ShapeError(f"ormqr: expected input and other to be matrices (..., m, n), got "
                         f"{tuple(a.shape)} and {tuple(c.shape)}")  # fmt: skip
    m, n = a.shape[-2:]
    axis = -2 if left else -1
    if c.shape[axis] != m:
        raise ShapeError(
            f"ormqr: other's dim {axis} must be input's number of rows {m} (left={left}), got "
            f"other of shape {tuple(c.shape)}"
        )
    if t.ndim < 1 or t.shape[-1] > min(m, n):
        raise ShapeError(f"ormqr: expected tau (..., k) with k <= min(m, n) = {min(m, n)}, got "
                         f"{tuple(t.shape)}")  # fmt: skip
    if n >= m:
        square = a[..., :, :m]
    else:  # columns past n hold no reflection: zeros there change nothing (tau has k entries)
        zeros = as_tensor(np.zeros((*a.shape[:-1], m - n), a.array.dtype))
        square = A.cat([a, zeros], -1)
    q = householder_product(square, t)  # (..., m, m)
    if transpose:
        q = q.transpose(-2, -1)
    return q @ c if left else c @ q
