"""Recurrent layers without torch: gradient checks, the fused ops' two backward forms, shapes, errors."""

import math
import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.ops.recurrent import GRUSequence, LSTMSequence, RNNSequence
from glassnet.split_work import run_split


def _t(a, requires_grad=True):
    return gn.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _swap_params(module, names, tensors):
    """Put ``tensors`` in place of the named parameters (gradcheck passes its own copies)."""
    saved = []
    for name, t in zip(names, tensors):
        owner = module.get_submodule(name.rpartition(".")[0]) if "." in name else module
        attr = name.rpartition(".")[2]
        saved.append((owner, attr, owner._parameters[attr]))
        owner._parameters[attr] = t
    return saved


def _restore(saved):
    for owner, attr, p in saved:
        owner._parameters[attr] = p


def _flat(*ts):
    return gn.cat([t.reshape(-1) for t in ts])


# ----------------------------------------------------------------------------------------------
# Gradient checks of whole layers (float64, seq 3, batch 2, hidden 3)
# ----------------------------------------------------------------------------------------------

LAYER_CASES = [
    ("rnn_tanh", nn.RNN, {}),
    ("rnn_relu_2layers", nn.RNN, {"nonlinearity": "relu", "num_layers": 2}),
    ("rnn_no_bias_bidirectional", nn.RNN, {"bias": False, "bidirectional": True}),
    ("gru", nn.GRU, {}),
    ("gru_2layers_batch_first", nn.GRU, {"num_layers": 2, "batch_first": True}),
    ("gru_bidirectional", nn.GRU, {"bidirectional": True}),
    ("lstm", nn.LSTM, {}),
    ("lstm_2layers_batch_first", nn.LSTM, {"num_layers": 2, "batch_first": True}),
    ("lstm_bidirectional_2layers", nn.LSTM, {"bidirectional": True, "num_layers": 2}),
    ("lstm_no_bias", nn.LSTM, {"bias": False}),
]


@pytest.mark.parametrize(
    "cls,kwargs", [c[1:] for c in LAYER_CASES], ids=[c[0] for c in LAYER_CASES]
)
def test_layer_gradcheck_with_initial_state(cls, kwargs):
    T, N, I, H = 3, 2, 2, 3
    m = cls(I, H, **kwargs).double()
    rows = m.num_layers * (2 if m.bidirectional else 1)
    rng = _rng(1)
    x = rng.standard_normal((N, T, I) if m.batch_first else (T, N, I))
    h0 = rng.standard_normal((rows, N, H)) * 0.5
    names = [n for n, _ in m.named_parameters()]
    params = [p.numpy().copy() for _, p in m.named_parameters()]
    is_lstm = cls is nn.LSTM

    def f(x, h0, *rest):
        if is_lstm:
            c0, ps = rest[0], rest[1:]
        else:
            ps = rest
        saved = _swap_params(m, names, ps)
        try:
            if is_lstm:
                out, (h_n, c_n) = m(x, (h0, c0))
                return _flat(out, h_n, c_n)
            out, h_n = m(x, h0)
            return _flat(out, h_n)
        finally:
            _restore(saved)

    inputs = [_t(x), _t(h0)]
    if is_lstm:
        inputs.append(_t(rng.standard_normal((rows, N, H)) * 0.5))
    assert gn.gradcheck(f, *inputs, *[_t(p) for p in params])


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM], ids=["rnn", "gru", "lstm"])
def test_layer_gradcheck_default_state_unbatched(cls):
    m = cls(2, 3).double()
    x = _rng(2).standard_normal((3, 2))  # (L, H_in): one sequence without a batch axis

    def f(x):
        out, h = m(x)
        return _flat(out, *(h if isinstance(h, tuple) else (h,)))

    assert gn.gradcheck(f, _t(x))


CELL_CASES = [
    ("rnn_cell_tanh", nn.RNNCell, {}),
    ("rnn_cell_relu", nn.RNNCell, {"nonlinearity": "relu"}),
    ("gru_cell", nn.GRUCell, {}),
    ("lstm_cell", nn.LSTMCell, {}),
    ("lstm_cell_no_bias", nn.LSTMCell, {"bias": False}),
]


