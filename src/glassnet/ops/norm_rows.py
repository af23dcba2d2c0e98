"""The fast path of Normalize: the statistics as matrix-vector products on an (L, Q) view of x.

When x is stored contiguously and its last q axes are all reduced, x is, without a copy, a
matrix x2 of L rows and Q = (product of those q axes) columns. Then every reduction the
normalization needs over those axes is a matrix-vector product, run as one pass of row dot
products (``np.vecdot``, vectorised, no temporary array):

    row sums        s = x2 @ ones(Q)                      (L,)
    weighted sums   a = t2 @ w(Q)                         (L,)   (w varies along the columns)
    column sums     c = ones(L) @ t2 = t2.sum(axis=0)     (Q,)   (the weight gradient of LN)

(Not BLAS's ``@``: its matrix-vector product is no faster on one core, and with several
threads on a busy machine it was measured 30 times slower.)

and the remaining reduced axes, if any, are among the leading ones: summed over the small (L,)
arrays. Two layouts are served, by where weight and bias vary:

* "lead" (batch norm over (N, C, H, W), group norm, any op without parameters): weight and
  bias are constant along the q trailing axes; their values live on the rows.
* "trail" (layer norm): the reduced axes are exactly the trailing ones and weight and bias
  vary along all of them (shape ``normalized_shape``); their values live on the columns.

The variance is taken of the centred values, var = (x - mean) . (x - mean) / M, a row dot
product with no temporary square array: as accurate as the two-pass formula, since it is it.
The formulas are those of ``Normalize`` (ops/norm.py), whose plain NumPy version stays the
reference, tested equal to this one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["RowLayout", "row_layout", "forward_rows", "affine_rows", "backward_rows"]


def _aligned(shape: tuple, ndim: int) -> tuple:
    """A parameter's shape with leading 1s up to ``ndim`` axes (how it broadcasts)."""
    return (1,) * (ndim - len(shape)) + tuple(shape)


