"""Compiled loops of the normalization fast path: one pass over a row where NumPy needs several.

The rows are those of ``norm_rows`` (x seen as an (L, Q) matrix, each statistic covering
whole rows). A row of a few hundred values stays in the core's cache, so a loop that reads it
from memory once and then goes over it again two or three times costs about one pass of
memory traffic; the NumPy version of the same row work (``norm_rows``) is six to ten whole
passes. Each loop here works on the rows ``lo`` to ``hi`` only and writes nothing outside them
(per-row results, or partial sums the caller owns per thread), so ``split_work.run_split``
runs the ranges on every core at once (the loops release Python's global lock).

Numerics, in float32 as in float64: every statistic is taken in two passes over the cached
row (the mean first, then the sum of squared distances from it), so a large offset does not
cancel the variance away; sums start from the array's own dtype (a float64 accumulator would
halve the speed on float32 data) and per-row scalars are turned back into the dtype before
they enter a loop over the values. NaN and infinity propagate as in the NumPy path.

Loops, by layout (``norm_rows.RowLayout``):

* "trail" (layer norm, weight and bias on the columns): ``layer_norm_rows`` (statistics,
  normalize and affine in one row pass) and ``layer_norm_grad_rows`` (dL/dx in one row pass,
  dL/dweight and dL/dbias summed into the caller's per-thread rows);
* "lead" (batch norm, weight and bias on the rows): ``layer_norm_rows`` for the rows' own
  moments (step 1),
  ``pool_row_moments`` (step 2), ``centre_scale_shift`` (step 3), and for the backward
  ``row_grad_sums``, ``pool_grad_sums`` and ``row_grad_x``. The pooling loops run over the L
  rows' numbers only, on one thread: in NumPy they are a dozen calls costing more than the
  row passes themselves.

The readable twin of all of them is the NumPy path of ``norm_rows`` (and the plain formulas
of ``norm.standardize_reference`` and ``Normalize._backward_reference``), tested equal.
"""

from __future__ import annotations

import numpy as np

from .. import jit

__all__ = [
    "MIN_VALUES",
    "worth_compiling",
    "layer_norm_rows",
    "layer_norm_grad_rows",
    "centre_scale_shift",
    "row_grad_sums",
    "row_grad_x",
    "pool_row_moments",
    "pool_grad_sums",
    "group_norm_rows",
    "group_norm_grad_rows",
]

#: The fewest values of x for which the compiled loops are used: below it NumPy's few passes
#: are cheap, and a small run never pays for importing numba (about half a second).
MIN_VALUES = jit.MIN_NUMBERS


def worth_compiling(x: np.ndarray) -> bool:
    """Whether to run the compiled loops on x: large enough, float32/float64, numba there.

    The size is checked first so that small inputs never import numba.
    """
    return jit.pays(x.size, x.dtype, MIN_VALUES)


@jit.loop
def layer_norm_rows(x, weight, bias, eps, lo, hi, write_y, y, mean, var, invstd):
    """Rows lo..hi of layer norm: per row r of x (L, Q), with weight and bias of shape (Q,),

        m_r = sum_j x_rj / Q,   v_r = sum_j (x_rj - m_r)**2 / Q,   s_r = 1 / sqrt(v_r + eps)
        y_rj = (x_rj - m_r) * s_r * weight_j + bias_j

    written into mean, var, invstd (L,) and, if ``write_y`` (1 or 0), into y (L, Q). Three
    passes over the row: the first reads it from memory, the others find it in cache. Without
    weight or bias the caller passes ones and zeros (exact: x_hat * 1 + 0 is x_hat). With
    ``write_y`` = 0 (y, weight, bias unused) this is step 1 of ``norm_rows`` for batch norm:
    each row's own moments, pooled afterwards by ``pool_row_moments``.
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    for r in range(lo, hi):
        total = dtype(0)
        for j in range(cols):
            total += x[r, j]
        m = dtype(total / cols)
        squares = dtype(0)
        for j in range(cols):
            c = x[r, j] - m
            squares += c * c
        v = squares / cols
        s = dtype(1.0 / np.sqrt(v + eps))
        if write_y:
            for j in range(cols):
                y[r, j] = (x[r, j] - m) * s * weight[j] + bias[j]
        mean[r], var[r], invstd[r] = m, v, s


@jit.loop
def layer_norm_grad_rows(g, x, mean, invstd, weight, lo, hi, need_x, g_x, g_weight, g_bias):
    """Backward of ``layer_norm_rows`` on rows lo..hi; g = dL/dy, all (L, Q) but weight (Q,).

    Per row, with c_j = x_rj - m_r, x_hat = c * s_r, d_j = g_rj * weight_j (= dL/dx_hat):

        mean(d) = sum_j d_j / Q,   mean(d x_hat) = s_r * sum_j d_j c_j / Q
        dL/dx_rj = (d_j - mean(d) - c_j * s_r * mean(d x_hat)) * s_r     (if need_x)

    and, added into this thread's rows g_weight, g_bias (Q,) of partial sums,

        g_weight_j += g_rj * c_j * s_r,   g_bias_j += g_rj.

    Two passes over the row (the second in cache). ``need_x`` is 1 or 0 (then g_x is unused).
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    for r in range(lo, hi):
        m, s = mean[r], invstd[r]
        sum_d, sum_dc = dtype(0), dtype(0)
        for j in range(cols):
            gj = g[r, j]
            c = x[r, j] - m
            d = gj * weight[j]
            sum_d += d
            sum_dc += d * c
            g_weight[j] += gj * c * s
            g_bias[j] += gj
        if need_x:
            mean_d = dtype(sum_d / cols)
            along_c = dtype(s * s * sum_dc / cols)  # mean(d x_hat), times s: per unit of c
            for j in range(cols):
                g_x[r, j] = (g[r, j] * weight[j] - mean_d - (x[r, j] - m) * along_c) * s


