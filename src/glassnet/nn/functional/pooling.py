"""Pooling as functions (PyTorch's F names): max/avg/lp_pool1d/2d/3d, adaptive avg/max pools 1d/2d/3d, max_unpool1d/2d/3d.

Pooling summarises each window of each channel by one number: its maximum (max pooling) or its
mean (average pooling). The windows are placed exactly like a convolution's (kernel_size,
stride, padding, dilation), but channels never mix and nothing is learned. Along each axis

    out = floor((size + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1

(``ceil`` instead of ``floor`` with ``ceil_mode=True``, dropping a last window that would
start in the right padding). ``stride`` defaults to ``kernel_size``: windows side by side.
The 1-D functions run the 2-D ones on an image of height 1; the 3-D ones read the windows
of ``ops/volume.py`` (every window of the padded volume as a strided view).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...ops.api import scatter, where
from ...ops.conv import Geometry, sliding_geometry
from ...ops.pool import MaxPool, WindowSum, argmax_to_flat_index
from ...ops.volume import VolumeUnfold, WindowGeometry, window_geometry
from ...tensor import Tensor, as_tensor

# Window arguments (kernel_size, stride, padding, dilation) are read exactly as a
# convolution's, by the same helper (_args.int_tuple), and pooling runs on (N, C, H, W) as
# convolution does, so the layout restorer and the namer of 1-D / 2-D variants in conv.py
# serve both.
from ._args import int_tuple, not_a_tensor_message, shape_text
from .conv import SPATIAL_NAMES, _finish, named

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


class InputTooSmallError(ShapeError):
    """The input is smaller than one window (raised so that layers can name themselves)."""


def _per_axis(value: Any, n: int) -> tuple:
    """``value`` as it was given for each axis: a tuple or list as a tuple, anything else
    repeated ``n`` times (``_per_axis(0.5, 2) == (0.5, 0.5)``). Not checked: each caller
    words its own error."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _publish(
    function: Callable[..., Any], fn: str, doc: str, pair: bool = False
) -> Callable[..., Any]:
    """``named(function, fn, doc)``; with ``pair``, a form that always returns (output,
    indices) says so in its return annotation (the ``*_with_indices`` functions)."""
    if pair:
        function.__annotations__["return"] = "tuple[Tensor, Tensor]"
    return named(function, fn, doc)


