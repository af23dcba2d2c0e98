"""Compiled loops of the normalization fast path: one pass over a row where NumPy needs several.

The rows are those of ``norm_rows`` (x seen as an (L, Q) matrix, each statistic covering
whole rows). A row of a few hundred values stays in the core's cache, so a loop that reads it
from memory once and then goes over it again two or three times costs about one pass of
memory traffic; the NumPy version of the same row work (``norm_rows``) is six to ten whole
passes. Each loop here works on the rows ``lo`` to ``hi`` only and writes nothing outside them
(per-row results, or partial sums the caller owns per thread), so ``split_work.run_split``
runs the ranges on every core at once (the loops release Python's global lock).

Numerics, in float32 as in float64: every row's moments are taken in two passes over the
cached row (the mean first, then the sum of squared distances from it), so a large offset does
not cancel the variance away, and a statistic of several rows merges its rows' moments by
Chan's formula (in float64); sums start from the array's own dtype (a float64 accumulator would
halve the speed on float32 data) and per-row scalars are turned back into the dtype before
they enter a loop over the values. NaN and infinity propagate as in the NumPy path.

Loops, by layout (``norm_rows.RowLayout``):

* "trail" (layer norm, weight and bias on the columns): ``layer_norm_rows`` (statistics,
  normalize and affine in one row pass) and ``layer_norm_grad_rows`` (dL/dx in one row pass,
  dL/dweight and dL/dbias summed into the caller's per-thread rows);
* "lead" (group norm, batch norm, instance norm: weight and bias on the rows), where the rows
  of a statistic are evenly spaced: ``stat_norm_rows`` and ``stat_norm_grad_rows`` take one
  statistic at a time, all its rows while they are in cache (a group norm group is a run of
  consecutive rows; a batch norm channel is one row in every sample, ``inner`` rows apart),
  so the data go through memory once forward and once backward.

The readable twin of all of them is the NumPy path of ``norm_rows`` (and the plain formulas
of ``norm.standardize_reference`` and ``Normalize._backward_reference``), tested equal.
"""

from __future__ import annotations

import numpy as np

from .. import jit
from ..jit import prange

__all__ = [
    "MIN_VALUES",
    "worth_compiling",
    "layer_norm_rows",
    "layer_norm_grad_rows",
    "stat_norm_rows",
    "stat_norm_grad_rows",
]

#: The fewest values of x for which the compiled loops are used: below it NumPy's few passes
#: are cheap, and a small run never pays for importing numba (about half a second).
MIN_VALUES = jit.MIN_NUMBERS


def worth_compiling(x: np.ndarray) -> bool:
    """Whether to run the compiled loops on x: large enough, float32/float64, numba there.

    The size is checked first so that small inputs never import numba.
    """
    return jit.pays(x.size, x.dtype, MIN_VALUES)


