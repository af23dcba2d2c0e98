"""Fractional max pooling as functions (PyTorch's F names): fractional_max_pool2d/3d (+ _with_indices), windows at pseudo-random, non-integer strides.

Ordinary max pooling shrinks an image by an integer factor (2x2 windows at stride 2 halve it).
Fractional max pooling (Graham, 2014, arXiv:1412.6071) shrinks it by any factor, e.g. 1.4,
by letting the stride vary between windows. Along an axis of size n, with windows of size k
and m outputs, the step is alpha = (n - k) / (m - 1) on average, and one random number
u in [0, 1) per (image, channel) and axis shifts where the steps are rounded:

    start[i] = floor((i + u) * alpha) - floor(u * alpha)    for i = 0 .. m - 2
    start[m - 1] = n - k                                   (the last window ends at the edge)

so consecutive starts differ by floor(alpha) or ceil(alpha). Output cell (p, q) is the
maximum of the k_h x k_w window at (start_h[p], start_w[q]) (3-D: the k_d x k_h x k_w box
at (start_d[p], start_h[q], start_w[r])) (the first largest; a NaN wins,
the last one, as PyTorch scans). The winners are found with NumPy and read with ``gather``,
so dL/dx is g added at every winner, differentiable again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...random import default_generator
from ...tensor import Tensor
from ._args import int_tuple, shape_text
from .conv import _finish

# The input is checked as every pooling's is, by pooling.py's _prepare; the winners are those
# of its other max poolings (_winning_tap, _gather_winners).
from .pooling import _gather_winners, _per_axis, _prepare, _publish, _winning_tap

__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]


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


_AXES = {2: ("height", "width"), 3: ("depth", "height", "width")}


def _output_size(fn: str, nd: int, shape: tuple, output_size: Any, output_ratio: Any) -> tuple:
    """The nd output sizes from ``output_size``, or from ``output_ratio``: int(size * ratio)."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn}: give either output_size or output_ratio, got neither")
    if output_size is not None:
        return int_tuple(output_size, nd, "output_size", fn)
    ratio = _per_axis(output_ratio, nd)
    if len(ratio) != nd or not all(isinstance(r, (int, float)) and 0 < r < 1 for r in ratio):
        several = "a pair of numbers" if nd == 2 else f"{nd} numbers"
        raise ValueError(
            f"{fn}: output_ratio must be a number or {several} between 0 and 1 "
            f"(exclusive), got {output_ratio!r}"
        )
    return tuple(int(size * r) for size, r in zip(shape[-nd:], ratio))


def _fractional_max_pool(
    fn: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    _random_samples: Any,
) -> tuple[Tensor, Tensor]:
    """Fractional max pooling over the last nd (2 or 3) axes: (y, flat index of each winner).

    One body for 2-D and 3-D: along every axis the window starts come from
    ``fractional_window_starts``; each window's elements are listed as flat positions in the
    (N, C, prod(sizes)) planes (taps in row-major order, so argmax's first largest is
    PyTorch's), the winners are found with NumPy and read with ``gather``.
    """
    x, batched = _prepare(fn, input, nd, floating=True)  # as (N, C, *sizes)
    n, c, *sizes = x.shape
    kernel = int_tuple(kernel_size, nd, "kernel_size", fn)
    outs = _output_size(fn, nd, tuple(x.shape), output_size, output_ratio)
    for axis, size, out, k in zip(_AXES[nd], sizes, outs, kernel):
        if out < 1 or out + k - 1 > size:
            raise ShapeError(
                f"{fn}: output {axis} {out} with kernel {k} needs an input {axis} of at least "
                f"{out + k - 1} (and an output of at least 1), got input shape "
                f"{shape_text(input.shape)}"
            )
    dtype = x.array.dtype
    if _random_samples is None:
        samples = default_generator().random((n, c, nd)).astype(dtype)
    else:
        samples = np.asarray(
            _random_samples.array if isinstance(_random_samples, Tensor) else _random_samples
        )
        if samples.shape != (n, c, nd):
            raise ShapeError(
                f"{fn}: expected _random_samples of shape ({n}, {c}, {nd}), got "
                f"{shape_text(samples.shape)}"
            )
        samples = samples.astype(dtype, copy=False)
    # PyTorch's order of the shifts: (width, height) in 2-D, (depth, height, width) in 3-D.
    sample_of_axis = (1, 0) if nd == 2 else (0, 1, 2)
    taps = int(np.prod(kernel))
    offsets = np.unravel_index(np.arange(taps), kernel)  # per axis: (taps,) offsets
    plane_strides = [int(np.prod(sizes[a + 1 :])) for a in range(nd)]
    positions = np.zeros((n, c, *outs, taps), dtype=np.int64)
    for a in range(nd):
        starts = fractional_window_starts(samples[..., sample_of_axis[a]], sizes[a], outs[a],
                                          kernel[a])  # fmt: skip
        starts = starts.reshape((n, c) + tuple(o if b == a else 1 for b, o in enumerate(outs)))
        positions += (starts[..., None] + offsets[a]) * plane_strides[a]
    planes = x.array.reshape(n, c, -1)
    values = np.take_along_axis(planes, positions.reshape(n, c, -1), axis=2)
    values = values.reshape(positions.shape)
    tap = _winning_tap(values)  # the first largest; a NaN wins, the last one
    winners = np.take_along_axis(positions, tap[..., None], axis=-1)[..., 0]  # (N, C, *outs)
    y = _gather_winners(x, winners)
    return _finish(y, nd, batched), _finish(wrap(winners), nd, batched)


