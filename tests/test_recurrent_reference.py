"""The fused recurrent layers agree with their step-by-step reference twins (values and gradients)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn.functional import recurrent_reference as ref

MODES = {
    "rnn_tanh": (lambda **kw: nn.RNN(**kw), lambda x, s, w, **kw: ref.rnn_reference(x, s, w, **kw)),
    "rnn_relu": (
        lambda **kw: nn.RNN(nonlinearity="relu", **kw),
        lambda x, s, w, **kw: ref.rnn_reference(x, s, w, nonlinearity="relu", **kw),
    ),
    "gru": (lambda **kw: nn.GRU(**kw), ref.gru_reference),
    "lstm": (lambda **kw: nn.LSTM(**kw), ref.lstm_reference),
}

# (num_layers, bidirectional, batch_first, give an initial state, bias)
CONFIGS = {
    "one_layer": (1, False, False, False, True),
    "two_layers_initial_state": (2, False, False, True, True),
    "bidirectional": (1, True, False, False, True),
    "bidirectional_two_layers_batch_first_initial_state": (2, True, True, True, True),
    "batch_first_no_bias": (1, False, True, True, False),
}


def _run(mode, config, seed=0):
    """Outputs and gradients of the fused layer and of the reference, on the same numbers."""
    num_layers, bidirectional, batch_first, with_state, bias = CONFIGS[config]
    make_layer, reference = MODES[mode]
    gn.manual_seed(seed)
    T, N, I, H = 5, 3, 4, 6
    layer = make_layer(
        input_size=I,
        hidden_size=H,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        bias=bias,
        dtype=gn.float64,
    )
    rng = np.random.default_rng(seed)
    D = 2 if bidirectional else 1
    x_array = rng.normal(size=(N, T, I) if batch_first else (T, N, I))
    state_arrays = [rng.normal(size=(num_layers * D, N, H)) for _ in range(2)]
    # Fixed upstream gradients for every result, so every output element matters.
    out_weight = rng.normal(size=(N, T, D * H) if batch_first else (T, N, D * H))
    state_weights = [rng.normal(size=(num_layers * D, N, H)) for _ in range(2)]

    def run(use_reference):
        layer.zero_grad()
        x = gn.tensor(x_array, requires_grad=True)
        states = [gn.tensor(a, requires_grad=True) for a in state_arrays]
        if mode == "lstm":
            hx = tuple(states) if with_state else None
        else:
            hx = states[0] if with_state else None
        if use_reference:
            out, final = reference(
                x, hx, layer.all_weights, bidirectional=bidirectional, batch_first=batch_first
            )
        else:
            out, final = layer(x, hx)
        finals = list(final) if mode == "lstm" else [final]
        loss = (out * gn.tensor(out_weight)).sum()
        for f, w in zip(finals, state_weights):
            loss = loss + (f * gn.tensor(w)).sum()
        loss.backward()
        results = {"output": out.numpy().copy()}
        results.update({f"final_{k}": f.numpy().copy() for k, f in enumerate(finals)})
        results["grad_input"] = x.grad.numpy().copy()
        if with_state:
            used = states if mode == "lstm" else states[:1]
            results.update({f"grad_state_{k}": s.grad.numpy().copy() for k, s in enumerate(used)})
        for name, p in layer.named_parameters():
            results[f"grad_{name}"] = p.grad.numpy().copy()
        return results

    return run(use_reference=False), run(use_reference=True)


@pytest.mark.parametrize("config", sorted(CONFIGS), ids=sorted(CONFIGS))
@pytest.mark.parametrize("mode", sorted(MODES), ids=sorted(MODES))
def test_fused_layer_matches_reference(mode, config):
    fused, reference = _run(mode, config)
    assert fused.keys() == reference.keys()
    for key in fused:
        np.testing.assert_allclose(fused[key], reference[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_cells_match_the_fused_single_step_cells():
    gn.manual_seed(3)
    x = gn.randn(2, 4, dtype=gn.float64)
    h = gn.randn(2, 5, dtype=gn.float64)
    c = gn.randn(2, 5, dtype=gn.float64)
    for cell, reference in (
        (nn.RNNCell(4, 5, dtype=gn.float64), ref.rnn_cell_reference),
        (nn.GRUCell(4, 5, dtype=gn.float64), ref.gru_cell_reference),
    ):
        weights = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        np.testing.assert_allclose(
            cell(x, h).numpy(), reference(x, h, *weights).numpy(), rtol=1e-12
        )
    lstm = nn.LSTMCell(4, 5, dtype=gn.float64)
    weights = (lstm.weight_ih, lstm.weight_hh, lstm.bias_ih, lstm.bias_hh)
    for a, b in zip(lstm(x, (h, c)), ref.lstm_cell_reference(x, (h, c), *weights)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
