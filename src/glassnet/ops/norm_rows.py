"""The fast path of Normalize: x as a matrix of rows, worked through in cache-sized blocks on every core.

When x is stored contiguously and its last q axes are all reduced, x is, without a copy, a
matrix X of L rows and Q = (product of those q axes) columns, and every statistic covers whole
rows of it. The normalization is then three steps over the rows:

1. per row r: its mean and its centred sum of squares, two row dot products (``np.vecdot``,
   no temporary array for the sums):

       m_r = X_r . 1 / Q,       S_r = (X_r - m_r) . (X_r - m_r)

2. per statistic (a set of R rows, M = R * Q values), combined from its rows (Chan's formula
   for pooled variances, exact algebra, no cancellation):

       mean = (m_1 + ... + m_R) / R,      var = (sum of S_r + Q * sum of (m_r - mean)**2) / M

3. per row again: x_hat = (X_r - mean) / sqrt(var + eps),  y = x_hat * w + b.

Each step is a handful of NumPy passes over the data. Over a whole 8 MB array every pass
goes out to memory; over a block of ``BLOCK_VALUES`` values the arrays a block touches stay
in the core's cache from one pass to the next, so the rows are taken a block at a time, and
the blocks are shared out over the cores (``split_work.run_split``: each block writes only
its own rows). Where each statistic is one row (layer norm), a block runs the three steps
at once, its data still in cache; otherwise (group norm: the C/G rows of a group; batch norm:
a channel's rows recur for every sample) step 1 runs over all blocks, then step 2 once on
all rows, then step 3.

Two layouts are served, by where weight and bias vary:

* "lead" (batch norm over (N, C, H, W), group norm, any op without parameters): weight and
  bias are constant along the q trailing axes; their values live on the rows.
* "trail" (layer norm): the reduced axes are exactly the trailing ones and weight and bias
  vary along all of them (shape ``normalized_shape``); their values live on the columns.

The backward runs the same way, with the formulas of ``Normalize`` (ops/norm.py), whose plain
NumPy version (``standardize_reference`` and ``Normalize._backward_reference``) is the
readable twin of everything here, tested equal to it.

Compiled loops (``compiled=True``, chosen by Normalize where ``norm_loops.worth_compiling``
and the layout is ``compilable``): the same steps as compiled loops of ops/norm_loops.py over
ranges of rows (or statistics) on every core instead of NumPy calls over blocks. Layer norm
is one loop per row forward and one backward; in the "lead" layouts whose statistics' rows
are evenly spaced (``RowLayout.runs``: group norm and instance norm, runs of consecutive
rows; batch norm, a channel's row in every sample) a loop takes a statistic at a time, all
its rows while they are in cache, so x goes through memory once forward and x and g once
backward. x_hat is then recomputed from x in the backward, never stored.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import jit
from ..split_work import min_rows_for, run_split
from . import norm_loops

__all__ = ["RowLayout", "row_layout", "forward_rows", "backward_rows"]

#: Values per block: the four or five arrays a block touches (256 KB each in float32) fit in
#: one core's L2 cache; fewer, larger blocks would spill it, more would cost more Python calls.
BLOCK_VALUES = 65536
#: The fewest blocks worth a thread of their own (smaller work is not worth the hand-off).
MIN_BLOCKS_PER_THREAD = 2
#: The fewest values worth a thread of their own for a compiled loop (norm_loops): a loop over
#: 2**17 values takes some tens of microseconds, about what handing it to another thread costs
#: (as for split_work.split_ufunc). Measured on 2 cores, forward + backward: GroupNorm on
#: (8, 32, 16, 16) took 0.8 ms split at 2**14 values a thread, 0.38 ms on one core; on
#: (32, 64, 16, 16) the split saves about 0.15 ms of 2 when the other core is free, and costs
#: as much when another process keeps it busy.
MIN_VALUES_PER_THREAD = 2**17


def _aligned(shape: tuple, ndim: int) -> tuple:
    """A parameter's shape with leading 1s up to ``ndim`` axes (how it broadcasts)."""
    return (1,) * (ndim - len(shape)) + tuple(shape)


