"""What a live-view snapshot says about a network: histograms, norms, and when batches are rounded."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.inspect.live import EventStream
from glassnet.inspect.live import snapshot as snapshots
from glassnet.inspect.live import stream as stream_module


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", [(7,), (64, 2), (128, 64)])
def test_histogram_counts_are_numpys(seed, shape):
    values = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    hist = snapshots._histogram(values)
    counts, edges = np.histogram(values.astype(np.float64), bins=20)
    assert list(hist["counts"]) == list(counts)
    assert (hist["lo"], hist["hi"]) == (edges[0], edges[-1])


def test_histogram_of_one_value_nonfinite_values_and_huge_ones():
    one = snapshots._histogram(np.full(5, 3.0))
    assert list(one["counts"]) == list(np.histogram(np.full(5, 3.0), bins=20)[0])
    assert (one["lo"], one["hi"]) == (2.5, 3.5)
    mixed = snapshots._histogram(np.array([np.nan, 1.0, np.inf, 2.0, -np.inf]))
    assert sum(mixed["counts"]) == 2 and mixed["counts"][0] == mixed["counts"][-1] == 1
    huge = snapshots._histogram(np.array([-1.7e308, 0.0, 1.7e308]))
    assert list(huge["counts"]) == [1] + [0] * 9 + [1] + [0] * 8 + [1]
    assert snapshots._histogram(np.array([np.nan])) == {"counts": [], "lo": 0.0, "hi": 0.0}


def test_network_snapshot_describes_each_layer():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    X = np.random.default_rng(0).standard_normal((16, 2)).astype(np.float32)
    F.cross_entropy(model(gn.tensor(X)), gn.tensor(np.arange(16) % 3)).backward()
    layers = snapshots.network_snapshot(model, X)["layers"]
    assert [layer["path"] for layer in layers] == ["0", "2"]
    for layer, linear in zip(layers, (model[0], model[2])):
        w, g = linear.weight.numpy(), linear.weight.grad.numpy()
        assert layer["weight_norm"] == pytest.approx(float(np.linalg.norm(w)), rel=1e-6)
        assert layer["grad_norm"] == pytest.approx(float(np.linalg.norm(g)), rel=1e-6)
        assert sum(layer["weights_hist"]["counts"]) == w.size
        assert layer["weights_hist"]["lo"] == pytest.approx(float(w.min()))
    hidden = np.maximum(X @ model[0].weight.numpy().T + model[0].bias.numpy(), 0)
    dead = float(np.mean(~np.any(hidden > 0, axis=0)))
    assert layers[0]["dead_fraction"] == pytest.approx(dead)


def test_batches_nobody_reads_are_never_rounded(monkeypatch):
    rounded = []
    real = stream_module._round_number
    monkeypatch.setattr(
        stream_module, "_round_number", lambda x, *a: rounded.append(x) or real(x, *a)
    )
    stream = EventStream()
    for step in range(1, 101):
        stream.add_batch(step, 1, 1.0 / step)
    stream.add("status", state="finished")
    assert rounded == [] and len(stream) == 101  # noted and in order, not yet made events
    events = stream.events()
    assert len(rounded) == 100  # once, when read
    assert [e["kind"] for e in events] == ["batch"] * 100 + ["status"]
    assert events[2]["loss"] == 0.3333 and events[-1]["state"] == "finished"
    assert stream.since(0)[0] == events and len(rounded) == 100  # and never again
