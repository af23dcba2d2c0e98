"""Fused neural-network ops: the affine map of Linear, ELU / SiLU / Hardtanh, the dropout mask, embedding lookup.

Each could be written as a chain of smaller ops, but one op per layer means one NumPy call per
step instead of several, fewer temporary arrays and fewer graph nodes: y = x W^T + b as a
single op (instead of transpose, matmul and add) is what lets a NumPy MLP keep pace with
PyTorch on the CPU.

Backward rules come in two forms. In the everyday first-order backward (the graph is not
being recorded: ``is_grad_enabled()`` is False inside the walk) they work on raw arrays.
With ``create_graph=True`` they are written with Tensor operations, so the gradient can be
differentiated again. Both compute the same formula, stated in each op's docstring.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, is_grad_enabled, reads_the_other_factor, wrap
from .blas_direct import matmul

# ---------------------------------------------------------------------- the affine map


class Linear(Op):
    """y = x W^T + b;   dL/dx = g W,   dL/dW = g^T x,   dL/db = sum of g over rows

    Shapes: x (*, in), W (out, in), b (out,), y (*, out). Leading dimensions of x are
    flattened into rows for the two matrix products, so a (B, T, in) input costs one big
    matmul, not B small ones. The optional third input (b) may be left out.
    """

    saved_inputs = reads_the_other_factor

    def forward(self, x, w, b=None):
        self.in_shape = x.shape
        x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        # np.matmul(x2, w.T) + b, or MKL's gemm adding the product to b for a large one
        y = matmul(x2, w.T, b)
        if x.ndim != 2:
            y = y.reshape(x.shape[:-1] + (w.shape[0],))
        return y

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        has_bias = len(self.inputs) > 2 and self.inputs[2] is not None
        need_x = self.parents[0] is not None
        need_w = self.parents[1] is not None
        need_b = has_bias and self.parents[2] is not None
        out_features, in_features = w.shape
        if not is_grad_enabled():  # first order: plain arrays, no graph
            g2 = g.array.reshape(-1, out_features)
            gx = gw = gb = None
            if need_x:
                gx = wrap(matmul(g2, w.array).reshape(self.in_shape))
            if need_w:
                gw = wrap(matmul(g2.T, x.array.reshape(-1, in_features)))
            if need_b:  # np.add.reduce is g2.sum(axis=0) without the method's Python layer
                gb = wrap(np.add.reduce(g2, axis=0))
        else:  # recorded, so that it can be differentiated again
            g2 = g.reshape(-1, out_features)
            gx = (g2 @ w).reshape(self.in_shape) if need_x else None
            gw = g2.transpose(0, 1) @ x.reshape(-1, in_features) if need_w else None
            gb = g2.sum(dim=0) if need_b else None
        return (gx, gw, gb) if has_bias else (gx, gw)


# ---------------------------------------------------------------------- activations


class ELU(Op):
    """y = s x if x > 0 else s a (e**(c x) - 1);   dL/dx = g s if x > 0 else g s a c e**(c x)

    With a = alpha, s = scale and c = input_scale this one op gives ELU (s = c = 1),
    SELU (fixed a and s) and CELU (c = 1 / a). The exponential is taken of min(x, 0) only,
    so large positive x never overflow.
    """

    def __init__(self, alpha: float = 1.0, scale: float = 1.0, input_scale: float = 1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale

    def forward(self, x):
        neg = (self.scale * self.alpha) * np.expm1(self.input_scale * np.minimum(x, 0))
        pos = x if self.scale == 1 else self.scale * x
        return np.where(x > 0, pos, neg).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        s, coef, c = self.scale, self.scale * self.alpha * self.input_scale, self.input_scale
        positive = x.array > 0
        if not is_grad_enabled():
            d = np.where(positive, s, coef * np.exp(c * np.minimum(x.array, 0)))
            return (wrap((g.array * d).astype(g.array.dtype, copy=False)),)
        mask = positive.astype(g.array.dtype)
        slope = mask * s + (1 - mask) * (x.clamp(max=0) * c).exp() * coef
        return (g * slope,)


class Hardtanh(Op):
    """y = min(max(x, lo), hi);   dL/dx = g where lo < x < hi (strictly), else 0

    Unlike ``clamp`` (whose gradient passes at x == lo and x == hi), the gradient is 0 at the
    two corners, as in PyTorch's hardtanh / relu6: ReLU6 of an exact 0 passes no gradient.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0):
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x):
        return np.clip(x, self.min_val, self.max_val)

    def backward(self, g):
        x = self.inputs[0].array
        inside = (x > self.min_val) & (x < self.max_val)
        return (g * wrap(inside.astype(g.array.dtype)),)


class SiLU(Op):
    """y = x sigmoid(x);   dL/dx = g s (1 + x (1 - s)),  s = sigmoid(x)"""

    def forward(self, x):
        z = np.exp(-np.abs(x))  # stable sigmoid: never exponentiate a large positive number
        s = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
        self.save_for_backward(s)
        return x * s

    def backward(self, g):
        x = self.inputs[0]
        if not is_grad_enabled():
            (s,), xd = self.saved, x.array
            return (wrap(g.array * (s * (1 + xd * (1 - s)))),)
        s = x.sigmoid()
        return (g * (s * (1 + x * (1 - s))),)


