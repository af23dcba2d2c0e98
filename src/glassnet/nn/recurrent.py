"""Recurrent layers (RNN, GRU, LSTM) and their single-step cells, with PyTorch's names, shapes and weights.

A recurrent layer reads a sequence x_1..x_T one step at a time and carries a hidden state h
from each step to the next, so that h_t summarises everything seen so far. All three layers
compute, at each step, gates from the current input and the previous state::

    gates_t = x_t W_ih^T + b_ih  +  h_{t-1} W_hh^T + b_hh

and differ in how the gates update the state (see each class). Parameter names, shapes,
gate order and initialisation are PyTorch's, so a ``state_dict`` copies across 1:1.

How it runs fast: the input part x_t W_ih^T + b_ih does not depend on the state, so it is
computed for all steps with one matrix multiply (for RNN and LSTM, whose biases only matter
as the sum b_ih + b_hh, the sum is added inside the time loop instead); the time loop of each
layer and direction is then a single fused op (``glassnet.ops.recurrent``), whose backward is
backpropagation through time on arrays (and on Tensors when ``create_graph=True``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ..autograd import Op, wrap
from ..creation import empty
from ..dtypes import to_dtype
from ..ops.nn import Dropout as _DropoutOp
from ..ops.nn import Linear as LinearOp
from ..ops.recurrent import GRUSequence, LSTMSequence, RNNSequence
from ..ops.shape import cat, stack
from ..tensor import Tensor
from . import init
from .lstm_projection import projected_lstm_layers
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence, pack_by_order, pad_packed_sequence

__all__ = ["RNNBase", "RNN", "GRU", "LSTM", "RNNCellBase", "RNNCell", "GRUCell", "LSTMCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


def _check_size(who: str, name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum}, got {value!r}")


def _check_device(who: str, device: Any) -> None:
    if device not in (None, "cpu"):
        raise ValueError(f"{who}: glassnet runs on the CPU only, got device={device!r}")


def _zeros_state(shape: tuple, dtype: np.dtype) -> Tensor:
    return wrap(np.zeros(shape, dtype=dtype))


def _mode_for(nonlinearity: str, who: str) -> str:
    """The mode of an Elman layer or cell: 'RNN_TANH' or 'RNN_RELU'."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{who}: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _sequence_op(mode: str, reverse: bool) -> Op:
    """The fused op (ops/recurrent.py) that runs one layer of ``mode`` over a whole sequence."""
    if mode == "LSTM":
        return LSTMSequence(reverse)
    if mode == "GRU":
        return GRUSequence(reverse)
    return RNNSequence("relu" if mode == "RNN_RELU" else "tanh", reverse)


def _project(
    x: Tensor, w_ih: Tensor, b_ih: Tensor | None, b_hh: Tensor | None, fold: bool
) -> tuple[Tensor, tuple]:
    """x W_ih^T + b_ih for every step at once (one matmul); returns it and the extra op inputs.

    For RNN and LSTM both biases only ever appear as the sum b_ih + b_hh, so (``fold``) the
    sequence op gets that sum as its one bias: it adds it inside its time loop, where each step
    adds up its pre-activations anyway, so the (T, B, gates * H) input part is not passed over
    once more here to add a bias (half a millisecond at batch 64, 40 steps, hidden 128). The
    GRU's b_hn sits inside r * (...), so there b_ih joins the product and b_hh goes to the op.
    """
    if b_ih is None:
        return LinearOp()(x, w_ih), ()
    if fold:
        return LinearOp()(x, w_ih), (b_ih + b_hh,)
    return LinearOp()(x, w_ih, b_ih), (b_hh,)