@pytest.mark.parametrize("cls,kwargs", [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_cell_gradcheck(cls, kwargs, batched):
    m = cls(2, 3, **kwargs).double()
    rng = _rng(3)
    shape = (2,) if not batched else (4, 2)
    hshape = (3,) if not batched else (4, 3)
    names = [n for n, _ in m.named_parameters()]
    is_lstm = cls is nn.LSTMCell

    def f(x, h, c, *ps):
        saved = _swap_params(m, names, ps)
        try:
            if is_lstm:
                return _flat(*m(x, (h, c)))
            return m(x, h)
        finally:
            _restore(saved)

    inputs = [
        _t(rng.standard_normal(shape)),
        _t(rng.standard_normal(hshape)),
        _t(rng.standard_normal(hshape), requires_grad=is_lstm),
    ]
    assert gn.gradcheck(f, *inputs, *[_t(p.numpy()) for _, p in m.named_parameters()])


# ----------------------------------------------------------------------------------------------
# The fused ops: second derivatives (create_graph path) and fast path == graph path
# ----------------------------------------------------------------------------------------------


def _op_inputs(kind, T=2, B=2, H=2, bias=True, seed=4):
    rng = _rng(seed)
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[kind]
    xs = [rng.standard_normal((T, B, gates * H)), rng.standard_normal((B, H)) * 0.5]
    if kind == "lstm":
        xs.append(rng.standard_normal((B, H)) * 0.5)
    xs.append(rng.standard_normal((gates * H, H)) * 0.5)
    if bias:
        xs.append(rng.standard_normal(gates * H) * 0.5)
    return xs


OP_CASES = [
    ("rnn_tanh", "rnn", lambda r: RNNSequence("tanh", reverse=r)),
    ("rnn_relu", "rnn", lambda r: RNNSequence("relu", reverse=r)),
    ("gru", "gru", lambda r: GRUSequence(reverse=r)),
    ("lstm", "lstm", lambda r: LSTMSequence(reverse=r)),
]


@pytest.mark.parametrize("kind,make", [c[1:] for c in OP_CASES], ids=[c[0] for c in OP_CASES])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_sequence_op_gradcheck_and_gradgradcheck(kind, make, reverse):
    inputs = [_t(a) for a in _op_inputs(kind)]
    assert gn.gradcheck(lambda *xs: make(reverse)(*xs), *inputs)
    assert gn.gradgradcheck(lambda *xs: make(reverse)(*xs), *inputs)


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM], ids=["rnn", "gru", "lstm"])
def test_layer_second_derivative_wrt_input(cls):
    """create_graph=True through a whole 2-layer bidirectional layer (e.g. gradient penalties)."""
    m = cls(2, 2, num_layers=2, bidirectional=True).double()
    x = _rng(9).standard_normal((2, 1, 2))
    assert gn.gradgradcheck(lambda x: m(x)[0], _t(x))


