"""Pooling primitives: MaxPool with its gradient pair (ScatterToArgmax / GatherAtArgmax), and WindowSum / WindowSpread for average pooling.

Pooling slides a window over each channel separately (the geometry is that of a convolution,
see ``ops/conv.py``) and summarises the window by one number. As in Im2Col the window is
handled tap by tap: ``gather_taps`` copies, for every kernel offset (i, j), what all windows
hold there into one contiguous (N, C, Ho, Wo) plane, and a reduction over the window becomes a
few elementwise operations between whole planes. (NumPy is several times slower on strided
data, and ``np.where`` with a random mask is slower still, so both are avoided in the loops.)
``scatter_taps`` is the adjoint of ``gather_taps``: it adds every plane back where it came from.
The fast 2x2 path and its gradient cut a large input into ranges of rows (of its first axis in
memory) and run each range on its own thread (``split_work.run_split``); windows never cross
those rows, so each range computes its own windows only, as the one-range twin would.

* Max pooling keeps the largest value of each window and remembers which tap won (its
  *argmax*, ties going to the first tap in row-major order, as in PyTorch). Its gradient is
  ``g`` routed to the winners: ScatterToArgmax. That op is linear in g, and its adjoint is
  GatherAtArgmax (read the winners' positions), whose adjoint is ScatterToArgmax again, so the
  winners stay fixed and second derivatives work.
* Sum pooling (average pooling before the division) adds the window: WindowSum. Its adjoint
  WindowSpread gives every pixel the sum of g over the windows that contain it.

With numba installed (``glassnet.jit``) and large work, MaxPool and ScatterToArgmax run the
compiled loops of ``ops/pool_loops.py`` (each window visited once, the same winners, NaN
rule included) and write into pooled arrays; the NumPy code here is then their tested twin,
and what runs without numba.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

from ..autograd import Op
from ..split_work import run_split
from . import compiled, pool_loops
from .compiled import use_compiled
from .conv import Geometry, rows_per_thread

__all__ = [
    "MaxPool",
    "ScatterToArgmax",
    "GatherAtArgmax",
    "WindowSum",
    "WindowSpread",
    "tap_views",
    "gather_taps",
    "scatter_taps",
    "argmax_to_flat_index",
    "max_pool_reference",
    "max_of_four",
]


def _tap_dtype(geo: Geometry) -> np.dtype:
    """The smallest unsigned integer type that can number the kh*kw taps of a window."""
    return np.min_scalar_type(geo.kernel[0] * geo.kernel[1] - 1)


def _extent(geo: Geometry) -> tuple[int, int]:
    """Rows and columns one window spans: d*(k - 1) + 1 per axis."""
    return tuple(d * (k - 1) + 1 for k, d in zip(geo.kernel, geo.dilation))


def _disjoint(geo: Geometry) -> bool:
    """True when no pixel lies in two windows (stride >= window extent on both axes)."""
    return all(s >= e for s, e in zip(geo.stride, _extent(geo)))


def _tiles_exactly(geo: Geometry) -> bool:
    """True when every padded pixel lies in exactly one window (windows side by side, no rest)."""
    return all(
        s == e and (o - 1) * s + e == size
        for s, e, o, size in zip(geo.stride, _extent(geo), geo.out_hw, geo.padded_hw)
    )


def tap_views(a: np.ndarray, geo: Geometry) -> list[np.ndarray]:
    """For each tap k = i*kw + j: the strided (N, C, Ho, Wo) view of the padded array ``a`` that
    the windows read at that tap (row p*sh + i*dh, column q*sw + j*dw of window (p, q))."""
    return [a[:, :, rows, cols] for rows, cols in (geo.window(i, j) for i, j in geo.offsets)]


def gather_taps(x: np.ndarray, geo: Geometry, fill: float = 0.0) -> np.ndarray:
    """taps[k, n, c, p, q] = xpad[n, c, p*sh + i*dh, q*sw + j*dw] for tap k = i*kw + j.

    A contiguous (kh*kw, N, C, Ho, Wo) array: what every window holds at each tap, so that the
    reductions over the window become fast elementwise operations between whole tap planes.
    ``fill`` is the padding value (-inf for max pooling, 0 for sums).
    """
    n, c = x.shape[:2]
    taps = np.empty((len(geo.offsets), n, c) + geo.out_hw, dtype=x.dtype)
    for k, view in enumerate(tap_views(geo.pad_input(x, fill), geo)):
        taps[k] = view
    return taps


def scatter_taps(taps: Iterable[np.ndarray], geo: Geometry) -> np.ndarray:
    """The adjoint of ``gather_taps``: add every tap plane back into its pixels -> (N, C, H, W).

    ``taps`` yields the kh*kw planes (N, C, Ho, Wo) in tap order. A pixel covered by several
    windows receives the sum; padding positions are dropped.
    """
    taps = iter(taps)
    first = next(taps)
    n, c = first.shape[:2]
    # Every pixel is written exactly once when the windows tile: no need to zero the buffer.
    blank = np.empty if _tiles_exactly(geo) else np.zeros
    dxp = blank((n, c) + geo.padded_hw, dtype=first.dtype)
    disjoint = _disjoint(geo)
    for plane, view in zip(itertools.chain([first], taps), tap_views(dxp, geo)):
        if disjoint:
            view[...] = plane
        else:
            view += plane
    return dxp if not any(geo.pad) else np.ascontiguousarray(geo.crop(dxp))


def _channel_first(a: np.ndarray) -> bool:
    """True for an (N, C, H, W) array stored channel by channel, i.e. (C, N, H, W) in memory.

    Convolution outputs are stored so (see nn/functional/conv.py). The ops below then work on
    the view with the two leading axes swapped, so that their loops and their results follow
    the memory order, and swap the result back (a free view): a layout is kept, not fought.
    """
    return a.strides[1] > a.strides[0]


def _swap(a: np.ndarray, swap: bool) -> np.ndarray:
    return a.swapaxes(0, 1) if swap else a


def _check(op: str, x: np.ndarray, geo: Geometry) -> None:
    if x.ndim != 4 or tuple(x.shape[2:]) != tuple(geo.in_hw):
        raise ValueError(
            f"{op}: expected an input of shape (N, C, {geo.in_hw[0]}, {geo.in_hw[1]}), "
            f"got {x.shape}"
        )


class MaxPool(Op):
    """y[n,c,p,q] = max of the window of xpad at (p,q);   dL/dx = g routed to each window's argmax

    The padding is -inf, so it never wins. The first tap holding the maximum wins a tie, and a
    NaN wins over numbers (PyTorch's rule). ``self.argmax`` holds the winning tap (i*kw + j) of
    every window.
    """

    def __init__(self, geometry: Geometry):
        self.geometry = geometry

    def forward(self, x):
        geo = self.geometry
        _check("max_pool", x, geo)
        swap = _channel_first(x)
        xs = _swap(x, swap)
        if use_compiled(x.size, x.dtype):
            best, argmax = _max_pool_compiled(xs, geo)
        else:
            found = max_of_four(xs, geo) if len(geo.offsets) == 4 else None
            best, argmax = found if found is not None else max_pool_reference(xs, geo)
        self.argmax = _swap(argmax, swap)
        return _swap(best, swap)

    def backward(self, g):
        return (ScatterToArgmax(self.geometry, self.argmax)(g),)


class _AtArgmax(Op):
    """What the adjoint pair ScatterToArgmax / GatherAtArgmax hold: the windows and the
    winning tap of each, fixed by the MaxPool that made them."""

    def __init__(self, geometry: Geometry, argmax: np.ndarray):
        self.geometry = geometry
        self.argmax = argmax


class ScatterToArgmax(_AtArgmax):
    """dx = zeros with g[n,c,p,q] added at the argmax pixel of window (p,q);   dL/dg = GatherAtArgmax(gg)"""

    def forward(self, g):
        if g.shape != self.argmax.shape:
            raise ValueError(
                f"scatter_to_argmax: expected a gradient of shape "
                f"{self.argmax.shape}, got {g.shape}"
            )
        geo = self.geometry
        swap = _channel_first(self.argmax)
        g, argmax = _swap(g, swap), _swap(self.argmax, swap)
        if use_compiled(g.size * len(geo.offsets), g.dtype):
            return _swap(_scatter_to_argmax_compiled(g, argmax, geo), swap)
        if _tiles_exactly(geo):  # each pixel is one tap of one window: write taps in place
            dx = np.empty(g.shape[:2] + geo.padded_hw, dtype=g.dtype)
            dx_taps = tap_views(dx, geo)

            def route(rows: slice) -> None:  # the windows of rows `rows` of the first axis
                for k, view in enumerate(dx_taps):
                    np.multiply(g[rows], argmax[rows] == k, out=view[rows])

            run_split(route, len(g), rows_per_thread(dx[0].size))
            return _swap(np.ascontiguousarray(geo.crop(dx)) if any(geo.pad) else dx, swap)
        planes = (g * (argmax == k) for k in range(len(geo.offsets)))
        return _swap(scatter_taps(planes, geo), swap)

    def backward(self, gg):
        return (GatherAtArgmax(self.geometry, self.argmax)(gg),)


class GatherAtArgmax(_AtArgmax):
    """y[n,c,p,q] = xpad at the argmax pixel of window (p,q) (winners fixed);   dL/dx = ScatterToArgmax(g)"""

    def forward(self, x):
        geo = self.geometry
        _check("gather_at_argmax", x, geo)
        swap = _channel_first(self.argmax)
        x, argmax = _swap(x, swap), _swap(self.argmax, swap)
        y = np.zeros(argmax.shape, dtype=x.dtype)
        for k, view in enumerate(tap_views(geo.pad_input(x), geo)):
            y += view * (argmax == k)
        return _swap(y, swap)

    def backward(self, g):
        return (ScatterToArgmax(self.geometry, self.argmax)(g),)


class WindowSum(Op):
    """y[n,c,p,q] = sum of the window of xpad at (p,q) (zero padding);   dL/dx = WindowSpread(g)"""

    def __init__(self, geometry: Geometry):
        self.geometry = geometry

    def forward(self, x):
        _check("window_sum", x, self.geometry)
        swap = _channel_first(x)
        return _swap(gather_taps(_swap(x, swap), self.geometry).sum(axis=0), swap)

    def backward(self, g):
        return (WindowSpread(self.geometry)(g),)


class WindowSpread(Op):
    """dx[n,c,h,w] = sum of g over the windows containing pixel (h,w);   dL/dg = WindowSum(gg)"""

    def __init__(self, geometry: Geometry):
        self.geometry = geometry

    def forward(self, g):
        geo = self.geometry
        if g.ndim != 4 or tuple(g.shape[2:]) != tuple(geo.out_hw):
            raise ValueError(
                f"window_spread: expected a gradient of shape (N, C, "
                f"{geo.out_hw[0]}, {geo.out_hw[1]}), got {g.shape}"
            )
        swap = _channel_first(g)
        return _swap(scatter_taps([_swap(g, swap)] * len(geo.offsets), geo), swap)

    def backward(self, gg):
        return (WindowSum(self.geometry)(gg),)


def max_pool_reference(x: np.ndarray, geo: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """(max, argmax) of every window: the taps gathered, then scanned one by one.

    The plain rule of MaxPool, for any window: a later tap wins only when strictly larger
    (ties go to the first tap), and NaN wins over numbers, the last NaN tap being kept.
    """
    taps = gather_taps(x, geo, -np.inf)
    dtype = _tap_dtype(geo)
    best = taps[0].copy()
    argmax = np.zeros(best.shape, dtype=dtype)
    for k in range(1, len(taps)):
        v = taps[k]
        won = v > best  # strictly larger: on a tie the earlier tap keeps the win
        np.maximum(best, v, out=best)  # NaN propagates
        # Taps are scanned in increasing order, so "argmax = k where won" is a maximum
        # (arithmetic on the mask is much faster than np.where with a random mask).
        np.maximum(argmax, np.multiply(won, dtype.type(k), dtype=dtype), out=argmax)
    nan = np.isnan(best)
    if nan.any():  # rare: in PyTorch's scan every NaN wins, so the last NaN tap is kept
        for k, v in enumerate(taps):
            np.copyto(argmax, dtype.type(k), where=nan & np.isnan(v))
    return best, argmax


def max_of_four(x: np.ndarray, geo: Geometry) -> tuple[np.ndarray, np.ndarray] | None:
    """(max, argmax) of windows of four taps (2x2 pooling) as a knockout, or None on NaN.

    Taps 0 and 1 play, taps 2 and 3 play, then the two winners: three maxima on the strided
    tap views, no gathered copy. Each match is won by the later tap only when strictly
    larger, so ties go to the first tap as in ``max_pool_reference``; when a NaN is present
    the reference's NaN rule applies instead (None is returned and the caller uses it).
    (Measured: arranging the same knockout over long contiguous runs of a 2x2 / stride 2
    input leaves its results as strided views, which made the whole CNN step slower.)
    """
    best = np.empty((len(x), x.shape[1]) + geo.out_hw, dtype=x.dtype)
    argmax = np.empty(best.shape, dtype=np.uint8)

    def knockout(rows: slice) -> None:  # the windows of rows `rows` of the first axis
        v0, v1, v2, v3 = tap_views(geo.pad_input(x[rows], -np.inf), geo)
        left, right = np.maximum(v0, v1), np.maximum(v2, v3)
        np.maximum(left, right, out=best[rows])
        late_left, late_right = np.greater(v1, v0), np.greater(v3, v2)
        argmax[rows] = _knockout_argmax(late_left, late_right, np.greater(right, left))

    run_split(knockout, len(x), rows_per_thread(x[0].size))
    if np.isnan(best).any():
        return None
    return best, argmax


def _knockout_argmax(late_left, late_right, second) -> np.ndarray:
    """The winning tap 2*second + (second ? late_right : late_left), with one-byte bit logic
    (much faster than np.where or np.copyto with a random mask)."""
    late = late_right ^ late_left
    late &= second
    late ^= late_left
    argmax = second.view(np.uint8) << 1
    argmax |= late.view(np.uint8)
    return argmax


def _planes(a: np.ndarray) -> np.ndarray:
    """(A, B, h, w) -> a C-contiguous (A*B, h, w) array of its planes (a view when possible)."""
    return np.ascontiguousarray(a).reshape((-1,) + a.shape[2:])


def _max_pool_compiled(x: np.ndarray, geo: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """(max, argmax) of every window by the compiled scan (pool_loops), a range of planes per
    core; the same numbers as ``max_pool_reference``, NaN rule included."""
    planes = _planes(x)
    best = compiled.empty(x.shape[:2] + geo.out_hw, dtype=x.dtype)
    argmax = compiled.empty(best.shape, dtype=_tap_dtype(geo))
    best_planes, argmax_planes = _planes(best), _planes(argmax)  # views: both are new
    args = pool_loops.loop_args(geo)

    def scan(rows: slice) -> None:
        pool_loops.max_pool_planes(planes, best_planes, argmax_planes, rows.start, rows.stop, *args)

    run_split(scan, len(planes), rows_per_thread(planes[0].size))
    return best, argmax


def _scatter_to_argmax_compiled(g: np.ndarray, argmax: np.ndarray, geo: Geometry) -> np.ndarray:
    """ScatterToArgmax's dx (A, B, H, W) by the compiled loop (pool_loops), planes per core."""
    g_planes, argmax_planes = _planes(g), _planes(argmax)
    dx = compiled.empty(g.shape[:2] + geo.in_hw, dtype=g.dtype)
    dx_planes = _planes(dx)
    args = pool_loops.loop_args(geo)

    def route(rows: slice) -> None:
        pool_loops.scatter_to_argmax_planes(
            g_planes, argmax_planes, dx_planes, rows.start, rows.stop, *args
        )

    run_split(route, len(dx_planes), rows_per_thread(dx_planes[0].size))
    return dx


def argmax_to_flat_index(geo: Geometry, argmax: np.ndarray) -> np.ndarray:
    """PyTorch's max-pool indices: the position h*W + w in the unpadded input of each winner."""
    (oh, ow), (sh, sw), (dh, dw) = geo.out_hw, geo.stride, geo.dilation
    kw = geo.kernel[1]
    top, _, left, _ = geo.pad
    i, j = np.divmod(argmax.astype(np.int64), kw)
    h = np.arange(oh).reshape(oh, 1) * sh + i * dh - top
    w = np.arange(ow).reshape(1, ow) * sw + j * dw - left
    return h * geo.in_hw[1] + w