@dataclass(frozen=True)
class RowLayout:
    """How an input of ``shape`` is seen as an (L, Q) matrix for the statistics over ``axes``.

    Attributes:
        shape: the input's shape.
        q: number of trailing axes folded into the columns.
        lead_red: the reduced axes among the leading ``len(shape) - q`` ones.
        kind: "lead" (parameters constant along the columns) or "trail" (they span them).
        count: M, the number of values in each statistic.
    """

    shape: tuple
    q: int
    lead_red: tuple
    kind: str
    count: int

    # The derived sizes below are computed once per layout (functools.cached_property), and
    # ``row_layout`` gives the same layout object back for the same shapes: a normalization
    # called every step pays for this arithmetic once.

    @functools.cached_property
    def lead(self) -> tuple:
        return self.shape[: len(self.shape) - self.q]

    @functools.cached_property
    def rows(self) -> int:
        return math.prod(self.lead)

    @functools.cached_property
    def cols(self) -> int:
        return math.prod(self.shape[len(self.shape) - self.q :])

    @functools.cached_property
    def small(self) -> tuple:
        """The statistics' shape on the leading axes (reduced ones kept as 1)."""
        return tuple(1 if i in self.lead_red else n for i, n in enumerate(self.lead))

    @functools.cached_property
    def keep(self) -> tuple:
        """The statistics' shape on the input's axes (every reduced axis kept as 1)."""
        return self.small + (1,) * self.q

    @functools.cached_property
    def one_row_each(self) -> bool:
        """Whether every statistic covers exactly one row (layer norm), not several."""
        return self.count == self.cols

    @functools.cached_property
    def runs(self) -> tuple[int, int] | None:
        """(R, inner) when every statistic's rows are R rows ``inner`` apart, else None.

        That is so in the "lead" layouts whose reduced leading axes are one block: the leading
        axes are (outer, reduced, inner) and a statistic covers its rows r = first + i * inner,
        i < R (``norm_loops.stat_norm_rows``). Group norm and instance norm: inner = 1, runs of
        consecutive rows; batch norm on (N, C, ...): R = N and inner = C.
        """
        red, n = self.lead_red, len(self.lead)
        if self.kind != "lead":
            return None
        if not red:  # one row each (instance norm)
            return 1, 1
        if red != tuple(range(red[0], red[-1] + 1)):
            return None
        return math.prod(self.lead[a] for a in red), math.prod(self.lead[red[-1] + 1 : n])

    @functools.cached_property
    def compilable(self) -> bool:
        """Whether the compiled loops serve this layout (layer norm, and ``runs``)."""
        return self.kind == "trail" or self.runs is not None

    @functools.cached_property
    def n_stats(self) -> int:
        """S, the number of statistics."""
        return math.prod(self.small)

    @property
    def block_rows(self) -> int:
        """Rows per block: about BLOCK_VALUES values (at least one row; read each time, as the
        tests shrink BLOCK_VALUES)."""
        return max(1, BLOCK_VALUES // self.cols)

    def matrix(self, a: np.ndarray) -> np.ndarray:
        """a (of the input's shape) as the (L, Q) matrix (a view when a is contiguous)."""
        return a.reshape(self.rows, self.cols)

    def reduce(self, per_row: np.ndarray) -> np.ndarray:
        """(L,) partial sums -> the sums over all reduced axes, of shape ``small``."""
        per_row = per_row.reshape(self.lead)
        return np.sum(per_row, axis=self.lead_red, keepdims=True) if self.lead_red else per_row

    def on_rows(self, small: np.ndarray) -> np.ndarray:
        """A value per statistic (broadcastable to the leading axes) as an (L, 1) column."""
        return np.broadcast_to(small, self.lead).reshape(self.rows, 1)

    def param(self, p: np.ndarray | None) -> np.ndarray | None:
        """A parameter as it multiplies the matrix: (L, 1) for "lead", (Q,) for "trail"."""
        if p is None:
            return None
        if self.kind == "trail":
            return p.reshape(self.cols)
        return self.on_rows(_lead(p, self))

    def param_sum(self, per_stat_sums: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Sum of (L,)-shaped per-row sums over the axes parameter p is broadcast along."""
        lead_shape = _aligned(p.shape, len(self.shape))[: len(self.lead)]
        axes = tuple(i for i, (n, m) in enumerate(zip(lead_shape, self.lead)) if n == 1 and m != 1)
        s = per_stat_sums.reshape(self.lead)
        return (np.sum(s, axis=axes, keepdims=True) if axes else s).reshape(p.shape)


def _lead(p: np.ndarray, layout: RowLayout) -> np.ndarray:
    """A "lead" parameter viewed on the leading axes only (its trailing q axes are 1)."""
    aligned = _aligned(p.shape, len(layout.shape))
    return p.reshape(aligned[: len(layout.lead)])


def row_layout(x: np.ndarray, axes: tuple, params: list) -> RowLayout | None:
    """The (L, Q) layout for normalizing x over ``axes`` with these parameters, or None.

    None (use the reference) when x is not contiguous or empty, when its last axis is not
    reduced, when a parameter has another dtype than x, or when a parameter varies along the
    trailing reduced axes only partly.
    """
    if not x.flags.c_contiguous or x.size == 0 or not axes or axes[-1] != x.ndim - 1:
        return None
    given = [p for p in params if p is not None]
    if any(np.asarray(p).dtype != x.dtype for p in given):
        return None
    return _layout_of_shapes(x.shape, tuple(axes), tuple(np.shape(p) for p in given))


@functools.lru_cache(maxsize=256)
def _layout_of_shapes(shape: tuple, axes: tuple, param_shapes: tuple) -> RowLayout | None:
    """``row_layout`` from the shapes alone (remembered: a layer sees the same shapes each step)."""
    ndim = len(shape)
    shapes = [_aligned(p, ndim) for p in param_shapes]
    if any(len(s) != ndim for s in shapes):
        return None
    count = math.prod(shape[a] for a in axes)
    # "lead": the longest block of trailing reduced axes along which every parameter is 1.
    q = 0
    while q < ndim and (ndim - 1 - q) in axes and all(s[ndim - 1 - q] == 1 for s in shapes):
        q += 1
    if q:
        lead_red = tuple(a for a in axes if a < ndim - q)
        return RowLayout(shape, q, lead_red, "lead", count)
    # "trail": the reduced axes are the trailing k, and every parameter spans exactly them.
    k = len(axes)
    if axes != tuple(range(ndim - k, ndim)):
        return None
    if all(
        s[: ndim - k] == (1,) * (ndim - k) and s[ndim - k :] == shape[ndim - k :] for s in shapes
    ):
        return RowLayout(shape, k, (), "trail", count)
    return None


# ---------------------------------------------------------------- blocks of rows, on every core

# block(rows, hat, t): works on rows ``rows`` of the matrices only; ``hat`` and ``t`` are
# (len(rows), Q) scratch arrays of its thread, free to overwrite.
Block = Callable[[slice, np.ndarray, np.ndarray], None]


def _each_block(layout: RowLayout, block: Block, dtype) -> None:
    """``block(rows, hat, t)`` on consecutive ranges of ``layout.block_rows`` rows, over the cores."""
    size, n = layout.block_rows, layout.rows

    def work(blocks: slice) -> None:
        hat, t = np.empty((2, size, layout.cols), dtype)  # this thread's scratch, reused
        for k in range(blocks.start, blocks.stop):
            rows = slice(k * size, min(n, (k + 1) * size))
            block(rows, hat[: rows.stop - rows.start], t[: rows.stop - rows.start])

    run_split(work, -(-n // size), MIN_BLOCKS_PER_THREAD)


def _in_steps(layout: RowLayout, first: Block, combine: Block, last: Block, dtype) -> None:
    """``first`` on every block, ``combine`` per statistic, then ``last`` on every block.

    Where each statistic is one row (layer norm), a block runs all three while its data are
    in cache, and ``last`` finds the scratch arrays as ``first`` left them. Otherwise
    ``combine`` runs once on all rows between two sweeps: pooling rows into statistics is
    a dozen small NumPy calls, which would cost more per block than a second sweep does.
    """
    if layout.one_row_each:

        def block(rows: slice, hat: np.ndarray, t: np.ndarray) -> None:
            first(rows, hat, t)
            combine(rows, hat, t)
            last(rows, hat, t)

        _each_block(layout, block, dtype)
    else:
        _each_block(layout, first, dtype)
        combine(slice(0, layout.rows), None, None)
        _each_block(layout, last, dtype)


def _group_sums(layout: RowLayout, per_row: np.ndarray) -> np.ndarray:
    """Per-row values -> their sum per statistic (flat); all L rows unless one row each."""
    return per_row if layout.one_row_each else layout.reduce(per_row).reshape(-1)


def _spread(layout: RowLayout, per_stat: np.ndarray) -> np.ndarray:
    """A value per statistic (flat) -> the same value on each of its rows (flat)."""
    if layout.one_row_each:
        return per_stat
    return layout.on_rows(per_stat.reshape(layout.small)).reshape(-1)


def _part(p: np.ndarray | None, rows: slice) -> np.ndarray | None:
    """The part of a laid-out parameter for ``rows``: a "lead" column's rows, a "trail" row whole."""
    return p if p is None or p.ndim == 1 else p[rows]


# ---------------------------------------------------------------- compiled loops, on every core


def _over_cores(loop: Callable[[int, int], None], compiled: jit.Loop, n: int, least: int) -> None:
    """``loop(lo, hi)`` (a call of ``compiled``, a loop of norm_loops over rows or statistics
    lo..hi) over all ``n`` of them, on every core: in one call where the loop runs on numba's
    threads, else in ranges of at least ``least`` over ``split_work``'s."""
    if compiled.compiled_parallel():
        loop(0, n)
        return
    run_split(lambda part: loop(part.start, part.stop), n, least)


def _on_every_row(layout: RowLayout, per_stat: np.ndarray) -> np.ndarray:
    """A value per statistic (any shape holding them in order) as a contiguous (L,) array."""
    return np.ascontiguousarray(_spread(layout, per_stat.reshape(-1)))


def _param_values(layout: RowLayout, p: np.ndarray | None, fill: float, dtype) -> np.ndarray:
    """A parameter as the contiguous array the loops read: its value on every column, (Q,),
    for "trail"; on every row, (L,), for "lead". ``fill`` everywhere when it is absent."""
    size = layout.cols if layout.kind == "trail" else layout.rows
    if p is None:
        return np.full(size, fill, dtype)
    return np.ascontiguousarray(layout.param(p).reshape(size))


def _forward_trail_compiled(layout: RowLayout, x: np.ndarray, eps: float, weight, bias):
    """``forward_rows`` for layer norm: one compiled row pass (``norm_loops.layer_norm_rows``)."""
    dtype = x.dtype
    X, y = layout.matrix(x), np.empty(x.shape, dtype)
    w, b = _param_values(layout, weight, 1.0, dtype), _param_values(layout, bias, 0.0, dtype)
    mean, var, invstd = (np.empty(layout.rows, dtype) for _ in range(3))
    Y, eps = layout.matrix(y), float(eps)
    _over_cores(
        lambda lo, hi: norm_loops.layer_norm_rows(X, w, b, eps, lo, hi, Y, mean, var, invstd),
        norm_loops.layer_norm_rows,
        layout.rows,
        min_rows_for(layout.cols, MIN_VALUES_PER_THREAD),
    )
    keep = layout.keep
    return y, None, mean.reshape(keep), var.reshape(keep), invstd.reshape(keep)


def _each_stat_range(
    layout: RowLayout, loop: Callable[[int, int], None], compiled: jit.Loop
) -> None:
    """``loop(lo, hi)`` (a call of ``compiled``, a loop over statistics lo..hi, ``layout.runs``)
    over all statistics, on every core (``_over_cores``)."""
    _over_cores(loop, compiled, layout.n_stats, max(1, MIN_VALUES_PER_THREAD // layout.count))


def _period(layout: RowLayout, p: np.ndarray) -> int | None:
    """P when the "lead" parameter p repeats every P rows: row r's value is p.flat[r % P].

    So it is when p varies along a trailing block of the leading axes only (a channel's weight
    (1, C, 1, 1) on (N, C, H, W) input: P = C); None for any other parameter shape.
    """
    return _period_of_shape(layout, np.shape(p))


@functools.lru_cache(maxsize=256)
def _period_of_shape(layout: RowLayout, p_shape: tuple) -> int | None:
    shape = _aligned(p_shape, len(layout.shape))[: len(layout.lead)]
    lead = layout.lead
    k = len(lead)
    while k and shape[k - 1] == lead[k - 1]:
        k -= 1
    return math.prod(lead[k:]) if all(n == 1 for n in shape[:k]) else None


def _cyclic_params(layout: RowLayout, weight, bias, dtype) -> tuple[np.ndarray, np.ndarray, int]:
    """(w, b, P): the "lead" parameters as the (P,) cycles the stat loops read (``_period``),
    ones and zeros where absent; P = L (every row's value written out) for other shapes."""
    periods = [_period(layout, p) for p in (weight, bias) if p is not None]
    period = layout.rows if None in periods else max(periods, default=1)

    def cycle(p: np.ndarray | None, fill: float) -> np.ndarray:
        if p is None:
            return np.full(period, fill, dtype)
        if period == layout.rows:
            return np.ascontiguousarray(layout.param(p).reshape(period))
        values = np.ascontiguousarray(p.reshape(-1))  # rows 0 .. P_p - 1; P_p divides P
        return values if values.size == period else np.tile(values, period // values.size)

    return cycle(weight, 1.0), cycle(bias, 0.0), period


def _cyclic_sum(layout: RowLayout, per_row: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Sum of (L,) per-row sums over the rows sharing each value of parameter p (its gradient)."""
    period = _period(layout, p)
    if period is None:
        return layout.param_sum(per_row, p)
    return np.add.reduce(per_row.reshape(-1, period), axis=0).reshape(p.shape)


def _forward_stats_compiled(layout: RowLayout, x: np.ndarray, eps: float, weight, bias):
    """``forward_rows`` where statistics are evenly spaced rows: ``norm_loops.stat_norm_rows``."""
    dtype, (per_stat, inner) = x.dtype, layout.runs
    X, y = layout.matrix(x), np.empty(x.shape, dtype)
    w, b, period = _cyclic_params(layout, weight, bias, dtype)
    mean, var, invstd = (np.empty(layout.n_stats, dtype) for _ in range(3))
    Y, eps = layout.matrix(y), float(eps)

    def loop(lo: int, hi: int) -> None:
        norm_loops.stat_norm_rows(
            X, w, b, period, per_stat, inner, eps, lo, hi, Y, mean, var, invstd
        )

    _each_stat_range(layout, loop, norm_loops.stat_norm_rows)
    keep = layout.keep
    return y, None, mean.reshape(keep), var.reshape(keep), invstd.reshape(keep)


def _backward_stats_compiled(layout, G, X, mean, invstd, params, need, GX):
    """``backward_rows`` where statistics are evenly spaced rows: ``stat_norm_grad_rows``."""
    (weight, bias), (need_x, need_w, need_b) = params, need
    dtype, (per_stat, inner) = G.dtype, layout.runs
    w, _, period = _cyclic_params(layout, weight, None, dtype)
    g_x = GX if need_x else np.empty((1, 1), dtype)  # unused without need_x
    s_hat, s_one = np.empty(layout.rows, dtype), np.empty(layout.rows, dtype)
    mean, invstd = mean.reshape(-1), invstd.reshape(-1)
    flag = int(need_x)

    def loop(lo: int, hi: int) -> None:
        norm_loops.stat_norm_grad_rows(
            G, X, mean, invstd, w, period, per_stat, inner, lo, hi, flag, g_x, s_hat, s_one
        )

    _each_stat_range(layout, loop, norm_loops.stat_norm_grad_rows)
    return (
        _cyclic_sum(layout, s_hat, weight) if need_w else None,
        _cyclic_sum(layout, s_one, bias) if need_b else None,
    )


# ---------------------------------------------------------------- forward


def forward_rows(
    layout: RowLayout, x: np.ndarray, eps: float, weight=None, bias=None, compiled: bool = False
):
    """(y, x_hat, mean, var, invstd) in the three steps of the module docstring.

    y = x_hat * weight + bias (each optional; y is x_hat without either) has x's shape; mean,
    var (biased) and invstd = 1 / sqrt(var + eps) have the ``keep`` shape. x_hat is kept for
    the backward in the "lead" layouts only (None for "trail"): the layer-norm backward runs in
    one sweep of blocks and recomputes x_hat in cache for less than writing it out costs,
    while the batch- and group-norm backward takes two sweeps and reads it twice.

    ``compiled``: the steps run as the compiled loops of norm_loops (numba must be available,
    see ``norm_loops.worth_compiling``, and ``layout.compilable``), one pass over each row or
    statistic instead of several NumPy passes; x_hat is then None (the compiled backward
    recomputes it from x, which costs less than writing it out and reading it back).
    """
    if compiled and layout.kind == "trail":
        return _forward_trail_compiled(layout, x, eps, weight, bias)
    if compiled:
        return _forward_stats_compiled(layout, x, eps, weight, bias)
    dtype, count, cols = x.dtype, layout.count, layout.cols
    per_stat = count // cols  # R: the rows of one statistic
    X = layout.matrix(x)
    affine = weight is not None or bias is not None
    y = np.empty(x.shape, dtype)
    keep_hat = layout.kind != "trail"
    x_hat = None if not keep_hat else (np.empty(x.shape, dtype) if affine else y)
    Y, XH = layout.matrix(y), None if x_hat is None else layout.matrix(x_hat)
    w, b = layout.param(weight), layout.param(bias)
    n_stats = math.prod(layout.small)
    mean, var, invstd = (np.empty(n_stats, dtype) for _ in range(3))
    row_mean, row_ss, row_centre, row_scale = (np.empty(layout.rows, dtype) for _ in range(4))
    ones = np.ones(cols, dtype)

    def moments(rows: slice, hat: np.ndarray, _t) -> None:  # step 1: hat = X_r - m_r
        np.divide(np.vecdot(X[rows], ones), cols, out=row_mean[rows])
        np.subtract(X[rows], row_mean[rows, None], out=hat)
        np.vecdot(hat, hat, out=row_ss[rows])

    def statistics(rows: slice, _hat, _t) -> None:  # step 2: pooled mean and variance
        m_r = row_mean[rows]
        if layout.one_row_each:  # statistic i is row i
            stats = rows
            mean[stats], var[stats] = m_r, row_ss[rows] / cols
        else:  # rows are all the rows
            stats = slice(None)
            mean[stats] = _group_sums(layout, m_r) / per_stat
            apart = m_r - _spread(layout, mean[stats])
            pooled = _group_sums(layout, row_ss[rows]) + cols * _group_sums(layout, apart * apart)
            var[stats] = pooled / count
        invstd[stats] = 1.0 / np.sqrt(var[stats] + eps)
        row_centre[rows] = _spread(layout, mean[stats])
        row_scale[rows] = _spread(layout, invstd[stats])

    def normalize(rows: slice, hat: np.ndarray, _t) -> None:  # step 3: y = x_hat * w + b
        if XH is not None:
            hat = XH[rows]
        if XH is not None or not layout.one_row_each:  # hat is not (or no longer) X_r - mean
            np.subtract(X[rows], row_centre[rows, None], out=hat)
        if not affine:
            np.multiply(hat, row_scale[rows, None], out=Y[rows])
            return
        hat *= row_scale[rows, None]
        out = Y[rows]
        if w is None:
            np.add(hat, _part(b, rows), out=out)
        else:
            np.multiply(hat, _part(w, rows), out=out)
            if b is not None:
                out += _part(b, rows)

    _in_steps(layout, moments, statistics, normalize, dtype)
    keep = layout.keep
    return y, x_hat, mean.reshape(keep), var.reshape(keep), invstd.reshape(keep)


# ---------------------------------------------------------------- backward


class _Centred:
    """x - mean on rows, recomputed exactly as ``forward_rows`` made it (x_hat = that * invstd)."""

    def __init__(self, layout: RowLayout, x: np.ndarray, centre: np.ndarray):
        self.X, self.centre = layout.matrix(x), centre  # the mean on every row, (L, 1)

    def into(self, rows: slice, out: np.ndarray) -> np.ndarray:
        return np.subtract(self.X[rows], self.centre[rows], out=out)


def backward_rows(
    layout: RowLayout, g, x, x_hat, mean, invstd, weight, bias, need: tuple, compiled=False
):
    """(dL/dx, dL/dweight, dL/dbias) by the formulas of Normalize; None where not needed.

    ``x`` is the forward's input, ``x_hat``, ``mean`` and ``invstd`` what ``forward_rows``
    returned; ``need`` = (need_x, need_weight, need_bias). With d = g * w and means over the
    reduced axes: dL/dx = (d - mean(d) - x_hat * mean(d * x_hat)) * invstd. ``compiled``: the
    row passes run as the compiled loops of norm_loops (as in the forward that made x_hat;
    x_hat is then None and is recomputed from x in each row pass).
    """
    dtype = x.dtype
    G = layout.matrix(np.ascontiguousarray(g, dtype=dtype))
    g_x = np.empty(layout.shape, dtype) if need[0] else None
    GX = None if g_x is None else layout.matrix(g_x)
    params = (weight, bias)
    if compiled and layout.kind == "trail":
        X = layout.matrix(x)
        centre, scale = _on_every_row(layout, mean), _on_every_row(layout, invstd)
        g_w, g_b = _backward_trail_compiled(layout, G, X, centre, scale, params, need, GX)
        return g_x, g_w, g_b
    if compiled:
        X = layout.matrix(x)
        g_w, g_b = _backward_stats_compiled(layout, G, X, mean, invstd, params, need, GX)
        return g_x, g_w, g_b
    row_scale = _spread(layout, invstd.reshape(-1))[:, None]  # invstd on every row, (L, 1)
    if layout.kind == "trail":
        centred = _Centred(layout, x, _spread(layout, mean.reshape(-1))[:, None])
        g_w, g_b = _backward_trail(layout, G, centred, row_scale, params, need, GX)
    else:
        g_w, g_b = _backward_lead(layout, G, row_scale, params, need, GX, layout.matrix(x_hat))
    return g_x, g_w, g_b


def _backward_trail_compiled(layout, G, X, centre, scale, params, need, GX):
    """Layer norm's backward as one compiled row pass (``norm_loops.layer_norm_grad_rows``).

    Each range of rows sums its own dL/dweight and dL/dbias rows; the ranges' rows are added
    in the order of the ranges (the same result however the threads were scheduled).
    """
    (weight, bias), (need_x, need_w, need_b) = params, need
    dtype = G.dtype
    w = _param_values(layout, weight, 1.0, dtype)
    g_x = GX if need_x else np.empty((1, 1), dtype)  # unused without need_x
    sums: dict[int, np.ndarray] = {}  # first row of a range -> its (dweight, dbias) rows

    def work(rows: slice) -> None:
        part = np.zeros((2, layout.cols), dtype)
        norm_loops.layer_norm_grad_rows(
            G, X, centre, scale, w, rows.start, rows.stop, int(need_x), g_x, part[0], part[1]
        )
        sums[rows.start] = part

    run_split(work, layout.rows, min_rows_for(layout.cols, MIN_VALUES_PER_THREAD))
    total = sum(sums[start] for start in sorted(sums))
    return (
        total[0].reshape(weight.shape) if need_w else None,
        total[1].reshape(bias.shape) if need_b else None,
    )


def _backward_trail(layout, G, centred, row_scale, params, need, GX):
    """Layer norm: w on the columns; per row a = mean(g * w * x_hat), m = mean(g * w).

    dL/dx = (g * w - m - x_hat * a) * invstd;  dL/dweight, dL/dbias = column sums of
    g * x_hat and of g (summed per block, then over the blocks). With c = x - mean and
    x_hat = c * invstd, the row factor invstd is applied to sums rather than to every value:
    g * x_hat summed down a column is invstd @ (g * c), and a = invstd * mean(g * w * c).
    """
    (weight, bias), (need_x, need_w, need_b) = params, need
    dtype, cols, size = G.dtype, layout.cols, layout.block_rows
    w = layout.param(weight)
    w_cols = np.ones(cols, dtype) if w is None else w
    n_blocks = -(-layout.rows // size)
    col_t = np.empty((n_blocks, cols), dtype) if need_w else None
    col_g = np.empty((n_blocks, cols), dtype) if need_b else None
    ones = np.ones(size, dtype)

    def block(rows: slice, c: np.ndarray, t: np.ndarray) -> None:
        g, scale = G[rows], row_scale[rows]
        centred.into(rows, c)
        np.multiply(g, c, out=t)  # g * (x - mean)
        if need_w:
            np.matmul(scale[:, 0], t, out=col_t[rows.start // size])
        if need_b:
            np.matmul(ones[: len(g)], g, out=col_g[rows.start // size])
        if need_x:
            a = np.vecdot(t, w_cols) * (scale[:, 0] / cols)  # mean(d * x_hat) per row
            m = np.vecdot(g, w_cols) / cols  # mean(d) per row
            out = GX[rows]
            if w is None:
                np.subtract(g, m[:, None], out=out)
            else:
                np.multiply(g, w, out=out)
                out -= m[:, None]
            np.multiply(c, (a * scale[:, 0])[:, None], out=t)  # x_hat * a
            out -= t
            out *= scale

    _each_block(layout, block, dtype)
    return (
        None if col_t is None else col_t.sum(axis=0).reshape(weight.shape),
        None if col_g is None else col_g.sum(axis=0).reshape(bias.shape),
    )


def _backward_lead(layout, G, row_scale, params, need, GX, XH):
    """Batch and group norm: w on the rows, so every mean is a (weighted) sum of row sums.

    With s_r = g_r . x_hat_r and t_r = g_r . 1 per row: a = sum of w_r s_r / M and
    m = sum of w_r t_r / M per statistic, and
    dL/dx = g * (w invstd) - x_hat * (a invstd) - m invstd, every factor on the rows;
    dL/dweight, dL/dbias = the sums of s_r and t_r over the rows each parameter spans.
    ``XH`` is x_hat as an (L, Q) matrix.
    """
    (weight, bias), (need_x, need_w, need_b) = params, need
    dtype, count, n = G.dtype, layout.count, layout.rows
    w_rows = None if weight is None else layout.param(weight).reshape(-1)
    ones = np.ones(layout.cols, dtype)
    s_hat, s_one = np.empty(n, dtype), np.empty(n, dtype)
    c_g, c_hat, c_one = (np.empty(n, dtype) for _ in range(3))

    def row_sums(rows: slice, _c, _t) -> None:
        np.vecdot(G[rows], XH[rows], out=s_hat[rows])
        np.vecdot(G[rows], ones, out=s_one[rows])

    def factors(rows: slice, _c, _t) -> None:
        d_hat, d_one, scale = s_hat[rows], s_one[rows], row_scale[rows, 0]
        if w_rows is not None:
            d_hat, d_one = d_hat * w_rows[rows], d_one * w_rows[rows]
        c_g[rows] = scale if w_rows is None else scale * w_rows[rows]
        c_hat[rows] = _spread(layout, _group_sums(layout, d_hat) / count) * scale
        c_one[rows] = _spread(layout, _group_sums(layout, d_one) / count) * scale

    def grad_x(rows: slice, _c, t: np.ndarray) -> None:
        out = GX[rows]
        np.multiply(G[rows], c_g[rows, None], out=out)
        np.multiply(XH[rows], c_hat[rows, None], out=t)
        out -= t
        out -= c_one[rows, None]

    if need_x:
        _in_steps(layout, row_sums, factors, grad_x, dtype)
    elif need_w or need_b:
        _each_block(layout, row_sums, dtype)
    return (
        layout.param_sum(s_hat, weight) if need_w else None,
        layout.param_sum(s_one, bias) if need_b else None,
    )
