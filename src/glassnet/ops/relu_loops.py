"""Compiled ReLU backward (numba, optional): dL/dx = g * (y > 0) in one pass, no mask array.

    forward:   y = max(x, 0)              (np.maximum: already one vectorised pass)
    backward:  dL/dx = g * (y > 0)        (y > 0 exactly where x > 0)

NumPy's backward first builds the boolean mask ``y > 0`` (a pass writing a new array), then
multiplies g by it with a cast from bool (a second, slower pass); the loop here reads g and y
once and writes dL/dx once. It multiplies by 1 or 0 rather than choosing g or 0, so that an
infinite or NaN g where y <= 0 still gives NaN, as the NumPy product does.

Arrays are 1-D and C-contiguous (the caller passes its arrays flat, in memory order); the
loop works on elements ``start:stop`` and releases Python's global lock, so
``split_work.run_split`` can give each core a range.
"""

from __future__ import annotations

import numpy as np

from .. import jit

__all__ = ["flat_views", "relu_backward"]


def flat_views(*arrays: np.ndarray) -> list[np.ndarray] | None:
    """1-D views of arrays of one shape, dtype and layout, in the order their numbers lie in
    memory; None when they differ or are not one dense block each (a slice with gaps).

    A permuted contiguous array (say (N, C, H, W) stored as (C, N, H, W)) qualifies: its axes
    sorted by stride are C-contiguous, and the same order serves every array of its layout.
    """
    first = arrays[0]
    if any(a.dtype != first.dtype or a.strides != first.strides for a in arrays):
        return None
    order = np.argsort(first.strides, kind="stable")[::-1]
    by_stride = [a.transpose(order) for a in arrays]
    if not by_stride[0].flags.c_contiguous:
        return None
    return [a.reshape(-1) for a in by_stride]


@jit.loop
def relu_backward(g, y, dx, start, stop):
    """dx[k] = g[k] * (1 if y[k] > 0 else 0), for k in start:stop."""
    one, zero = g.dtype.type(1), g.dtype.type(0)
    g, y, dx = g[start:stop], y[start:stop], dx[start:stop]
    for k in range(len(g)):
        dx[k] = g[k] * (one if y[k] > zero else zero)
