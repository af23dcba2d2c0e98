"""The LSTM with a projected hidden state (nn.LSTM(proj_size=P)), one time step at a time in Tensor ops.

With ``proj_size = P > 0`` (Sak et al., 2014, "LSTMP") each step's hidden state is the usual
LSTM output multiplied down to P numbers by a learned matrix W_hr of shape (P, hidden_size):

    i, f, g, o = sigmoid / sigmoid / tanh / sigmoid of (W_ih x + b_ih + W_hh h + b_hh)
    c' = f * c + i * g                        (hidden_size numbers: the memory is not projected)
    h' = W_hr (o * tanh(c'))                  (P numbers: this is the output and the recurrence)

so W_hh is (4 * hidden_size, P), the output and h_n have P features per direction and the next
layer reads 2P (or P) features. The fused LSTM op (ops/recurrent.py) knows nothing of W_hr; this
path is plain matmul / sigmoid / tanh, and the engine derives every gradient (second ones too).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..ops.nn import Dropout as _DropoutOp
from ..ops.shape import cat, stack
from ..tensor import Tensor
from .functional.recurrent_reference import lstm_cell_reference

__all__ = ["projected_lstm_cell", "projected_lstm_layers"]


def projected_lstm_cell(
    x: Tensor, state: tuple[Tensor, Tensor], weights: Sequence[Tensor]
) -> tuple[Tensor, Tensor]:
    """One LSTMP step: (h', c') from x (N, input), h (N, P), c (N, hidden).

    ``weights`` is [W_ih, W_hh, b_ih, b_hh, W_hr] (or [W_ih, W_hh, W_hr] without bias), one row
    of ``LSTM.all_weights``. The gates are the plain LSTM's; only h' is projected: h' = u W_hr^T
    with u = o * tanh(c') (N, hidden), so dL/du = dL/dh' W_hr and dL/dW_hr = dL/dh'^T u.
    """
    *gate_weights, w_hr = weights
    u, c = lstm_cell_reference(x, state, *gate_weights)  # u = o * tanh(c'), before projection
    return u @ w_hr.t(), c


def projected_lstm_layers(
    x: Tensor,
    h0: Tensor,
    c0: Tensor,
    all_weights: Sequence[Sequence[Tensor]],
    bidirectional: bool,
    dropout: float = 0.0,
) -> tuple[Tensor, Tensor, Tensor]:
    """Every layer and direction over time-major x (T, N, features).

    h0 is (layers * D, N, P), c0 (layers * D, N, hidden). Returns (output (T, N, D * P),
    h_n (layers * D, N, P), c_n (layers * D, N, hidden)). ``dropout`` (already 0 outside
    training) zeroes the outputs of every layer but the last, as the fused path does.
    """
    T = x.shape[0]
    D = 2 if bidirectional else 1
    layers = len(all_weights) // D
    finals_h, finals_c = [], []
    for layer in range(layers):
        outputs = []
        for direction in range(D):
            row = layer * D + direction
            state = (h0[row], c0[row])
            hidden: list = [None] * T
            for t in reversed(range(T)) if direction == 1 else range(T):
                state = projected_lstm_cell(x[t], state, all_weights[row])
                hidden[t] = state[0]
            outputs.append(stack(hidden))  # (T, N, P), in input order
            finals_h.append(state[0])
            finals_c.append(state[1])
        x = cat(outputs, dim=2) if D == 2 else outputs[0]  # the next layer's input
        if dropout > 0 and layer < layers - 1:
            x = _DropoutOp(dropout)(x)
    return x, stack(finals_h), stack(finals_c)
