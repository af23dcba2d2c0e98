"""The compiled recurrent time steps (ops/recurrent_loops.py) agree with the NumPy time loops.

Each case runs one fused sequence op (or a whole nn layer) twice on the same inputs: once with
compiled loops forbidden (``jit.set_enabled(False)``: the NumPy loops, the readable twin) and
once with them forced on small arrays (``MIN_NUMBERS`` lowered), and compares outputs, final
states and every gradient.
"""

import numpy as np
import pytest
from test_nn_recurrent import _op_inputs

import glassnet as gn
from glassnet import jit, nn
from glassnet.ops import recurrent_loops
from glassnet.ops.recurrent import GRUSequence, LSTMSequence

pytest.importorskip("numba")

TOLERANCES = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
DTYPES = [np.float32, np.float64]


@pytest.fixture
def loops_on_small_work(monkeypatch):
    """Compiled loops for any size; the switch returns to the environment's choice after."""
    monkeypatch.setattr(recurrent_loops, "MIN_NUMBERS", 1)
    yield
    jit.set_enabled(None)


def _run_op(make, arrays, g, dtype, compiled):
    jit.set_enabled(compiled)
    inputs = [gn.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y = make()(*inputs)
    grads = gn.autograd.grad(y, inputs, gn.tensor(g.astype(dtype)))
    return [y.numpy().copy()] + [x.numpy() for x in grads]


OPS = [
    ("gru", lambda r: lambda: GRUSequence(reverse=r)),
    ("lstm", lambda r: lambda: LSTMSequence(reverse=r)),
]


@pytest.mark.parametrize("kind,maker", OPS, ids=[k for k, _ in OPS])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(7, 5, 6), (1, 1, 3), (4, 3, 17)], ids=["7x5x6", "1x1x3", "odd"])
def test_compiled_steps_match_numpy_loops(
    loops_on_small_work, kind, maker, reverse, bias, dtype, shape
):
    T, B, H = shape
    arrays = _op_inputs(kind, T, B, H, bias, seed=T * 100 + H)
    g = np.random.default_rng(1).standard_normal((T + (kind == "lstm"), B, H))
    numpy_path = _run_op(maker(reverse), arrays, g, dtype, compiled=False)
    compiled = _run_op(maker(reverse), arrays, g, dtype, compiled=True)
    assert len(numpy_path) == len(compiled)
    for a, b in zip(compiled, numpy_path):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, **TOLERANCES[dtype])


@pytest.mark.parametrize("kind,maker", OPS, ids=[k for k, _ in OPS])
def test_compiled_loops_actually_run(loops_on_small_work, monkeypatch, kind, maker):
    """With numba on, the op calls the compiled loops; switched off, it never does."""
    calls = []
    for name in recurrent_loops.__all__:
        kernel = getattr(recurrent_loops, name)
        if isinstance(kernel, jit.Loop):
            monkeypatch.setattr(
                recurrent_loops, name, lambda *a, _k=kernel, _n=name: calls.append(_n) or _k(*a)
            )
    arrays = _op_inputs(kind, 3, 2, 4, True, seed=3)
    g = np.ones((3 + (kind == "lstm"), 2, 4))
    _run_op(maker(False), arrays, g, np.float64, compiled=False)
    assert calls == []
    _run_op(maker(False), arrays, g, np.float64, compiled=True)
    assert any("backward" in c for c in calls) and any("forward" in c for c in calls)


def test_small_work_stays_on_the_numpy_loops(monkeypatch):
    """Below MIN_NUMBERS the compiled path is not even asked whether it is available."""
    asked = []
    monkeypatch.setattr(jit, "available", lambda: asked.append(1) or True)
    xw = np.zeros((2, 3, 8), np.float32)
    assert xw.size < recurrent_loops.MIN_NUMBERS
    assert not recurrent_loops.worth_using(xw)
    assert asked == []
    big = np.zeros((recurrent_loops.MIN_NUMBERS,), np.float32)
    assert recurrent_loops.worth_using(big) and asked == [1]
    assert not recurrent_loops.worth_using(big.astype(np.float16))


