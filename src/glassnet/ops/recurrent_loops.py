"""Compiled loops of the recurrent time steps: each step's gate arithmetic as one pass over its numbers.

Why. Between two matrix products, a GRU or LSTM time step does a dozen small elementwise
operations on (B, G*H) arrays: adds, divides, products for the gates and the new state
forward, and the gate derivatives backward. Written with NumPy each is its own call and its own
pass over memory, and at batch 64, hidden 128 those calls cost more than the step's matrix
product. Here each step's arithmetic is one loop (``jit.loop``, compiled by numba), so a step
is: the matrix product (BLAS), one or two NumPy calls for the transcendental functions, and
one or two of these loops. (NumPy's exp and tanh run on vectors, about 1 ns a number here; a
compiled loop calling exp or tanh one number at a time took 7 and 30 ns, so those stay NumPy's.)

Each loop takes one-dimensional views of a row's gate blocks (``gates[b, :H]`` ...) and loops
over those: that compiles to vector instructions, where indexing the two-dimensional arrays
inside the loop (``gates[b, H + j]``) was measured four times slower.

Shapes: B rows of the batch (a range of them when the batch is split over cores), H hidden
units, gate blocks in PyTorch's order (GRU r, z, n; LSTM i, f, g, o). Every array argument is
C-contiguous and of one float dtype. The loops write only the rows they are given, so ranges of
rows can run at the same time on different cores (numba releases Python's lock).

Whole sequences. The last section holds loops that run a layer's whole time loop for a range
of rows in one call, calling BLAS for each step's product through ops/blas_direct.py
(``gru_sequence_*`` and ``lstm_sequence_*``, which call the step loops above and
``tanh_float32``), so the call holds Python's lock for none of its steps.

The readable twin of each loop is the NumPy code in ops/recurrent.py that does the same step
with whole-array calls (used without numba or for small work); the tests check both agree.
"""

from __future__ import annotations

import numpy as np

from .. import jit
from ..c_function import c_function
from .blas_direct import GEMM_ARGUMENTS, NO_TRANS, ROW_MAJOR, gemm_address

__all__ = [
    "MIN_NUMBERS",
    "gru_gates_forward",
    "gru_sequence_backward",
    "gru_sequence_forward",
    "gru_state_forward",
    "gru_step_backward",
    "lstm_gates_forward",
    "lstm_sequence_backward",
    "lstm_sequence_forward",
    "lstm_step_backward",
    "rows_product",
    "scaled_sum",
    "sequence_gemm",
    "sigmoid_float32",
    "tanh_float32",
    "worth_using",
]

#: The fewest numbers in a layer's ``xw`` (T * B * gates * H) for which the compiled loops are
#: used. Below it the NumPy loops run and numba is never imported (that takes half a second).
MIN_NUMBERS = jit.MIN_NUMBERS


def worth_using(xw: np.ndarray) -> bool:
    """Whether a layer with pre-activations ``xw`` runs these loops: large float32/float64 work
    and numba available. The size is checked first, so small work never imports numba."""
    return jit.pays(xw.size, xw.dtype, MIN_NUMBERS)


def sequence_gemm(xw: np.ndarray):
    """The address of the BLAS ``gemm`` of ``xw``'s dtype for the whole-sequence loops
    (``*_sequence_*``, which call it through ``cblas_gemm``), or None: they run for work these
    loops serve when a BLAS can be called from compiled code (ops/blas_direct.py). The forward
    one computes its tanh with ``tanh_float32``, so it is called for float32 only; float64
    keeps the step loops there.
    """
    return gemm_address(xw.dtype) if worth_using(xw) else None


#: gemm at an address (ops/blas_direct.py's ``GEMM_ARGUMENTS``), declared in this file for
#: numba's disk cache of the loops that call it (see c_function).
cblas_gemm = c_function(GEMM_ARGUMENTS)


@jit.loop
def scaled_sum(x, scale, bias, rec, out):
    """out = x * scale + bias + rec, row by row: a step's (scaled) pre-activations.

    ``x`` (B, G*H) is the step's input part x_t W_ih^T + b_ih, ``rec`` (B, G*H) the recurrent
    part h_{t-1} W_hh^T already scaled (through W_hh), ``scale`` and ``bias`` (G*H,) the
    per-column scale and the scaled bias (zeros without one).
    """
    B, n = out.shape
    for b in range(B):
        x_b, rec_b, out_b = x[b], rec[b], out[b]
        for j in range(n):
            out_b[j] = x_b[j] * scale[j] + bias[j] + rec_b[j]


