"""The textbook recurrent layers, one time step at a time in plain Tensor ops: the readable twin of the fused ops.

``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` run each layer as one fused op (ops/recurrent.py): the
whole time loop in NumPy, the gate pre-activations pre-scaled so that one ``exp`` gives all four
LSTM gates, and backpropagation through time written by hand. Fast, but the formulas are
hard to see in it. This file computes the same layers the way a textbook writes them, with
ordinary glassnet operations (matmul, sigmoid, tanh, cat), one time step after the other, and
lets the engine find every derivative. Tests check that both give the same outputs and the
same gradients; read this file to learn what the layers compute.

The gate equations, with x the step's input, h (and c) the previous state, and PyTorch's
weight layout (W_ih stacks the gates' input weights, W_hh their recurrent weights):

    RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)          (or relu instead of tanh)

    GRU:   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)        reset gate
           z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)        update gate
           n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     candidate state
           h' = (1 - z) * n + z * h

    LSTM:  i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)        input gate
           f  = sigmoid(W_if x + b_if + W_hf h + b_hf)        forget gate
           g  = tanh(W_ig x + b_ig + W_hg h + b_hg)           candidate cell
           o  = sigmoid(W_io x + b_io + W_ho h + b_ho)        output gate
           c' = f * c + i * g
           h' = o * tanh(c')

A layer runs its cell over t = 0..T-1 (a bidirectional layer also runs a second cell, with its
own weights, over t = T-1..0 and concatenates both outputs at each step); layer k + 1 reads the
outputs of layer k. The weights come as ``module.all_weights``: one list [W_ih, W_hh, b_ih, b_hh]
(or [W_ih, W_hh] without bias) per layer and direction, in the order layer 0, layer 0 reverse,
layer 1, ...

Shapes: input (T, N, input_size), or (N, T, input_size) with ``batch_first=True``; states
(num_layers * D, N, hidden_size) with D = 2 if bidirectional else 1; output (T, N, D * hidden).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ...creation import zeros
from ...ops.shape import cat, stack
from ...tensor import Tensor

__all__ = [
    "rnn_cell_reference",
    "gru_cell_reference",
    "lstm_cell_reference",
    "rnn_reference",
    "gru_reference",
    "lstm_reference",
]


def _gate_parts(x: Tensor, h: Tensor, weights: Sequence[Tensor]) -> tuple[Tensor, Tensor]:
    """x W_ih^T + b_ih and h W_hh^T + b_hh: the gates' inputs from x and from h, gates side by side.

    ``weights`` is (w_ih, w_hh) or (w_ih, w_hh, b_ih, b_hh), as one row of ``module.all_weights``.
    """
    w_ih, w_hh, b_ih, b_hh = (*weights, None, None)[:4]
    x_part, h_part = x @ w_ih.t(), h @ w_hh.t()
    if b_ih is not None:
        x_part = x_part + b_ih
    if b_hh is not None:
        h_part = h_part + b_hh
    return x_part, h_part


# ----------------------------------------------------------------------------------------------
# One time step. ``weights``: w_ih (G*H, input_size), w_hh (G*H, H) and, if the layer has
# biases, b_ih and b_hh (G*H,), where G is the number of gates (1, 3 or 4) and H the hidden size.
# ----------------------------------------------------------------------------------------------


def rnn_cell_reference(
    x: Tensor, h: Tensor, *weights: Tensor, nonlinearity: str = "tanh"
) -> Tensor:
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu);  x (N, input_size), h (N, hidden)."""
    x_part, h_part = _gate_parts(x, h, weights)
    a = x_part + h_part
    return a.relu() if nonlinearity == "relu" else a.tanh()


def gru_cell_reference(x: Tensor, h: Tensor, *weights: Tensor) -> Tensor:
    """One GRU step (equations in the module docstring);  x (N, input_size), h (N, hidden)."""
    x_part, h_part = _gate_parts(x, h, weights)
    x_r, x_z, x_n = x_part.chunk(3, dim=1)
    h_r, h_z, h_n = h_part.chunk(3, dim=1)
    r = (x_r + h_r).sigmoid()  # reset gate
    z = (x_z + h_z).sigmoid()  # update gate
    n = (x_n + r * h_n).tanh()  # candidate state: the reset gate scales the recurrent part
    return (1 - z) * n + z * h


