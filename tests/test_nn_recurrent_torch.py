"""Recurrent layers against PyTorch: copied weights, same outputs, final states and every gradient."""

import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: torch's thread pool only adds overhead (restored afterwards)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


TOL = {np.float64: dict(rtol=1e-9, atol=1e-10), np.float32: dict(rtol=2e-4, atol=2e-5)}


def _copy_weights(src, dst):
    state = {k: gn.tensor(v.detach().numpy()) for k, v in src.state_dict().items()}
    result = dst.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys


def _pair(array, dtype):
    a = np.asarray(array, dtype=dtype)
    return torch.tensor(a, requires_grad=True), gn.tensor(a, requires_grad=True)


def _close(t, g, dtype, what):
    np.testing.assert_allclose(g.numpy(), t.detach().numpy(), err_msg=what, **TOL[dtype])


CONFIGS = [
    ("tanh", {}),
    ("relu_2layers", {"nonlinearity": "relu", "num_layers": 2}),
    ("batch_first", {"batch_first": True}),
    ("bidirectional_2layers", {"bidirectional": True, "num_layers": 2}),
    ("no_bias_bidirectional", {"bias": False, "bidirectional": True}),
    ("3layers_batch_first_bi", {"num_layers": 3, "batch_first": True, "bidirectional": True}),
]


def _configs(kind):
    for name, kwargs in CONFIGS:
        if "nonlinearity" in kwargs and kind != "RNN":
            continue
        yield pytest.param(kind, kwargs, id=f"{kind}-{name}")


ALL = [p for kind in ("RNN", "GRU", "LSTM") for p in _configs(kind)]