@jit.loop
def lstm_gates_forward(gates, c_prev, c):
    """LSTM gates and cell state of one step, from the tanh of the scaled pre-activations.

    On entry ``gates`` (B, 4H) holds tanh(a / 2) for the i, f, o blocks and tanh(a) for the g
    block, where a = xw_t + h_{t-1} W_hh^T (+ biases) is the pre-activation; since
        sigmoid(a) = 1 / (1 + e**-a) = (1 + tanh(a / 2)) / 2,
    on return ``gates`` holds i, f, g, o (kept for backward), and
        c = f * c_prev + i * g     (B, H).
    """
    B, H = c.shape
    half = gates.dtype.type(0.5)
    for b in range(B):
        t_i, t_f = gates[b, :H], gates[b, H : 2 * H]
        g_b, t_o = gates[b, 2 * H : 3 * H], gates[b, 3 * H :]
        c_prev_b, c_b = c_prev[b], c[b]
        for j in range(H):
            i = half + half * t_i[j]
            f = half + half * t_f[j]
            t_i[j] = i
            t_f[j] = f
            t_o[j] = half + half * t_o[j]
            c_b[j] = f * c_prev_b[j] + i * g_b[j]


@jit.loop
def lstm_step_backward(gates, c_prev, tanh_c, gh, dz, dh, dc):
    """One LSTM step of backpropagation through time, for all four gates at once.

    With the step's gates i, f, g, o and tanh(c_t) from forward (``gates`` (B, 4H), ``tanh_c``
    (B, H)), the gradient ``gh`` of the step's output h_t, ``dh`` = dz_{t+1} W_hh (what h_t got
    from the next step) and ``dc`` (the gradient of c_t from the next step):
        dh~ = dh + gh,      dc~ = dc + dh~ o (1 - tanh(c_t)**2)
        dz = [dc~ g i (1 - i),  dc~ c_{t-1} f (1 - f),  dc~ i (1 - g**2),  dh~ tanh(c_t) o (1 - o)]
    (sigmoid' = s (1 - s), tanh' = 1 - tanh**2). ``dz`` (B, 4H) receives the gradient of the
    pre-activations, and ``dc`` becomes dL/dc_{t-1} = dc~ f. The caller then computes
    dL/dh_{t-1} = dz W_hh with BLAS.
    """
    B, H = dh.shape
    one = gates.dtype.type(1)
    for b in range(B):
        i_b, f_b = gates[b, :H], gates[b, H : 2 * H]
        g_b, o_b = gates[b, 2 * H : 3 * H], gates[b, 3 * H :]
        dzi, dzf = dz[b, :H], dz[b, H : 2 * H]
        dzg, dzo = dz[b, 2 * H : 3 * H], dz[b, 3 * H :]
        c_prev_b, tanh_c_b, gh_b, dh_b, dc_b = c_prev[b], tanh_c[b], gh[b], dh[b], dc[b]
        for j in range(H):
            i, f, g, o, tc = i_b[j], f_b[j], g_b[j], o_b[j], tanh_c_b[j]
            dh_total = dh_b[j] + gh_b[j]
            dc_total = dc_b[j] + dh_total * o * (one - tc * tc)
            dzi[j] = dc_total * g * i * (one - i)
            dzf[j] = dc_total * c_prev_b[j] * f * (one - f)
            dzg[j] = dc_total * i * (one - g * g)
            dzo[j] = dh_total * tc * o * (one - o)
            dc_b[j] = dc_total * f


@jit.loop
def gru_gates_forward(rz, hh, b_n, xw, n_pre):
    """GRU reset and update gates of one step, and the candidate's pre-activation.

    On entry ``rz`` (B, 2H) holds e**-a for the r and z blocks, where a = xw_rz + hh_rz, and
    ``hh`` (B, 3H) holds h_{t-1} W_hh^T (its n block without the bias). Then
        r, z = 1 / (1 + e**-a)                         (stored in ``rz``)
        hh_n = hh_n + b_n                              (stored in ``hh``, kept for backward)
        n_pre = xw_n + r * hh_n                        (B, H; the caller takes its tanh)
    ``xw`` (B, 3H) is the step's input part x_t W_ih^T + b_ih; ``b_n`` (H,) the n block of b_hh
    (zeros without a bias).
    """
    B, H = n_pre.shape
    one = rz.dtype.type(1)
    for b in range(B):
        e_r, e_z = rz[b, :H], rz[b, H:]
        hh_n, x_n, n_b = hh[b, 2 * H :], xw[b, 2 * H :], n_pre[b]
        for j in range(H):
            r = one / (one + e_r[j])
            e_r[j] = r
            e_z[j] = one / (one + e_z[j])
            hh_nj = hh_n[j] + b_n[j]
            hh_n[j] = hh_nj
            n_b[j] = x_n[j] + r * hh_nj