def test_overflowing_pre_activations_saturate_the_gates(loops_on_small_work):
    """Huge pre-activations give gates of exactly 0 or 1 (and tanh of -1 or 1), no NaN."""
    T, B, H = 3, 2, 4
    arrays = _op_inputs("lstm", T, B, H, False, seed=4)
    arrays[0] = arrays[0] * 1e4
    g = np.ones((T + 1, B, H))
    for dtype in DTYPES:
        numpy_path = _run_op(lambda: LSTMSequence(), arrays, g, dtype, compiled=False)
        compiled = _run_op(lambda: LSTMSequence(), arrays, g, dtype, compiled=True)
        for a, b in zip(compiled, numpy_path):
            assert np.isfinite(a).all()
            np.testing.assert_allclose(a, b, **TOLERANCES[dtype])


def test_nan_in_the_input_propagates(loops_on_small_work):
    arrays = _op_inputs("gru", 3, 2, 4, True, seed=5)
    arrays[0][1, 0, 0] = np.nan
    jit.set_enabled(True)
    y = GRUSequence()(*[gn.tensor(a) for a in arrays]).numpy()
    assert np.isnan(y[1:, 0]).any() and np.isfinite(y[:, 1]).all()


LAYERS = [
    ("gru", nn.GRU, {}),
    ("lstm", nn.LSTM, {}),
    ("lstm_2layer_bidirectional", nn.LSTM, dict(num_layers=2, bidirectional=True)),
    ("gru_2layer_bidirectional", nn.GRU, dict(num_layers=2, bidirectional=True)),
]


@pytest.mark.parametrize("cls,kwargs", [c[1:] for c in LAYERS], ids=[c[0] for c in LAYERS])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("given_state", [False, True], ids=["zero_state", "given_state"])
def test_layers_match_with_compiled_steps(loops_on_small_work, cls, kwargs, dtype, given_state):
    """Whole layers (several layers, both directions, initial states or not): outputs, final
    states, and the gradients of the input, the states and every parameter."""
    rng = np.random.default_rng(7)
    T, B, I, H = 5, 3, 4, 6
    directions = 2 if kwargs.get("bidirectional") else 1
    state_shape = (kwargs.get("num_layers", 1) * directions, B, H)
    x = rng.standard_normal((T, B, I)).astype(dtype)
    states = [rng.standard_normal(state_shape).astype(dtype) for _ in range(2)]

    def run(compiled):
        jit.set_enabled(compiled)
        gn.manual_seed(0)
        layer = cls(I, H, **kwargs).to(dtype=gn.float64 if dtype == np.float64 else gn.float32)
        xt = gn.tensor(x, requires_grad=True)
        hx = None
        if given_state:
            hx = [gn.tensor(s, requires_grad=True) for s in states]
            hx = tuple(hx) if cls is nn.LSTM else hx[0]
        out, final = layer(xt, hx)
        finals = list(final) if isinstance(final, tuple) else [final]
        loss = (out * out).sum() + sum((f * f).sum() for f in finals)
        loss.backward()
        results = [out.numpy()] + [f.numpy() for f in finals] + [xt.grad.numpy()]
        if given_state:
            results += [s.grad.numpy() for s in (hx if isinstance(hx, tuple) else [hx])]
        return results + [p.grad.numpy() for p in layer.parameters()]

    numpy_path, compiled = run(False), run(True)
    assert len(numpy_path) == len(compiled)
    for a, b in zip(compiled, numpy_path):
        np.testing.assert_allclose(a, b, **TOLERANCES[dtype])


@pytest.mark.parametrize("kind,maker", OPS, ids=[k for k, _ in OPS])
def test_gradcheck_through_the_compiled_steps(loops_on_small_work, kind, maker):
    """The compiled path's gradients are the true derivatives (float64 finite differences)."""
    jit.set_enabled(True)
    make = maker(True)
    inputs = [gn.tensor(a, requires_grad=True) for a in _op_inputs(kind, 3, 2, 3, True, 8)]
    assert gn.gradcheck(lambda *xs: make()(*xs), *inputs)