def lstm_cell_reference(
    x: Tensor, state: tuple[Tensor, Tensor], *weights: Tensor
) -> tuple[Tensor, Tensor]:
    """One LSTM step (equations in the module docstring); state = (h, c), each (N, hidden)."""
    h, c = state
    x_part, h_part = _gate_parts(x, h, weights)
    a_i, a_f, a_g, a_o = (x_part + h_part).chunk(4, dim=1)
    i, f, g, o = a_i.sigmoid(), a_f.sigmoid(), a_g.tanh(), a_o.sigmoid()
    c = f * c + i * g  # forget part of the old cell, add the gated candidate
    h = o * c.tanh()
    return h, c


# ----------------------------------------------------------------------------------------------
# Whole layers: the cell over every time step, layer after layer, in both directions
# ----------------------------------------------------------------------------------------------


def _run_layers(
    cell: Callable,
    input: Tensor,
    initial: list,
    all_weights: Sequence[Sequence[Tensor]],
    bidirectional: bool,
    batch_first: bool,
) -> tuple[Tensor, list]:
    """Run ``cell`` over time for every layer and direction; return (output, final states)."""
    x = input.transpose(0, 1) if batch_first else input  # (T, N, features): time first
    T = x.shape[0]
    D = 2 if bidirectional else 1
    finals = []
    for layer in range(len(all_weights) // D):
        outputs = []
        for direction in range(D):
            row = layer * D + direction
            state = initial[row]
            hidden = [None] * T
            for t in reversed(range(T)) if direction == 1 else range(T):
                state = cell(x[t], state, *all_weights[row])
                hidden[t] = state[0] if isinstance(state, tuple) else state
            outputs.append(stack(hidden))  # (T, N, hidden), in input order
            finals.append(state)
        x = cat(outputs, dim=2) if D == 2 else outputs[0]  # the next layer's input
    return (x.transpose(0, 1) if batch_first else x), finals


def _initial_states(h0: Tensor | None, input: Tensor, rows: int, hidden: int, batch_first: bool):
    if h0 is not None:
        return [h0[k] for k in range(rows)]
    batch = input.shape[0] if batch_first else input.shape[1]
    return [zeros(batch, hidden, dtype=input.dtype) for _ in range(rows)]


def _hidden_size(all_weights: Sequence[Sequence[Tensor]]) -> int:
    return all_weights[0][1].shape[1]  # W_hh is (gates * hidden, hidden)


def rnn_reference(
    input: Tensor,
    h0: Tensor | None,
    all_weights: Sequence[Sequence[Tensor]],
    nonlinearity: str = "tanh",
    bidirectional: bool = False,
    batch_first: bool = False,
) -> tuple[Tensor, Tensor]:
    """What ``nn.RNN`` computes, step by step: returns (output, h_n)."""
    rows = len(all_weights)
    initial = _initial_states(h0, input, rows, _hidden_size(all_weights), batch_first)

    def cell(x: Tensor, h: Tensor, *weights: Tensor) -> Tensor:
        return rnn_cell_reference(x, h, *weights, nonlinearity=nonlinearity)

    output, finals = _run_layers(cell, input, initial, all_weights, bidirectional, batch_first)
    return output, stack(finals)


def gru_reference(
    input: Tensor,
    h0: Tensor | None,
    all_weights: Sequence[Sequence[Tensor]],
    bidirectional: bool = False,
    batch_first: bool = False,
) -> tuple[Tensor, Tensor]:
    """What ``nn.GRU`` computes, step by step: returns (output, h_n)."""
    rows = len(all_weights)
    initial = _initial_states(h0, input, rows, _hidden_size(all_weights), batch_first)
    output, finals = _run_layers(
        gru_cell_reference, input, initial, all_weights, bidirectional, batch_first
    )
    return output, stack(finals)


def lstm_reference(
    input: Tensor,
    hx: tuple[Tensor, Tensor] | None,
    all_weights: Sequence[Sequence[Tensor]],
    bidirectional: bool = False,
    batch_first: bool = False,
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """What ``nn.LSTM`` computes, step by step: returns (output, (h_n, c_n))."""
    rows, hidden = len(all_weights), _hidden_size(all_weights)
    h0, c0 = hx if hx is not None else (None, None)
    initial: list[Any] = list(
        zip(
            _initial_states(h0, input, rows, hidden, batch_first),
            _initial_states(c0, input, rows, hidden, batch_first),
        )
    )
    output, finals = _run_layers(
        lstm_cell_reference, input, initial, all_weights, bidirectional, batch_first
    )
    return output, (stack([h for h, _ in finals]), stack([c for _, c in finals]))