def _fractional_max_pool_function(nd: int, doc: str, pair: bool = False) -> Callable[..., Any]:
    """fractional_max_pool2d or fractional_max_pool3d (nd=2, 3): one body, PyTorch's
    signature; with ``pair``, the ``_with_indices`` form, which always returns (output,
    indices) (``return_indices`` is accepted and ignored, as in PyTorch)."""
    fn = f"fractional_max_pool{nd}d_with_indices" if pair else f"fractional_max_pool{nd}d"

    def fractional_max_pool(
        input: Tensor,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Any = None,
    ) -> Any:
        y, indices = _fractional_max_pool(fn, nd, input, kernel_size, output_size, output_ratio,
                                          _random_samples)  # fmt: skip
        return (y, indices) if return_indices or pair else y

    return _publish(fractional_max_pool, fn, doc, pair)


fractional_max_pool2d = _fractional_max_pool_function(
    2,
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
    """,
)


fractional_max_pool3d = _fractional_max_pool_function(
    3,
    """3-D fractional max pooling: max over k_d x k_h x k_w boxes at pseudo-random starts.

    y[n, c, p, q, r] = max over (i, j, k) of
    x[n, c, start_d[n, c, p] + i, start_h[n, c, q] + j, start_w[n, c, r] + k],
    each axis's starts from ``fractional_window_starts``. dL/dx is g added at every winner.

    Args:
        input: (N, C, D, H, W) or (C, D, H, W), floating point.
        kernel_size: box size, int or (kd, kh, kw).
        output_size: (Do, Ho, Wo) or one int; or give
        output_ratio: a number (or three) in (0, 1): Do = int(D * ratio).
        return_indices: also return the position d*H*W + h*W + w of every maximum.
        _random_samples: the shifts, (N, C, 3) in [0, 1) ([..., 0] for the depth, [..., 1]
            for the height, [..., 2] for the width, as PyTorch); drawn when None.

    Example::

        >>> F.fractional_max_pool3d(glassnet.randn(1, 2, 9, 9, 9), 2, output_ratio=0.5).shape
        (1, 2, 4, 4, 4)
    """,
)


fractional_max_pool2d_with_indices = _fractional_max_pool_function(
    2,
    """``fractional_max_pool2d`` that always returns (output, indices) (``return_indices`` is
    accepted and ignored, as in PyTorch).""",
    pair=True,
)


fractional_max_pool3d_with_indices = _fractional_max_pool_function(
    3,
    """``fractional_max_pool3d`` that always returns (output, indices) (``return_indices`` is
    accepted and ignored, as in PyTorch).""",
    pair=True,
)