class _Recurrent(Module):
    """What the recurrent layers and cells share: initialisation, dtype checks, running the op.

    A subclass sets ``mode`` ('RNN_TANH', 'RNN_RELU', 'GRU' or 'LSTM'), which picks the gate
    count and the fused op.
    """

    mode: str

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _weight_dtype(self) -> np.dtype:
        return next(iter(self.parameters())).array.dtype  # weight_ih(_l0), the first one

    def _check_dtype(self, x: Tensor, what: str) -> None:
        dtype = self._weight_dtype()
        if x.array.dtype != dtype:
            raise self.dtype_error(what, x.array.dtype, dtype)

    def _split_lstm_state(self, hx: Any, names: tuple[str, str]) -> tuple:
        """An LSTM's ``hx``: None (both states start at zeros) or a pair (h, c) of Tensors."""
        if hx is None:
            return None, None
        if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise self.layer_error(
                f"expected hx to be a tuple ({', '.join(names)}) of two Tensors, "
                f"got {type(hx).__name__}",
                TypeError,
            )
        for state, name in zip(hx, names):
            if not isinstance(state, Tensor):
                self.check_input_shape(state, (), what=name)  # raises the TypeError
        return hx[0], hx[1]

    def _run_sequence(
        self, x: Tensor, h0: Tensor, c0: Tensor | None, weights: list, reverse: bool = False
    ) -> Tensor:
        """One layer and direction over time-major x (T, N, features), as one fused op.

        ``weights`` is [w_ih, w_hh] or [w_ih, w_hh, b_ih, b_hh]. The input part x W_ih^T + b_ih
        is one matrix multiply for all steps; the op returns (T, N, H) (the LSTM: (T + 1, N, H),
        with the final cell state as the last row).
        """
        w_ih, w_hh, b_ih, b_hh = (*weights, None, None)[:4]
        xw, extra = _project(x, w_ih, b_ih, b_hh, fold=self.mode != "GRU")
        op = _sequence_op(self.mode, reverse)
        if self.mode == "LSTM":
            return op(xw, h0, c0, w_hh, *extra)
        return op(xw, h0, w_hh, *extra)


# ----------------------------------------------------------------------------------------------
# Whole-sequence layers
# ----------------------------------------------------------------------------------------------


