"""nn.LSTM(proj_size=P) against PyTorch: parameters, state_dict, outputs, gradients, gradcheck, errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

torch = pytest.importorskip("torch")
# torch notes that its oneDNN kernels lack projections and falls back: not our concern here
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")


def _pair(input_size, hidden, proj, dtype=np.float32, **kwargs):
    """A torch LSTM and a glassnet one with the same weights."""
    torch.manual_seed(0)
    ref = torch.nn.LSTM(input_size, hidden, proj_size=proj, **kwargs)
    if dtype == np.float64:
        ref = ref.double()
    mine = nn.LSTM(input_size, hidden, proj_size=proj, dtype=dtype, **kwargs)
    mine.load_state_dict({k: gn.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    return mine, ref


CASES = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=2, bias=False),
]
IDS = ["one_layer", "two_layers", "bidirectional", "two_bidirectional_batch_first", "no_bias"]


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_parameters_and_state_dict_match_torch(kwargs):
    mine, ref = _pair(3, 5, 2, **kwargs)
    assert list(mine.state_dict()) == list(ref.state_dict())
    for name, value in ref.state_dict().items():
        assert tuple(getattr(mine, name).shape) == tuple(value.shape), name
    assert [[tuple(w.shape) for w in row] for row in mine.all_weights] == [
        [tuple(w.shape) for w in row] for row in ref.all_weights
    ]
    assert repr(mine) == repr(ref)


def test_initialisation_is_uniform_in_one_over_sqrt_hidden():
    layer = nn.LSTM(4, 16, proj_size=3)
    bound = 1 / np.sqrt(16)
    w = layer.weight_hr_l0.detach().numpy()
    assert w.shape == (3, 16) and np.abs(w).max() <= bound and w.std() > bound / 3


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_outputs_and_gradients_match_torch(kwargs):
    mine, ref = _pair(3, 5, 2, **kwargs)
    rng = np.random.default_rng(1)
    D = 2 if kwargs.get("bidirectional") else 1
    rows = kwargs.get("num_layers", 1) * D
    shape = (4, 6, 3) if kwargs.get("batch_first") else (6, 4, 3)
    x = rng.normal(size=shape).astype(np.float32)
    h0 = rng.normal(size=(rows, 4, 2)).astype(np.float32)
    c0 = rng.normal(size=(rows, 4, 5)).astype(np.float32)
    g_in = [gn.tensor(a, requires_grad=True) for a in (x, h0, c0)]
    t_in = [torch.tensor(a, requires_grad=True) for a in (x, h0, c0)]
    yg, (hg, cg) = mine(g_in[0], (g_in[1], g_in[2]))
    yt, (ht, ct) = ref(t_in[0], (t_in[1], t_in[2]))
    for a, b in ((yg, yt), (hg, ht), (cg, ct)):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    wy, wh, wc = (rng.normal(size=t.shape).astype(np.float32) for t in (yt, ht, ct))
    (
        (yg * gn.tensor(wy)).sum() + (hg * gn.tensor(wh)).sum() + (cg * gn.tensor(wc)).sum()
    ).backward()
    ((yt * torch.tensor(wy)).sum() + (ht * torch.tensor(wh)).sum()
     + (ct * torch.tensor(wc)).sum()).backward()  # fmt: skip
    for a, b in zip(g_in, t_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-5)
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(
            getattr(mine, name).grad.numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name
        )


def test_zero_initial_state_and_unbatched_input_match_torch():
    mine, ref = _pair(3, 4, 3, num_layers=2)
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    yg, (hg, cg) = mine(gn.tensor(x))
    yt, (ht, ct) = ref(torch.tensor(x))
    assert yg.shape == (5, 3) and hg.shape == (2, 3) and cg.shape == (2, 4)
    for a, b in ((yg, yt), (hg, ht), (cg, ct)):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_the_output_is_the_projected_hidden_state():
    layer = nn.LSTM(2, 4, proj_size=1)
    y, (h, _) = layer(gn.randn(3, 1, 2))
    np.testing.assert_allclose(y.numpy()[-1], h.numpy()[0])


def test_dropout_between_layers_only_in_training():
    layer = nn.LSTM(3, 5, num_layers=2, dropout=0.5, proj_size=2)
    x = gn.randn(4, 2, 3)
    layer.eval()
    a, _ = layer(x)
    b, _ = layer(x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    layer.train()
    gn.manual_seed(0)
    c, _ = layer(x)
    assert not np.allclose(c.numpy(), a.numpy())


def test_gradcheck_float64():
    layer = nn.LSTM(2, 3, proj_size=2, num_layers=2, bidirectional=True, dtype=np.float64)
    rng = np.random.default_rng(3)
    x = gn.tensor(rng.normal(size=(3, 2, 2)), requires_grad=True)
    h0 = gn.tensor(rng.normal(size=(4, 2, 2)), requires_grad=True)
    c0 = gn.tensor(rng.normal(size=(4, 2, 3)), requires_grad=True)
    assert gn.numerical.gradcheck(lambda x, h0, c0: layer(x, (h0, c0))[0], (x, h0, c0))
    w_hr = gn.tensor(layer.weight_hr_l0.detach().numpy().copy(), requires_grad=True)
    assert gn.numerical.gradcheck(lambda w: _with(layer, w, x, h0, c0), (w_hr,))


def _with(layer, w, x, h0, c0):
    """The layer's output as a function of weight_hr_l0 (swapped in as a graph input)."""
    saved = layer._parameters["weight_hr_l0"]
    layer._parameters["weight_hr_l0"] = w
    try:
        y, (h, c) = layer(x, (h0, c0))
    finally:
        layer._parameters["weight_hr_l0"] = saved
    return y.sum() + (h * h).sum() + c.sum()