@jit.parallel_rows
def layer_norm_rows(x, weight, bias, eps, lo, hi, y, mean, var, invstd):
    """Rows lo..hi of layer norm: per row r of x (L, Q), with weight and bias of shape (Q,),

        m_r = sum_j x_rj / Q,   v_r = sum_j (x_rj - m_r)**2 / Q,   s_r = 1 / sqrt(v_r + eps)
        y_rj = (x_rj - m_r) * s_r * weight_j + bias_j

    written into y (L, Q) and mean, var, invstd (L,). Three passes over the row: the first
    reads it from memory, the others find it in cache. Without weight or bias the caller
    passes ones and zeros (exact: x_hat * 1 + 0 is x_hat).
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    for r in prange(lo, hi):
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


@jit.parallel_rows
def stat_norm_rows(x, weight, bias, period, per_stat, inner, eps, lo, hi, y, mean, var, invstd):
    """Statistics lo..hi, each covering ``per_stat`` rows ``inner`` apart, one at a time.

    The leading axes of x are (outer, reduced, inner) blocks, any of them possibly empty: row
    r = (o R + i) * inner + k for o outer, i < R = ``per_stat`` reduced and k < ``inner``, and
    statistic s = o * inner + k covers the R rows first + i * inner, with first = (s //
    inner) R inner + s % inner. Group norm: inner = 1 (runs of R consecutive rows); batch
    norm on (N, C, ...): R = N, inner = C (channel c on rows c, c + C, c + 2C, ...). Of x
    (L, Q) a statistic covers M = R Q values; weight and bias (P,), P = ``period``, hold the
    rows' parameters in a cycle: row r's is weight[r % P] (a channel's, on (N, C, ...) input):

        m_s = sum x / M,   v_s = sum (x - m_s)**2 / M,   k_s = 1 / sqrt(v_s + eps)
        y_rj = (x_rj - m_s) * (k_s * weight[r % P]) + bias[r % P]

    into y, and mean, var, invstd (S,). The moments come row by row: each row's own mean
    m_r and squared distances S_r = sum_j (x_rj - m_r)**2 (two passes over the row, which
    stays in cache), merged into the statistic's so far by Chan's formula (exact algebra, no
    cancellation; i rows already merged, in float64):

        d = m_r - mean,   mean += d / (i + 1),   S += S_r + d**2 * Q * i / (i + 1)

    so the statistic's values come from memory once for the moments, and once more to
    normalize them (from cache when M is some thousands), however large M is.
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    count = per_stat * cols
    for s in prange(lo, hi):
        first = (s // inner) * (per_stat * inner) + s % inner
        m64, squares = 0.0, 0.0  # the merged rows' mean and squared distances, float64
        for i in range(per_stat):
            r = first + i * inner
            row_total = dtype(0)
            for j in range(cols):
                row_total += x[r, j]
            row_mean = dtype(row_total / cols)
            row_squares = dtype(0)
            for j in range(cols):
                c = x[r, j] - row_mean
                row_squares += c * c
            apart = np.float64(row_mean) - m64
            m64 += apart / (i + 1)
            squares += row_squares + apart * apart * cols * i / (i + 1)
        m = dtype(m64)
        v = squares / count
        k = dtype(1.0 / np.sqrt(v + eps))
        for i in range(per_stat):
            r = first + i * inner
            scale, shift = k * weight[r % period], bias[r % period]
            for j in range(cols):
                y[r, j] = (x[r, j] - m) * scale + shift
        mean[s], var[s], invstd[s] = m, v, k


@jit.parallel_rows
def stat_norm_grad_rows(
    g, x, mean, invstd, weight, period, per_stat, inner, lo, hi, need_x, g_x, s_hat, s_one
):
    """Backward of ``stat_norm_rows`` on statistics lo..hi, one statistic at a time.

    Rows and weight as in ``stat_norm_rows``; per row r of statistic s (x_hat = (x - m_s) k_s,
    d = g * weight_r, weight_r = weight[r % period]):

        s_hat_r = sum_j g_rj x_hat_rj,     s_one_r = sum_j g_rj      (into s_hat, s_one (L,))
        mean(d x_hat) = sum_r weight_r s_hat_r / M,   mean(d) = sum_r weight_r s_one_r / M
        dL/dx_rj = (d_rj - mean(d) - x_hat_rj mean(d x_hat)) k_s             (if need_x)

    Two passes over the statistic's values (the second in cache when M is some thousands).
    """
    cols = x.shape[1]
    dtype = x.dtype.type
    count = per_stat * cols
    for s in prange(lo, hi):
        first, m, k = (s // inner) * (per_stat * inner) + s % inner, mean[s], invstd[s]
        along_hat, along_one = 0.0, 0.0  # float64 over the rows
        for i in range(per_stat):
            r = first + i * inner
            total_hat, total = dtype(0), dtype(0)
            for j in range(cols):
                gj = g[r, j]
                total_hat += gj * (x[r, j] - m)
                total += gj
            w_r = weight[r % period]
            s_hat[r], s_one[r] = total_hat * k, total
            along_hat += w_r * s_hat[r]
            along_one += w_r * total
        if need_x:
            c_centred = dtype(along_hat / count * k * k)
            c_one = dtype(along_one / count * k)
            for i in range(per_stat):
                r = first + i * inner
                c_g = weight[r % period] * k
                for j in range(cols):
                    g_x[r, j] = g[r, j] * c_g - (x[r, j] - m) * c_centred - c_one