@dataclass(frozen=True)
class RowLayout:
    """How an input of ``shape`` is seen as an (L, Q) matrix for the statistics over ``axes``.

    Attributes:
        shape: the input's shape.
        q: number of trailing axes folded into the columns.
        lead_red: the reduced axes among the leading ``len(shape) - q`` ones.
        kind: "lead" (parameters constant along the columns) or "trail" (they span them).
        count: M, the number of values in each statistic.
    """

    shape: tuple
    q: int
    lead_red: tuple
    kind: str
    count: int

    @property
    def lead(self) -> tuple:
        return self.shape[: len(self.shape) - self.q]

    @property
    def rows(self) -> int:
        return math.prod(self.lead)

    @property
    def cols(self) -> int:
        return math.prod(self.shape[len(self.shape) - self.q :])

    @property
    def small(self) -> tuple:
        """The statistics' shape on the leading axes (reduced ones kept as 1)."""
        return tuple(1 if i in self.lead_red else n for i, n in enumerate(self.lead))

    @property
    def keep(self) -> tuple:
        """The statistics' shape on the input's axes (every reduced axis kept as 1)."""
        return self.small + (1,) * self.q

    def matrix(self, a: np.ndarray) -> np.ndarray:
        """a (of the input's shape) as the (L, Q) matrix (a view when a is contiguous)."""
        return a.reshape(self.rows, self.cols)

    def reduce(self, per_row: np.ndarray) -> np.ndarray:
        """(L,) partial sums -> the sums over all reduced axes, of shape ``small``."""
        per_row = per_row.reshape(self.lead)
        return np.sum(per_row, axis=self.lead_red, keepdims=True) if self.lead_red else per_row

    def on_rows(self, small: np.ndarray) -> np.ndarray:
        """A value per statistic (broadcastable to the leading axes) as an (L, 1) column."""
        return np.broadcast_to(small, self.lead).reshape(self.rows, 1)

    def param(self, p: np.ndarray | None) -> np.ndarray | None:
        """A parameter as it multiplies the matrix: (L, 1) for "lead", (Q,) for "trail"."""
        if p is None:
            return None
        if self.kind == "trail":
            return p.reshape(self.cols)
        return self.on_rows(_lead(p, self))

    def param_sum(self, per_stat_sums: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Sum of (L,)-shaped per-row sums over the axes parameter p is broadcast along."""
        lead_shape = _aligned(p.shape, len(self.shape))[: len(self.lead)]
        axes = tuple(i for i, (n, m) in enumerate(zip(lead_shape, self.lead)) if n == 1 and m != 1)
        s = per_stat_sums.reshape(self.lead)
        return (np.sum(s, axis=axes, keepdims=True) if axes else s).reshape(p.shape)


def _lead(p: np.ndarray, layout: RowLayout) -> np.ndarray:
    """A "lead" parameter viewed on the leading axes only (its trailing q axes are 1)."""
    aligned = _aligned(p.shape, len(layout.shape))
    return p.reshape(aligned[: len(layout.lead)])


def row_layout(x: np.ndarray, axes: tuple, params: list) -> RowLayout | None:
    """The (L, Q) layout for normalizing x over ``axes`` with these parameters, or None.

    None (use the reference) when x is not contiguous or empty, when its last axis is not
    reduced, or when a parameter varies along the trailing reduced axes only partly.
    """
    ndim = x.ndim
    if not x.flags.c_contiguous or x.size == 0 or not axes or axes[-1] != ndim - 1:
        return None
    shapes = [_aligned(np.shape(p), ndim) for p in params if p is not None]
    if any(len(s) != ndim for s in shapes):
        return None
    count = math.prod(x.shape[a] for a in axes)
    # "lead": the longest block of trailing reduced axes along which every parameter is 1.
    q = 0
    while q < ndim and (ndim - 1 - q) in axes and all(s[ndim - 1 - q] == 1 for s in shapes):
        q += 1
    if q:
        lead_red = tuple(a for a in axes if a < ndim - q)
        return RowLayout(tuple(x.shape), q, lead_red, "lead", count)
    # "trail": the reduced axes are the trailing k, and every parameter spans exactly them.
    k = len(axes)
    if axes != tuple(range(ndim - k, ndim)):
        return None
    if all(
        s[: ndim - k] == (1,) * (ndim - k) and s[ndim - k :] == x.shape[ndim - k :] for s in shapes
    ):
        return RowLayout(tuple(x.shape), k, (), "trail", count)
    return None


def forward_rows(layout: RowLayout, x: np.ndarray, eps: float):
    """(x_hat, mean, var, invstd) with the statistics in the ``keep`` shape; x_hat like x."""
    x2 = layout.matrix(x)
    ones = np.ones(layout.cols, dtype=x.dtype)
    mean = layout.reduce(np.vecdot(x2, ones)) / layout.count
    x_hat = np.subtract(x2, layout.on_rows(mean))
    var = layout.reduce(np.vecdot(x_hat, x_hat)) / layout.count
    invstd = 1.0 / np.sqrt(var + eps)
    x_hat *= layout.on_rows(invstd)
    keep = layout.keep
    return x_hat.reshape(x.shape), mean.reshape(keep), var.reshape(keep), invstd.reshape(keep)


def affine_rows(layout: RowLayout, x_hat: np.ndarray, weight, bias) -> np.ndarray:
    """y = x_hat * weight + bias, with the parameters laid on the matrix (a new array)."""
    x2 = layout.matrix(x_hat)
    w, b = layout.param(weight), layout.param(bias)
    y = x2 * w if w is not None else x2.copy()
    if b is not None:
        y += b
    return y.reshape(x_hat.shape)


def backward_rows(layout: RowLayout, g, x_hat, invstd, weight, bias, need: tuple):
    """(dL/dx, dL/dweight, dL/dbias) by the formulas of Normalize; None where not needed.

    ``need`` = (need_x, need_weight, need_bias). With d = g * w and means over the reduced
    axes: dL/dx = (d - mean(d) - x_hat * mean(d * x_hat)) * invstd.
    """
    need_x, need_w, need_b = need
    g2, xh2 = layout.matrix(np.ascontiguousarray(g)), layout.matrix(x_hat)
    dtype = g2.dtype
    t = g2 * xh2
    g_x = g_w = g_b = None
    count = layout.count
    invstd_rows = layout.on_rows(invstd.reshape(layout.small))
    w = layout.param(weight)
    if layout.kind == "trail":
        if need_w:
            g_w = t.sum(axis=0).reshape(weight.shape)
        if need_b:
            g_b = g2.sum(axis=0).reshape(bias.shape)
        if need_x:
            wq = w if w is not None else np.ones(layout.cols, dtype=dtype)
            a = np.vecdot(t, wq).reshape(-1, 1) / count  # mean(d * x_hat) per row
            m = np.vecdot(g2, wq).reshape(-1, 1) / count  # mean(d) per row
            g_x = g2 * wq
            np.multiply(xh2, a, out=t)
            t += m
            g_x -= t
            g_x *= invstd_rows
    else:
        ones = np.ones(layout.cols, dtype=dtype)
        s_t, s_g = np.vecdot(t, ones), np.vecdot(g2, ones)  # row sums of g * x_hat and g
        if need_w:
            g_w = layout.param_sum(s_t, weight)
        if need_b:
            g_b = layout.param_sum(s_g, bias)
        if need_x:
            w_lead = 1 if weight is None else _lead(weight, layout)
            a = layout.reduce(s_t.reshape(layout.lead) * w_lead) / count
            m = layout.reduce(s_g.reshape(layout.lead) * w_lead) / count
            # dL/dx = g * (w * invstd) - (x_hat * a + m) * invstd, every factor on the rows
            scale = invstd_rows if w is None else w * invstd_rows
            g_x = g2 * scale
            np.multiply(xh2, layout.on_rows(a) * invstd_rows, out=t)
            t += layout.on_rows(m) * invstd_rows
            g_x -= t
    if g_x is not None:
        g_x = g_x.reshape(layout.shape)
    return g_x, g_w, g_b
