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
from glassnet.ops.recurrent_loops import sigmoid_float32, tanh_float32

pytest.importorskip("numba")

TOLERANCES = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
DTYPES = [np.float32, np.float64]


@pytest.fixture(params=["whole_sequence", "step_loops"])
def loops_on_small_work(monkeypatch, request):
    """Compiled loops for any size, in both forms: whole sequences in one call where they apply
    (BLAS called from the compiled loop) and the loops of one step around NumPy's products.
    The switch returns to the environment's choice after."""
    monkeypatch.setattr(recurrent_loops, "MIN_NUMBERS", 1)
    if request.param == "step_loops":
        monkeypatch.setattr(recurrent_loops, "sequence_gemm", lambda xw: None)
    yield request.param
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


@pytest.mark.parametrize("kind,maker", OPS, ids=[k for k, _ in OPS])
def test_whole_sequence_loops_run_where_they_apply(loops_on_small_work, monkeypatch, kind, maker):
    """float32 GRUs and LSTMs run forward and backward as whole-sequence calls; float64 only
    backward (its forward keeps NumPy's tanh); without NumPy's BLAS gemm (``sequence_gemm``
    None), neither."""
    calls = []
    names = (f"{kind}_sequence_forward", f"{kind}_sequence_backward")
    for name in names:
        kernel = getattr(recurrent_loops, name)
        monkeypatch.setattr(
            recurrent_loops, name, lambda *a, _k=kernel, _n=name: calls.append(_n) or _k(*a)
        )
    arrays = _op_inputs(kind, 3, 2, 4, True, seed=3)
    g = np.ones((3 + (kind == "lstm"), 2, 4))
    _run_op(maker(False), arrays, g, np.float32, compiled=True)
    whole = loops_on_small_work == "whole_sequence"
    assert calls == (list(names) if whole else [])
    calls.clear()
    _run_op(maker(False), arrays, g, np.float64, compiled=True)
    assert calls == ([names[1]] if whole else [])


@pytest.mark.parametrize("kind,maker", OPS, ids=[k for k, _ in OPS])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_rows_split_over_threads_give_the_same_sequence(monkeypatch, kind, maker, reverse):
    """The whole-sequence loops cut the batch into ranges of rows run at the same time; each
    range writes only its rows, so one range and two give identical outputs and gradients."""
    from glassnet.ops import recurrent

    monkeypatch.setattr(recurrent_loops, "MIN_NUMBERS", 1)
    monkeypatch.setattr(recurrent, "_MIN_UNLOCKED_STEP_ELEMENTS", 1)
    arrays = _op_inputs(kind, 6, 9, 5, True, seed=8)
    g = np.random.default_rng(2).standard_normal((6 + (kind == "lstm"), 9, 5))
    results = []
    try:
        for threads in (1, 2):
            gn.set_num_threads(threads)
            results.append(_run_op(maker(reverse), arrays, g, np.float32, True))
    finally:
        gn.set_num_threads(None)
        jit.set_enabled(None)
    for one_range, two_ranges in zip(*results):
        np.testing.assert_array_equal(one_range, two_ranges)


def test_tanh_float32_is_within_a_few_units_in_the_last_place():
    """The ratio of polynomials agrees with tanh (computed in float64) to 4e-7 over the whole
    float32 line, is odd, exact at 0, saturates at +-1 and keeps NaN; compiled and in Python."""
    x = np.linspace(-12, 12, 400_001, dtype=np.float32)
    x = np.concatenate([x, np.float32([1e-30, -1e-30, 1e-8, 50, -50, 3e38, np.inf, -np.inf])])
    out = np.empty_like(x)
    fill = jit.loop(_apply_tanh_float32)
    fill(x, out)
    exact = np.tanh(x.astype(np.float64))
    assert out.dtype == np.float32
    assert np.max(np.abs(out - exact)) < 4e-7
    tiny = np.abs(x) < 1e-3  # near 0 the error is relative: tanh(x) = x (1 - x**2 / 3 ...)
    np.testing.assert_allclose(out[tiny], exact[tiny], rtol=4e-7, atol=0)
    mirrored = np.empty_like(x)
    fill(-x, mirrored)
    np.testing.assert_array_equal(out, -mirrored)
    assert np.abs(out).max() == 1.0
    nan_out = np.empty(1, np.float32)
    fill(np.float32([np.nan]), nan_out)
    assert np.isnan(nan_out[0])
    some = x[::4001]
    np.testing.assert_allclose(fill_python(some), out[::4001], rtol=1e-6, atol=1e-7)


def test_sigmoid_float32_is_within_2_5e_7_and_stays_in_0_1():
    x = np.linspace(-30, 30, 600_001, dtype=np.float32)
    out = np.empty_like(x)
    jit.loop(_apply_sigmoid_float32)(x, out)
    exact = 1 / (1 + np.exp(-x.astype(np.float64)))
    assert np.max(np.abs(out - exact)) < 2.5e-7
    assert out.min() >= 0 and out.max() <= 1
    np.testing.assert_allclose(out[x == 0], 0.5, rtol=0, atol=0)


def _apply_sigmoid_float32(x, out):
    for i in range(x.size):
        out[i] = sigmoid_float32(x[i])


def _apply_tanh_float32(x, out):
    for i in range(x.size):
        out[i] = tanh_float32(x[i])


def fill_python(x):
    """The same function run by the Python interpreter (``Loop.python``), number by number."""
    return np.array([recurrent_loops.tanh_float32.python(v) for v in x], dtype=np.float32)


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
