"""The fused normalization op: standardize over some axes, scale and shift; closed-form backward.

Batch, layer and group normalization all compute

    x_hat = (x - mean) / sqrt(var + eps)        (var is the biased variance: divide by M)
    y     = x_hat * weight + bias

with mean and var taken over a set of axes (M elements each); they differ only in which
axes, and in the shape of weight and bias. Built from primitives this records about eight
ops and walks back through all of them; as one op its gradient is a few formulas. With
g = dL/dy, d = g * weight (= dL/dx_hat), and means over the same axes as the statistics,

    dL/dx      = (d - mean(d) - x_hat * mean(d * x_hat)) / sqrt(var + eps)
    dL/dweight = sum of g * x_hat over the axes weight is broadcast along
    dL/dbias   = sum of g over the axes bias is broadcast along

(dL/dx is d minus its part along the two directions that standardization removes: adding a
constant to all inputs of a group, and scaling them, both leave x_hat unchanged.)
When weight is constant along the statistics axes (batch norm: one weight per channel,
statistics over everything else) the sums for dL/dweight and dL/dbias are the same
reductions the dL/dx formula needs, so they come for free.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, is_grad_enabled, wrap
from .norm_loops import worth_compiling
from .norm_rows import backward_rows, forward_rows, row_layout
from .reduce import normalize_dims


def standardize_reference(x: np.ndarray, axes: tuple, eps: float):
    """(x_hat, mean, var, invstd), the plain two-pass formulas with np.mean over ``axes``.

    mean = mean(x), var = mean((x - mean)**2), invstd = 1 / sqrt(var + eps),
    x_hat = (x - mean) * invstd; the statistics keep the reduced axes as size 1. The readable
    twin of ``norm_rows.forward_rows`` (and what runs for layouts that one does not serve).
    """
    mean = np.mean(x, axis=axes, keepdims=True)
    x_hat = x - mean
    var = np.mean(np.square(x_hat), axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    x_hat *= invstd
    return x_hat, mean, var, invstd


def _affine_reference(x_hat: np.ndarray, weight, bias) -> np.ndarray:
    """y = x_hat * weight + bias (either may be None), a new array."""
    y = x_hat * weight if weight is not None else x_hat.copy()
    if bias is not None:
        y += bias
    return y


def _broadcast_axes(shape: tuple, full: tuple) -> tuple[int, ...]:
    """Axes of an array of shape ``full`` that a parameter of ``shape`` is broadcast along."""
    lead = len(full) - len(shape)
    return tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and full[i + lead] != 1
    )


def _sum_to(a: np.ndarray, shape: tuple, axes: tuple) -> np.ndarray:
    return np.sum(a, axis=axes, keepdims=True).reshape(shape) if axes else a


class Normalize(Op):
    """y = (x - m) / s * w + b;   dL/dx = (d - mean(d) - x_hat * mean(d * x_hat)) / s,  d = g * w

    m and s**2 - eps are the mean and (biased) variance of x over ``dims``, s = sqrt(var + eps),
    x_hat = (x - m) / s.

    Args (of the constructor):
        dims: the axes the statistics are taken over (int or tuple), e.g. (0, 2, 3) for
            BatchNorm2d on (N, C, H, W) input, (-1,) for LayerNorm over the last axis.
        eps: added to the variance before the square root.
        fast: use the blocked, multi-core fast path of ops/norm_rows.py where the layout
            allows (the default; on large float32/float64 inputs it runs as the compiled
            loops of ops/norm_loops.py when numba is available, see ``op.compiled``); False
            runs the plain reference formulas below.

    Inputs: x, then optional ``weight`` and ``bias`` (None, or arrays that broadcast against
    x, e.g. of shape (1, C, 1, 1) for batch norm or ``normalized_shape`` for layer norm).

    After the call the op keeps the statistics it used: ``op.mean`` and ``op.var`` (biased),
    with the reduced axes kept as size 1 (batch norm reads them to update its running stats).
    """

    def __init__(self, dims, eps: float = 1e-5, fast: bool = True):
        self.dims = dims
        self.eps = eps
        self.fast = fast  # False: always the plain reference formulas (for tests)

    def forward(self, x, weight=None, bias=None):
        axes = normalize_dims(self.dims, x.ndim, "normalize")
        self.axes = axes
        self.layout = row_layout(x, axes, [weight, bias]) if self.fast else None
        # Compiled row loops (numba) where x is large enough to pay and the layout is one they
        # serve; the NumPy blocks otherwise.
        layout = self.layout
        self.compiled = layout is not None and layout.compilable and worth_compiling(x)
        if self.layout is not None:
            # x_hat is None for layer norm (and when compiled): backward_rows recomputes it
            # from x, row by row.
            y, x_hat, self.mean, self.var, invstd = forward_rows(
                self.layout, x, self.eps, weight, bias, self.compiled
            )
            self.save_for_backward(x, invstd, x_hat)
        else:
            x_hat, self.mean, self.var, invstd = standardize_reference(x, axes, self.eps)
            self.save_for_backward(x_hat, invstd)
            y = x_hat if weight is None and bias is None else _affine_reference(x_hat, weight, bias)
        if weight is None and bias is None:
            self.out_data = y  # y is x_hat: in-place edits of it are then detected
        return y

    def _param_axes(self, param) -> tuple:
        return _broadcast_axes(np.shape(param), self.saved[0].shape)  # x's shape

    def backward(self, g):
        if is_grad_enabled():
            return self._backward_recorded(g)
        _, weight, bias = (list(self.inputs) + [None, None])[:3]
        w = None if weight is None else weight.array
        gd = g.array
        need_x = self.parents[0] is not None
        need_w = w is not None and self.parents[1] is not None
        need_b = bias is not None and self.parents[2] is not None
        if self.layout is not None:
            x, invstd, x_hat = self.saved
            b = None if bias is None else bias.array
            need = (need_x, need_w, need_b)
            g_x, g_w, g_b = backward_rows(
                self.layout, gd, x, x_hat, self.mean, invstd, w, b, need, self.compiled
            )
        else:
            g_x, g_w, g_b = self._backward_reference(gd, w, bias, need_x, need_w, need_b)
        return (
            None if g_x is None else wrap(g_x),
            None if g_w is None else wrap(g_w),
            None if g_b is None else wrap(g_b),
        )

    def _backward_reference(self, gd, w, bias, need_x, need_w, need_b):
        """The plain NumPy backward (np.mean / np.sum over the axes): any layout, the reference."""
        axes, (x_hat, invstd) = self.axes, self.saved
        g_x = g_w = g_b = None
        # BatchNorm case: weight is constant along the statistics axes, so mean(d) = w mean(g),
        # mean(d x_hat) = w mean(g x_hat), and the weight/bias sums are these same reductions.
        w_axes = None if w is None else self._param_axes(w)
        shared = w is None or set(w_axes) == set(axes)
        if shared:
            t = gd * x_hat
            gxm = np.mean(t, axis=axes, keepdims=True)
            gm = np.mean(gd, axis=axes, keepdims=True)
            count = x_hat.size // gm.size
            if need_w:
                g_w = (gxm * count).reshape(w.shape)
            if need_b:
                b_axes = self._param_axes(bias.array)
                g_b = (
                    (gm * count).reshape(bias.shape)
                    if set(b_axes) == set(axes)
                    else _sum_to(gd, bias.shape, b_axes)
                )
            if need_x:
                g_x = gd - gm
                np.multiply(x_hat, gxm, out=t)
                g_x -= t
                g_x *= invstd if w is None else invstd * w
        else:
            if need_w:
                g_w = _sum_to(gd * x_hat, w.shape, w_axes)
            if need_b:
                g_b = _sum_to(gd, bias.shape, self._param_axes(bias.array))
            if need_x:
                d = gd * w
                t = d * x_hat
                dxm = np.mean(t, axis=axes, keepdims=True)
                d -= np.mean(d, axis=axes, keepdims=True)
                np.multiply(x_hat, dxm, out=t)
                d -= t
                d *= invstd
                g_x = d
        return g_x, g_w, g_b

    def _backward_recorded(self, g):
        """The same formulas with Tensor operations (x_hat recomputed from x): differentiable."""
        x, weight, bias = (list(self.inputs) + [None, None])[:3]
        axes = self.axes
        mean = x.mean(dim=axes, keepdim=True)
        invstd = (x.var(dim=axes, keepdim=True, correction=0) + self.eps).rsqrt()
        x_hat = (x - mean) * invstd
        g_x = g_w = g_b = None
        if self.parents[0] is not None:
            d = g if weight is None else g * weight
            dm = d.mean(dim=axes, keepdim=True)
            dxm = (d * x_hat).mean(dim=axes, keepdim=True)
            g_x = (d - dm - x_hat * dxm) * invstd
        if weight is not None and self.parents[1] is not None:
            w_axes = self._param_axes(weight.array)
            g_w = g * x_hat
            if w_axes:
                g_w = g_w.sum(dim=w_axes, keepdim=True).reshape(weight.shape)
        if bias is not None and self.parents[2] is not None:
            b_axes = self._param_axes(bias.array)
            g_b = g.sum(dim=b_axes, keepdim=True).reshape(bias.shape) if b_axes else g
        return g_x, g_w, g_b
