"""Sampling an image at arbitrary points (grid_sample): pixel gathering ops and the interpolation.

``grid_sample(input, grid)`` reads the input (N, C, H, W) at the points of ``grid``
(N, H_out, W_out, 2), whose last axis holds (x, y) in normalised coordinates: -1 is the
left/top edge and +1 the right/bottom edge. (For volumes, (N, C, D, H, W) with (x, y, z)
points.) Three steps, each written with differentiable Tensor operations:

1. Normalised -> pixel coordinates, per axis of size n:
       align_corners=True:   i = (x + 1) / 2 * (n - 1)   (-1 and +1 are the centres of the
                                                          first and last pixels)
       align_corners=False:  i = ((x + 1) n - 1) / 2     (-1 and +1 are their outer edges)
   then the padding mode decides about points outside the image: 'zeros' leaves them (they
   read 0), 'border' clips them to [0, n - 1], 'reflection' mirrors them back inside at the
   edges (the pixel centres with align_corners=True, the outer edges without) and clips.
2. Interpolation. Bilinear: with i0 = floor(i) and the fraction f = i - i0 on each axis,
       out = sum over the 2 (x) 2 corners of  w * input[.., iy0 + dy, ix0 + dx]
       w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy),    corners outside the image read 0.
   Nearest: the one pixel round(i) (halves to even, as PyTorch).
3. The derivatives follow from the chain rule through these formulas: floor and round are
   constants, so d out / d input = the weights w at the corners (a scatter-add), and
   d out / d x = sum over corners of input[corner] * dw/dfx * di/dx (bilinear only; nearest
   is a step function with derivative 0 almost everywhere).

The gathers of step 2 are the two ops of this file: ``GatherPoints`` reads pixels at flat
indices, ``ScatterPoints`` (its backward) adds values back at them, and each is the other's
derivative, so second derivatives work too. The clips of step 1 pass no gradient on the
clip boundary itself, as PyTorch's do.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..autograd import Op, wrap
from . import api

__all__ = ["GatherPoints", "ScatterPoints", "source_coordinates", "grid_sample_composed"]


class GatherPoints(Op):
    """y[n, c, p] = x[n, c, index[n, p]];   dL/dx = ScatterPoints(g): g[n, c, p] added at index[n, p]

    x is the input with its spatial axes flattened, (N, C, M); index (N, P) holds a flat
    pixel index in [0, M) for each of the P points.
    """

    def __init__(self, index: np.ndarray) -> None:
        self.index = index

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.size = x.shape[2]
        return np.take_along_axis(x, self.index[:, None, :], axis=2)

    def saved_inputs(self):
        return ()  # the gradient reads only the indices

    def backward(self, g):
        return (ScatterPoints(self.index, self.size)(g),)


class ScatterPoints(Op):
    """y[n, c, m] = sum_{p: index[n, p] = m} g[n, c, p];   dL/dg = GatherPoints(gg): gg read at index[n, p]

    g is (N, C, P); the result (N, C, M) has zeros at pixels no point reads.
    """

    def __init__(self, index: np.ndarray, size: int) -> None:
        self.index = index
        self.size = size

    def forward(self, g: np.ndarray) -> np.ndarray:
        n, c, _ = g.shape
        # One bincount over the whole batch: plane (n, c) owns the bins [(n C + c) M, ... + M).
        planes = (np.arange(n * c).reshape(n, c, 1) * self.size).astype(np.int64)
        bins = (planes + self.index[:, None, :]).ravel()
        sums = np.bincount(bins, weights=g.ravel(), minlength=n * c * self.size)
        return sums.reshape(n, c, self.size).astype(g.dtype, copy=False)

    def saved_inputs(self):
        return ()

    def backward(self, gg):
        return (GatherPoints(self.index)(gg),)


def _inside_open(i, low: float, high: float):
    """i where low < i < high, else i clipped to the interval, with gradient 0 there.

    PyTorch's clip passes no gradient at the boundary itself (a plain clamp would pass it).
    """
    clipped = np.clip(i.array, low, high)
    return api.where((i.array > low) & (i.array < high), i, wrap(clipped))


def _reflect(i, low2: int, high2: int):
    """Mirror i into [low2 / 2, high2 / 2] at both ends, as often as needed (a triangle wave)."""
    if low2 == high2:  # a single pixel with align_corners=True: every point reads it
        return i * 0.0
    low, span = low2 / 2, (high2 - low2) / 2
    # d = |i - low| with derivative +1 at 0, as PyTorch has it.
    d = api.where(i.array < low, low - i, i - low)
    flips = np.floor(d.array / span)  # how many times the point crossed an edge (constant)
    extra = d - wrap((flips * span).astype(d.array.dtype))  # distance past the last edge
    return api.where(flips % 2 == 0, extra + low, (span + low) - extra)


def source_coordinates(x, size: int, padding_mode: str, align_corners: bool):
    """Normalised coordinates x in [-1, 1] as pixel coordinates along an axis of ``size`` pixels."""
    if align_corners:
        i = (x + 1) * ((size - 1) / 2)
    else:
        i = ((x + 1) * size - 1) * 0.5
    if padding_mode == "border":
        i = _inside_open(i, 0, size - 1)
    elif padding_mode == "reflection":
        if align_corners:
            i = _reflect(i, 0, 2 * (size - 1))
        else:
            i = _reflect(i, -1, 2 * size - 1)
        i = _inside_open(i, 0, size - 1)
    return i


def grid_sample_composed(input, grid, mode: str, padding_mode: str, align_corners: bool):
    """``input`` (N, C, *S) sampled at ``grid`` (N, *P, d), d = len(S) = 2 or 3 (arguments checked).

    ``grid[..., 0]`` is x (along the last axis of the input), ``grid[..., 1]`` y, ``grid[..., 2]``
    z. Returns (N, C, *P).
    """
    n, c = input.shape[:2]
    sizes = input.shape[2:]  # (H, W) or (D, H, W)
    dims = len(sizes)
    out_shape = grid.shape[1:-1]
    points = int(np.prod(out_shape))
    flat_input = input.reshape(n, c, -1)
    # Per input axis a (in the input's order: D, H, W), the pixel coordinate of every point.
    coords = [
        source_coordinates(
            grid[..., dims - 1 - a].reshape(n, points), sizes[a], padding_mode, align_corners
        )
        for a in range(dims)
    ]
    strides = [int(np.prod(sizes[a + 1 :])) for a in range(dims)]  # flat index = sum i_a s_a

    def read(corner: list[np.ndarray]):
        """input at integer pixel positions (one array per axis), and where they exist."""
        valid = np.ones((n, points), dtype=bool)
        flat = np.zeros((n, points), dtype=np.int64)
        for a, position in enumerate(corner):
            valid &= (position >= 0) & (position < sizes[a])
            flat += np.clip(position, 0, sizes[a] - 1) * strides[a]
        return GatherPoints(flat)(flat_input), valid

    if mode == "nearest":
        nearest = [np.rint(i.array).astype(np.int64) for i in coords]
        values, valid = read(nearest)
        out = values * wrap(valid[:, None, :].astype(values.array.dtype))
        if grid.requires_grad:
            # A step function: its derivative with respect to the grid is 0 (PyTorch still
            # returns that zero gradient, so the grid stays connected with weight 0).
            out = out + (grid * 0.0).sum()
        return out.reshape((n, c) + out_shape)

    lower = [np.floor(i.array) for i in coords]
    fractions = [i - wrap(low.astype(i.array.dtype)) for i, low in zip(coords, lower)]
    lower = [low.astype(np.int64) for low in lower]
    out = None
    for offsets in itertools.product((0, 1), repeat=dims):  # the 2**d corners around a point
        values, valid = read([low + o for low, o in zip(lower, offsets)])
        weight = wrap(valid.astype(values.array.dtype))
        for f, o in zip(fractions, offsets):
            weight = weight * (f if o else 1.0 - f)  # nearer corners weigh more
        term = values * weight.unsqueeze(1)
        out = term if out is None else out + term
    return out.reshape((n, c) + out_shape)
