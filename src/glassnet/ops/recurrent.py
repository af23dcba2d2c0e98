"""Fused recurrent ops: one whole RNN, GRU or LSTM layer, run over a sequence, as a single op.

Why fused. A recurrent layer repeats a small computation at every time step. Written with
generic ops, an LSTM step is about a dozen graph nodes forward and twice that backward, and a
40-step sequence becomes over a thousand nodes, each with its own Python overhead. Here the
whole time loop is one op: its forward is a NumPy loop over the steps, its backward is
backpropagation through time (BPTT), a NumPy loop running the other way.

What the caller does first. The input-to-hidden product x_t W_ih^T + b_ih does not depend on
the previous state, so the layer computes it for all T steps at once with ONE matrix multiply
(``F.linear`` on the (T, B, input_size) input) and hands the result ``xw`` (T, B, G * H) to
these ops. Inside the loop only the recurrent product h_{t-1} W_hh^T remains. Likewise the
gradient of W_hh is summed over all steps by one matrix multiply after the backward loop.

Layout. ``xw`` is time-major, (T, B, G*H), with the gate blocks in PyTorch's order (RNN: one
block; GRU: r, z, n; LSTM: i, f, g, o), so weights copy across from PyTorch unchanged. With
``reverse=True`` the steps run from t = T-1 down to 0 (the backward direction of a
bidirectional layer); outputs stay in input order either way.

Cores. The products inside the time loop are small, so the loop runs with one BLAS thread
(``_loop_threads``); instead, the batch's rows, whose sequences never meet, are cut into one
range per core and each range runs the whole time loop at the same time (``_over_batch`` with
``run_split``). The large elementwise passes over all steps (the backward's factors) are split
over ranges of steps the same way, and the large products before and after the loop (the input
projection, the weight gradients) use every BLAS thread.

Two backward forms, one formula. The everyday first-order backward (``is_grad_enabled()`` is
False inside the walk) runs on raw arrays with precomputed products and in-place updates.
With ``create_graph=True`` the same BPTT equations are evaluated with Tensor operations
(``_graph_backward``), after recomputing the forward from the op's inputs with Tensor
operations, so the gradient is itself differentiable. The tests check that both agree.

Sigmoid gates on arrays are computed as 1 / (1 + e**-a) (exp, add, divide). NumPy's float32
tanh costs more than its exp, so the LSTM gets all four gates from a single ``exp``: the g
gate uses tanh(a) = 2 / (1 + e**-2a) - 1, and the pre-activations are pre-scaled (by -1, and
-2 for g) through the weights, once per call.

Compiled steps. When numba is available (``jit.available()``) and the work is large
(``recurrent_loops.MIN_NUMBERS``), the GRU and LSTM run each time step's gate arithmetic as one or two
compiled loops (recurrent_loops.py) instead of a dozen NumPy calls: forward, the matrix
product, NumPy's exp or tanh (vectorized), then one loop for the gates and the new state;
backward, one loop for all the gate gradients of a step, then the matrix product. The NumPy
loops here stay: they run without numba and for small work, and the tests compare the two.
Both keep the same saved arrays, so either backward can follow either forward.

Whole sequences. For a float32 GRU or LSTM, when NumPy's own BLAS can be called from compiled
code (ops/blas_direct.py), the whole time loop of a range of rows is one compiled call, the
step's product included (``recurrent_loops.gru_sequence_forward``, ``lstm_sequence_forward``;
their backward twins run for float32 and float64). Such a call never takes Python's lock, so
two ranges run side by side for the whole sequence, where the step loops above wait for each
other at every NumPy call (which is why those split only large batches). Its tanh and sigmoid
are ``recurrent_loops.tanh_float32``, a ratio of polynomials within a few units in the last
place, since a compiled loop cannot call NumPy's. LSTM training in the benchmark suite (case
3a, batch 64, hidden 128): 0.164-0.215 s with the step loops, 0.123-0.139 s this way; GRU
training (3b): 0.166-0.185 s, 0.123-0.128 s.

The readable twin. nn/functional/recurrent_reference.py computes the same layers with the
textbook gate equations, one time step at a time in plain Tensor operations; tests check that
the fused layers and the references agree in values and gradients.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..autograd import Op, is_grad_enabled, wrap
from ..split_work import min_rows_for, run_split
from ..threads import blas_threads, threads_for_work
from . import recurrent_loops as loops
from .array_pool import pool
from .blas_direct import matmul
from .shape import cat, stack

if TYPE_CHECKING:
    from ..autograd import Tensor

__all__ = ["RNNSequence", "GRUSequence", "LSTMSequence"]

# ----------------------------------------------------------------------------------------------
# Array helpers: the in-place gate activation, scratch arrays, time order
# ----------------------------------------------------------------------------------------------


def _exp_sigmoid_(a: np.ndarray, numerator: float | np.ndarray = 1.0) -> np.ndarray:
    """a <- numerator / (1 + e**a) in place: sigmoid(-a) when numerator is 1.

    e**a may overflow to inf for large a, which correctly gives 0 (callers silence the
    overflow warning). With numerator 2 and a = -2x it gives 1 + tanh(x).
    """
    np.exp(a, out=a)
    a += 1
    np.divide(numerator, a, out=a)
    return a


def _empty(shape: tuple, dtype: np.dtype) -> np.ndarray:
    """A scratch array from the shared pool (see array_pool.py: fresh memory is slow to touch)."""
    return pool.empty(shape, dtype)


def _flip(a: np.ndarray, reverse: bool) -> np.ndarray:
    """The time axis in processing order (a view; reversed for the backward direction)."""
    return a[::-1] if reverse else a


def _in_input_order(a: np.ndarray, reverse: bool) -> np.ndarray:
    """Arrays kept in processing order, returned in input order (a contiguous copy if reversed)."""
    return np.ascontiguousarray(a[::-1]) if reverse else a


def _recurrent_weight(w: np.ndarray, row_scale: np.ndarray | None = None) -> np.ndarray:
    """W_hh^T (H, G*H) as a contiguous array (columns scaled by ``row_scale``), for h @ W_hh^T.

    BLAS multiplies a contiguous right-hand matrix faster than the transposed view ``w.T``
    (measured: about a fifth less time for the (64, 128) x (128, 512) product of each step).
    """
    return np.ascontiguousarray((w if row_scale is None else w * row_scale[:, None]).T)


def _loop_threads(B: int, H: int, gates: int):
    """The BLAS threads for a time loop whose products are (B, H) x (H, gates*H), one per step.

    Those products are small (8 million multiply-adds at batch 64, hidden 128), too small to
    pay for handing work to another core and back 40 times a sequence; on a busy machine the
    hand-offs wait for that core and a loop ran ten times slower. So the loop runs on one
    thread unless the user chose a count (``glassnet.set_num_threads``); the large products
    before and after the loop still use every core. (The count is only ever lowered here.)
    """
    if threads_for_work(2 * B * H * gates * H) > 1:
        return contextlib.nullcontext()
    return blas_threads(1)


#: The fewest gate values per time step worth a core of their own in ``_over_batch``. Each
#: step is some ten small NumPy calls whose Python parts hold the interpreter's lock, so small
#: ranges wait for each other: at batch 64, hidden 128 (32 rows, 16K gate values a range) the
#: split LSTM and GRU were measured 15-20% slower on an idle 2-core machine than one range.
_MIN_STEP_ELEMENTS = 1 << 16


def _over_batch(time_loop: Callable[[slice], None], B: int, H: int, gates: int) -> None:
    """Run ``time_loop(rows)`` over ranges of the batch's rows, on every core when worth it.

    The sequences of a batch never meet inside a recurrent layer (each has its own state), so
    the time loop of rows 0..31 and that of rows 32..63 can run at the same time on two cores
    (``run_split``), each with one-threaded matrix products (``_loop_threads``). The readable
    twin, and what runs on one core, is ``time_loop(slice(0, B))``. The compiled time loops
    (``recurrent_loops``) split by the same rule: on this 2-core machine under load no
    smaller ranges could be shown to pay.
    """
    with _loop_threads(B, H, gates):
        run_split(time_loop, B, min_rows_for(gates * H, _MIN_STEP_ELEMENTS))


#: The fewest gate values per time step worth a core of their own when the whole time loop is
#: one compiled call (``_over_batch_unlocked``): such a range waits for no lock, so only the
#: one hand-off per sequence must pay.
_MIN_UNLOCKED_STEP_ELEMENTS = 1 << 12


def _over_batch_unlocked(time_loop: Callable[[slice], None], B: int, H: int, gates: int) -> None:
    """``_over_batch`` for a time loop that runs without Python's lock (one compiled call per
    range: ``recurrent_loops.gru_sequence_*``, ``lstm_sequence_*``), so smaller ranges pay."""
    with _loop_threads(B, H, gates):
        run_split(time_loop, B, min_rows_for(gates * H, _MIN_UNLOCKED_STEP_ELEMENTS))


def _split_rows(per_step: np.ndarray) -> int:
    """The fewest time steps worth a core of their own in ``run_split`` (>= 64K elements)."""
    return min_rows_for(per_step[0].size, 1 << 16)


def _backward_steps(
    step: Callable[..., None],
    per_step: tuple,
    carried: tuple,
    d_pre: np.ndarray,
    w: np.ndarray,
    back: np.ndarray,
    need_h0: bool,
) -> None:
    """The compiled BPTT loop: for k = T-1 .. 0, ``step`` (a loop of recurrent_loops) then BLAS.

    ``step`` gets step k of every array in ``per_step`` (the saved forward values, the output
    gradient, where it writes the pre-activation gradients ``d_pre[k]``), then the ``carried``
    gradients (B, H), which it updates; then back = d_pre[k] W_hh (dL/dh_{t-1} through the
    weights, one of ``carried``), skipped at k = 0 when h_0 needs no gradient. The batch's rows
    run in ranges as in ``_over_batch``.
    """
    T, B, GH = d_pre.shape
    H = w.shape[1]

    def time_loop(rows: slice) -> None:
        carried_rows, back_rows = [a[rows] for a in carried], back[rows]
        for k in range(T - 1, -1, -1):
            step(*[a[k, rows] for a in per_step], *carried_rows)
            if k > 0 or need_h0:
                np.matmul(d_pre[k, rows], w, out=back_rows)

    _over_batch(time_loop, B, H, GH // H)


def _wrap(a: np.ndarray | None, needed: bool) -> Tensor | None:
    return wrap(a) if needed and a is not None else None


class _Sequence(Op):
    """Shared bookkeeping of the three sequence ops (private: not an op of its own)."""

    def __init__(self, reverse: bool = False) -> None:
        self.reverse = bool(reverse)

    def _steps(self, T: int) -> list[int]:
        """Input time indices in the order they are processed."""
        return list(range(T - 1, -1, -1)) if self.reverse else list(range(T))

    def backward(self, g):
        """BPTT: on raw arrays (``_array_backward``), or, when the gradient must itself be
        differentiable (``create_graph=True``), with Tensor operations (``_graph_backward``)."""
        if is_grad_enabled():
            return self._graph_backward(g)
        return self._array_backward(g)

    def _with_bias_grad(self, grads: tuple, d_pre: np.ndarray) -> tuple:
        """``grads``, plus dL/db_hh (the sum of the pre-activation gradients ``d_pre`` over the
        steps and the batch) when the op was given a bias (its last input)."""
        need = self.needs_input_grad
        if len(need) == len(grads):
            return grads
        return grads + (wrap(d_pre.sum(axis=(0, 1))) if need[-1] else None,)

    @staticmethod
    def _check(xw: np.ndarray, h0: np.ndarray, w: np.ndarray, gates: int, who: str) -> tuple:
        if xw.ndim != 3 or xw.shape[0] == 0:
            raise ValueError(
                f"{who}: expected xw of shape (T, B, {gates}*H) with T >= 1, got {xw.shape}"
            )
        T, B, GH = xw.shape
        H = GH // gates
        if GH != gates * H or w.shape != (GH, H) or h0.shape != (B, H):
            raise ValueError(
                f"{who}: inconsistent shapes xw {xw.shape}, h0 {h0.shape}, w_hh {w.shape} "
                f"(expected (T, B, {gates}*H), (B, H), ({gates}*H, H))"
            )
        return T, B, H


# ----------------------------------------------------------------------------------------------
# Elman RNN
# ----------------------------------------------------------------------------------------------


class RNNSequence(_Sequence):
    """h_t = act(xw_t + h_{t-1} W_hh^T + b_hh), t = 1..T;   y = (h_1, ..., h_T)

    BPTT: with dh_t = g_t + da_{t+1} W_hh (the gradient reaching h_t from the output and from
    the next step), da_t = dh_t * act'(a_t) where act' = 1 - h_t**2 for tanh and [h_t > 0] for
    relu; then dL/dxw_t = da_t, dL/dh_0 = da_1 W_hh, dL/dW_hh = sum_t da_t^T h_{t-1} and
    dL/db_hh = sum over t and the batch of da_t.

    Inputs: xw (T, B, H) = x W_ih^T + b_ih, h0 (B, H), w_hh (H, H), b_hh (H,) or None.
    Output: (T, B, H), the hidden state after each step, in input order.
    """

    def __init__(self, nonlinearity: str = "tanh", reverse: bool = False) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNSequence: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        super().__init__(reverse)
        self.nonlinearity = nonlinearity

    def forward(self, xw, h0, w, b=None):
        T, B, H = self._check(xw, h0, w, 1, "RNNSequence")
        hs = _empty((T + 1, B, H), xw.dtype)  # hs[k] = state after k steps
        hs[0] = h0
        # hs[1:] starts as the input part xw (+ b_hh); each step adds h W_hh^T in place.
        # (Fresh large arrays are costly to touch, so no separate copy of xw is made.)
        if b is not None:
            np.add(_flip(xw, self.reverse), b, out=hs[1:])
        else:
            hs[1:] = _flip(xw, self.reverse)
        w_t = _recurrent_weight(w)
        relu = self.nonlinearity == "relu"

        def time_loop(rows: slice) -> None:
            rec = np.empty((rows.stop - rows.start, H), dtype=xw.dtype)
            for k in range(T):
                h = hs[k + 1, rows]
                np.matmul(hs[k, rows], w_t, out=rec)
                h += rec
                if relu:
                    np.maximum(h, 0, out=h)
                else:
                    np.tanh(h, out=h)

        _over_batch(time_loop, B, H, 1)
        self.save_for_backward(hs)
        self.out_data = _in_input_order(hs[1:], self.reverse)
        return self.out_data

    def _array_backward(self, g):
        """BPTT on raw arrays, with in-place updates (the everyday first-order backward)."""
        w = self.inputs[2].array
        need = self.needs_input_grad
        (hs,) = self.saved
        T = hs.shape[0] - 1
        gs = _flip(g.array, self.reverse)
        slope = _empty(hs[1:].shape, hs.dtype)
        if self.nonlinearity == "relu":
            np.greater(hs[1:], 0, out=slope, casting="unsafe")  # 1.0 where h > 0, else 0.0
        else:
            np.multiply(hs[1:], hs[1:], out=slope)
            np.subtract(1, slope, out=slope)  # 1 - h**2
        da = _empty(slope.shape, slope.dtype)
        B, H = hs.shape[1:]
        dh = np.zeros((B, H), dtype=hs.dtype)

        def time_loop(rows: slice) -> None:
            dh_rows = dh[rows]
            for k in range(T - 1, -1, -1):
                dh_rows += gs[k, rows]
                np.multiply(dh_rows, slope[k, rows], out=da[k, rows])
                if k > 0 or need[1]:
                    np.matmul(da[k, rows], w, out=dh_rows)

        _over_batch(time_loop, B, H, 1)
        dw = matmul(da.reshape(-1, H).T, hs[:-1].reshape(-1, H)) if need[2] else None
        grads = (
            _wrap(_in_input_order(da, self.reverse), need[0]),
            _wrap(dh, need[1]),
            _wrap(dw, need[2]),
        )
        return self._with_bias_grad(grads, da)

    def _graph_backward(self, g):
        """The same BPTT with Tensor operations (create_graph=True: differentiable again)."""
        xw, h0, w = self.inputs[:3]
        b = self.inputs[3] if len(self.inputs) > 3 else None
        steps = self._steps(xw.shape[0])
        # Recompute the states as functions of the inputs.
        states, h = [h0], h0
        for t in steps:
            a = xw[t] + h @ w.t()
            if b is not None:
                a = a + b
            h = a.relu() if self.nonlinearity == "relu" else a.tanh()
            states.append(h)
        da = [None] * len(steps)
        dh = None
        for k in range(len(steps) - 1, -1, -1):
            t, h = steps[k], states[k + 1]
            dh = g[t] if dh is None else dh + g[t]
            if self.nonlinearity == "relu":
                da[k] = dh * wrap((h.array > 0).astype(h.array.dtype))
            else:
                da[k] = dh * (1 - h * h)
            dh = da[k] @ w
        da_seq = stack(da)  # processing order
        H = w.shape[0]
        need = self.needs_input_grad
        dxw = stack(da[::-1]) if self.reverse else da_seq
        dw = da_seq.reshape(-1, H).t() @ stack(states[:-1]).reshape(-1, H) if need[2] else None
        grads = (dxw if need[0] else None, dh if need[1] else None, dw)
        if len(self.inputs) > 3:
            grads += (da_seq.sum(dim=(0, 1)) if need[3] else None,)
        return grads


# ----------------------------------------------------------------------------------------------
# GRU
# ----------------------------------------------------------------------------------------------


class GRUSequence(_Sequence):
    """r, z = sigmoid(xw_rz + hh_rz), n = tanh(xw_n + r * hh_n), h_t = (1 - z) n + z h_{t-1}

    where hh = h_{t-1} W_hh^T + b_hh (blocks r, z, n) and xw = x_t W_ih^T + b_ih.
    BPTT, with dh = g_t + (gradient from step t+1):
    dn~ = dh (1 - z)(1 - n**2),  dz~ = dh (h_{t-1} - n) z (1 - z),  dr~ = dn~ hh_n r (1 - r);
    dL/dxw_t = [dr~, dz~, dn~],  dL/dhh_t = [dr~, dz~, dn~ r],
    dL/dh_{t-1} = dh z + dL/dhh_t W_hh,  dL/dW_hh = sum_t dL/dhh_t^T h_{t-1},
    dL/db_hh = sum of dL/dhh_t over t and the batch.

    Inputs: xw (T, B, 3H), h0 (B, H), w_hh (3H, H), b_hh (3H,) or None.
    Output: (T, B, H), the hidden state after each step, in input order.
    """

    def forward(self, xw, h0, w, b=None):
        T, B, H = self._check(xw, h0, w, 3, "GRUSequence")
        dtype = xw.dtype
        gemm = loops.sequence_gemm(xw) if dtype == np.float32 else None
        if gemm is not None:
            return self._whole_sequence(gemm, np.ascontiguousarray(xw), h0, w, b)
        # The r and z pre-activations are computed negated (xs, w and b scaled by -1 in those
        # blocks) so that sigmoid is exp, +1, reciprocal; hh_n keeps its sign.
        sign = np.ones(3 * H, dtype=dtype)
        sign[: 2 * H] = -1
        xs_n = _flip(xw[..., 2 * H :], self.reverse)
        w_t = _recurrent_weight(w, sign)
        b_s = b * sign if b is not None else None
        hs = _empty((T + 1, B, H), dtype)
        hs[0] = h0
        hh = _empty((T, B, 3 * H), dtype)  # h_{t-1} W_hh^T + b_hh (r, z negated)
        rz = _empty((T, B, 2 * H), dtype)
        np.negative(_flip(xw[..., : 2 * H], self.reverse), out=rz)  # the loop adds -hh_rz
        n = _empty((T, B, H), dtype)

        def time_loop(rows: slice) -> None:
            tmp = np.empty((rows.stop - rows.start, H), dtype=dtype)
            with np.errstate(over="ignore"):  # per thread, and this may run on a worker
                for k in range(T):
                    hh_k, rz_k, n_k = hh[k, rows], rz[k, rows], n[k, rows]
                    np.matmul(hs[k, rows], w_t, out=hh_k)
                    if b_s is not None:
                        hh_k += b_s
                    rz_k += hh_k[:, : 2 * H]
                    _exp_sigmoid_(rz_k)
                    np.multiply(rz_k[:, :H], hh_k[:, 2 * H :], out=n_k)
                    n_k += xs_n[k, rows]
                    np.tanh(n_k, out=n_k)
                    np.subtract(hs[k, rows], n_k, out=tmp)  # h' = n + z (h - n)
                    tmp *= rz_k[:, H:]
                    np.add(n_k, tmp, out=hs[k + 1, rows])

        compiled = loops.worth_using(hh)
        if compiled:  # the r, z blocks of b_hh join the input part once, the n block stays
            # (so the compiled loop keeps hh's r, z blocks without b_hh; backward reads only n)
            xs = _flip(np.ascontiguousarray(xw), self.reverse)
            b_n = np.zeros(H, dtype) if b is None else np.ascontiguousarray(b[2 * H :])
            if b is not None:
                rz -= b[: 2 * H]

        def compiled_time_loop(rows: slice) -> None:
            """The same steps with the gate arithmetic in compiled loops (recurrent_loops)."""
            with np.errstate(over="ignore"):
                for k in range(T):
                    hh_k, rz_k, n_k = hh[k, rows], rz[k, rows], n[k, rows]
                    np.matmul(hs[k, rows], w_t, out=hh_k)
                    rz_k += hh_k[:, : 2 * H]
                    np.exp(rz_k, out=rz_k)  # e**-a: the loop turns them into r and z
                    loops.gru_gates_forward(rz_k, hh_k, b_n, xs[k, rows], n_k)
                    np.tanh(n_k, out=n_k)
                    loops.gru_state_forward(rz_k, n_k, hs[k, rows], hs[k + 1, rows])

        _over_batch(compiled_time_loop if compiled else time_loop, B, H, 3)
        self.save_for_backward(hs, hh, rz, n)
        self.out_data = _in_input_order(hs[1:], self.reverse)
        return self.out_data

    def _whole_sequence(self, gemm, xw, h0, w, b):
        """The time loop as one compiled call per range of rows, products included
        (``loops.gru_sequence_forward``): the arrays the step loops save, the output."""
        T, (B, H) = xw.shape[0], h0.shape
        hs = _empty((T + 1, B, H), xw.dtype)
        hs[0] = h0
        hh, rz, n = (_empty((T, B, k * H), xw.dtype) for k in (3, 2, 1))
        w_t = _recurrent_weight(w)
        bias = np.zeros(3 * H, xw.dtype) if b is None else np.ascontiguousarray(b)
        reverse = self.reverse

        def time_loop(rows: slice) -> None:
            loops.gru_sequence_forward(
                gemm, xw, reverse, w_t, bias, hs, hh, rz, n, rows.start, rows.stop
            )

        _over_batch_unlocked(time_loop, B, H, 3)
        self.save_for_backward(hs, hh, rz, n)
        self.out_data = _in_input_order(hs[1:], self.reverse)
        return self.out_data

    def _array_backward(self, g):
        """BPTT on raw arrays, with in-place updates (the everyday first-order backward)."""
        w = self.inputs[2].array
        need = self.needs_input_grad
        hs, hh, rz, n = self.saved
        T, B, H = n.shape
        gemm = loops.sequence_gemm(hh)
        if gemm is not None:
            dhh, dxw, dh = self._whole_sequence_bptt(gemm, np.ascontiguousarray(g.array), w)
        elif loops.worth_using(hh):
            dhh, dxw, dh = self._compiled_bptt(np.ascontiguousarray(g.array), w)
        else:
            dhh, dxw, dh = self._numpy_bptt(g.array, w)
        if dxw is not None:
            dxw = _in_input_order(dxw, self.reverse)
        dw = matmul(dhh.reshape(-1, 3 * H).T, hs[:-1].reshape(-1, H)) if need[2] else None
        grads = (_wrap(dxw, need[0]), _wrap(dh, need[1]), _wrap(dw, need[2]))
        return self._with_bias_grad(grads, dhh)

    def _numpy_bptt(self, gd: np.ndarray, w: np.ndarray) -> tuple:
        """The BPTT loop with NumPy calls: (dL/dhh, dL/dxw or None, dL/dh_0), processing order."""
        need = self.needs_input_grad
        hs, hh, rz, n = self.saved
        T, B, H = n.shape
        gs = _flip(gd, self.reverse)
        r, z = rz[..., :H], rz[..., H:]
        # Per-step factors, computed for all steps at once:
        p_n, p_z, p_r = (_empty(n.shape, n.dtype) for _ in range(3))

        def factors(steps: slice) -> None:
            zs, ns, pn, pz, pr = z[steps], n[steps], p_n[steps], p_z[steps], p_r[steps]
            np.subtract(1, zs, out=pr)  # pr holds 1 - z, then z (1 - z), for a moment
            np.multiply(ns, ns, out=pn)
            np.subtract(1, pn, out=pn)
            pn *= pr  # (1 - z)(1 - n**2): dn~ = dh * p_n
            pr *= zs
            np.subtract(hs[:-1][steps], ns, out=pz)
            pz *= pr  # (h_prev - n) z (1 - z): dz~ = dh * p_z
            np.subtract(1, r[steps], out=pr)
            pr *= r[steps]
            pr *= hh[steps, :, 2 * H :]  # hh_n r (1 - r): dr~ = dn~ * p_r

        run_split(factors, T, _split_rows(hh))
        dhh = _empty(hh.shape, hh.dtype)
        dn = _empty(n.shape, n.dtype)
        dh = np.zeros((B, H), dtype=hs.dtype)

        def time_loop(rows: slice) -> None:
            dh_rows = dh[rows]
            back = np.empty(dh_rows.shape, dtype=dh.dtype)
            for k in range(T - 1, -1, -1):
                dh_rows += gs[k, rows]
                d, dn_k = dhh[k, rows], dn[k, rows]
                np.multiply(dh_rows, p_n[k, rows], out=dn_k)
                np.multiply(dh_rows, p_z[k, rows], out=d[:, H : 2 * H])
                np.multiply(dn_k, p_r[k, rows], out=d[:, :H])
                np.multiply(dn_k, r[k, rows], out=d[:, 2 * H :])
                if k > 0 or need[1]:
                    np.matmul(d, w, out=back)
                    dh_rows *= z[k, rows]
                    dh_rows += back

        _over_batch(time_loop, B, H, 3)
        dxw = None
        if need[0]:
            dxw = _empty(hh.shape, hh.dtype)
            dxw[..., : 2 * H] = dhh[..., : 2 * H]
            dxw[..., 2 * H :] = dn
        return dhh, dxw, dh

    def _whole_sequence_bptt(self, gemm, gd: np.ndarray, w: np.ndarray) -> tuple:
        """The same loop as one compiled call per range of rows (``gru_sequence_backward``);
        ``gd`` in input order."""
        hs, hh, rz, n = self.saved
        T, B, H = n.shape
        dhh = _empty(hh.shape, hh.dtype)
        dxw = _empty(hh.shape, hh.dtype)
        carried = np.zeros((B, H), dtype=hh.dtype)
        back = np.zeros((B, H), dtype=hh.dtype)
        w = np.ascontiguousarray(w)
        reverse, need_h0 = self.reverse, bool(self.needs_input_grad[1])

        def time_loop(rows: slice) -> None:
            loops.gru_sequence_backward(
                gemm, rz, n, hh, hs, gd, reverse, w, dhh, dxw, carried, back,
                rows.start, rows.stop, need_h0,
            )  # fmt: skip

        _over_batch_unlocked(time_loop, B, H, 3)
        return dhh, dxw, carried + back

    def _compiled_bptt(self, gd: np.ndarray, w: np.ndarray) -> tuple:
        """The same loop, each step one compiled loop (``gru_step_backward``) and one product."""
        need = self.needs_input_grad
        hs, hh, rz, n = self.saved
        T, B, H = n.shape
        gs = _flip(gd, self.reverse)
        dhh = _empty(hh.shape, hh.dtype)
        dxw = _empty(hh.shape, hh.dtype)
        carried = np.zeros((B, H), dtype=hh.dtype)  # dh z: the part of dh that skips W_hh
        back = np.zeros((B, H), dtype=hh.dtype)  # dL/dhh W_hh: the part through it
        per_step = (rz, n, hh, hs[:-1], gs, dhh, dxw)
        _backward_steps(loops.gru_step_backward, per_step, (carried, back), dhh, w, back, need[1])
        return dhh, dxw, carried + back

    def _graph_backward(self, g):
        """The same BPTT with Tensor operations (create_graph=True: differentiable again)."""
        xw, h0, w = self.inputs[:3]
        b = self.inputs[3] if len(self.inputs) > 3 else None
        H = w.shape[1]
        steps = self._steps(xw.shape[0])
        states, saved, h = [h0], [], h0
        for t in steps:
            hh = h @ w.t()
            if b is not None:
                hh = hh + b
            x = xw[t]
            r = (x[:, :H] + hh[:, :H]).sigmoid()
            z = (x[:, H : 2 * H] + hh[:, H : 2 * H]).sigmoid()
            n = (x[:, 2 * H :] + r * hh[:, 2 * H :]).tanh()
            h = (1 - z) * n + z * h
            saved.append((r, z, n, hh[:, 2 * H :]))
            states.append(h)
        dxw, dhh = [None] * len(steps), [None] * len(steps)
        dh = None
        for k in range(len(steps) - 1, -1, -1):
            t = steps[k]
            r, z, n, hh_n = saved[k]
            dh = g[t] if dh is None else dh + g[t]
            dn = dh * (1 - z) * (1 - n * n)
            dz = dh * (states[k] - n) * z * (1 - z)
            dr = dn * hh_n * r * (1 - r)
            dxw[k] = cat([dr, dz, dn], dim=1)
            dhh[k] = cat([dr, dz, dn * r], dim=1)
            dh = dh * z + dhh[k] @ w
        need = self.needs_input_grad
        dxw_seq = stack(dxw[::-1] if self.reverse else dxw) if need[0] else None
        dhh_seq = stack(dhh)
        dw = None
        if need[2]:
            dw = dhh_seq.reshape(-1, 3 * H).t() @ stack(states[:-1]).reshape(-1, H)
        grads = (dxw_seq, dh if need[1] else None, dw)
        if len(self.inputs) > 3:
            grads += (dhh_seq.sum(dim=(0, 1)) if need[3] else None,)
        return grads


# ----------------------------------------------------------------------------------------------
# LSTM
# ----------------------------------------------------------------------------------------------


class LSTMSequence(_Sequence):
    """[i, f, g, o] = [sig, sig, tanh, sig](xw_t + h_{t-1} W_hh^T + b_hh), c_t = f c_{t-1} + i g, h_t = o tanh(c_t)

    BPTT, with dh = g_t + (gradient from step t+1) and dc = (gradient of c_t from step t+1,
    or of c_T from the output) + dh o (1 - tanh(c_t)**2):
    di~ = dc g i (1 - i),  df~ = dc c_{t-1} f (1 - f),  dg~ = dc i (1 - g**2),
    do~ = dh tanh(c_t) o (1 - o);  dz_t = [di~, df~, dg~, do~] = dL/dxw_t;
    dL/dh_{t-1} = dz_t W_hh,  dL/dc_{t-1} = dc f,  dL/dW_hh = sum_t dz_t^T h_{t-1},
    dL/db_hh = sum of dz_t over t and the batch.

    Inputs: xw (T, B, 4H), h0 (B, H), c0 (B, H), w_hh (4H, H), b_hh (4H,) or None.
    Output: (T + 1, B, H): rows 0..T-1 are h_t in input order, row T is the final cell
    state c (after the last processed step), so that one op carries both results.
    """

    def forward(self, xw, h0, c0, w, b=None):
        T, B, H = self._check(xw, h0, w, 4, "LSTMSequence")
        dtype = xw.dtype
        buf = _empty((T + 2, B, H), dtype)  # h_0, h_1..h_T (processing order), c_T
        hs = buf[: T + 1]
        hs[0] = h0
        cs = _empty((T + 1, B, H), dtype)
        cs[0] = c0
        # gates receives each step's pre-activations, then i, f, g, o (kept for backward).
        gates = _empty((T, B, 4 * H), dtype)
        tanh_c = _empty((T, B, H), dtype)
        gemm = loops.sequence_gemm(xw) if dtype == np.float32 else None
        if gemm is not None:
            self._whole_sequence(gemm, np.ascontiguousarray(xw), w, b, hs, cs, gates, tanh_c)
        else:
            run_steps = self._compiled_steps if loops.worth_using(xw) else self._numpy_steps
            run_steps(_flip(np.ascontiguousarray(xw), self.reverse), w, b, hs, cs, gates, tanh_c)
        buf[T + 1] = cs[T]
        self.save_for_backward(hs, cs, gates, tanh_c)
        if self.reverse:
            out = _empty((T + 1, B, H), dtype)
            out[:T] = hs[:0:-1]
            out[T] = cs[T]
        else:
            out = buf[1:]
        self.out_data = out
        return out

    @staticmethod
    def _numpy_steps(xs, w, b, hs, cs, gates, tanh_c) -> None:
        """The time loop with NumPy calls: fills hs[1:], cs[1:], gates and tanh_c."""
        T, B, H = tanh_c.shape
        dtype = xs.dtype
        # Pre-scale the pre-activations so that one exp gives all four gates:
        # sigmoid(a) = 1 / (1 + e**(-a)) and tanh(a) = 2 / (1 + e**(-2a)) - 1.
        scale = np.full(4 * H, -1.0, dtype=dtype)
        scale[2 * H : 3 * H] = -2.0
        numerator = np.ones(4 * H, dtype=dtype)
        numerator[2 * H : 3 * H] = 2.0
        w_t = _recurrent_weight(w, scale)
        # gates starts as the scaled input part; each step adds the recurrent part in place and
        # applies the activations.
        b_scaled = b * scale if b is not None else None

        def scaled_input(steps: slice) -> None:
            np.multiply(xs[steps], scale, out=gates[steps])
            if b_scaled is not None:
                gates[steps] += b_scaled

        run_split(scaled_input, T, _split_rows(gates))

        def time_loop(rows: slice) -> None:
            n = rows.stop - rows.start
            tmp = np.empty((n, H), dtype=dtype)
            rec = np.empty((n, 4 * H), dtype=dtype)
            with np.errstate(over="ignore"):  # per thread, and this may run on a worker
                for k in range(T):
                    a = gates[k, rows]
                    np.matmul(hs[k, rows], w_t, out=rec)
                    a += rec
                    _exp_sigmoid_(a, numerator)  # i, f, o done; the g block holds 1 + g
                    gg = a[:, 2 * H : 3 * H]
                    gg -= 1
                    c = cs[k + 1, rows]
                    np.multiply(a[:, H : 2 * H], cs[k, rows], out=c)  # c = f c_prev + i g
                    np.multiply(a[:, :H], gg, out=tmp)
                    c += tmp
                    np.tanh(c, out=tanh_c[k, rows])
                    np.multiply(a[:, 3 * H :], tanh_c[k, rows], out=hs[k + 1, rows])

        _over_batch(time_loop, B, H, 4)

    @staticmethod
    def _compiled_steps(xs, w, b, hs, cs, gates, tanh_c) -> None:
        """The same time loop, the gate arithmetic in compiled loops (recurrent_loops).

        All four gates come from one NumPy tanh: sigmoid(a) = (1 + tanh(a / 2)) / 2, so the
        pre-activations of the i, f, o blocks are halved (through W_hh and the bias, once).
        """
        T, B, H = tanh_c.shape
        dtype = xs.dtype
        scale = np.full(4 * H, 0.5, dtype=dtype)
        scale[2 * H : 3 * H] = 1.0
        w_t = _recurrent_weight(w, scale)
        b_scaled = np.zeros(4 * H, dtype) if b is None else b * scale

        def time_loop(rows: slice) -> None:
            rec = np.empty((rows.stop - rows.start, 4 * H), dtype=dtype)
            for k in range(T):
                a = gates[k, rows]
                np.matmul(hs[k, rows], w_t, out=rec)
                loops.scaled_sum(xs[k, rows], scale, b_scaled, rec, a)
                np.tanh(a, out=a)
                loops.lstm_gates_forward(a, cs[k, rows], cs[k + 1, rows])
                np.tanh(cs[k + 1, rows], out=tanh_c[k, rows])
                np.multiply(a[:, 3 * H :], tanh_c[k, rows], out=hs[k + 1, rows])

        _over_batch(time_loop, B, H, 4)

    def _whole_sequence(self, gemm, xw, w, b, hs, cs, gates, tanh_c) -> None:
        """The time loop as one compiled call per range of rows, products included
        (``loops.lstm_sequence_forward``): the same arrays as the step loops fill. ``xw`` in
        input order (the loop reads it backwards for ``reverse``)."""
        T, B, H = tanh_c.shape
        w_t = _recurrent_weight(w)
        bias = np.zeros(4 * H, xw.dtype) if b is None else np.ascontiguousarray(b)
        reverse = self.reverse

        def time_loop(rows: slice) -> None:
            rec = np.empty((rows.stop - rows.start, 4 * H), dtype=xw.dtype)
            loops.lstm_sequence_forward(
                gemm, xw, reverse, w_t, bias, hs, cs, gates, tanh_c, rec, rows.start, rows.stop
            )

        _over_batch_unlocked(time_loop, B, H, 4)

    def _array_backward(self, g):
        """BPTT on raw arrays, with in-place updates (the everyday first-order backward)."""
        w = self.inputs[3].array
        need = self.needs_input_grad
        hs, cs, gates, tanh_c = self.saved
        T, B, H = tanh_c.shape
        gd = np.ascontiguousarray(g.array)
        dc = gd[T].copy()  # the gradient of c_T, then of each earlier c (updated in place)
        gemm = loops.sequence_gemm(gates)
        if gemm is not None:  # it reads the gradients of h_t in input order
            dz, dh = self._whole_sequence_bptt(gemm, gd[:T], dc, w)
        else:
            bptt = self._compiled_bptt if loops.worth_using(gates) else self._numpy_bptt
            dz, dh = bptt(_flip(gd[:T], self.reverse), dc, w)  # processing order
        dw = matmul(dz.reshape(-1, 4 * H).T, hs[:-1].reshape(-1, H)) if need[3] else None
        grads = (
            _wrap(_in_input_order(dz, self.reverse), need[0]),
            _wrap(dh, need[1]),
            _wrap(dc, need[2]),
            _wrap(dw, need[3]),
        )
        return self._with_bias_grad(grads, dz)

    def _numpy_bptt(self, gh: np.ndarray, dc: np.ndarray, w: np.ndarray) -> tuple:
        """The BPTT loop with NumPy calls: (dz, dL/dh_0), dz in processing order; ``dc`` ends
        as dL/dc_0."""
        hs, cs, gates, tanh_c = self.saved
        T, B, H = tanh_c.shape
        # Per-step factors, computed for all steps at once: dz~ = dc * p for the i, f, g
        # blocks, dz~ = dh * p for the o block, and the share of dh that reaches c is dh * r.
        p = _empty(gates.shape, gates.dtype)
        r = _empty(tanh_c.shape, tanh_c.dtype)
        i, f, gg, o = (gates[..., j * H : (j + 1) * H] for j in range(4))

        def factors(steps: slice) -> None:
            s, ps = gates[steps], p[steps]
            np.subtract(1, s, out=ps)
            ps *= s  # s (1 - s) in every block; the g block is replaced below
            p_i, p_f, p_g, p_o = (ps[..., j * H : (j + 1) * H] for j in range(4))
            p_i *= gg[steps]  # g i (1 - i)
            p_f *= cs[:-1][steps]  # c_prev f (1 - f)
            np.multiply(gg[steps], gg[steps], out=p_g)
            np.subtract(1, p_g, out=p_g)
            p_g *= i[steps]  # i (1 - g**2)
            p_o *= tanh_c[steps]  # tanh(c) o (1 - o)
            rs = r[steps]
            np.multiply(tanh_c[steps], tanh_c[steps], out=rs)
            np.subtract(1, rs, out=rs)
            rs *= o[steps]  # o (1 - tanh(c)**2)

        run_split(factors, T, _split_rows(gates))
        dz = p  # step k's factors become step k's gradients, in place
        dh = np.zeros((B, H), dtype=gates.dtype)
        need = self.needs_input_grad

        def time_loop(rows: slice) -> None:
            dh_rows, dc_rows = dh[rows], dc[rows]
            tmp = np.empty(dh_rows.shape, dtype=dh.dtype)
            for k in range(T - 1, -1, -1):
                dh_rows += gh[k, rows]
                np.multiply(dh_rows, r[k, rows], out=tmp)
                dc_rows += tmp
                d = dz[k, rows]
                ifg = d[:, : 3 * H].reshape(-1, 3, H)
                np.multiply(dc_rows[:, None, :], ifg, out=ifg)
                d[:, 3 * H :] *= dh_rows
                dc_rows *= f[k, rows]
                if k > 0 or need[1]:
                    np.matmul(d, w, out=dh_rows)

        _over_batch(time_loop, B, H, 4)
        return dz, dh

    def _compiled_bptt(self, gh: np.ndarray, dc: np.ndarray, w: np.ndarray) -> tuple:
        """The same loop, each step one compiled loop (``lstm_step_backward``) and one product."""
        _, cs, gates, tanh_c = self.saved
        dz = _empty(gates.shape, gates.dtype)
        dh = np.zeros(dc.shape, dtype=gates.dtype)
        per_step = (gates, cs[:-1], tanh_c, gh, dz)
        need_h0 = self.needs_input_grad[1]
        _backward_steps(loops.lstm_step_backward, per_step, (dh, dc), dz, w, dh, need_h0)
        return dz, dh

    def _whole_sequence_bptt(self, gemm, gh: np.ndarray, dc: np.ndarray, w: np.ndarray) -> tuple:
        """The same loop as one compiled call per range of rows (``lstm_sequence_backward``);
        ``gh`` in input order."""
        _, cs, gates, tanh_c = self.saved
        T, B, H = tanh_c.shape
        dz = _empty(gates.shape, gates.dtype)
        dh = np.zeros(dc.shape, dtype=gates.dtype)
        w = np.ascontiguousarray(w)
        reverse, need_h0 = self.reverse, bool(self.needs_input_grad[1])

        def time_loop(rows: slice) -> None:
            loops.lstm_sequence_backward(
                gemm, gates, cs, tanh_c, gh, reverse, w, dz, dh, dc, rows.start, rows.stop, need_h0
            )

        _over_batch_unlocked(time_loop, B, H, 4)
        return dz, dh

    def _graph_backward(self, g):
        """The same BPTT with Tensor operations (create_graph=True: differentiable again)."""
        xw, h0, c0, w = self.inputs[:4]
        b = self.inputs[4] if len(self.inputs) > 4 else None
        H = w.shape[1]
        T = xw.shape[0]
        steps = self._steps(T)
        states, saved, h, c = [h0], [], h0, c0
        for t in steps:
            a = xw[t] + h @ w.t()
            if b is not None:
                a = a + b
            i, f = a[:, :H].sigmoid(), a[:, H : 2 * H].sigmoid()
            gg, o = a[:, 2 * H : 3 * H].tanh(), a[:, 3 * H :].sigmoid()
            c_prev, c = c, f * c + i * gg
            tc = c.tanh()
            h = o * tc
            saved.append((c_prev, i, f, gg, o, tc))
            states.append(h)
        dz = [None] * T
        dh, dc = None, g[T]
        for k in range(T - 1, -1, -1):
            c_prev, i, f, gg, o, tc = saved[k]
            dh = g[steps[k]] if dh is None else dh + g[steps[k]]
            dc = dc + dh * o * (1 - tc * tc)
            dz[k] = cat(
                [
                    dc * gg * i * (1 - i),
                    dc * c_prev * f * (1 - f),
                    dc * i * (1 - gg * gg),
                    dh * tc * o * (1 - o),
                ],
                dim=1,
            )
            dh = dz[k] @ w
            dc = dc * f
        need = self.needs_input_grad
        dz_seq = stack(dz)
        dxw = (stack(dz[::-1]) if self.reverse else dz_seq) if need[0] else None
        dw = None
        if need[3]:
            dw = dz_seq.reshape(-1, 4 * H).t() @ stack(states[:-1]).reshape(-1, H)
        grads = (dxw, dh if need[1] else None, dc if need[2] else None, dw)
        if len(self.inputs) > 4:
            grads += (dz_seq.sum(dim=(0, 1)) if need[4] else None,)
        return grads