@jit.loop
def gru_state_forward(rz, n, h_prev, h):
    """The GRU's new state h = (1 - z) n + z h_{t-1}, written as n + z (h_{t-1} - n) (B, H)."""
    B, H = h.shape
    for b in range(B):
        z_b, n_b, h_prev_b, h_b = rz[b, H:], n[b], h_prev[b], h[b]
        for j in range(H):
            h_b[j] = n_b[j] + z_b[j] * (h_prev_b[j] - n_b[j])


@jit.loop
def gru_step_backward(rz, n, hh, h_prev, gh, dhh, dxw, carried, back):
    """One GRU step of backpropagation through time.

    dh = ``carried`` + ``back`` + ``gh`` is the gradient reaching h_t: dh_{t+1} z_{t+1} (what the
    previous call left in ``carried``), dL/dhh_{t+1} W_hh (``back``, from BLAS) and the output's
    gradient. With r, z (``rz``), n and hh_n (the n block of ``hh``) from forward:
        dn~ = dh (1 - z)(1 - n**2),  dz~ = dh (h_{t-1} - n) z (1 - z),  dr~ = dn~ hh_n r (1 - r)
        dL/dxw_t = [dr~, dz~, dn~]  (``dxw`` (B, 3H)),   dL/dhh_t = [dr~, dz~, dn~ r]  (``dhh``)
    and ``carried`` becomes dh z, the part of dL/dh_{t-1} that skips W_hh; the caller adds
    dL/dhh_t W_hh (computed with BLAS) at the next step.
    """
    B, H = h_prev.shape
    one = rz.dtype.type(1)
    for b in range(B):
        r_b, z_b, hh_n, n_b, h_prev_b = rz[b, :H], rz[b, H:], hh[b, 2 * H :], n[b], h_prev[b]
        dx_r, dx_z, dx_n = dxw[b, :H], dxw[b, H : 2 * H], dxw[b, 2 * H :]
        dhh_r, dhh_z, dhh_n = dhh[b, :H], dhh[b, H : 2 * H], dhh[b, 2 * H :]
        carried_b, back_b, gh_b = carried[b], back[b], gh[b]
        for j in range(H):
            r, z, nj = r_b[j], z_b[j], n_b[j]
            dh = carried_b[j] + back_b[j] + gh_b[j]
            dn = dh * (one - z) * (one - nj * nj)
            dz = dh * (h_prev_b[j] - nj) * z * (one - z)
            dr = dn * hh_n[j] * r * (one - r)
            dx_r[j] = dr
            dx_z[j] = dz
            dx_n[j] = dn
            dhh_r[j] = dr
            dhh_z[j] = dz
            dhh_n[j] = dn * r
            carried_b[j] = dh * z


# ----------------------------------------------------------------------------------------------
# Whole sequences in one compiled call: the time loop with its matrix products
# ----------------------------------------------------------------------------------------------


@jit.loop
def tanh_float32(x):
    """tanh(x) for a float32 x, as a ratio of two polynomials that compiled loops vectorize.

        tanh(x) ~ x P(x**2) / Q(x**2)   for |x| <= 9,   and +-1 beyond

    (tanh(9) = 1 - 3e-8 rounds to 1 in float32). P has degree 6 and Q degree 3 in x**2. Their
    coefficients were fitted for glassnet by weighted least squares to tanh(x) / x on 0 < x <= 9,
    reweighted until the largest relative error was as small as it would go: 1.7e-8 in exact
    arithmetic, at most 4e-7 once evaluated in float32 (a few units in the last place; NumPy's
    float32 tanh is within 6e-8). The tests check the bound on a dense grid.

    Why not NumPy's tanh: a compiled loop cannot call it, and calling the C library's tanh one
    number at a time costs some 30 ns a number, where this takes about 0.5 ns (8 numbers at
    once in vector registers). NaN stays NaN (the comparisons below are false for it).
    """
    limit = np.float32(9.0)
    x = limit if x > limit else x
    x = -limit if x < -limit else x
    t = x * x
    p = np.float32(-8.8386605e-14)
    p = p * t + np.float32(5.4154678e-11)
    p = p * t + np.float32(-2.0513661e-08)
    p = p * t + np.float32(1.1226090e-05)
    p = p * t + np.float32(3.1108680e-03)
    p = p * t + np.float32(1.3090216e-01)
    p = p * t + np.float32(9.9999999e-01)
    q = np.float32(2.5561791e-04)
    q = q * t + np.float32(2.4522759e-02)
    q = q * t + np.float32(4.6423545e-01)
    q = q * t + np.float32(1.0)
    y = x * p / q
    one = np.float32(1.0)  # rounding may overshoot 1 by a unit in the last place near |x| = 9
    y = one if y > one else y
    return -one if y < -one else y