class RNNBase(_Recurrent):
    """What RNN, GRU and LSTM share: parameters per layer and direction, checks, the layer loop.

    Use the subclasses; ``mode`` is one of 'RNN_TANH', 'RNN_RELU', 'GRU', 'LSTM'.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        if mode not in _GATES:
            raise ValueError(f"{who}: unknown mode {mode!r}, expected one of {sorted(_GATES)}")
        _check_size(who, "input_size", input_size, 0)
        _check_size(who, "hidden_size", hidden_size, 1)
        _check_size(who, "num_layers", num_layers, 1)
        _check_device(who, device)
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{who}: dropout must be a number in [0, 1] (the probability of an element "
                f"being zeroed), got {dropout!r}"
            )
        if isinstance(proj_size, bool) or not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError(f"{who}: proj_size must be an int >= 0, got {proj_size!r}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{who}: proj_size is only supported by LSTM, got {proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(
                f"{who}: proj_size must be smaller than hidden_size ({hidden_size}), "
                f"got {proj_size}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{who}: dropout={dropout} has no effect with num_layers=1: dropout is applied "
                "to the outputs of every layer except the last",
                UserWarning,
                stacklevel=3,
            )
        self.mode = mode
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.num_layers = int(num_layers)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = int(proj_size)
        real_hidden = proj_size if proj_size > 0 else hidden_size  # h's size (the projection's)
        dtype = to_dtype(dtype) if dtype is not None else None
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, real_hidden)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def flatten_parameters(self) -> None:
        """Does nothing (PyTorch needs it for cuDNN; kept so that ported code runs)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction: [[w_ih, w_hh, b_ih, b_hh], ...]
        (with proj_size, w_hr last in each group)."""
        per = (4 if self.bias else 2) + (1 if self.proj_size > 0 else 0)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[k : k + per]] for k in range(0, len(names), per)]

    # ------------------------------------------------------------------ input checks
    def _prepare_input(self, input: Tensor) -> tuple[Tensor, bool]:
        """Check the input; return it as (T, N, input_size) and whether it had a batch axis."""
        batched = ("N", "L", self.input_size) if self.batch_first else ("L", "N", self.input_size)
        self.check_input_shape(input, batched, ("L", self.input_size))
        self._check_dtype(input, "input")
        is_batched = input.ndim == 3
        if not is_batched:
            x = input.unsqueeze(1)
        elif self.batch_first:
            x = input.transpose(0, 1)
        else:
            x = input
        if x.shape[0] == 0:
            raise self.input_error("(L, N, H_in) with a sequence length L >= 1", input.shape)
        return x, is_batched

    def _prepare_state(
        self, h: Any, is_batched: bool, batch: int, what: str, size: int | None = None
    ) -> Tensor:
        """Check an initial state; return it as (num_layers * D, N, size or hidden_size)."""
        rows = self.num_layers * (2 if self.bidirectional else 1)
        size = self.hidden_size if size is None else size
        shape = (rows, batch, size) if is_batched else (rows, size)
        if h is None:
            return _zeros_state((rows, batch, size), self._weight_dtype())
        self.check_input_shape(h, shape, what=what)
        self._check_dtype(h, what)
        return h if is_batched else h.unsqueeze(1)

    # ------------------------------------------------------------------ the layer loop
    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None) -> tuple:
        """Run all layers and directions on time-major x; return (output, h_n, c_n or None)."""
        T = x.shape[0]
        directions = 2 if self.bidirectional else 1
        weights = self.all_weights
        finals_h, finals_c = [], []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                row = layer * directions + direction
                reverse = direction == 1
                c_row = c0[row] if c0 is not None else None
                y = self._run_sequence(layer_input, h0[row], c_row, weights[row], reverse)
                outputs.append(y[:T] if c0 is not None else y)  # the LSTM's last row is c
                finals_h.append(y[0 if reverse else T - 1])  # the state after the last step
                if c0 is not None:
                    finals_c.append(y[T])
            layer_input = outputs[0] if directions == 1 else cat(outputs, dim=2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = _DropoutOp(self.dropout)(layer_input)
        h_n = stack(finals_h)
        c_n = stack(finals_c) if finals_c else None
        return layer_input, h_n, c_n

    def _forward_packed(self, packed: PackedSequence, hx: Any) -> tuple:
        """The layer on a PackedSequence: (packed output, h_n) (for the LSTM, (h_n, c_n)).

        The sequences of each length run together, unpadded, so no step of padding ever
        enters a state: each sequence's h_n is the state after its own last step (in both
        directions, in every layer). ``hx`` and h_n are in the batch's own order, as PyTorch.
        """
        padded, lengths_tensor = pad_packed_sequence(packed)  # (L, N, input), batch order
        lengths = lengths_tensor.numpy()
        if padded.shape[2] != self.input_size:
            raise self.input_error(f"packed steps of {self.input_size} features", padded.shape)
        self._check_dtype(padded, "input")
        lstm = self.mode == "LSTM"
        h0, c0 = self._split_lstm_state(hx, ("h_0", "c_0")) if lstm else (hx, None)
        batch, steps = padded.shape[1], padded.shape[0]
        h0 = self._prepare_state(h0, True, batch, "h_0")
        c0 = self._prepare_state(c0, True, batch, "c_0") if lstm else None
        outputs, finals_h, finals_c, members = [], [], [], []
        for length in sorted(set(lengths.tolist()), reverse=True):
            rows = np.flatnonzero(lengths == length)
            at = wrap(rows.astype(np.int64))
            out, h_n, c_n = self._run(padded[:length][:, at], h0[:, at],
                                      None if c0 is None else c0[:, at])  # fmt: skip
            if length < steps:  # the steps after its end are never packed: any value will do
                tail = _zeros_state((steps - length, len(rows), out.shape[2]), out.dtype)
                out = cat([out, tail])
            outputs.append(out)
            finals_h.append(h_n)
            finals_c.append(c_n)
            members.append(rows)
        back = wrap(np.argsort(np.concatenate(members), kind="stable").astype(np.int64))
        output = cat(outputs, dim=1)[:, back]
        order = None if packed.sorted_indices is None else packed.sorted_indices.numpy()
        result = pack_by_order(output, lengths, order)
        h_n = cat(finals_h, dim=1)[:, back]
        if lstm:
            return result, (h_n, cat(finals_c, dim=1)[:, back])
        return result, h_n

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """RNN's and GRU's forward, (output, h_n) (the LSTM, which also carries c, overrides it)."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, is_batched = self._prepare_input(input)
        h0 = self._prepare_state(hx, is_batched, x.shape[1], "h_0")
        output, h_n, _ = self._run(x, h0, None)
        return self._finish(output, is_batched), h_n if is_batched else h_n.squeeze(1)

    def _finish(self, output: Tensor, is_batched: bool) -> Tensor:
        if not is_batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


