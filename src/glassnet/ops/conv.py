"""Sliding-window primitives: the window geometry, Im2Col (unfold) and Col2Im (fold), each the adjoint of the other.

A 2-D convolution is a matrix multiply in disguise. Slide a kh x kw window over the (zero
padded) input; at every output position (p, q) copy the C*kh*kw numbers under the window into
one column. With the columns side by side (Im2Col), every output channel is one row of the
weight matrix times those columns:

    cols[(c, i, j), (n, p, q)] = xpad[n, c, p*sh + i*dh, q*sw + j*dw]
    y[o, (n, p, q)]            = sum over (c, i, j) of W[o, (c, i, j)] * cols[(c, i, j), (n, p, q)]

so ``y = W.reshape(O, C*kh*kw) @ cols``: for the whole batch at once, one big matrix product
(O x C*kh*kw times C*kh*kw x N*Ho*Wo) that BLAS runs at full speed.

Im2Col only copies numbers, so it is linear, and its backward is its adjoint: every column
entry sends its gradient back to the input pixel it was copied from, and a pixel that sat in
several windows adds up all of them. That scatter-add is Col2Im ("fold"). Col2Im is linear too
and its adjoint is Im2Col again, so each op's backward is the other op and derivatives of any
order come for free. Col2Im is also the forward pass of a transposed convolution.

Both ops are loops over the kh*kw kernel offsets only. For one offset (i, j) the input pixels
read by all output positions at once form a strided slice of the padded input (rows
i*dh, i*dh + sh, ...; columns j*dw, j*dw + sw, ...), so each offset is a single vectorised
copy (Im2Col) or add (Col2Im) of a (C, N, Ho, Wo) block. For stride-1 convolutions a "wide"
layout makes each of those a single long contiguous run (see Im2Col).

Those copies and adds run on one core in NumPy, so for a large batch the images are cut into
two (or more) ranges and each range is copied by its own thread (``split_work.run_split``):
every image's columns depend on that image alone, so the ranges never touch the same numbers.
The readable twin is the same loop over all images at once, ``work(slice(0, N))``.

With numba installed (``glassnet.jit``) and large work, both ops run a compiled loop instead
(``ops/conv_loops.py``: one pass over the columns, channel by channel, through a small padded
buffer that stays in the cache) and write into pooled arrays (``ops/compiled.py``); the tap
loops here are then the twin the tests compare it with, and the path used without numba.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..autograd import Op
from ..split_work import min_rows_for, run_split
from . import compiled as compiled_arrays
from . import conv_loops
from .compiled import use_compiled

__all__ = [
    "Geometry",
    "sliding_geometry",
    "transposed_geometry",
    "Im2Col",
    "Col2Im",
    "rows_per_thread",
    "compiled_columns",
]

#: The fewest numbers worth handing to a thread of their own (the hand-off costs some tens of
#: microseconds, about the time NumPy takes to copy this many numbers).
SPLIT_MIN_NUMBERS = 1 << 17


def rows_per_thread(numbers_per_row: int) -> int:
    """The ``min_rows`` for ``run_split`` when each row holds ``numbers_per_row`` numbers."""
    return min_rows_for(numbers_per_row, SPLIT_MIN_NUMBERS)


@dataclass(frozen=True)
class Geometry:
    """Where the windows of a 2-D sliding operation (convolution, pooling) sit.

    Attributes:
        in_hw: (H, W) of the input before padding.
        kernel: (kh, kw) number of taps of the window.
        stride: (sh, sw) step between neighbouring windows.
        dilation: (dh, dw) step between the taps of one window.
        pad: (top, bottom, left, right) rows/columns added around the input.
        out_hw: (Ho, Wo) number of window positions.
    """

    in_hw: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pad: tuple[int, int, int, int]
    out_hw: tuple[int, int]

    @property
    def padded_hw(self) -> tuple[int, int]:
        """(H + top + bottom, W + left + right)."""
        top, bottom, left, right = self.pad
        return self.in_hw[0] + top + bottom, self.in_hw[1] + left + right

    @property
    def offsets(self) -> list[tuple[int, int]]:
        """The kernel offsets (i, j) in row-major order (the order of the kh*kw axis of cols)."""
        return [(i, j) for i in range(self.kernel[0]) for j in range(self.kernel[1])]

    def window(self, i: int, j: int) -> tuple[slice, slice]:
        """Rows and columns of the padded input that tap (i, j) reads at every output position."""
        (sh, sw), (dh, dw), (oh, ow) = self.stride, self.dilation, self.out_hw
        return (
            slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
            slice(j * dw, j * dw + (ow - 1) * sw + 1, sw),
        )

    def windows(self) -> list[tuple[slice, slice]]:
        """``window(i, j)`` of every tap, in the order of ``offsets``."""
        return [self.window(i, j) for i, j in self.offsets]

    def pad_input(self, x: np.ndarray, value: float = 0.0) -> np.ndarray:
        """x (..., H, W) surrounded by ``value`` on the four sides (x itself when no padding)."""
        top, bottom, left, right = self.pad
        if not (top or bottom or left or right):
            return x
        hp, wp = self.padded_hw
        xp = np.full(x.shape[:-2] + (hp, wp), value, dtype=x.dtype)
        xp[..., top : top + x.shape[-2], left : left + x.shape[-1]] = x
        return xp

    def crop(self, xp: np.ndarray) -> np.ndarray:
        """The inverse of ``pad_input``: a view of the input-sized centre of a padded array."""
        top, _, left, _ = self.pad
        h, w = self.in_hw
        return xp[..., top : top + h, left : left + w]


def _out_size(
    size: int, kernel: int, stride: int, pad_lo: int, pad_hi: int, dilation: int, ceil_mode: bool
) -> int:
    span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    # As in PyTorch: with ceil_mode the last window must start inside the input or the left
    # padding, never entirely in the padding on the right.
    if ceil_mode and (out - 1) * stride >= size + pad_lo:
        out -= 1
    return out


def sliding_geometry(
    in_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int, int, int] = (0, 0, 0, 0),
    dilation: tuple[int, int] = (1, 1),
    ceil_mode: bool = False,
) -> Geometry:
    """The geometry of a sliding window over an input of size ``in_hw``.

    Along each axis ``Ho = floor((H + top + bottom - dh*(kh - 1) - 1) / sh) + 1`` (``ceil`` with
    ``ceil_mode``; then extra rows/columns of padding go at the bottom/right so that the last window
    fits). When the window does not fit at all the size is 0; callers check and raise.
    """
    (h, w), (kh, kw), (sh, sw), (dh, dw) = in_hw, kernel, stride, dilation
    top, bottom, left, right = padding
    oh = _out_size(h, kh, sh, top, bottom, dh, ceil_mode)
    ow = _out_size(w, kw, sw, left, right, dw, ceil_mode)
    if ceil_mode:  # pad further so that every window lies inside the padded input
        bottom += max(0, (oh - 1) * sh + dh * (kh - 1) + 1 - (h + top + bottom))
        right += max(0, (ow - 1) * sw + dw * (kw - 1) + 1 - (w + left + right))
    return Geometry(
        in_hw=(h, w),
        kernel=(kh, kw),
        stride=(sh, sw),
        dilation=(dh, dw),
        pad=(top, bottom, left, right),
        out_hw=(oh, ow),
    )


def transposed_geometry(
    in_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    output_padding: tuple[int, int],
    dilation: tuple[int, int],
) -> Geometry:
    """The geometry of the convolution whose adjoint is a transposed convolution of ``in_hw``.

    A transposed convolution maps an (H, W) grid of window positions to an image of size
    ``Ho = (H - 1)*sh - 2*ph + dh*(kh - 1) + output_padding + 1``: the geometry returned has
    that image as its input and (H, W) as its window grid.
    """
    (h, w), (kh, kw), (sh, sw) = in_hw, kernel, stride
    (ph, pw), (oph, opw), (dh, dw) = padding, output_padding, dilation
    out_h = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    out_w = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    return Geometry(
        in_hw=(out_h, out_w),
        kernel=(kh, kw),
        stride=(sh, sw),
        dilation=(dh, dw),
        pad=(ph, ph, pw, pw),
        out_hw=(h, w),
    )


def _check_input(op: str, x: np.ndarray, geo: Geometry) -> None:
    if x.ndim != 4 or tuple(x.shape[2:]) != tuple(geo.in_hw):
        raise ValueError(
            f"{op}: expected an input of shape (N, C, {geo.in_hw[0]}, {geo.in_hw[1]}), "
            f"got {x.shape}"
        )


def _flat_padded(geo: Geometry, lead: tuple, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Zeroed padded planes stored flat, (*lead, Hp*Wp + tail), and their (*lead, Hp, Wp) view.

    In the wide layout tap (i, j) reads the flat range [i*dh*Wp + j*dw, ... + Ho*Wp); for the
    last taps that range runs (kw - 1)*dw elements past the plane, into the zero tail.
    """
    hp, wp = geo.padded_hw
    tail = (geo.kernel[1] - 1) * geo.dilation[1]
    flat = np.zeros(lead + (hp * wp + tail,), dtype=dtype)
    return flat, flat[..., : hp * wp].reshape(lead + (hp, wp))