def test_each_proj_size_takes_its_own_path(monkeypatch):
    from glassnet.nn import recurrent

    def refuse(*args, **kwargs):
        raise AssertionError("the wrong path ran")

    x = gn.randn(2, 1, 3)
    with monkeypatch.context() as m:  # proj_size=0: the fused op, never the projected loop
        m.setattr(recurrent, "projected_lstm_layers", refuse)
        layer = nn.LSTM(3, 4)
        assert not any("weight_hr" in n for n, _ in layer.named_parameters())
        assert layer(x)[1][0].shape == (1, 1, 4)
    with monkeypatch.context() as m:  # proj_size>0: the projected loop, never the fused op
        m.setattr(recurrent.RNNBase, "_run", refuse)
        assert nn.LSTM(3, 4, proj_size=2)(x)[1][0].shape == (1, 1, 2)


@pytest.mark.parametrize(
    "make,error,message",
    [
        (lambda: nn.LSTM(3, 4, proj_size=4), ValueError,
         r"proj_size must be smaller than hidden_size \(4\), got 4"),
        (lambda: nn.LSTM(3, 4, proj_size=-1), ValueError, "proj_size must be an int >= 0, got -1"),
        (lambda: nn.GRU(3, 4, proj_size=2), ValueError, "proj_size is only supported by LSTM"),
        (lambda: nn.LSTM(3, 4, proj_size=2)(gn.randn(2, 1, 3), (gn.zeros(1, 1, 4), gn.zeros(1, 1, 4))),
         Exception, r"h_0.*\(1, 1, 2\)"),
        (lambda: nn.LSTM(3, 4, proj_size=2)(
            nn.utils.rnn.pack_padded_sequence(gn.randn(2, 1, 3), [2])),
         NotImplementedError, "PackedSequence input with proj_size > 0 is not supported"),
    ],
    ids=["too_big", "negative", "gru", "h0_shape", "packed"],
)  # fmt: skip
def test_bad_arguments_get_one_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()