_SHAPES_DOC = """
    Shape (D = 2 if bidirectional else 1, L = sequence length, N = batch size):
        input: (L, N, input_size), or (N, L, input_size) with batch_first=True, or
            (L, input_size) for one unbatched sequence.
        {state}: (num_layers * D, N, hidden_size), or (num_layers * D, hidden_size)
            for unbatched input; zeros when not given.
        output: (L, N, D * hidden_size) (batch_first: (N, L, D * hidden_size); unbatched:
            (L, D * hidden_size)): the last layer's hidden state at every step (both
            directions side by side).
"""


class RNN(RNNBase):
    r"""Elman recurrent layer: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    With ``nonlinearity='relu'``, ReLU replaces tanh. Each layer after the first reads the
    hidden states of the layer below as its input sequence.

    Args:
        input_size: number of features of each x_t.
        hidden_size: number of features of the hidden state h.
        num_layers: stacked layers (default 1).
        nonlinearity: 'tanh' (default) or 'relu'.
        bias: use b_ih and b_hh (default True).
        batch_first: input and output are (N, L, features) instead of (L, N, features).
        dropout: probability of zeroing each output of every layer except the last, in
            training mode (default 0).
        bidirectional: add a second pass that reads the sequence backwards (weights with
            the suffix ``_reverse``); the outputs of both passes are concatenated.
        dtype: dtype of the parameters (default float32).

    Attributes:
        weight_ih_l{k}: (hidden_size, input_size) for k = 0, else (hidden_size, D * hidden_size).
        weight_hh_l{k}: (hidden_size, hidden_size).
        bias_ih_l{k}, bias_hh_l{k}: (hidden_size,).
        All initialised from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    {shapes}
        h_n: (num_layers * D, N, hidden_size): the final hidden state of every layer and
            direction (for the reverse direction, after it has read x_1).

    Returns:
        (output, h_n).

    Example::

        >>> rnn = nn.RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(glassnet.randn(5, 3, 10))     # L=5, N=3
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            _mode_for(nonlinearity, "RNN"),
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity


class GRU(RNNBase):
    r"""Gated recurrent unit layer (Cho et al., 2014), with PyTorch's equations::

        r_t = sigmoid(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr)       reset gate
        z_t = sigmoid(x_t W_iz^T + b_iz + h_{t-1} W_hz^T + b_hz)       update gate
        n_t = tanh(x_t W_in^T + b_in + r_t * (h_{t-1} W_hn^T + b_hn))  candidate state
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    z decides how much of the old state to keep; r how much of it the candidate may see.
    Note b_hn sits inside the product with r (as in PyTorch and cuDNN), so b_hh cannot be
    folded into b_ih.

    Args: as for ``RNN``, without ``nonlinearity``: ``GRU(input_size, hidden_size,
    num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False)``.

    Attributes:
        weight_ih_l{k}: (3 * hidden_size, input_size or D * hidden_size), blocks W_ir | W_iz | W_in.
        weight_hh_l{k}: (3 * hidden_size, hidden_size), blocks W_hr | W_hz | W_hn.
        bias_ih_l{k}, bias_hh_l{k}: (3 * hidden_size,).
        All initialised from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    {shapes}
        h_n: (num_layers * D, N, hidden_size).

    Returns:
        (output, h_n).

    Example::

        >>> gru = nn.GRU(10, 20, batch_first=True)
        >>> output, h_n = gru(glassnet.randn(3, 5, 10))     # N=3, L=5
        >>> output.shape, h_n.shape
        ((3, 5, 20), (1, 3, 20))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("GRU", *args, **kwargs)  # the arguments of RNNBase, after its mode