@jit.loop
def sigmoid_float32(a):
    """sigmoid(a) = 1 / (1 + e**-a) = (1 + tanh(a / 2)) / 2 for a float32 a, through
    ``tanh_float32`` (so, like it, vectorized). Within 2.5e-7 of sigmoid; below about 1e-7
    (a < -16) that is all of it, as in the step loops, which take (1 + tanh(a / 2)) / 2 too."""
    half = np.float32(0.5)
    return half + half * tanh_float32(half * a)


@jit.loop
def rows_product(gemm, a, b, out):
    """out = a @ b by the BLAS gemm at address ``gemm`` (ops/blas_direct.py), from inside a
    compiled loop.

    ``a`` (n, K), ``b`` (K, N) and ``out`` (n, N) are C-ordered, e.g. one step's rows
    ``hs[k, lo:hi]``. The same call as ``blas_direct.matmul_into`` makes from Python.
    """
    (n, K), N = a.shape, b.shape[1]
    one, zero = out.dtype.type(1), out.dtype.type(0)
    cblas_gemm(gemm, (ROW_MAJOR, NO_TRANS, NO_TRANS, n, N, K, one, a.ctypes.data, K,
                      b.ctypes.data, N, zero, out.ctypes.data, N))  # fmt: skip


@jit.loop
def lstm_sequence_forward(gemm, xw, reverse, w_t, bias, hs, cs, gates, tanh_c, rec, lo, hi):
    """A whole LSTM forward pass for the batch's rows lo..hi-1, in one call (float32).

    For k = 0 .. T-1, with t = k (or T-1-k when ``reverse``: the backward direction) and
    a_k = xw[t] + bias + h_k W_hh^T (the product by BLAS ``gemm``, into ``rec`` (hi - lo, 4H)):
        i, f, o = sigmoid(a_k),  g = tanh(a_k)   (each in its block of 4H)
        c_{k+1} = f c_k + i g,   h_{k+1} = o tanh(c_{k+1})
    writing i, f, g, o into ``gates[k]``, tanh(c_{k+1}) into ``tanh_c[k]`` and the states
    into ``cs[k + 1]``, ``hs[k + 1]`` (``hs[0]``, ``cs[0]`` hold the initial state), all in
    processing order, as the step loops do.

    ``xw`` (T, B, 4H) is the input part x W_ih^T in input order and C-ordered (a reversed
    view would keep the loop from being vectorized), ``w_t`` the contiguous W_hh^T (H, 4H),
    ``bias`` (4H,) the layer's bias (zeros without one). This is the step loops' computation
    (``scaled_sum``, NumPy's tanh, ``lstm_gates_forward``) with the product inside, so the call
    holds Python's lock for none of its steps.
    """
    T, B, H = tanh_c.shape
    n = hi - lo
    for k in range(T):
        rows_product(gemm, hs[k, lo:hi], w_t, rec)
        t = T - 1 - k if reverse else k
        for b in range(n):
            x, r, a = xw[t, lo + b], rec[b], gates[k, lo + b]
            c_prev, c, tc, h = (
                cs[k, lo + b],
                cs[k + 1, lo + b],
                tanh_c[k, lo + b],
                hs[k + 1, lo + b],
            )
            for j in range(H):
                i = sigmoid_float32(x[j] + bias[j] + r[j])
                f = sigmoid_float32(x[H + j] + bias[H + j] + r[H + j])
                g = tanh_float32(x[2 * H + j] + bias[2 * H + j] + r[2 * H + j])
                o = sigmoid_float32(x[3 * H + j] + bias[3 * H + j] + r[3 * H + j])
                a[j], a[H + j], a[2 * H + j], a[3 * H + j] = i, f, g, o
                c_new = f * c_prev[j] + i * g
                c[j] = c_new
                tanh_new = tanh_float32(c_new)
                tc[j] = tanh_new
                h[j] = o * tanh_new