def _check_input(fn: str, input: Any, nd: int) -> None:
    """Check that the input is a (C, *spatial) or (N, C, *spatial) Tensor with nd spatial axes."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: {not_a_tensor_message(input)}")
    if input.ndim not in (nd + 1, nd + 2):
        names = ", ".join(SPATIAL_NAMES[nd])
        raise ShapeError(
            f"{fn}: expected a {nd + 1}-D (C, {names}) or {nd + 2}-D (N, C, {names}) "
            f"input, got shape {shape_text(input.shape)}"
        )


def _prepare(fn: str, input: Any, nd: int, floating: bool = False) -> tuple[Tensor, bool]:
    """Check the input (a floating point one with ``floating``); return it as (N, C, H, W)
    ((N, C, D, H, W) for 3-D) and whether it had a batch axis."""
    _check_input(fn, input, nd)
    if floating and input.array.dtype.kind != "f":
        raise TypeError(f"{fn}: expected a floating point input, got dtype {input.dtype}")
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    if nd == 1:
        x = x.unsqueeze(2)
    return x, batched


def _window_arguments(fn: str, nd: int, kernel_size: Any, stride: Any, padding: Any,
                      empty_stride: bool = False) -> tuple[tuple, tuple, tuple]:  # fmt: skip
    """kernel_size, stride and padding as nd-tuples of ints (kernel and stride >= 1, padding
    >= 0), stride defaulting to the kernel: when it is None, or with ``empty_stride`` also
    when it is an empty sequence (PyTorch's pooling takes ``stride=()`` so; unpooling does not)."""
    kernel = int_tuple(kernel_size, nd, "kernel_size", fn, 1)
    default = stride is None or (empty_stride and not isinstance(stride, int) and len(stride) == 0)
    stride_t = kernel if default else int_tuple(stride, nd, "stride", fn, 1)
    return kernel, stride_t, int_tuple(padding, nd, "padding", fn, 0)


def _pool_geometry(
    fn: str,
    x: Tensor,
    nd: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> Geometry | WindowGeometry:
    """The windows of a pooling over ``x``: a 2-D Geometry for 1-D and 2-D pooling (1-D as an
    image of height 1), a WindowGeometry for 3-D. Raises InputTooSmallError when no window fits."""
    kernel, stride_t, pad = _window_arguments(fn, nd, kernel_size, stride, padding, True)
    dil = int_tuple(dilation, nd, "dilation", fn, 1)
    if any(p > k // 2 for p, k in zip(pad, kernel)):
        raise ValueError(
            f"{fn}: padding must be at most half of kernel_size, got "
            f"padding={padding!r} and kernel_size={kernel_size!r}"
        )
    if nd == 3:
        pairs = tuple(p for p in pad for _ in range(2))
        geo3 = window_geometry(tuple(x.shape[2:]), kernel, stride_t, pairs, dil, bool(ceil_mode))
        if min(geo3.out_size) < 1:
            raise InputTooSmallError(
                f"{fn}: input of spatial size {geo3.in_size} is too small for kernel_size="
                f"{kernel_size!r}, padding={padding!r}, dilation={dilation!r}: the "
                f"output size would be {geo3.out_size}"
            )
        return geo3
    if nd == 1:
        kernel, stride_t, pad, dil = (1,) + kernel, (1,) + stride_t, (0,) + pad, (1,) + dil
    geo = sliding_geometry(
        tuple(x.shape[2:]),
        kernel,
        stride_t,
        (pad[0], pad[0], pad[1], pad[1]),
        dil,
        ceil_mode=bool(ceil_mode),
    )
    if geo.out_hw[0] < 1 or geo.out_hw[1] < 1:
        size = geo.in_hw[1] if nd == 1 else geo.in_hw
        out = geo.out_hw[1] if nd == 1 else geo.out_hw
        raise InputTooSmallError(
            f"{fn}: input of spatial size {size} is too small for kernel_size="
            f"{kernel_size!r}, padding={padding!r}, dilation={dilation!r}: the "
            f"output size would be {out}"
        )
    return geo


def _max_pool_function(nd: int, doc: str, pair: bool = False) -> Callable[..., Any]:
    """max_pool1d, max_pool2d or max_pool3d (nd=1, 2, 3): one body, PyTorch's signature; with
    ``pair``, max_pool{nd}d_with_indices, which always returns (output, indices)."""
    fn = f"max_pool{nd}d_with_indices" if pair else f"max_pool{nd}d"

    def max_pool(
        input: Tensor,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
    ) -> Any:
        return_indices = return_indices or pair
        x, batched = _prepare(fn, input, nd)
        geo = _pool_geometry(fn, x, nd, kernel_size, stride, padding, dilation, ceil_mode)
        if nd == 3:
            y, flat = _max_pool_volume(x, geo)
            y = _finish(y, nd, batched)
            return (y, _finish(wrap(flat), nd, batched)) if return_indices else y
        op = MaxPool(geo)
        y = _finish(op(x), nd, batched)
        if not return_indices:
            return y
        flat = argmax_to_flat_index(geo, op.argmax)  # positions in the (H*W) plane (L for 1-D)
        return y, _finish(wrap(flat), nd, batched)

    return _publish(max_pool, fn, doc, pair)


max_pool2d = _max_pool_function(
    2,
    """2-D max pooling: y[n, c, p, q] = max over (i, j) of xpad[n, c, p*sh + i*dh, q*sw + j*dw].

    Padding counts as -inf (never the maximum); ``padding`` may be at most kernel_size // 2.
    The gradient flows only to the winning element of each window (the first one on a tie).

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size, stride (default: kernel_size), padding, dilation: int or (h, w) pair.
        ceil_mode: round the output size up instead of down.
        return_indices: also return the position h*W + w of every maximum (an int64 Tensor).

    Example::

        >>> F.max_pool2d(glassnet.randn(8, 16, 28, 28), 2).shape
        (8, 16, 14, 14)
    """,
)

max_pool1d = _max_pool_function(
    1,
    """1-D max pooling over (N, C, L) or (C, L): y[n, c, p] = max over i of xpad[n, c, p*s + i*d].

    See ``max_pool2d``; indices (with ``return_indices``) are positions along L.
    """,
)


max_pool3d = _max_pool_function(
    3,
    """3-D max pooling: y[n, c, p, q, r] = max over (i, j, k) of
    xpad[n, c, p*sd + i*dd, q*sh + j*dh, r*sw + k*dw].

    As ``max_pool2d`` for volumes: padding is -inf (at most kernel_size // 2), the gradient
    goes to the winner of each window (the first on a tie; a NaN wins, the last one). With
    ``return_indices`` also the position d*H*W + h*W + w of every maximum.

    Args:
        input: (N, C, D, H, W) or (C, D, H, W).
        kernel_size, stride (default: kernel_size), padding, dilation: int or (d, h, w).
        ceil_mode: round the output size up instead of down.
        return_indices: also return the flat position of every maximum (an int64 Tensor).

    Example::

        >>> F.max_pool3d(glassnet.randn(2, 4, 8, 8, 8), 2).shape
        (2, 4, 4, 4, 4)
    """,
)


def _max_pool_volume(x: Tensor, geo: WindowGeometry) -> tuple[Tensor, np.ndarray]:
    """3-D max pooling of a batched (N, C, *S) input: (y, flat position of every winner).

    The winners are found with NumPy on the strided window view (padding -inf, the first
    largest tap winning, a NaN tap winning over numbers, the last NaN kept, as PyTorch
    scans); y then reads them with ``gather``, whose gradient is g added at each winner and
    is itself differentiable (second derivatives keep the winners fixed).
    """
    r = geo.rank
    windows = geo.windows(geo.pad_input(x.array, -np.inf))  # (N, C, *out, *kernel)
    flat_windows = windows.reshape(windows.shape[: 2 + r] + (geo.taps,))
    tap = _winning_tap(flat_windows)
    if any(geo.pad) and np.isneginf(np.take_along_axis(flat_windows, tap[..., None], -1)).any():
        # A window whose largest value is -inf: the padding ties with it, and PyTorch's winner
        # is the first tap inside the input holding -inf, never a padding position.
        inside = geo.windows(geo.pad_input(np.ones((1, 1) + geo.in_size, bool), False))
        candidates = (flat_windows == -np.inf) & inside.reshape(inside.shape[: 2 + r] + (-1,))
        # (A window holding a NaN has a NaN maximum, never -inf: _winning_tap's NaN rule and
        # this one touch different windows.)
        tap = np.where(np.isneginf(flat_windows.max(axis=-1)), candidates.argmax(axis=-1), tap)
    # the winner's position along each axis of the unpadded input: p*s + k*d - pad_before
    offsets = np.unravel_index(tap, geo.kernel)
    position = []
    for a in range(r):
        start = np.arange(geo.out_size[a]).reshape([-1 if b == a else 1 for b in range(r)])
        position.append(start * geo.stride[a] + offsets[a] * geo.dilation[a] - geo.pad[2 * a])
    flat = np.ravel_multi_index(tuple(position), geo.in_size).astype(np.int64)
    return _gather_winners(x, flat), flat


def _winning_tap(values: np.ndarray) -> np.ndarray:
    """The winner of every window whose taps lie along the last axis of ``values``, by
    PyTorch's scan: the first largest, except that every NaN wins, so the last NaN is kept.

    np.argmax already gives the first largest (and stops at the first NaN); the windows that
    hold a NaN are then given their last one.
    """
    tap = values.argmax(axis=-1)
    nan = np.isnan(values)
    if nan.any():
        last_nan = values.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)
        tap = np.where(nan.any(axis=-1), last_nan, tap)
    return tap


def _gather_winners(x: Tensor, winners: np.ndarray) -> Tensor:
    """y[n, c, *cell] = x[n, c].flat[winners[n, c, *cell]]: the winners' values, read with
    ``gather``, so dL/dx is g added at each winner (and differentiable again, the winners
    held fixed). ``x`` is (N, C, *spatial), ``winners`` int64 (N, C, *out); y has its shape."""
    n, c = x.shape[:2]
    return x.reshape(n, c, -1).gather(2, wrap(winners.reshape(n, c, -1))).reshape(winners.shape)


def _divisor(
    in_size: tuple, kernel: tuple, stride: tuple, out_size: tuple, pad: tuple,
    count_include_pad: bool,
) -> np.ndarray:  # fmt: skip
    """Number of elements each window averages over, shape ``out_size``, as PyTorch counts them.

    A window is first clipped to the padded input (the extra space added by ceil_mode never
    counts); with ``count_include_pad=False`` it is clipped to the input itself. Windows are
    boxes, so the count is the product of the counts along each axis (an outer product).
    ``pad`` holds the declared padding before each axis (ceil_mode only extends the after side).
    """
    counts = []
    for size, k, s, p, n_out in zip(in_size, kernel, stride, pad, out_size):
        start = np.arange(n_out) * s - p
        end = np.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        counts.append(np.maximum(end - start, 1))  # an empty window averages to 0, not nan
    return functools.reduce(np.multiply.outer, counts)


def _avg_pool(
    fn: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> Tensor:
    x, batched = _prepare(fn, input, nd, floating=True)
    geo = _pool_geometry(fn, x, nd, kernel_size, stride, padding, 1, ceil_mode)
    if nd == 3:  # the sum over the kernel axes of every (zero padded) window
        total = VolumeUnfold(geo)(x).sum(dim=(5, 6, 7)).permute(0, 4, 1, 2, 3)
    else:
        total = WindowSum(geo)(x)
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError(f"{fn}: divisor_override must not be zero")
        return _finish(total * (1.0 / divisor_override), nd, batched)
    declared_pad = geo.pad[::2]  # the before sides: ceil_mode only extends the after sides
    if nd == 3:
        sizes = (geo.in_size, geo.kernel, geo.stride, geo.out_size)
    else:
        sizes = (geo.in_hw, geo.kernel, geo.stride, geo.out_hw)
    divisor = _divisor(*sizes, declared_pad, count_include_pad)
    if np.all(divisor == divisor.flat[0]):
        y = total * (1.0 / float(divisor.flat[0]))
    else:
        y = total * wrap((1.0 / divisor).astype(x.array.dtype))
    return _finish(y, nd, batched)


def _avg_pool_function(nd: int, doc: str) -> Callable[..., Tensor]:
    """avg_pool2d (nd=2) or avg_pool3d (nd=3): one body, PyTorch's signature (avg_pool1d has
    no divisor_override and is written out below)."""
    fn = f"avg_pool{nd}d"

    # Its first parameters are max_pool's: each family keeps PyTorch's own signature, once.
    def avg_pool(
        input: Tensor,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> Tensor:
        return _avg_pool(fn, nd, input, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override)  # fmt: skip

    return named(avg_pool, fn, doc)


avg_pool2d = _avg_pool_function(
    2,
    """2-D average pooling: y[n, c, p, q] = (sum of the window at (p, q)) / (window count).

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size, stride (default: kernel_size), padding: int or (h, w) pair; padding is
            zeros, at most kernel_size // 2.
        ceil_mode: round the output size up instead of down.
        count_include_pad: whether zero padding counts in the divisor (True) or only the
            input elements inside the window do (False).
        divisor_override: divide every window sum by this number instead.

    Example::

        >>> F.avg_pool2d(glassnet.ones(1, 1, 4, 4), 2)   # every 2x2 block averages to 1
    """,
)


# Written out, not made by _avg_pool_function: PyTorch's avg_pool1d has no divisor_override.
def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L); see ``avg_pool2d``."""
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


avg_pool3d = _avg_pool_function(
    3,
    """3-D average pooling: y[n, c, p, q, r] = (sum of the window at (p, q, r)) / (window count).

    The window sum is the sum over the kernel axes of the unfolded (zero padded) volume, so
    its gradient spreads g / count over every window. Arguments as in ``avg_pool2d``, with
    (d, h, w) triples.

    Args:
        input: (N, C, D, H, W) or (C, D, H, W).

    Example::

        >>> F.avg_pool3d(glassnet.ones(1, 1, 4, 4, 4), 2).shape   # all ones
        (1, 1, 2, 2, 2)
    """,
)


def _adaptive_matrix(size_in: int, size_out: int, dtype: np.dtype) -> np.ndarray:
    """(size_out, size_in) averaging matrix: row i averages input [floor(i*n/m), ceil((i+1)*n/m))."""
    matrix = np.zeros((size_out, size_in), dtype=dtype)
    for i in range(size_out):
        start, end = _adaptive_window(i, size_in, size_out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _adaptive_setup(fn: str, nd: int, input: Tensor, output_size: Any) -> tuple:
    """The checked input as (N, C, H, W) ((N, C, D, H, W) for 3-D), whether it had a batch
    axis, and the output's spatial size ((1, Lo) for 1-D input)."""
    x, batched = _prepare(fn, input, nd, floating=True)
    sizes = _per_axis(output_size, nd)
    if len(sizes) != nd:
        raise ValueError(
            f"{fn}: output_size must be an int or a tuple of {nd}, got {output_size!r}"
        )
    in_sizes = tuple(x.shape[-nd:])
    sizes = [n if s is None else s for s, n in zip(sizes, in_sizes)]
    if any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
        raise ValueError(
            f"{fn}: output_size must hold positive ints (or None), got {output_size!r}"
        )
    if any(n < 1 for n in in_sizes):
        raise ShapeError(
            f"{fn}: input of shape {shape_text(input.shape)} has an empty spatial axis"
        )
    return x, batched, ((1, sizes[0]) if nd == 1 else tuple(sizes))


def _adaptive_window(i: int, size_in: int, size_out: int) -> tuple[int, int]:
    """Output cell i's input range [floor(i n / m), ceil((i + 1) n / m)) along one axis."""
    return (i * size_in) // size_out, -((-(i + 1) * size_in) // size_out)


def _adaptive_avg_pool(fn: str, nd: int, input: Tensor, output_size: Any) -> Tensor:
    x, batched, out = _adaptive_setup(fn, nd, input, output_size)
    dtype = x.array.dtype
    # Windows are separable: average the rows with one matrix and the columns with another,
    # y = P_h @ x @ P_w^T, two ordinary (differentiable) matrix products (and for volumes a
    # third matrix along D first).
    y = x
    if nd == 3:
        (od, oh, ow), (d, h, w) = out, x.shape[2:]
        if od != d:  # average along D: view H and W as one axis of columns
            lead = tuple(x.shape[:2])
            planes = wrap(_adaptive_matrix(d, od, dtype)) @ y.reshape(*lead, d, h * w)
            y = planes.reshape(*lead, od, h, w)
    else:
        (oh, ow), (h, w) = out, x.shape[2:]
    if oh != h:
        y = wrap(_adaptive_matrix(h, oh, dtype)) @ y
    if ow != w:
        y = y @ wrap(np.ascontiguousarray(_adaptive_matrix(w, ow, dtype).T))
    return _finish(y, nd, batched)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size (Ho, Wo), whatever the input size.

    Output row i averages input rows floor(i*H/Ho) ... ceil((i+1)*H/Ho) - 1 (likewise for
    columns), so windows may differ by one in size and may overlap. ``output_size`` is an int,
    or a pair whose entries may be None (keep that input size). ``output_size=1`` is global
    average pooling.

    Example::

        >>> F.adaptive_avg_pool2d(glassnet.randn(2, 8, 7, 9), (3, 1)).shape
        (2, 8, 3, 1)
    """
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


def _adaptive_max_pool(fn: str, nd: int, input: Tensor, output_size: Any, return_indices: bool):
    x, batched, out = _adaptive_setup(fn, nd, input, output_size)
    n, c = x.shape[:2]
    spatial = tuple(x.shape[2:])
    values = x.array
    # The winner of each window, as a flat position in its channel's plane or volume (row * W
    # + column in 2-D): found with NumPy, then read with gather, whose gradient goes to that
    # element alone. One vectorised argmax over (N, C) per output cell.
    winners = np.empty((n, c) + out, dtype=np.int64)
    for cell in np.ndindex(*out):
        box = [_adaptive_window(i, size, m) for i, size, m in zip(cell, spatial, out)]
        block = values[(Ellipsis, *(slice(a, b) for a, b in box))]
        k = block.reshape(n, c, -1).argmax(axis=2)  # the first largest
        local = np.unravel_index(k, block.shape[2:])
        winners[(Ellipsis, *cell)] = np.ravel_multi_index(
            tuple(a + offset for (a, _), offset in zip(box, local)), spatial
        )
    y = _finish(_gather_winners(x, winners), nd, batched)
    return (y, _finish(wrap(winners), nd, batched)) if return_indices else y


def _adaptive_max_pool_function(nd: int, doc: str, pair: bool = False) -> Callable[..., Any]:
    """adaptive_max_pool1d/2d/3d (nd=1, 2, 3): one body, PyTorch's signature; with ``pair``,
    adaptive_max_pool{nd}d_with_indices, which always returns (output, indices)."""
    fn = f"adaptive_max_pool{nd}d_with_indices" if pair else f"adaptive_max_pool{nd}d"

    def adaptive_max_pool(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
        return _adaptive_max_pool(fn, nd, input, output_size, return_indices or pair)

    return _publish(adaptive_max_pool, fn, doc, pair)


adaptive_max_pool2d = _adaptive_max_pool_function(
    2,
    """Max pooling to a fixed output size (Ho, Wo), whatever the input size: the windows of
    ``adaptive_avg_pool2d``, each giving its largest value; dL/dx is g at each window's winner
    (the first, where several tie). With ``return_indices``, also each winner's position in
    its channel's plane (row * W + column), as ``max_pool2d`` gives it.

    Example::

        >>> F.adaptive_max_pool2d(glassnet.randn(2, 8, 7, 9), 3).shape
        (2, 8, 3, 3)
    """,
)


adaptive_max_pool1d = _adaptive_max_pool_function(
    1, """Max pooling of (N, C, L) or (C, L) to a fixed length; see ``adaptive_max_pool2d``."""
)


adaptive_max_pool3d = _adaptive_max_pool_function(
    3,
    """Max pooling of volumes to a fixed output size (Do, Ho, Wo): the windows of
    ``adaptive_avg_pool3d``, each giving its largest value (the first on a tie); dL/dx is g at
    each winner. With ``return_indices``, also each winner's position d*H*W + h*W + w.

    Args:
        input: (N, C, D, H, W) or (C, D, H, W), floating point.
        output_size: an int or a triple whose entries may be None (keep that input size).

    Example::

        >>> F.adaptive_max_pool3d(glassnet.randn(2, 3, 5, 7, 9), (1, 3, None)).shape
        (2, 3, 1, 3, 9)
    """,
)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) to a fixed length; see ``adaptive_avg_pool2d``."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


# ----------------------------------------------------------------------------------------------
# Power-average pooling: the p-norm of each window
# ----------------------------------------------------------------------------------------------


def _lp_pool(fn: str, nd: int, input: Tensor, norm_type: float, kernel_size: Any, stride: Any,
             ceil_mode: bool) -> Tensor:  # fmt: skip
    kernel = int_tuple(kernel_size, nd, "kernel_size", fn, 1)
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: {not_a_tensor_message(input)}")
    # The input and the windows are checked here, so that an error names lp_pool, not avg_pool.
    x, _ = _prepare(fn, input, nd, floating=True)
    _pool_geometry(fn, x, nd, kernel_size, stride, 0, 1, ceil_mode)
    pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[nd]
    mean = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # (window sum) = mean * prod(kernel). Where a window's sum is exactly 0 the root's derivative
    # is infinite; PyTorch's gradient there is 0, so the root is taken of 1 and masked away.
    is_zero = mean == 0
    total = where(is_zero, 1.0, mean) * float(np.prod(kernel))
    return where(is_zero, 0.0, total.pow(1.0 / norm_type))


def _lp_pool_function(nd: int, doc: str) -> Callable[..., Tensor]:
    """lp_pool1d, lp_pool2d or lp_pool3d (nd=1, 2, 3): one body, PyTorch's signature."""
    fn = f"lp_pool{nd}d"

    def lp_pool(
        input: Tensor,
        norm_type: float,
        kernel_size: Any,
        stride: Any = None,
        ceil_mode: bool = False,
    ) -> Tensor:
        return _lp_pool(fn, nd, input, norm_type, kernel_size, stride, ceil_mode)

    return named(lp_pool, fn, doc)


lp_pool2d = _lp_pool_function(
    2,
    """2-D power-average pooling: y = (sum over the window of x**p) ** (1 / p), p = norm_type.

    p = 1 is sum pooling, p -> inf approaches max pooling. Computed as
    (avg_pool2d(x**p) * kh * kw) ** (1 / p), no padding; as in PyTorch a partial last window
    of ``ceil_mode`` is averaged over the elements it holds, and a negative window sum (odd p
    with negative inputs) gives nan. dy/dx = x**(p - 1) y**(1 - p) within each window (0
    for a window whose sum is 0).

    Args:
        input: (N, C, H, W) or (C, H, W).
        norm_type: p.
        kernel_size, stride (default: kernel_size): int or (h, w) pair.
        ceil_mode: round the output size up instead of down.
    """,
)


lp_pool3d = _lp_pool_function(
    3,
    """3-D power-average pooling over (N, C, D, H, W) or (C, D, H, W):
    y = (sum over the window of x**p) ** (1 / p), computed as
    (avg_pool3d(x**p) * kd * kh * kw) ** (1 / p); see ``lp_pool2d``.""",
)


lp_pool1d = _lp_pool_function(
    1,
    """1-D power-average pooling over (N, C, L) or (C, L): y = (sum_window x**p) ** (1 / p); see ``lp_pool2d``.""",
)
lp_pool1d.__annotations__["kernel_size"] = "int"  # PyTorch's lp_pool1d takes one int


# ----------------------------------------------------------------------------------------------
# Max unpooling: put each maximum back where max_pool found it
# ----------------------------------------------------------------------------------------------


def _unpool_size(fn: str, nd: int, in_size: tuple, kernel: tuple, stride: tuple, pad: tuple,
                 output_size: Any) -> tuple:  # fmt: skip
    """The spatial output size: the pooled input's, or ``output_size`` if it is one of those
    that pool to ``in_size`` (max_pool's floor makes several sizes pool alike)."""
    default = tuple((i - 1) * s - 2 * p + k for i, k, s, p in zip(in_size, kernel, stride, pad))
    if output_size is None:
        return default
    size = tuple(int(v) for v in output_size)
    if len(size) in (nd + 1, nd + 2):
        size = size[-nd:]  # a full shape: keep the spatial sizes
    if len(size) != nd:
        raise ValueError(
            f"{fn}: output_size must have {nd} (or {nd + 2}) entries, got {tuple(output_size)}"
        )
    for d, (want, lo, s) in enumerate(zip(size, default, stride)):
        if not lo - s < want < lo + s:
            raise ValueError(
                f"{fn}: output_size {size} is invalid: dim {d} must be between "
                f"{lo - s + 1} and {lo + s - 1}, got {want}"
            )
    return size


def _max_unpool(fn: str, nd: int, input: Tensor, indices: Any, kernel_size: Any, stride: Any,
                padding: Any, output_size: Any) -> Tensor:  # fmt: skip
    _check_input(fn, input, nd)
    idx = np.asarray(indices.array if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{fn}: expected integer indices (from max_pool), got dtype {idx.dtype}")
    if idx.shape != tuple(input.shape):
        raise ShapeError(
            f"{fn}: expected indices of the input's shape {shape_text(input.shape)}, got "
            f"{shape_text(idx.shape)}"
        )
    kernel, stride_t, pad = _window_arguments(fn, nd, kernel_size, stride, padding)
    out = _unpool_size(fn, nd, tuple(input.shape[-nd:]), kernel, stride_t, pad, output_size)
    plane = int(np.prod(out))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(
            f"{fn}: index {bad} is outside the output plane of {out} ({plane} positions)"
        )
    lead = tuple(input.shape[:-nd])
    # y.flat_plane[index] = x: a scatter into zeros along the flattened spatial axis. Its
    # gradient is dL/dx = g.flat_plane[index] (a gather), what PyTorch gives.
    flat_x = input.reshape(*lead, -1)
    zeros = as_tensor(np.zeros(lead + (plane,), dtype=input.array.dtype))
    y = scatter(zeros, -1, as_tensor(idx.reshape(flat_x.shape).astype(np.int64)), flat_x)
    return y.reshape(*lead, *out)


def _max_unpool_function(nd: int, doc: str) -> Callable[..., Tensor]:
    """max_unpool1d, max_unpool2d or max_unpool3d (nd=1, 2, 3): one body, PyTorch's signature."""
    fn = f"max_unpool{nd}d"

    # Shaped like lp_pool's parameter list, but PyTorch's own max_unpool signature: kept apart.
    def max_unpool(
        input: Tensor,
        indices: Tensor,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        output_size: Any = None,
    ) -> Tensor:
        return _max_unpool(fn, nd, input, indices, kernel_size, stride, padding, output_size)

    return named(max_unpool, fn, doc)


max_unpool2d = _max_unpool_function(
    2,
    """Partial inverse of max_pool2d: each value goes back to the position its index names,
    every other position is 0.

        y[n, c].flat[indices[n, c, p, q]] = x[n, c, p, q]

    ``indices`` are the flat positions h * W + w that ``max_pool2d(..., return_indices=True)``
    returns. dL/dx[n, c, p, q] = g[n, c].flat[indices[n, c, p, q]].

    Args:
        input: (N, C, H, W) or (C, H, W), the pooled values.
        indices: integer tensor of the input's shape.
        kernel_size, stride (default: kernel_size), padding: those of the max pooling.
        output_size: the size to restore, (H, W) or a full shape; by default
            (H - 1) * stride - 2 * padding + kernel_size per axis.

    Example::

        >>> y, i = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2).shape == x.shape     # for even H and W
        True
    """,
)


max_unpool1d = _max_unpool_function(
    1,
    """Partial inverse of max_pool1d over (N, C, L) or (C, L): y[n, c, indices[n, c, p]] = x[n, c, p]; see ``max_unpool2d``.""",
)


max_unpool3d = _max_unpool_function(
    3,
    """Partial inverse of max_pool3d over (N, C, D, H, W) or (C, D, H, W): each value goes
    back to the flat position d*H*W + h*W + w its index names, zeros elsewhere; see
    ``max_unpool2d``. Output size per axis (in - 1) * stride - 2 * padding + kernel_size, or
    ``output_size``.""",
)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of volumes to a fixed output size (Do, Ho, Wo), whatever the input size.

    Along each axis, output cell i averages input [floor(i*n/m), ceil((i+1)*n/m)) as in
    ``adaptive_avg_pool2d``; the windows are separable, so the result is three averaging
    matrices applied along D, H and W (ordinary matrix products, whose gradients are the
    transposed matrices). ``output_size`` is an int or a triple whose entries may be None
    (keep that input size).

    Args:
        input: (N, C, D, H, W) or (C, D, H, W), floating point.

    Example::

        >>> F.adaptive_avg_pool3d(glassnet.randn(2, 3, 5, 7, 9), (1, 3, None)).shape
        (2, 3, 1, 3, 9)
    """
    return _adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)