class LSTM(RNNBase):
    r"""Long short-term memory layer (Hochreiter & Schmidhuber, 1997), with PyTorch's equations::

        i_t = sigmoid(x_t W_ii^T + b_ii + h_{t-1} W_hi^T + b_hi)   input gate
        f_t = sigmoid(x_t W_if^T + b_if + h_{t-1} W_hf^T + b_hf)   forget gate
        g_t = tanh(x_t W_ig^T + b_ig + h_{t-1} W_hg^T + b_hg)      cell candidate
        o_t = sigmoid(x_t W_io^T + b_io + h_{t-1} W_ho^T + b_ho)   output gate
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    The cell state c is the layer's long-term memory: it changes only through the gated
    sum, so gradients can flow along it over many steps without vanishing.

    Args: as for ``RNN``, without ``nonlinearity``: ``LSTM(input_size, hidden_size,
    num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False,
    proj_size=0)``. With ``0 < proj_size < hidden_size`` the hidden state is projected,
    h_t = W_hr (o_t * tanh(c_t)) (see nn/lstm_projection.py): h and the output have proj_size
    features, weight_hh_l{k} is (4 * hidden_size, proj_size) and weight_hr_l{k} is
    (proj_size, hidden_size).

    Attributes:
        weight_ih_l{k}: (4 * hidden_size, input_size or D * hidden_size), blocks
            W_ii | W_if | W_ig | W_io.
        weight_hh_l{k}: (4 * hidden_size, hidden_size), blocks W_hi | W_hf | W_hg | W_ho.
        bias_ih_l{k}, bias_hh_l{k}: (4 * hidden_size,).
        All initialised from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    {shapes}
        h_n, c_n: (num_layers * D, N, hidden_size): final hidden and cell states.

    Returns:
        (output, (h_n, c_n)).

    Example::

        >>> lstm = nn.LSTM(10, 20, num_layers=2)
        >>> x, h0, c0 = glassnet.randn(5, 3, 10), glassnet.zeros(2, 3, 20), glassnet.zeros(2, 3, 20)
        >>> output, (h_n, c_n) = lstm(x, (h0, c0))
        >>> output.shape, h_n.shape, c_n.shape
        ((5, 3, 20), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)  # the arguments of RNNBase, after its mode

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if isinstance(input, PackedSequence):
            if self.proj_size > 0:
                raise NotImplementedError(
                    "LSTM: a PackedSequence input with proj_size > 0 is not supported by "
                    "glassnet yet (pad the sequences, or use proj_size=0)"
                )
            return self._forward_packed(input, hx)
        x, is_batched = self._prepare_input(input)
        h0, c0 = self._split_lstm_state(hx, ("h_0", "c_0"))
        h0 = self._prepare_state(h0, is_batched, x.shape[1], "h_0", self.proj_size or None)
        c0 = self._prepare_state(c0, is_batched, x.shape[1], "c_0")
        if self.proj_size > 0:  # the projected cell, in plain Tensor ops (lstm_projection.py)
            dropout = self.dropout if self.training else 0.0
            output, h_n, c_n = projected_lstm_layers(
                x, h0, c0, self.all_weights, self.bidirectional, dropout
            )
        else:
            output, h_n, c_n = self._run(x, h0, c0)
        if not is_batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(output, is_batched), (h_n, c_n)


for _cls, _state in ((RNN, "h_0"), (GRU, "h_0"), (LSTM, "h_0, c_0")):
    _cls.__doc__ = _cls.__doc__.replace("{shapes}", _SHAPES_DOC.format(state=_state).strip())


# ----------------------------------------------------------------------------------------------
# Single-step cells
# ----------------------------------------------------------------------------------------------


class RNNCellBase(_Recurrent):
    """What RNNCell, GRUCell and LSTMCell share: the four parameters, checks, forward, repr."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        _check_size(who, "input_size", input_size, 0)
        _check_size(who, "hidden_size", hidden_size, 1)
        _check_device(who, device)
        dtype = to_dtype(dtype) if dtype is not None else None
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.bias = bool(bias)
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(gate_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gate_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gate_size, dtype=dtype))
            self.bias_hh = Parameter(empty(gate_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def _prepare(self, input: Tensor, hx: Any, what: str = "hx") -> tuple:
        """Check input and state; return (x (N, input_size), h (N, H), whether batched)."""
        self.check_input_shape(input, ("N", self.input_size), (self.input_size,))
        self._check_dtype(input, "input")
        is_batched = input.ndim == 2
        x = input if is_batched else input.unsqueeze(0)
        H = self.hidden_size
        if hx is None:
            h = _zeros_state((x.shape[0], H), self._weight_dtype())
        else:
            self.check_input_shape(hx, (x.shape[0], H) if is_batched else (H,), what=what)
            self._check_dtype(hx, what)
            h = hx if is_batched else hx.unsqueeze(0)
        return x, h, is_batched

    def _step(self, x: Tensor, h: Tensor, c: Tensor | None = None) -> Tensor:
        """One step, run as a sequence of length 1: (1, N, H) (the LSTM: (2, N, H), rows h', c')."""
        weights = [self.weight_ih, self.weight_hh]
        if self.bias:
            weights += [self.bias_ih, self.bias_hh]
        return self._run_sequence(x.unsqueeze(0), h, c, weights)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """RNNCell's and GRUCell's forward: h' (the LSTMCell, which also carries c, overrides it)."""
        x, h, is_batched = self._prepare(input, hx)
        y = self._step(x, h)
        return y[0] if is_batched else y[0, 0]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s


_CELL_SHAPES = """
    Shape:
        input: (N, input_size) or (input_size,) (unbatched).
        {state}: (N, hidden_size) or (hidden_size,); zeros when not given.
"""


class RNNCell(RNNCellBase):
    r"""One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Args:
        input_size, hidden_size: features of x and of h.
        bias: use b_ih and b_hh (default True).
        nonlinearity: 'tanh' (default) or 'relu'.
        dtype: dtype of the parameters (default float32).

    Attributes:
        weight_ih (hidden_size, input_size), weight_hh (hidden_size, hidden_size),
        bias_ih, bias_hh (hidden_size,); all from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    {shapes}
        output h': same shape as h.

    Example::

        >>> cell = nn.RNNCell(10, 20)
        >>> h = glassnet.zeros(3, 20)
        >>> for x_t in glassnet.randn(6, 3, 10):      # loop over the time steps yourself
        ...     h = cell(x_t, h)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        mode = _mode_for(nonlinearity, "RNNCell")
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.mode = mode
        self.nonlinearity = nonlinearity


class GRUCell(RNNCellBase):
    r"""One step of a GRU::

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    Args: as for ``RNNCell``, without ``nonlinearity``: ``GRUCell(input_size, hidden_size,
    bias=True)``.

    Attributes:
        weight_ih (3 * hidden_size, input_size), weight_hh (3 * hidden_size, hidden_size),
        bias_ih, bias_hh (3 * hidden_size,), gate blocks in the order r, z, n; all from
        U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    {shapes}
        output h': same shape as h.

    Example::

        >>> cell = nn.GRUCell(10, 20)
        >>> h = cell(glassnet.randn(3, 10))          # h starts at zeros
        >>> h.shape
        (3, 20)
    """

    mode = "GRU"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)


class LSTMCell(RNNCellBase):
    r"""One step of an LSTM::

        i = sigmoid(x W_ii^T + b_ii + h W_hi^T + b_hi)
        f = sigmoid(x W_if^T + b_if + h W_hf^T + b_hf)
        g = tanh(x W_ig^T + b_ig + h W_hg^T + b_hg)
        o = sigmoid(x W_io^T + b_io + h W_ho^T + b_ho)
        c' = f * c + i * g
        h' = o * tanh(c')

    Args: as for ``RNNCell``, without ``nonlinearity``: ``LSTMCell(input_size, hidden_size,
    bias=True)``.

    Attributes:
        weight_ih (4 * hidden_size, input_size), weight_hh (4 * hidden_size, hidden_size),
        bias_ih, bias_hh (4 * hidden_size,), gate blocks in the order i, f, g, o; all from
        U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    {shapes}
        output (h', c'): each the shape of h.

    Example::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = glassnet.zeros(3, 20), glassnet.zeros(3, 20)
        >>> for x_t in glassnet.randn(6, 3, 10):
        ...     h, c = cell(x_t, (h, c))
    """

    mode = "LSTM"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        h0, c0 = self._split_lstm_state(hx, ("h", "c"))
        x, h, is_batched = self._prepare(input, h0, "h")
        if c0 is None:
            c = _zeros_state(h.shape, self._weight_dtype())
        else:
            self.check_input_shape(c0, h.shape if is_batched else h.shape[1:], what="c")
            self._check_dtype(c0, "c")
            c = c0 if is_batched else c0.unsqueeze(0)
        y = self._step(x, h, c)
        if is_batched:
            return y[0], y[1]
        return y[0, 0], y[1, 0]


for _cls, _state in ((RNNCell, "hx"), (GRUCell, "hx"), (LSTMCell, "hx = (h, c)")):
    _cls.__doc__ = _cls.__doc__.replace("{shapes}", _CELL_SHAPES.format(state=_state).strip())