@jit.loop
def centre_scale_shift(x, centre, scale, shift, lo, hi, y):
    """Step 3 of ``norm_rows`` on rows lo..hi: y_rj = (x_rj - centre_r) * scale_r + shift_r.

    With centre the statistic's mean, scale = invstd * weight and shift = bias on every row
    (all (L,)) this is y = x_hat * weight + bias, in one pass.
    """
    cols = x.shape[1]
    for r in range(lo, hi):
        m, k, b = centre[r], scale[r], shift[r]
        for j in range(cols):
            y[r, j] = (x[r, j] - m) * k + b


@jit.loop
def row_grad_sums(g, x, centre, row_scale, lo, hi, s_hat, s_one):
    """The backward's row sums on rows lo..hi, x_hat = (x - centre_r) * row_scale_r recomputed:

        s_hat_r = sum_j g_rj * x_hat_rj,      s_one_r = sum_j g_rj

    (dL/dweight and dL/dbias are sums of these; so are the means of dL/dx).
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    for r in range(lo, hi):
        m = centre[r]
        total_hat, total = dtype(0), dtype(0)
        for j in range(cols):
            gj = g[r, j]
            total_hat += gj * (x[r, j] - m)
            total += gj
        s_hat[r], s_one[r] = total_hat * row_scale[r], total


@jit.loop
def row_grad_x(g, x, centre, c_g, c_centred, c_one, lo, hi, g_x):
    """dL/dx on rows lo..hi: g_x_rj = g_rj * c_g_r - (x_rj - centre_r) * c_centred_r - c_one_r.

    With c_g = weight * invstd, c_centred = mean(d x_hat) * invstd**2 and c_one = mean(d) *
    invstd per row this is (d - mean(d) - x_hat * mean(d x_hat)) * invstd, d = g * weight.
    """
    cols = x.shape[1]
    for r in range(lo, hi):
        m, a, b, k = centre[r], c_g[r], c_centred[r], c_one[r]
        for j in range(cols):
            g_x[r, j] = g[r, j] * a - (x[r, j] - m) * b - k


@jit.loop
def pool_row_moments(row_mean, row_var, row_stat, cols, eps, mean, var, invstd, centre, scale):
    """Step 2 of ``norm_rows``: rows' moments pooled into their statistics (Chan's formula).

    Row r (of L) belongs to statistic ``row_stat[r]``; every statistic has R = L / S rows of
    Q = ``cols`` values, M = R * Q. With each row's own mean m_r and variance v_r (from
    ``layer_norm_rows``), S_r = Q v_r:

        mean_s = sum_r m_r / R,      var_s = (sum_r S_r + Q * sum_r (m_r - mean_s)**2) / M
        invstd_s = 1 / sqrt(var_s + eps)

    (exact algebra, no cancellation: each S_r is already centred), into mean, var, invstd
    (S,); and on every row, centre_r = mean_s and scale_r = invstd_s. The sums run in float64
    (L numbers only), then are stored in the arrays' dtype.
    """
    n_stats, rows = mean.shape[0], row_mean.shape[0]
    per_stat = rows // n_stats
    total = np.zeros(n_stats)
    for r in range(rows):
        total[row_stat[r]] += row_mean[r]
    for s in range(n_stats):
        mean[s] = total[s] / per_stat
    pooled = np.zeros(n_stats)
    for r in range(rows):
        apart = np.float64(row_mean[r]) - mean[row_stat[r]]
        pooled[row_stat[r]] += cols * (row_var[r] + apart * apart)
    for s in range(n_stats):
        var[s] = pooled[s] / (per_stat * cols)
        invstd[s] = 1.0 / np.sqrt(np.float64(var[s]) + eps)
    for r in range(rows):
        centre[r], scale[r] = mean[row_stat[r]], invstd[row_stat[r]]


@jit.loop
def pool_grad_sums(s_hat, s_one, weight, row_stat, n_stats, count, scale, c_g, c_centred, c_one):
    """The backward's row sums pooled into the factors of ``row_grad_x`` (all (L,) on rows).

    With d = g * weight, per statistic s (M = ``count`` values, rows r of ``row_stat[r]`` = s):

        mean(d x_hat)_s = sum_r weight_r s_hat_r / M,     mean(d)_s = sum_r weight_r s_one_r / M

    and per row, with invstd_r = ``scale[r]``: c_g_r = weight_r * invstd_r,
    c_centred_r = mean(d x_hat)_s * invstd_r**2, c_one_r = mean(d)_s * invstd_r.
    """
    rows = s_hat.shape[0]
    along_hat, along_one = np.zeros(n_stats), np.zeros(n_stats)
    for r in range(rows):
        along_hat[row_stat[r]] += weight[r] * np.float64(s_hat[r])
        along_one[row_stat[r]] += weight[r] * np.float64(s_one[r])
    for r in range(rows):
        s, k = row_stat[r], np.float64(scale[r])
        c_g[r] = weight[r] * k
        c_centred[r] = along_hat[s] / count * k * k
        c_one[r] = along_one[s] / count * k


@jit.loop
def group_norm_rows(x, weight, bias, per_stat, eps, lo, hi, y, mean, var, invstd):
    """Statistics lo..hi where each covers ``per_stat`` consecutive rows (group norm), in one go.

    Statistic s covers rows r = s R .. s R + R - 1 of x (L, Q), R = ``per_stat``, M = R Q
    values; weight and bias (L,) hold each row's parameter:

        m_s = sum x / M,   v_s = sum (x - m_s)**2 / M,   k_s = 1 / sqrt(v_s + eps)
        y_rj = (x_rj - m_s) * (k_s * weight_r) + bias_r

    into y, and mean, var, invstd (S,). Three passes over the statistic's M values: the first
    reads them from memory, the others find them in cache when M is a few thousand. Each row's
    sum runs in x's dtype, the sum of the rows' sums in float64 (M may be large).
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    count = per_stat * cols
    for s in range(lo, hi):
        first = s * per_stat
        total = 0.0  # float64 over the rows' sums, each in x's dtype
        for r in range(first, first + per_stat):
            row_total = dtype(0)
            for j in range(cols):
                row_total += x[r, j]
            total += row_total
        m = dtype(total / count)
        squares = 0.0
        for r in range(first, first + per_stat):
            row_squares = dtype(0)
            for j in range(cols):
                c = x[r, j] - m
                row_squares += c * c
            squares += row_squares
        v = squares / count
        k = dtype(1.0 / np.sqrt(v + eps))
        for r in range(first, first + per_stat):
            scale, shift = k * weight[r], bias[r]
            for j in range(cols):
                y[r, j] = (x[r, j] - m) * scale + shift
        mean[s], var[s], invstd[s] = m, v, k