@pytest.mark.parametrize("kind,make", [c[1:] for c in OP_CASES], ids=[c[0] for c in OP_CASES])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_fast_backward_matches_graph_backward(kind, make, reverse, bias):
    """The array BPTT (first order) and the Tensor BPTT (create_graph) give the same gradients."""
    arrays = _op_inputs(kind, T=6, B=3, H=4, bias=bias, seed=5)
    inputs = [gn.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    y = make(reverse)(*inputs)
    g = gn.tensor(_rng(6).standard_normal(y.shape).astype(np.float32))
    fast = gn.autograd.grad(y, inputs, g, retain_graph=True)
    graph = gn.autograd.grad(y, inputs, g, create_graph=True)
    assert graph[0].requires_grad  # recorded: differentiable again
    for a, b in zip(fast, graph):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind,make", [c[1:] for c in OP_CASES], ids=[c[0] for c in OP_CASES])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_time_loops_split_over_batch_rows_match_one_range(monkeypatch, kind, make, reverse):
    """The time loops run over ranges of batch rows on two threads give what one range gives."""
    import glassnet.ops.recurrent as recurrent

    arrays = _op_inputs(kind, T=5, B=7, H=3, seed=8)  # 7 rows: ranges of unequal length
    g = _rng(9).standard_normal((5 + (kind == "lstm"), 7, 3))

    def run(threads):
        monkeypatch.setenv("GLASSNET_NUM_THREADS", str(threads))
        inputs = [gn.tensor(a, requires_grad=True) for a in arrays]
        y = make(reverse)(*inputs)
        grads = gn.autograd.grad(y, inputs, gn.tensor(g))
        return [y.numpy().copy()] + [x.numpy() for x in grads]

    monkeypatch.setattr(recurrent, "_MIN_STEP_ELEMENTS", 1)  # split even these tiny arrays
    calls = []
    monkeypatch.setattr(recurrent, "run_split", lambda *a: calls.append(a[1:]) or run_split(*a))
    split, whole = run(2), run(1)
    assert (7, 1) in calls  # the batch's 7 rows were offered for splitting, a row at least
    for a, b in zip(split, whole):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_sequence_op_skips_gradients_nobody_needs():
    xw, h0, w = (gn.tensor(a.astype(np.float32)) for a in _op_inputs("rnn", bias=False))
    w.requires_grad_()
    y = RNNSequence()(xw, h0, w)
    y.sum().backward()
    assert w.grad is not None and xw.grad is None and h0.grad is None


def test_in_place_change_of_output_is_detected():
    xw, h0, c0, w = (gn.tensor(a, requires_grad=True) for a in _op_inputs("lstm", bias=False))
    y = LSTMSequence()(xw, h0, c0, w)
    y2 = y * 1.0
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="in-place"):
        y2.sum().backward()


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM], ids=["rnn", "gru", "lstm"])
def test_reused_workspace_never_overwrites_live_results(cls):
    """The ops recycle their big arrays only once nothing refers to them any more."""
    m = cls(3, 5, bidirectional=True)
    xs = [gn.randn(6, 4, 3) for _ in range(3)]
    with gn.no_grad():
        first = [m(x)[0] for x in xs]  # outputs kept alive while later calls run
        copies = [y.numpy().copy() for y in first]
        for x in xs:
            m(x)  # results dropped at once: their arrays become free again
        for y, c in zip(first, copies):
            np.testing.assert_array_equal(y.numpy(), c)
    # Saved state of two live graphs, and a retained graph run twice, stay intact.
    outs = [m(x)[0] for x in xs[:2]]
    grads = []
    for y in outs:
        m.zero_grad()
        y.sum().backward(retain_graph=True)
        grads.append([p.grad.numpy().copy() for p in m.parameters()])
        m(xs[2])[0].sum().backward()  # another call in between
        m.zero_grad()
        y.sum().backward()
        for a, p in zip(grads[-1], m.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), a, rtol=1e-6)
    assert not np.allclose(grads[0][0], grads[1][0])


def test_workspace_reuses_only_free_arrays_and_stays_bounded():
    from glassnet.ops.array_pool import ArrayPool as _Workspace

    ws = _Workspace(max_bytes=100)
    a = ws.empty((2, 5), np.float32)  # 40 bytes, pooled
    b = ws.empty((10,), np.float32)  # a is alive: a second array
    assert a.base is not b.base and len(ws._arrays) == 2
    base_id = id(a.base)  # (holding a.base itself would keep the array in use)
    del a
    c = ws.empty((5, 2), np.float32)  # a's array is free again: reused
    assert id(c.base) == base_id
    d = ws.empty((20,), np.float32)  # 80 more bytes would exceed the cap: not pooled
    assert len(ws._arrays) == 2 and d.base is not None and d.base.size == 20
    del b, c
    ws.empty((20,), np.float32)  # free arrays make room for a new one
    assert sum(x.nbytes for x in ws._arrays) <= 100