def _flat_offsets(geo: Geometry) -> list[int]:
    """For every tap (i, j), where its run begins in a flat padded plane: i*dh*Wp + j*dw."""
    wp = geo.padded_hw[1]
    return [i * geo.dilation[0] * wp + j * geo.dilation[1] for i, j in geo.offsets]


def compiled_columns(n: int, c: int, geo: Geometry, dtype: np.dtype) -> bool:
    """Whether Im2Col of an (n, c, H, W) input takes its compiled loop (``conv_loops``).

    A convolution then keeps the plain column layout: the compiled loop copies it as fast as
    the wide one, whose extra columns would only cost matrix-product work (measured: the CNN
    benchmark's epoch about 10% faster plain than wide with compiled loops).
    """
    kh, kw = geo.kernel
    return use_compiled(c * kh * kw * n * geo.out_hw[0] * geo.out_hw[1], dtype)


def _check_wide(op: str, geometry: Geometry, wide: bool) -> None:
    """Raise unless the wide layout (see Im2Col) is asked for a stride-1 geometry only."""
    if wide and geometry.stride != (1, 1):
        raise ValueError(f"{op}: the wide layout needs stride (1, 1), got {geometry.stride}")


def _compiled_pass(
    loop: Callable[..., None], source: np.ndarray, target: np.ndarray, geo: Geometry, wide: bool
) -> Callable[[slice], None]:
    """The work ``run_split`` hands a range of images on the compiled path: ``loop`` (a kernel of
    ``conv_loops``) from ``source`` into ``target`` for those images, in one compiled pass."""
    source, args = np.ascontiguousarray(source), conv_loops.loop_args(geo, wide)

    def images_pass(images: slice) -> None:
        loop(source, target, images.start, images.stop, *args)

    return images_pass