@jit.loop
def group_norm_grad_rows(g, x, mean, invstd, weight, per_stat, lo, hi, need_x, g_x, s_hat, s_one):
    """Backward of ``group_norm_rows`` on statistics lo..hi, one statistic at a time.

    Per row r of statistic s (x_hat = (x - m_s) k_s, d = g * weight_r):

        s_hat_r = sum_j g_rj x_hat_rj,     s_one_r = sum_j g_rj      (into s_hat, s_one (L,))
        mean(d x_hat) = sum_r weight_r s_hat_r / M,   mean(d) = sum_r weight_r s_one_r / M
        dL/dx_rj = (d_rj - mean(d) - x_hat_rj mean(d x_hat)) k_s             (if need_x)

    Two passes over the statistic's values (the second in cache when M is a few thousand).
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    count = per_stat * cols
    for s in range(lo, hi):
        first, m, k = s * per_stat, mean[s], invstd[s]
        along_hat, along_one = 0.0, 0.0  # float64 over the rows
        for r in range(first, first + per_stat):
            total_hat, total = dtype(0), dtype(0)
            for j in range(cols):
                gj = g[r, j]
                total_hat += gj * (x[r, j] - m)
                total += gj
            s_hat[r], s_one[r] = total_hat * k, total
            along_hat += weight[r] * s_hat[r]
            along_one += weight[r] * total
        if need_x:
            c_centred = dtype(along_hat / count * k * k)
            c_one = dtype(along_one / count * k)
            for r in range(first, first + per_stat):
                c_g = weight[r] * k
                for j in range(cols):
                    g_x[r, j] = g[r, j] * c_g - (x[r, j] - m) * c_centred - c_one
