"""Sliding windows over volumes (any number of spatial axes; used for 3-D): the window geometry, VolumeUnfold (im2col) and VolumeFold (col2im), each the adjoint of the other.

The 2-D convolution and pooling of ``ops/conv.py`` and ``ops/pool.py`` are tuned for images
(tap loops, a wide layout, threads, compiled loops). Volumes (N, C, D, H, W) take this plain
route instead, written once for any number r of spatial axes:

    cols[n, p, c, k] = xpad[n, c, p*s + k*d]          (p, k, s, d: r-tuples; one value per axis)

p runs over the output grid (the window positions), k over the kernel taps. NumPy's
``sliding_window_view`` gives every window of the padded input as a view with no copy; taking
every s-th window and every d-th element in it leaves exactly the windows and taps above, and
one copy arranges them as (N, *out, C, *kernel). Flattened to (N*L, C*K) (L positions,
K = prod(kernel) taps) a convolution is then one matrix product with the weight viewed as
(O, C*K):

    y[n, o, p] = sum over (c, k) of W[o, c, k] * cols[n, p, c, k]

VolumeUnfold only copies numbers, so it is linear and its backward is its adjoint: every
column entry adds its gradient into the input element it was copied from, and an element that
sat in several windows collects all of them. That scatter-add is VolumeFold; its adjoint is
VolumeUnfold again, so derivatives of any order come for free. VolumeFold is also the forward
pass of a transposed convolution. It loops over the K kernel taps only: for one tap k the
elements all windows read form a strided slice of the padded input, so each tap is one
vectorised add of an (N, C, *out) block.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Op
from .conv import _out_size

__all__ = ["WindowGeometry", "window_geometry", "transposed_window_geometry", "VolumeUnfold",
           "VolumeFold"]  # fmt: skip


@dataclass(frozen=True)
class WindowGeometry:
    """Where the windows of a sliding operation over r spatial axes sit (r = 3 for volumes).

    Attributes (one entry per spatial axis, first axis first):
        in_size: sizes of the input before padding, e.g. (D, H, W).
        kernel: taps of the window along each axis.
        stride: step between neighbouring windows.
        dilation: step between the taps of one window.
        pad: (before_0, after_0, before_1, after_1, ...) elements added around the input.
        out_size: number of window positions along each axis.
    """

    in_size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pad: tuple[int, ...]
    out_size: tuple[int, ...]

    @property
    def rank(self) -> int:
        """The number of spatial axes r."""
        return len(self.in_size)

    @property
    def padded_size(self) -> tuple[int, ...]:
        """in_size + before + after along each axis."""
        return tuple(n + self.pad[2 * a] + self.pad[2 * a + 1] for a, n in enumerate(self.in_size))

    @property
    def extent(self) -> tuple[int, ...]:
        """The elements one window spans along each axis: d*(k - 1) + 1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    @property
    def taps(self) -> int:
        """K = prod(kernel), the number of taps of one window."""
        return math.prod(self.kernel)

    @property
    def offsets(self) -> list[tuple[int, ...]]:
        """The kernel taps k in row-major order (the order of the flattened kernel axes)."""
        return list(itertools.product(*(range(k) for k in self.kernel)))

    def tap(self, offset: tuple[int, ...]) -> tuple[slice, ...]:
        """The slices of the padded input that tap ``offset`` reads at every window position:
        along each axis the elements k*d, k*d + s, ..., k*d + (out - 1)*s."""
        return tuple(
            slice(k * d, k * d + (o - 1) * s + 1, s)
            for k, d, s, o in zip(offset, self.dilation, self.stride, self.out_size)
        )

    def pad_input(self, x: np.ndarray, value: float = 0.0) -> np.ndarray:
        """x (..., *in_size) surrounded by ``value`` (x itself when there is no padding)."""
        if not any(self.pad):
            return x
        xp = np.full(x.shape[: -self.rank] + self.padded_size, value, dtype=x.dtype)
        xp[(Ellipsis, *self.inner())] = x
        return xp

    def inner(self) -> tuple[slice, ...]:
        """The slices of a padded array that hold the input itself."""
        return tuple(
            slice(self.pad[2 * a], self.pad[2 * a] + n) for a, n in enumerate(self.in_size)
        )

    def windows(self, xp: np.ndarray) -> np.ndarray:
        """A read-only view (..., *out_size, *kernel) of every window of the padded ``xp``.

        ``sliding_window_view`` gives every window of extent d*(k - 1) + 1 at every start;
        keeping every s-th start and every d-th element leaves windows[..., p, k] =
        xp[..., p*s + k*d].
        """
        r = self.rank
        view = sliding_window_view(xp, self.extent, axis=tuple(range(xp.ndim - r, xp.ndim)))
        starts = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(self.out_size, self.stride))
        taps = tuple(slice(None, None, d) for d in self.dilation)
        return view[(Ellipsis, *starts, *taps)]


