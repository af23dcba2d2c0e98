"""Compiled max pooling (numba, optional): window maxima with their winning taps, and the gradient routed back, one pass each.

The NumPy MaxPool in ``ops/pool.py`` compares whole tap planes (strided views of the input)
several times and builds the argmax from boolean masks; its gradient writes every tap plane
as ``g * (argmax == k)``. The loops here visit every window once:

    forward:   y[m, p, q] = max over taps k = (i, j) of xpad[m, p*sh + i*dh, q*sw + j*dw]
               argmax[m, p, q] = the winning k
    backward:  dx[m] = 0, then dx[m, row, col] += g[m, p, q] at the winner (row, col) of (p, q)

``m`` numbers the (image, channel) planes in memory order. The scan follows MaxPool's rule: a
later tap wins only when strictly larger (ties go to the first tap) or when it is NaN (so the
last NaN wins, as in PyTorch's scan); taps in the padding never win (they are -inf). The
gradient is ``dL/dx = sum over windows of g at the winning pixel``, linear in g.

Arrays: ``x``/``dx`` (M, H, W), ``y``/``g``/``argmax`` (M, Ho, Wo), all C-contiguous; the loops
work on planes ``start:stop`` and release Python's global lock, so ``split_work.run_split``
gives each core a range of planes. The geometry arrives as plain ints (see ``loop_args``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import jit

if TYPE_CHECKING:  # ops/pool.py imports this file
    from .conv import Geometry

__all__ = ["loop_args", "max_pool_planes", "scatter_to_argmax_planes"]


def loop_args(geo: Geometry) -> tuple[int, ...]:
    """The geometry as the loops take it: kh, kw, sh, sw, dh, dw, top, left."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    top, _, left, _ = geo.pad
    return (kh, kw, sh, sw, dh, dw, top, left)


@jit.loop
def max_pool_planes(x, y, argmax, start, stop, kh, kw, sh, sw, dh, dw, top, left):
    """y = the maximum of every window of planes start:stop, argmax = its winning tap."""
    _, h, w = x.shape
    _, oh, ow = y.shape
    pairs = kh == kw == sh == sw == 2 and dh == dw == 1 and top == left == 0
    lowest = -x.dtype.type(np.inf)
    for m in range(start, stop):
        plane, best, won = x[m], y[m], argmax[m]
        for p in range(oh):
            if pairs:  # 2x2 windows side by side (the common case): the four taps by name
                upper, lower = plane[2 * p], plane[2 * p + 1]
                for q in range(ow):
                    value, tap = upper[2 * q], 0
                    v = upper[2 * q + 1]
                    if v > value or v != v:  # strictly larger, or NaN
                        value, tap = v, 1
                    v = lower[2 * q]
                    if v > value or v != v:
                        value, tap = v, 2
                    v = lower[2 * q + 1]
                    if v > value or v != v:
                        value, tap = v, 3
                    best[p, q] = value
                    won[p, q] = tap
                continue
            for q in range(ow):
                value, tap = lowest, 0
                for i in range(kh):
                    row = p * sh + i * dh - top
                    if row < 0 or row >= h:
                        continue
                    for j in range(kw):
                        col = q * sw + j * dw - left
                        if 0 <= col < w:
                            v = plane[row, col]
                            if v > value or v != v:  # strictly larger, or NaN
                                value, tap = v, i * kw + j
                best[p, q] = value
                won[p, q] = tap


@jit.loop
def scatter_to_argmax_planes(g, argmax, dx, start, stop, kh, kw, sh, sw, dh, dw, top, left):
    """dx[m] = g of planes start:stop added at the winning pixel of every window (0 elsewhere)."""
    _, h, w = dx.shape
    _, oh, ow = g.shape
    pairs = kh == kw == sh == sw == 2 and dh == dw == 1 and top == left == 0
    zero = g.dtype.type(0)
    for m in range(start, stop):
        grad, won, out = g[m], argmax[m], dx[m]
        if not pairs or h != 2 * oh or w != 2 * ow:  # some pixels lie in no window
            out[:, :] = 0
        if pairs:  # 2x2 windows side by side: each pixel is written once, g or 0
            for p in range(oh):
                upper, lower = out[2 * p], out[2 * p + 1]
                taps, values = won[p], grad[p]
                # column k of the two rows lies in window k // 2, as its tap k % 2 (upper
                # row) or 2 + k % 2 (lower row); one store per pixel, in memory order (SIMD)
                for k in range(2 * ow):
                    tap, value, side = taps[k >> 1], values[k >> 1], k & 1
                    upper[k] = value if tap == side else zero
                    lower[k] = value if tap == 2 + side else zero
            continue
        for p in range(oh):
            for q in range(ow):
                tap = won[p, q]
                i, j = tap // kw, tap % kw
                row, col = p * sh + i * dh - top, q * sw + j * dw - left
                if 0 <= row < h and 0 <= col < w:  # a window entirely in the padding wins none
                    out[row, col] += grad[p, q]
