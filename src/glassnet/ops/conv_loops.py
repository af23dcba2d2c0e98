"""Compiled im2col and col2im (numba, optional): one pass over the columns, channel by channel.

The NumPy Im2Col in ``ops/conv.py`` copies one kernel tap at a time for the whole batch, each
tap a strided copy of a (C, N, Ho, Wo) block. The loops here take one input channel at a time:
its planes (all images of the range) are copied once into a small zero-padded buffer that
stays in the cache, and then every tap's rows of columns are written from that buffer in the
order they lie in memory (tap by tap, image by image), so the big array is written once,
front to back:

    buffer[n, top + h, left + w] = x[c, n, h, w]                     (zero around it)
    cols[(c, i, j), n, p*width + q] = buffer[n, p*sh + i*dh, q*sw + j*dw]

Col2Im, the adjoint, runs the same loops backwards: every column entry is added onto the
buffer pixel it was read from, and the centre of the buffer is then copied out:

    buffer[n, p*sh + i*dh, q*sw + j*dw] += cols[(c, i, j), n, p*width + q]   (taps in order)
    x[c, n, h, w] = buffer[n, top + h, left + w]

Both are linear, each the other's derivative (``Im2Col.backward`` is Col2Im and vice versa),
so the autograd ops stay as they are and only the array work is swapped. The taps are added
in the same order as in the NumPy twin.

The wide layout (stride 1, see ``Im2Col``) numbers the positions of a row by the padded width
Wp: position k = p*Wp + q reads flat index k + i*dh*Wp + j*dw of the padded plane, so each tap
is one contiguous run of the buffer (which carries a zero tail of (kw - 1)*dw numbers for the
runs of the last taps that go past the plane).

Arrays: ``x`` is (C, N, H, W) and ``cols`` (C*kh*kw, N, L), both C-contiguous. The loops work
on images ``start:stop`` only and release Python's global lock, so ``split_work.run_split``
can give each core a range of images. The geometry arrives as plain ints (see ``loop_args``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import jit

if TYPE_CHECKING:  # ops/conv.py imports this file
    from .conv import Geometry

__all__ = ["loop_args", "im2col_images", "col2im_images", "column_pass"]


def loop_args(geo: Geometry, wide: bool) -> tuple[int, ...]:
    """The geometry as the loops take it: kh, kw, sh, sw, dh, dw, top, left, Hp, Wp, Ho, width,
    wide (width: positions per row of the column grid, Wp when wide else Wo; wide as 0/1)."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    (hp, wp), (oh, ow) = geo.padded_hw, geo.out_hw
    top, _, left, _ = geo.pad
    return (kh, kw, sh, sw, dh, dw, top, left, hp, wp, oh, wp if wide else ow, int(wide))


def im2col_images(x, cols, start, stop, *geometry) -> None:
    """cols[(c, i, j), n, p*width + q] = xpad[c, n, p*sh + i*dh, q*sw + j*dw], images start:stop.

    ``geometry`` is ``loop_args(geo, wide)``. With ``wide`` (stride 1, width = Wp) the row
    p*Wp .. p*Wp + Wp - 1 is one run of the flat padded plane, possibly wrapping into the
    next row (see the module docstring).
    """
    column_pass(x, cols, start, stop, *geometry, 0)


def col2im_images(cols, x, start, stop, *geometry) -> None:
    """x[c, n] = the centre of the padded plane onto which every column entry of (c, n) is
    added at the pixel it was read from (the adjoint of ``im2col_images``), images start:stop."""
    column_pass(x, cols, start, stop, *geometry, 1)


@jit.loop
def column_pass(
    x, cols, start, stop, kh, kw, sh, sw, dh, dw, top, left, hp, wp, oh, width, wide, adjoint
):
    """Im2Col (``adjoint`` 0: x is read, cols written) or Col2Im (1: cols read, x written).

    One loop serves both because each is the other read backwards: the same pairs (buffer
    pixel, column entry) are visited, copied forwards or added backwards. Every run is taken
    as a slice first, so that the inner loops index from 0: numba then needs no check for
    negative indices and vectorises them.
    """
    channels, _, h, w = x.shape
    length = cols.shape[2]
    buffer = np.zeros((stop - start, hp * wp + (kw - 1) * dw), dtype=x.dtype)
    for c in range(channels):
        if adjoint:
            buffer[:] = 0
        else:
            for n in range(start, stop):  # the padded planes (the border stays zero)
                plane, padded = x[c, n], buffer[n - start]
                for r in range(h):
                    source, target = plane[r], padded[(r + top) * wp + left :]
                    for s in range(w):
                        target[s] = source[s]
        for i in range(kh):
            for j in range(kw):
                rows = cols[(c * kh + i) * kw + j]
                for n in range(start, stop):
                    entries, padded = rows[n], buffer[n - start]
                    for p in range(1 if wide else oh):
                        begin = (p * sh + i * dh) * wp + j * dw
                        span = length if wide else width  # wide: the whole row is one run
                        at = entries[p * width :]
                        if sw == 1:  # a contiguous run: vectorised
                            run = padded[begin:]
                            if adjoint:
                                for q in range(span):
                                    run[q] += at[q]
                            else:
                                for q in range(span):
                                    at[q] = run[q]
                        else:
                            strided = padded[begin::sw]
                            if adjoint:
                                for q in range(span):
                                    strided[q] += at[q]
                            else:
                                for q in range(span):
                                    at[q] = strided[q]
        if adjoint:
            for n in range(start, stop):  # the centre, without the padding
                plane, padded = x[c, n], buffer[n - start]
                for r in range(h):
                    source, target = padded[(r + top) * wp + left :], plane[r]
                    for s in range(w):
                        target[s] = source[s]
