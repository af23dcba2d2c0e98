"""Fractional max pooling as a function (PyTorch's F name): fractional_max_pool2d, windows at pseudo-random, non-integer strides.

Ordinary max pooling shrinks an image by an integer factor (2x2 windows at stride 2 halve it).
Fractional max pooling (Graham, 2014, arXiv:1412.6071) shrinks it by any factor, e.g. 1.4,
by letting the stride vary between windows. Along an axis of size n, with windows of size k
and m outputs, the step is alpha = (n - k) / (m - 1) on average, and one random number
u in [0, 1) per (image, channel) and axis shifts where the steps are rounded:

    start[i] = floor((i + u) * alpha) - floor(u * alpha)    for i = 0 .. m - 2
    start[m - 1] = n - k                                   (the last window ends at the edge)

so consecutive starts differ by floor(alpha) or ceil(alpha). Output cell (p, q) is the
maximum of the k_h x k_w window at (start_h[p], start_w[q]) (the first largest; a NaN wins,
the last one, as PyTorch scans). The winners are found with NumPy and read with ``gather``,
so dL/dx is g added at every winner, differentiable again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...random import default_generator
from ...tensor import Tensor
from ._args import int_tuple, shape_text

# The input is checked as every pooling's is, by pooling.py's _prepare.
from .pooling import _prepare

__all__ = ["fractional_max_pool2d"]


def fractional_window_starts(u: np.ndarray, size: int, out: int, kernel: int) -> np.ndarray:
    """Where the ``out`` windows of size ``kernel`` start along an axis of ``size``, for the
    random shifts ``u`` (any shape, in [0, 1)): an int64 array of shape u.shape + (out,).

    start[i] = floor((i + u) * alpha) - floor(u * alpha), alpha = (size - kernel) / (out - 1),
    and the last window ends at the edge. The arithmetic is done in u's dtype, as PyTorch does
    it in the input's, so that float32 inputs round the same way.
    """
    dtype = u.dtype
    starts = np.empty(u.shape + (out,), dtype=np.int64)
    if out > 1:
        alpha = dtype.type(size - kernel) / dtype.type(out - 1)
        i = np.arange(out - 1, dtype=dtype)
        u = u[..., None]
        # float -> int conversion truncates, as C's static_cast does (values are >= 0)
        starts[..., :-1] = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    starts[..., -1] = size - kernel
    return starts


def _output_size(fn: str, shape: tuple, output_size: Any, output_ratio: Any) -> tuple[int, int]:
    """(Ho, Wo) from ``output_size``, or from ``output_ratio``: int(H * ratio) per axis."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn}: give either output_size or output_ratio, got neither")
    if output_size is not None:
        return int_tuple(output_size, 2, "output_size", fn)
    ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * 2
    if len(ratio) != 2 or not all(isinstance(r, (int, float)) and 0 < r < 1 for r in ratio):
        raise ValueError(
            f"{fn}: output_ratio must be a number or a pair of numbers between 0 and 1 "
            f"(exclusive), got {output_ratio!r}"
        )
    return int(shape[-2] * ratio[0]), int(shape[-1] * ratio[1])


def fractional_max_pool2d(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """2-D fractional max pooling: max over k_h x k_w windows at pseudo-random starts.

    y[n, c, p, q] = max over (i, j) of x[n, c, start_h[n, c, p] + i, start_w[n, c, q] + j],
    with the starts of ``fractional_window_starts`` (one random shift per image, channel and
    axis). dL/dx is g added at every window's winner.

    Args:
        input: (N, C, H, W) or (C, H, W), floating point.
        kernel_size: window size, int or (kh, kw).
        output_size: (Ho, Wo) or one int; or give
        output_ratio: a number (or pair) in (0, 1): Ho = int(H * ratio).
        return_indices: also return the position h*W + w of every maximum (for max_unpool2d).
        _random_samples: the shifts, (N, C, 2) in [0, 1) ([..., 0] for the width, [..., 1]
            for the height, as PyTorch), to make the windows reproducible; drawn from
            glassnet's generator when None.

    Example::

        >>> F.fractional_max_pool2d(glassnet.randn(2, 3, 10, 10), 2, output_ratio=0.7).shape
        (2, 3, 7, 7)
    """
    fn = "fractional_max_pool2d"
    x, batched = _prepare(fn, input, 2, floating=True)  # as (N, C, H, W)
    n, c, h, w = x.shape
    kh, kw = int_tuple(kernel_size, 2, "kernel_size", fn)
    oh, ow = _output_size(fn, tuple(x.shape), output_size, output_ratio)
    for axis, size, out, k in (("height", h, oh, kh), ("width", w, ow, kw)):
        if out < 1 or out + k - 1 > size:
            raise ShapeError(
                f"{fn}: output {axis} {out} with kernel {k} needs an input {axis} of at least "
                f"{out + k - 1} (and an output of at least 1), got input shape "
                f"{shape_text(input.shape)}"
            )
    dtype = x.array.dtype
    if _random_samples is None:
        samples = default_generator().random((n, c, 2)).astype(dtype)
    else:
        samples = np.asarray(
            _random_samples.array if isinstance(_random_samples, Tensor) else _random_samples
        )
        if samples.shape != (n, c, 2):
            raise ShapeError(
                f"{fn}: expected _random_samples of shape ({n}, {c}, 2), got "
                f"{shape_text(samples.shape)}"
            )
        samples = samples.astype(dtype, copy=False)
    rows = fractional_window_starts(samples[..., 1], h, oh, kh)  # (N, C, Ho)
    cols = fractional_window_starts(samples[..., 0], w, ow, kw)  # (N, C, Wo)
    # Every window's elements as flat positions h*W + w: (N, C, Ho, Wo, kh*kw), tap order
    # row-major, so argmax's first largest is PyTorch's first largest.
    di, dj = np.divmod(np.arange(kh * kw), kw)
    positions = (rows[:, :, :, None, None] + di) * w + (cols[:, :, None, :, None] + dj)
    planes = x.array.reshape(n, c, h * w)
    values = np.take_along_axis(planes, positions.reshape(n, c, -1), axis=2)
    values = values.reshape(positions.shape)
    tap = values.argmax(axis=-1)
    nan = np.isnan(values)
    if nan.any():  # PyTorch's scan lets every NaN win, so the last NaN of a window is kept
        last_nan = kh * kw - 1 - nan[..., ::-1].argmax(axis=-1)
        tap = np.where(nan.any(axis=-1), last_nan, tap)
    winners = np.take_along_axis(positions, tap[..., None], axis=-1)[..., 0]  # (N, C, Ho, Wo)
    y = x.reshape(n, c, h * w).gather(2, wrap(winners.reshape(n, c, -1))).reshape(n, c, oh, ow)
    indices = wrap(winners)
    if not batched:
        y, indices = y.squeeze(0), indices.squeeze(0)
    return (y, indices) if return_indices else y