class Im2Col(Op):
    """cols[(c,i,j), n, (p,q)] = xpad[n, c, p*sh + i*dh, q*sw + j*dw];   dL/dx = Col2Im(g)

    Input (N, C, H, W); output (C*kh*kw, N, Ho*Wo): one row per channel and tap, in the
    (c, i, j) order of ``weight.reshape(O, C*kh*kw)``, and one column per image and window
    position. ``weight2d @ cols.reshape(C*kh*kw, N*Ho*Wo)`` is then the convolution of the
    whole batch as a single matrix product. (PyTorch's ``F.unfold`` is this array with its
    first two axes swapped.)

    Two options serve convolutions:

    * ``ones_row=True`` appends a row of ones (output (C*kh*kw + 1, N, L)). Then
      ``[W | b] @ cols`` adds the bias inside the matrix product, and the same product's
      gradient also gives the bias gradient (the sum of g), saving two passes over the output.
      The ones are constants: their gradient is dropped.
    * ``wide=True`` (stride 1 only) is a faster layout: the columns cover a grid of Ho x Wp
      positions, Wp being the padded width, instead of Ho x Wo. Then the pixels one tap reads
      for all positions form a single contiguous run of the flattened padded image (position
      (p, q) reads flat index (p + i*dh)*Wp + q + j*dw), so each tap is one long copy instead
      of many short rows. The Wp - Wo extra positions of each row read wrapped-around pixels;
      the convolution drops them (``y[..., :Wo]``) so their gradient is zero. L = Ho*Wp.
    """

    def __init__(self, geometry: Geometry, wide: bool = False, ones_row: bool = False):
        _check_wide("im2col", geometry, wide)
        self.geometry = geometry
        self.wide = wide
        self.ones_row = ones_row

    def forward(self, x):
        geo = self.geometry
        _check_input("im2col", x, geo)
        n, c = x.shape[:2]
        (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
        kk = kh * kw
        length = oh * (geo.padded_hw[1] if self.wide else ow)
        shape = (c * kk + self.ones_row, n, length)
        compiled = use_compiled(shape[0] * n * length, x.dtype)
        cols = (compiled_arrays.empty if compiled else np.empty)(shape, dtype=x.dtype)
        taps = cols[: c * kk].reshape(c, kk, n, length)  # a view: rows (c, tap)
        xc = x.transpose(1, 0, 2, 3)  # (C, N, H, W), channel-major like the rows of cols
        if compiled:  # one compiled pass per range of images
            copy_images = _compiled_pass(conv_loops.im2col_images, xc, cols, geo, self.wide)
        elif self.wide:
            flat, plane = _flat_padded(geo, (c, n), x.dtype)
            starts = _flat_offsets(geo)

            def copy_images(images: slice) -> None:  # the columns of images `images` only
                geo.crop(plane)[:, images] = xc[:, images]
                for t, start in enumerate(starts):
                    taps[:, t, images] = flat[:, images, start : start + length]

        else:
            xp = geo.pad_input(xc)

            def copy_images(images: slice) -> None:
                for t, (rows, columns) in enumerate(geo.windows()):
                    block = taps[:, t, images].reshape(c, -1, oh, ow)
                    block[...] = xp[:, images, rows, columns]

        run_split(copy_images, n, rows_per_thread(c * kk * length))
        if self.ones_row:
            cols[-1] = 1
        return cols

    def backward(self, g):
        if self.ones_row:
            g = g[:-1]  # the row of ones is constant
        return (Col2Im(self.geometry, self.wide)(g),)


class Col2Im(Op):
    """x[n, c, h, w] = sum of the cols entries Im2Col copies from (h, w);   dL/dcols = Im2Col(g)

    Input (C*kh*kw, N, Ho*Wo) (or Ho*Wp with ``wide=True``, see Im2Col); output (N, C, H, W).
    Overlapping windows add up. This is PyTorch's ``F.fold`` (with the first two input axes
    swapped), and the core of a transposed convolution.
    """

    def __init__(self, geometry: Geometry, wide: bool = False):
        _check_wide("col2im", geometry, wide)
        self.geometry = geometry
        self.wide = wide

    def forward(self, cols):
        geo = self.geometry
        (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
        kk = kh * kw
        width = geo.padded_hw[1] if self.wide else ow
        ckk, n, length = cols.shape
        if ckk % kk or length != oh * width:
            raise ValueError(
                f"col2im: expected columns of shape (C*{kh}*{kw}, N, {oh}*{width}), got "
                f"{cols.shape}"
            )
        c = ckk // kk
        # cols[t::kk] holds tap t of every channel: a strided view, so cols may be a slice.
        h, w = geo.in_hw
        compiled = use_compiled(cols.size, cols.dtype)
        # stored channel by channel, see below
        out = (compiled_arrays.empty if compiled else np.empty)((c, n, h, w), dtype=cols.dtype)
        if compiled:  # one compiled pass per range of images
            add_images = _compiled_pass(conv_loops.col2im_images, cols, out, geo, self.wide)
        elif self.wide:
            flat, xp = _flat_padded(geo, (c, n), cols.dtype)
            starts = _flat_offsets(geo)

            def add_images(images: slice) -> None:  # the pixels of images `images` only
                for t, start in enumerate(starts):
                    flat[:, images, start : start + length] += cols[t::kk, images]
                out[:, images] = geo.crop(xp[:, images])

        else:
            xp = np.zeros((c, n) + geo.padded_hw, dtype=cols.dtype)

            def add_images(images: slice) -> None:
                for t, (rows, columns) in enumerate(geo.windows()):
                    block = cols[t::kk, images].reshape(c, -1, oh, ow)
                    xp[:, images, rows, columns] += block
                out[:, images] = geo.crop(xp[:, images])

        run_split(add_images, n, rows_per_thread(ckk * length))
        # (N, C, H, W), stored channel by channel like the rest of a convolution's arrays
        return out.transpose(1, 0, 2, 3)

    def backward(self, g):
        return (Im2Col(self.geometry, self.wide)(g),)