# ----------------------------------------------------------------------------------------------
# Behaviour: shapes, layouts, cells vs layers, states, dropout, modes
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM], ids=["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_output_shapes(cls, bidirectional):
    m = cls(5, 7, num_layers=3, bidirectional=bidirectional)
    D = 2 if bidirectional else 1
    out, h = m(gn.randn(4, 2, 5))
    h_n = h[0] if cls is nn.LSTM else h
    assert out.shape == (4, 2, D * 7) and h_n.shape == (3 * D, 2, 7)
    if cls is nn.LSTM:
        assert h[1].shape == (3 * D, 2, 7)
    out, h = cls(5, 7, batch_first=True, bidirectional=bidirectional)(gn.randn(2, 4, 5))
    assert out.shape == (2, 4, D * 7)
    out, h = cls(5, 7, num_layers=2, bidirectional=bidirectional)(gn.randn(4, 5))
    h_n = h[0] if cls is nn.LSTM else h
    assert out.shape == (4, D * 7) and h_n.shape == (2 * D, 7)


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM], ids=["rnn", "gru", "lstm"])
def test_batch_first_and_unbatched_agree_with_time_major(cls):
    m = cls(3, 4, num_layers=2, bidirectional=True)
    x = gn.randn(5, 2, 3)
    out, h = m(x)
    m.batch_first = True
    out_bf, h_bf = m(x.transpose(0, 1))
    np.testing.assert_allclose(out_bf.numpy(), out.transpose(0, 1).numpy(), rtol=1e-6)
    m.batch_first = False
    out_1, _ = m(x[:, 1])  # the second sequence alone, unbatched
    np.testing.assert_allclose(out_1.numpy(), out[:, 1].numpy(), rtol=1e-5, atol=1e-6)
    h_n = h[0] if cls is nn.LSTM else h
    h_bf = h_bf[0] if cls is nn.LSTM else h_bf
    np.testing.assert_allclose(h_bf.numpy(), h_n.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "layer_cls,cell_cls",
    [(nn.RNN, nn.RNNCell), (nn.GRU, nn.GRUCell), (nn.LSTM, nn.LSTMCell)],
    ids=["rnn", "gru", "lstm"],
)
def test_cell_steps_reproduce_the_layer(layer_cls, cell_cls):
    layer = layer_cls(3, 4)
    cell = cell_cls(3, 4)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).numpy()[...] = getattr(layer, name + "_l0").numpy()
    x = gn.randn(6, 2, 3)
    out, h_n = layer(x)
    state = None
    for t in range(6):
        state = cell(x[t], state)
        h = state[0] if isinstance(state, tuple) else state
        np.testing.assert_allclose(h.numpy(), out[t].numpy(), rtol=1e-5, atol=1e-6)
    if layer_cls is nn.LSTM:
        np.testing.assert_allclose(state[1].numpy(), h_n[1][0].numpy(), rtol=1e-5, atol=1e-6)


def test_lstm_equations_by_hand():
    """One LSTM step computed from the docstring equations with NumPy."""
    m = nn.LSTM(2, 3).double()
    rng = _rng(7)
    x, h0, c0 = (
        rng.standard_normal((1, 1, 2)),
        rng.standard_normal((1, 1, 3)),
        rng.standard_normal((1, 1, 3)),
    )
    out, (h1, c1) = m(_t(x, False), (_t(h0, False), _t(c0, False)))
    z = (
        x[0] @ m.weight_ih_l0.numpy().T
        + m.bias_ih_l0.numpy()
        + h0[0] @ m.weight_hh_l0.numpy().T
        + m.bias_hh_l0.numpy()
    )
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    i, f, g, o = sig(z[:, :3]), sig(z[:, 3:6]), np.tanh(z[:, 6:9]), sig(z[:, 9:])
    c = f * c0[0] + i * g
    np.testing.assert_allclose(c1.numpy()[0], c, rtol=1e-12)
    np.testing.assert_allclose(h1.numpy()[0], o * np.tanh(c), rtol=1e-12)
    np.testing.assert_allclose(out.numpy()[0], o * np.tanh(c), rtol=1e-12)


def test_gru_equations_by_hand():
    m = nn.GRU(2, 3).double()
    rng = _rng(8)
    x, h0 = rng.standard_normal((1, 1, 2)), rng.standard_normal((1, 1, 3))
    _, h1 = m(_t(x, False), _t(h0, False))
    gi = x[0] @ m.weight_ih_l0.numpy().T + m.bias_ih_l0.numpy()
    gh = h0[0] @ m.weight_hh_l0.numpy().T + m.bias_hh_l0.numpy()
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    r, z = sig(gi[:, :3] + gh[:, :3]), sig(gi[:, 3:6] + gh[:, 3:6])
    n = np.tanh(gi[:, 6:] + r * gh[:, 6:])
    np.testing.assert_allclose(h1.numpy()[0], (1 - z) * n + z * h0[0], rtol=1e-12)


def test_reverse_direction_reads_the_sequence_backwards():
    m = nn.GRU(2, 3, bidirectional=True)
    x = gn.randn(4, 1, 2)
    out, h_n = m(x)
    fwd = nn.GRU(2, 3)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(fwd, name + "_l0").numpy()[...] = getattr(m, name + "_l0_reverse").numpy()
    out_rev, h_rev = fwd(x.flip(0))
    np.testing.assert_allclose(out[:, :, 3:].numpy(), out_rev.flip(0).numpy(), rtol=1e-5)
    np.testing.assert_allclose(h_n[1].numpy(), h_rev[0].numpy(), rtol=1e-5)