@jit.loop
def lstm_sequence_backward(gemm, gates, cs, tanh_c, gh, reverse, w, dz, dh, dc, lo, hi, need_h0):
    """A whole LSTM backward pass (BPTT) for the batch's rows lo..hi-1, in one call.

    For k = T-1 .. 0: ``lstm_step_backward`` on step k (``dz[k]``, and ``dc`` becomes the
    gradient of c_k), then dh = dz[k] W_hh by BLAS ``gemm`` (skipped at k = 0 unless h_0 needs
    its gradient, ``need_h0``). ``gates``, ``cs``, ``tanh_c`` are the forward's saved arrays,
    ``gh`` (T, B, H) the gradients of the outputs h_1..h_T in input order (step k reads
    ``gh[T-1-k]`` when ``reverse``; C-ordered, as ``xw`` in the forward), ``w`` W_hh
    (4H, H); ``dh`` and ``dc`` (B, H) start as zeros and the gradient of c_T.
    """
    T = gates.shape[0]
    dh_rows, dc_rows = dh[lo:hi], dc[lo:hi]
    for k in range(T - 1, -1, -1):
        t = T - 1 - k if reverse else k
        lstm_step_backward(
            gates[k, lo:hi], cs[k, lo:hi], tanh_c[k, lo:hi], gh[t, lo:hi], dz[k, lo:hi],
            dh_rows, dc_rows,
        )  # fmt: skip
        if k > 0 or need_h0:
            rows_product(gemm, dz[k, lo:hi], w, dh_rows)


@jit.loop
def gru_sequence_forward(gemm, xw, reverse, w_t, bias, hs, hh, rz, n_out, lo, hi):
    """A whole GRU forward pass for the batch's rows lo..hi-1, in one call (float32).

    For k = 0 .. T-1, with t = k (or T-1-k when ``reverse``), hh_k = h_k W_hh^T by BLAS
    ``gemm`` (into ``hh[k]``) and b = ``bias`` (b_hh (3H,), zeros without one):
        r = sigmoid(xw_r + hh_r + b_r),   z = sigmoid(xw_z + hh_z + b_z)
        hh_n <- hh_n + b_n                 (kept in ``hh[k]`` for backward)
        n = tanh(xw_n + r hh_n),          h_{k+1} = n + z (h_k - n)
    writing r, z into ``rz[k]``, n into ``n_out[k]`` and h_{k+1} into ``hs[k + 1]``: what the
    step loops (``gru_gates_forward``, ``gru_state_forward``) save, in processing order.
    ``xw`` (T, B, 3H) is the input part x W_ih^T + b_ih in input order, C-ordered.
    """
    T, B, H = n_out.shape
    n = hi - lo
    for k in range(T):
        rows_product(gemm, hs[k, lo:hi], w_t, hh[k, lo:hi])
        t = T - 1 - k if reverse else k
        for b in range(n):
            x, a, gates = xw[t, lo + b], hh[k, lo + b], rz[k, lo + b]
            n_b, h_prev, h = n_out[k, lo + b], hs[k, lo + b], hs[k + 1, lo + b]
            for j in range(H):
                r = sigmoid_float32(x[j] + a[j] + bias[j])
                z = sigmoid_float32(x[H + j] + a[H + j] + bias[H + j])
                hh_n = a[2 * H + j] + bias[2 * H + j]
                a[2 * H + j] = hh_n
                candidate = tanh_float32(x[2 * H + j] + r * hh_n)
                gates[j], gates[H + j], n_b[j] = r, z, candidate
                h[j] = candidate + z * (h_prev[j] - candidate)


@jit.loop
def gru_sequence_backward(
    gemm, rz, n, hh, hs, gh, reverse, w, dhh, dxw, carried, back, lo, hi, need_h0
):
    """A whole GRU backward pass (BPTT) for the batch's rows lo..hi-1, in one call.

    For k = T-1 .. 0: ``gru_step_backward`` on step k (``dhh[k]``, ``dxw[k]``; ``carried``
    becomes dh z), then back = dhh[k] W_hh by BLAS ``gemm`` (skipped at k = 0 unless h_0 needs
    its gradient, ``need_h0``). ``rz``, ``n``, ``hh``, ``hs`` are the forward's saved arrays,
    ``gh`` (T, B, H) the gradients of the outputs in input order (step k reads ``gh[T-1-k]``
    when ``reverse``), ``w`` W_hh (3H, H); ``carried`` and ``back`` (B, H) start as zeros, and
    dL/dh_0 is their sum at the end.
    """
    T = n.shape[0]
    carried_rows, back_rows = carried[lo:hi], back[lo:hi]
    for k in range(T - 1, -1, -1):
        t = T - 1 - k if reverse else k
        gru_step_backward(
            rz[k, lo:hi], n[k, lo:hi], hh[k, lo:hi], hs[k, lo:hi], gh[t, lo:hi],
            dhh[k, lo:hi], dxw[k, lo:hi], carried_rows, back_rows,
        )  # fmt: skip
        if k > 0 or need_h0:
            rows_product(gemm, dhh[k, lo:hi], w, back_rows)