def window_geometry(
    in_size: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    pad: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil_mode: bool = False,
) -> WindowGeometry:
    """The windows over an input of ``in_size``; ``pad`` is (before_0, after_0, before_1, ...).

    Along each axis out = floor((n + before + after - d*(k - 1) - 1) / s) + 1 (``ceil`` with
    ``ceil_mode``, as for images: ``ops.conv.sliding_geometry``; then the after side is padded
    further so that the last window fits). A size of 0 means the window does not fit.
    """
    pad = list(pad)
    out = []
    for a, (n, k, s, d) in enumerate(zip(in_size, kernel, stride, dilation)):
        o = _out_size(n, k, s, pad[2 * a], pad[2 * a + 1], d, ceil_mode)
        if ceil_mode:
            pad[2 * a + 1] += max(
                0, (o - 1) * s + d * (k - 1) + 1 - (n + pad[2 * a] + pad[2 * a + 1])
            )
        out.append(o)
    return WindowGeometry(tuple(in_size), tuple(kernel), tuple(stride), tuple(dilation),
                          tuple(pad), tuple(out))  # fmt: skip


def transposed_window_geometry(
    in_size: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    output_padding: tuple[int, ...],
    dilation: tuple[int, ...],
) -> WindowGeometry:
    """The geometry of the convolution whose adjoint is a transposed convolution of ``in_size``.

    A transposed convolution maps a grid of window positions n to a volume of size
    out = (n - 1)*s - 2*p + d*(k - 1) + output_padding + 1 per axis: the geometry returned has
    that volume as its input and ``in_size`` as its window grid.
    """
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + extra + 1
        for n, k, s, p, extra, d in zip(in_size, kernel, stride, padding, output_padding, dilation)
    )
    pad = tuple(p for p in padding for _ in range(2))
    return WindowGeometry(size, tuple(kernel), tuple(stride), tuple(dilation), pad,
                          tuple(in_size))  # fmt: skip


def _check(op: str, x: np.ndarray, geo: WindowGeometry) -> None:
    if x.ndim != geo.rank + 2 or tuple(x.shape[2:]) != geo.in_size:
        raise ValueError(
            f"{op}: expected an input of shape (N, C, {', '.join(map(str, geo.in_size))}), "
            f"got {x.shape}"
        )


class VolumeUnfold(Op):
    """cols[n, p, c, k] = xpad[n, c, p*s + k*d] (zero padding);   dL/dx = VolumeFold(g)

    Input (N, C, *in_size); output (N, *out_size, C, *kernel), contiguous: reshaped to
    (N*L, C*K) it is the matrix whose product with weight.reshape(O, C*K).T is a convolution.
    """

    def __init__(self, geometry: WindowGeometry):
        self.geometry = geometry

    def forward(self, x):
        geo = self.geometry
        _check("volume_unfold", x, geo)
        r = geo.rank
        windows = geo.windows(geo.pad_input(x))  # (N, C, *out, *kernel), a view
        # (N, *out, C, *kernel): the channel and tap axes side by side, one row per position
        order = (0, *range(2, 2 + r), 1, *range(2 + r, 2 + 2 * r))
        return np.ascontiguousarray(windows.transpose(order))

    def backward(self, g):
        return (VolumeFold(self.geometry)(g),)


class VolumeFold(Op):
    """x[n, c, j] = sum of cols[n, p, c, k] over all (p, k) with p*s + k*d = j + pad;   dL/dcols = VolumeUnfold(g)

    Input (N, *out_size, C, *kernel) (VolumeUnfold's layout); output (N, C, *in_size).
    Overlapping windows add up; entries that fall in the padding are dropped.
    """

    def __init__(self, geometry: WindowGeometry):
        self.geometry = geometry

    def forward(self, cols):
        geo = self.geometry
        r = geo.rank
        expected = geo.out_size + geo.kernel
        if cols.ndim != 2 * r + 2 or cols.shape[1 : 1 + r] + cols.shape[2 + r :] != expected:
            raise ValueError(
                f"volume_fold: expected columns of shape (N, {', '.join(map(str, geo.out_size))}"
                f", C, {', '.join(map(str, geo.kernel))}), got {cols.shape}"
            )
        n, c = cols.shape[0], cols.shape[1 + r]
        # (N, C, *out, *kernel): each tap's block is then cols[..., k], an (N, C, *out) view
        blocks = cols.transpose(0, 1 + r, *range(1, 1 + r), *range(2 + r, 2 + 2 * r))
        xp = np.zeros((n, c) + geo.padded_size, dtype=cols.dtype)
        for offset in geo.offsets:
            xp[(slice(None), slice(None), *geo.tap(offset))] += blocks[(Ellipsis, *offset)]
        return np.ascontiguousarray(xp[(Ellipsis, *geo.inner())]) if any(geo.pad) else xp

    def backward(self, g):
        return (VolumeUnfold(self.geometry)(g),)