def test_saturated_gates_stay_finite():
    """Huge pre-activations saturate sigmoid/tanh without overflow warnings or NaN."""
    m = nn.LSTM(2, 3)
    for p in m.parameters():
        p.numpy()[...] = 50.0
    x = gn.tensor([[[100.0, -100.0]], [[-1e4, 1e4]]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, (h, c) = m(x)
        out.sum().backward()
    assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(x.grad.numpy()))
    assert np.all(np.abs(out.numpy()) <= 1) and np.all(np.isfinite(c.numpy()))
    np.testing.assert_allclose(out.numpy()[0], np.tanh(1.0), rtol=1e-6)  # i = f = o = g = 1, c = 1


def test_dropout_between_layers_only_in_training():
    gn.manual_seed(0)
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = gn.randn(4, 2, 3)
    a, _ = m(x)
    b, _ = m(x)
    assert not np.allclose(a.numpy(), b.numpy())  # fresh masks each call
    m.eval()
    c, _ = m(x)
    d, _ = m(x)
    np.testing.assert_array_equal(c.numpy(), d.numpy())
    m2 = nn.LSTM(3, 8, num_layers=2)
    m2.load_state_dict(m.state_dict())
    np.testing.assert_allclose(m2(x)[0].numpy(), c.numpy(), rtol=1e-6)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(3, 4, dropout=0.2)


def test_initialisation_range_and_reproducibility():
    gn.manual_seed(3)
    m = nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    bound = 1 / math.sqrt(16)
    for _, p in m.named_parameters():
        assert p.dtype == np.float32
        assert np.abs(p.numpy()).max() <= bound and p.numpy().std() > bound / 3
    gn.manual_seed(3)
    m2 = nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    for (_, p), (_, q) in zip(m.named_parameters(), m2.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_parameter_names_and_shapes_follow_pytorch():
    m = nn.GRU(5, 4, num_layers=2, bidirectional=True)
    shapes = {n: p.shape for n, p in m.named_parameters()}
    assert list(shapes) == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
        "bias_hh_l0_reverse",
        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
        "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
        "bias_hh_l1_reverse",
    ]  # fmt: skip
    assert shapes["weight_ih_l0"] == (12, 5) and shapes["weight_ih_l1"] == (12, 8)
    assert shapes["weight_hh_l1_reverse"] == (12, 4) and shapes["bias_hh_l0"] == (12,)
    assert [n for n, _ in nn.LSTMCell(3, 2, bias=False).named_parameters()] == [
        "weight_ih",
        "weight_hh",
    ]
    assert len(m.all_weights) == 4 and len(m.all_weights[0]) == 4


def test_repr_like_pytorch():
    assert repr(nn.LSTM(3, 4)) == "LSTM(3, 4)"
    assert (
        repr(
            nn.RNN(
                3,
                4,
                2,
                nonlinearity="relu",
                bias=False,
                batch_first=True,
                dropout=0.5,
                bidirectional=True,
            )
        )
        == "RNN(3, 4, num_layers=2, nonlinearity=relu, bias=False, batch_first=True, "
        "dropout=0.5, bidirectional=True)"
    )
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"


def test_float64_model_and_no_grad():
    m = nn.GRU(3, 4).double()
    x = gn.randn(5, 2, 3, dtype=gn.float64)
    with gn.no_grad():
        out, h = m(x)
    assert out.dtype == np.float64 and not out.requires_grad and out.grad_fn is None


def test_gradient_reaches_initial_state_and_input():
    m = nn.LSTM(3, 4, num_layers=2)
    x = gn.randn(5, 2, 3, requires_grad=True)
    h0 = gn.zeros(2, 2, 4, requires_grad=True)
    c0 = gn.zeros(2, 2, 4, requires_grad=True)
    out, (h, c) = m(x, (h0, c0))
    (out.sum() + c.sum()).backward()
    for t in (x, h0, c0):
        assert t.grad is not None and t.grad.shape == t.shape and np.abs(t.grad.numpy()).sum() > 0
    assert all(p.grad is not None for p in m.parameters())


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


def test_wrong_feature_size_names_layer_and_shapes():
    with pytest.raises(
        ValueError,
        match=r"^LSTM: expected input of shape \(L, N, 4\) or "
        r"\(L, 4\), got \(5, 2, 7\)",
    ):
        nn.LSTM(4, 3)(gn.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, L, 4\) or \(L, 4\)"):
        nn.GRU(4, 3, batch_first=True)(gn.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"expected input of shape"):
        nn.RNN(4, 3)(gn.randn(2, 3, 4, 4))


def test_error_inside_a_model_names_the_layer_path():
    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(8, 4)

        def forward(self, x):
            return self.rnn(x)[0]

    model = nn.Sequential(Encoder())
    with pytest.raises(ValueError, match=r"^0\.rnn \(GRU\): expected input of shape"):
        model(gn.randn(3, 2, 5))


def test_wrong_initial_state_shape():
    m = nn.LSTM(4, 3, num_layers=2)
    x = gn.randn(5, 2, 4)
    with pytest.raises(
        ValueError, match=r"LSTM: expected h_0 of shape \(2, 2, 3\), got \(1, 2, 3\)"
    ):
        m(x, (gn.zeros(1, 2, 3), gn.zeros(2, 2, 3)))
    with pytest.raises(ValueError, match=r"expected c_0 of shape \(2, 2, 3\), got \(2, 3, 3\)"):
        m(x, (gn.zeros(2, 2, 3), gn.zeros(2, 3, 3)))
    with pytest.raises(ValueError, match=r"GRU: expected h_0 of shape \(1, 3\), got \(1, 1, 3\)"):
        nn.GRU(4, 3)(gn.randn(5, 4), gn.zeros(1, 1, 3))  # unbatched input needs a 2-D state
    with pytest.raises(TypeError, match=r"expected hx to be a tuple \(h_0, c_0\)"):
        m(x, gn.zeros(2, 2, 3))
    with pytest.raises(TypeError, match=r"expected h_0 to be a glassnet Tensor"):
        m(x, (np.zeros((2, 2, 3)), gn.zeros(2, 2, 3)))
    with pytest.raises(ValueError, match=r"RNNCell: expected hx of shape \(2, 3\), got \(3,\)"):
        nn.RNNCell(4, 3)(gn.randn(2, 4), gn.zeros(3))
    with pytest.raises(ValueError, match=r"LSTMCell: expected c of shape \(2, 3\), got \(2, 4\)"):
        nn.LSTMCell(4, 3)(gn.randn(2, 4), (gn.zeros(2, 3), gn.zeros(2, 4)))


def test_wrong_input_type_dtype_and_empty_sequence():
    m = nn.RNN(4, 3)
    with pytest.raises(TypeError, match=r"RNN: expected input to be a glassnet Tensor"):
        m(np.zeros((5, 2, 4)))
    with pytest.raises(TypeError, match=r"expected input of dtype float32 .* got float64"):
        m(gn.randn(5, 2, 4, dtype=gn.float64))
    with pytest.raises(TypeError, match=r"expected h_0 of dtype float32"):
        m(gn.randn(5, 2, 4), gn.zeros(1, 2, 3, dtype=gn.float64))
    with pytest.raises(ValueError, match=r"sequence length L >= 1"):
        m(gn.zeros(0, 2, 4))
    with pytest.raises(TypeError, match=r"GRUCell: expected input of dtype float32"):
        nn.GRUCell(4, 3)(gn.randn(2, 4, dtype=gn.float64))


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), "unknown nonlinearity 'sigmoid'"),
        (lambda: nn.RNNCell(3, 4, nonlinearity="gelu"), "unknown nonlinearity 'gelu'"),
        (lambda: nn.LSTM(3, 0), "hidden_size must be an integer >= 1"),
        (lambda: nn.GRU(3, 4, num_layers=0), "num_layers must be an integer >= 1"),
        (lambda: nn.GRU(3.5, 4), "input_size must be an integer"),
        (lambda: nn.LSTM(3, 4, num_layers=2, dropout=1.5), r"dropout must be a number in \[0, 1\]"),
        (lambda: nn.LSTM(3, 4, proj_size=4), r"proj_size must be smaller than hidden_size \(4\)"),
        (lambda: nn.LSTM(3, 4, device="cuda"), "CPU only"),
    ],
    ids=[
        "rnn_nonlinearity",
        "cell_nonlinearity",
        "hidden_0",
        "layers_0",
        "float_size",
        "dropout_range",
        "proj_size",
        "device",
    ],
)
def test_constructor_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