# ---------------------------------------------------------------------- dropout


class Dropout(Op):
    """y = x m / (1 - p), m ~ Bernoulli(1 - p) per element;   dL/dx = g m / (1 - p)

    Inverted dropout: each unit is kept with probability 1 - p and the kept ones are scaled
    by 1 / (1 - p), so E[y] = x and nothing needs rescaling at evaluation time. The mask has
    shape ``mask_shape`` (default: x's shape); a shape with ones, such as (N, C, 1, 1),
    drops whole channels at once (Dropout2d). It is drawn from ``generator`` (default: the
    global generator) and kept for the backward pass.
    """

    def __init__(self, p: float, mask_shape: tuple | None = None, generator=None):
        self.p = p
        self.mask_shape = mask_shape
        self.generator = generator

    def forward(self, x):
        from ..random import default_generator

        shape = x.shape if self.mask_shape is None else self.mask_shape
        if self.p >= 1:
            scale = np.zeros(shape, dtype=x.dtype)
        else:
            rng = self.generator if self.generator is not None else default_generator()
            keep = rng.random(shape, dtype=np.float32) >= self.p
            scale = keep.astype(x.dtype)
            scale *= 1.0 / (1.0 - self.p)
        self.save_for_backward(scale)
        return x * scale

    def backward(self, g):
        (scale,) = self.saved
        return (g * wrap(scale),)

    def saved_inputs(self):
        return ()  # the gradient reads only the mask, not x


# ---------------------------------------------------------------------- embedding lookup


class EmbeddingLookup(Op):
    """y[..., :] = W[indices[...], :];   dL/dW = g scattered into rows indices (repeats add up)

    ``indices`` is an integer array (any shape) fixed when the op is built; the output has
    shape indices.shape + (D,). The gradient of W is ``EmbeddingScatter``, which skips the
    row ``padding_idx`` and, with ``scale_grad_by_freq``, divides each contribution by how
    often its index occurs. With ``adjoint=True`` the lookup applies those same factors to
    its output rows (zero at padding_idx, 1/count): it is then exactly the derivative of
    EmbeddingScatter, which second derivatives need.
    """

    def __init__(
        self,
        indices: np.ndarray,
        padding_idx: int | None = None,
        scale_grad_by_freq: bool = False,
        adjoint: bool = False,
    ):
        self.indices = indices
        self.padding_idx = padding_idx
        self.scale_grad_by_freq = scale_grad_by_freq
        self.adjoint = adjoint

    def forward(self, w):
        self.num_rows = w.shape[0]
        y = np.take(w, self.indices, axis=0)
        if self.adjoint:
            weights = _row_weights(
                self.indices, self.num_rows, self.padding_idx, self.scale_grad_by_freq, y.dtype
            )
            if weights is not None:
                y *= weights[..., None]
        return y

    def backward(self, g):
        scatter = EmbeddingScatter(
            self.indices, self.num_rows, self.padding_idx, self.scale_grad_by_freq
        )
        return (scatter(g),)


class EmbeddingScatter(Op):
    """G = zeros(V, D) with G[indices[k]] += g[k] (row padding_idx stays 0);   dL/dg = gg[indices]

    The scatter-add is one ``np.bincount`` over flattened (row, column) positions (much
    faster than ``np.add.at``), accumulated in float64 and rounded back. With
    ``scale_grad_by_freq`` each contribution is divided by the count of its index.
    """

    def __init__(
        self,
        indices: np.ndarray,
        num_rows: int,
        padding_idx: int | None = None,
        scale_grad_by_freq: bool = False,
    ):
        self.indices = indices
        self.num_rows = num_rows
        self.padding_idx = padding_idx
        self.scale_grad_by_freq = scale_grad_by_freq

    def forward(self, g):
        dim = g.shape[-1]
        idx = self.indices.reshape(-1)
        g2 = g.reshape(-1, dim)
        weights = _row_weights(
            idx, self.num_rows, self.padding_idx, self.scale_grad_by_freq, g.dtype
        )
        if weights is not None:
            g2 = g2 * weights[:, None]
        flat = (idx[:, None] * dim + np.arange(dim)).reshape(-1)
        out = np.bincount(flat, weights=g2.reshape(-1), minlength=self.num_rows * dim)
        return out.reshape(self.num_rows, dim).astype(g.dtype, copy=False)

    def backward(self, gg):
        lookup = EmbeddingLookup(
            self.indices, self.padding_idx, self.scale_grad_by_freq, adjoint=True
        )
        return (lookup(gg),)


def _row_weights(indices, num_rows, padding_idx, by_freq, dtype):
    """Per-index factors of the embedding gradient: 1/count (if by_freq), 0 at padding_idx."""
    weights = None
    if by_freq:
        counts = np.bincount(indices.reshape(-1), minlength=num_rows)
        weights = (1.0 / counts[indices]).astype(dtype)
    if padding_idx is not None:
        keep = (indices != padding_idx).astype(dtype)
        weights = keep if weights is None else weights * keep
    return weights
