"""Every layer type survives glassnet.save / glassnet.load of its state_dict, bit for bit."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn

# (id, factory, input shape); the input is float32 unless the layer takes indices.
LAYERS = [
    ("Linear", lambda: nn.Linear(4, 3), (2, 4)),
    ("Conv1d", lambda: nn.Conv1d(2, 3, 3, padding=1), (2, 2, 6)),
    ("Conv2d", lambda: nn.Conv2d(2, 3, 3, stride=2, groups=1), (2, 2, 7, 7)),
    ("ConvTranspose2d", lambda: nn.ConvTranspose2d(2, 3, 3, stride=2), (2, 2, 4, 4)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(4), (5, 4)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(2), (3, 2, 4, 4)),
    ("LayerNorm", lambda: nn.LayerNorm(4), (2, 4)),
    ("GroupNorm", lambda: nn.GroupNorm(2, 4), (2, 4, 3)),
    ("Embedding", lambda: nn.Embedding(10, 3), None),
    ("PReLU", lambda: nn.PReLU(), (2, 4)),
    ("RNN", lambda: nn.RNN(3, 4, num_layers=2), (5, 2, 3)),
    ("GRU", lambda: nn.GRU(3, 4, batch_first=True), (2, 5, 3)),
    ("LSTM", lambda: nn.LSTM(3, 4, num_layers=2), (5, 2, 3)),
    ("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2), (3, 2, 4)),
    (
        "Sequential_MLP",
        lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 2)),
        (2, 4),
    ),
]


def _run(layer, shape):
    layer.eval()
    with gn.no_grad():
        if shape is None:
            return layer(gn.tensor([[1, 2, 9], [0, 0, 3]]))
        x = gn.tensor(np.random.default_rng(0).normal(size=shape).astype(np.float32))
        if isinstance(layer, nn.MultiheadAttention):
            return layer(x, x, x)
        return layer(x)


def _first(out):
    while isinstance(out, tuple):
        out = out[0]
    return out


@pytest.mark.parametrize(
    ("factory", "shape"), [(f, s) for _, f, s in LAYERS], ids=[i for i, _, _ in LAYERS]
)
def test_state_dict_round_trip_through_a_file(factory, shape, tmp_path):
    gn.manual_seed(1)
    original = factory()
    original.train()
    if hasattr(original, "running_mean"):  # give the running statistics non-default values
        with gn.no_grad():
            original(gn.randn(*shape) * 3 + 1)
    path = tmp_path / "layer.npz"
    gn.save(original.state_dict(), path)
    gn.manual_seed(2)
    fresh = factory()
    fresh.load_state_dict(gn.load(path))
    for (name, a), (name_b, b) in zip(original.state_dict().items(), fresh.state_dict().items()):
        assert name == name_b
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    np.testing.assert_array_equal(
        _first(_run(original, shape)).numpy(), _first(_run(fresh, shape)).numpy()
    )