@pytest.mark.parametrize("kind,kwargs", ALL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("given_state", [True, False], ids=["state", "zeros"])
def test_layer_matches_torch(kind, kwargs, dtype, given_state):
    T, N, I, H = 7, 3, 5, 6
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(I, H, **kwargs).to(
        torch.float64 if dtype == np.float64 else torch.float32
    )
    gm = getattr(nn, kind)(I, H, **kwargs).to(dtype)
    _copy_weights(tm, gm)
    rng = np.random.default_rng(1)
    D = 2 if tm.bidirectional else 1
    rows = tm.num_layers * D
    tx, gx = _pair(rng.standard_normal((N, T, I) if tm.batch_first else (T, N, I)), dtype)
    t_args, g_args, states = [tx], [gx], []
    if given_state:
        th, gh = _pair(rng.standard_normal((rows, N, H)), dtype)
        states.append((th, gh, "h_0"))
        if kind == "LSTM":
            tc, gc = _pair(rng.standard_normal((rows, N, H)), dtype)
            states.append((tc, gc, "c_0"))
            t_args.append((th, tc))
            g_args.append((gh, gc))
        else:
            t_args.append(th)
            g_args.append(gh)
    t_out, t_hn = tm(*t_args)
    g_out, g_hn = gm(*g_args)
    t_finals = t_hn if kind == "LSTM" else (t_hn,)
    g_finals = g_hn if kind == "LSTM" else (g_hn,)
    _close(t_out, g_out, dtype, "output")
    for t, g in zip(t_finals, g_finals):
        _close(t, g, dtype, "final state")
    # A loss that uses every output, so every gradient path is exercised.
    w = rng.standard_normal(t_out.shape).astype(dtype)
    t_loss = (t_out * torch.tensor(w)).sum() + sum(
        (f**2).sum() * (k + 1) for k, f in enumerate(t_finals)
    )
    g_loss = (g_out * gn.tensor(w)).sum() + sum(
        (f**2).sum() * (k + 1) for k, f in enumerate(g_finals)
    )
    t_loss.backward()
    g_loss.backward()
    _close(tx.grad, gx.grad, dtype, "d input")
    for t, g, name in states:
        _close(t.grad, g.grad, dtype, f"d {name}")
    for name, p in tm.named_parameters():
        _close(p.grad, gm.get_parameter(name).grad, dtype, f"d {name}")


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_unbatched_input_matches_torch(kind):
    torch.manual_seed(1)
    tm = getattr(torch.nn, kind)(4, 3, num_layers=2, bidirectional=True).double()
    gm = getattr(nn, kind)(4, 3, num_layers=2, bidirectional=True).double()
    _copy_weights(tm, gm)
    tx, gx = _pair(np.random.default_rng(2).standard_normal((6, 4)), np.float64)
    t_out, t_h = tm(tx)
    g_out, g_h = gm(gx)
    _close(t_out, g_out, np.float64, "output")
    t_h = t_h[0] if kind == "LSTM" else t_h
    g_h = g_h[0] if kind == "LSTM" else g_h
    _close(t_h, g_h, np.float64, "h_n")
    (t_out.sum() + t_h.sum()).backward()
    (g_out.sum() + g_h.sum()).backward()
    _close(tx.grad, gx.grad, np.float64, "d input")


CELLS = [
    pytest.param("RNNCell", {}, id="rnn_cell"),
    pytest.param("RNNCell", {"nonlinearity": "relu"}, id="rnn_cell_relu"),
    pytest.param("GRUCell", {}, id="gru_cell"),
    pytest.param("LSTMCell", {}, id="lstm_cell"),
    pytest.param("LSTMCell", {"bias": False}, id="lstm_cell_no_bias"),
]


@pytest.mark.parametrize("kind,kwargs", CELLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_cell_matches_torch_over_steps(kind, kwargs, dtype):
    torch.manual_seed(2)
    tt = torch.float64 if dtype == np.float64 else torch.float32
    tm = getattr(torch.nn, kind)(5, 4, **kwargs).to(tt)
    gm = getattr(nn, kind)(5, 4, **kwargs).to(dtype)
    _copy_weights(tm, gm)
    rng = np.random.default_rng(3)
    tx, gx = _pair(rng.standard_normal((4, 3, 5)), dtype)  # 4 steps, batch 3
    t_state = g_state = None
    t_outs, g_outs = [], []
    for t in range(4):
        t_state = tm(tx[t], t_state)
        g_state = gm(gx[t], g_state)
        t_outs += list(t_state) if isinstance(t_state, tuple) else [t_state]
        g_outs += list(g_state) if isinstance(g_state, tuple) else [g_state]
    for t, g in zip(t_outs, g_outs):
        _close(t, g, dtype, "state")
    sum(o.sum() * (k + 1) for k, o in enumerate(t_outs)).backward()
    sum(o.sum() * (k + 1) for k, o in enumerate(g_outs)).backward()
    _close(tx.grad, gx.grad, dtype, "d input")
    for name, p in tm.named_parameters():
        _close(p.grad, gm.get_parameter(name).grad, dtype, f"d {name}")


def test_long_sequence_float32_matches_torch():
    """40 steps of a 2-layer LSTM in float32: errors stay small as they pass through time."""
    torch.manual_seed(3)
    tm = torch.nn.LSTM(8, 32, num_layers=2, batch_first=True)
    gm = nn.LSTM(8, 32, num_layers=2, batch_first=True)
    _copy_weights(tm, gm)
    tx, gx = _pair(np.random.default_rng(4).standard_normal((4, 40, 8)), np.float32)
    t_out, _ = tm(tx)
    g_out, _ = gm(gx)
    _close(t_out, g_out, np.float32, "output")
    t_out[:, -1].pow(2).sum().backward()
    (g_out[:, -1] ** 2).sum().backward()
    _close(tx.grad, gx.grad, np.float32, "d input")
    for name, p in tm.named_parameters():
        _close(p.grad, gm.get_parameter(name).grad, np.float32, f"d {name}")


def test_state_dict_loads_into_torch():
    gm = nn.GRU(3, 5, num_layers=2, bidirectional=True)
    tm = torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in gm.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((4, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(
        gm(gn.tensor(x))[0].numpy(), tm(torch.tensor(x))[0].detach().numpy(), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one_way", "bidirectional"])
def test_whole_sequence_loops_at_full_size_match_torch(monkeypatch, kind, bidirectional):
    """At the suite's size (40 steps, batch 64, hidden 128, float32) the layers run their whole
    time loops as one compiled call per range of rows, products included; outputs, final states
    and every gradient still match PyTorch's."""
    pytest.importorskip("numba")
    from glassnet.ops import recurrent_loops

    if recurrent_loops.sequence_gemm(np.zeros(1 << 16, np.float32)) is None:
        pytest.skip("NumPy's BLAS cannot be called from compiled loops here")
    calls = []
    for name in (f"{kind.lower()}_sequence_forward", f"{kind.lower()}_sequence_backward"):
        kernel = getattr(recurrent_loops, name)
        monkeypatch.setattr(
            recurrent_loops, name, lambda *a, _k=kernel, _n=name: calls.append(_n) or _k(*a)
        )
    torch.manual_seed(0)
    t_layer = getattr(torch.nn, kind)(32, 128, bidirectional=bidirectional)
    g_layer = getattr(nn, kind)(32, 128, bidirectional=bidirectional)
    _copy_weights(t_layer, g_layer)
    x = np.random.default_rng(0).standard_normal((40, 64, 32))
    tx, gx = _pair(x, np.float32)
    t_out, _ = t_layer(tx)
    g_out, _ = g_layer(gx)
    weights = np.random.default_rng(1).standard_normal(t_out.shape).astype(np.float32)
    (t_out * torch.from_numpy(weights)).sum().backward()
    (g_out * gn.tensor(weights)).sum().backward()
    assert set(calls) == {f"{kind.lower()}_sequence_forward", f"{kind.lower()}_sequence_backward"}
    _close(t_out, g_out, np.float32, "output")
    _close(tx.grad, gx.grad, np.float32, "input gradient")
    # A weight's gradient is a float32 sum over 40 x 64 = 2,560 products, so both libraries'
    # roundings differ by more than for one number (against float64, glassnet's error is no
    # larger with these loops than with the step loops): compared on the gradient's own scale.
    t_params = dict(t_layer.named_parameters())
    for name, p in g_layer.named_parameters():
        expected = t_params[name].grad.numpy()
        scale = np.abs(expected).max()
        np.testing.assert_allclose(
            p.grad.numpy(), expected, rtol=1e-3, atol=2e-5 * scale, err_msg=f"gradient of {name}"
        )
