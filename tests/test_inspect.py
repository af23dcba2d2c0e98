"""Tests of the see-inside tools: trace/explain, graphs, activations, why, anomalies, gradient checks."""

import shutil

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd, nn
from glassnet.inspect import (
    AnomalyError,
    GradientCheckError,
    activations,
    check_gradients,
    describe,
    detect_anomaly,
    to_dot,
    trace,
    why,
)


def test_explain_shows_the_chain_rule_with_numbers_for_x_squared():
    x = gn.tensor(3.0, requires_grad=True)
    with trace() as t:
        y = x**2
        y.backward()
    assert t.text() == (
        "Forward:\n  y = x**2 = 9\nBackward:\n  dy/dx = 2x = 6\n  x.grad = 6 * 1 = 6"
    )


def test_explain_adds_up_two_paths_to_the_same_input():
    a = gn.tensor(2.0, requires_grad=True)
    b = gn.tensor(3.0, requires_grad=True)
    with trace() as t:
        z = a * b + a
        z.backward()
    text = t.text()
    assert "t1 = a * b = 6" in text and "z = t1 + a = 8" in text
    assert "a.grad = 1 * 1 = 1" in text
    assert "a.grad += 3 * 1 = 3, in all 4" in text
    assert "b.grad = 2 * 1 = 2" in text
    assert a.grad.item() == 4 and b.grad.item() == 2  # what the text claims is what backward did


def test_trace_records_module_paths_shapes_and_backward_steps():
    gn.manual_seed(0)
    model = nn.Sequential()
    model.add_module("encoder", nn.Sequential(nn.Linear(4, 6), nn.ReLU()))
    model.add_module("head", nn.Linear(6, 3))
    x = gn.randn(5, 4)
    with trace() as t:
        loss = gn.nn.functional.cross_entropy(model(x), gn.tensor([0, 1, 2, 0, 1]))
        loss.backward()
    modules = [r.module for r in t.forward]
    assert modules[:3] == ["encoder.0 (Linear)", "encoder.1 (ReLU)", "head (Linear)"]
    assert t.forward[0].output.shape == (5, 6)
    relu = t.forward[1].output
    assert relu.min >= 0 and 0 <= relu.zeros <= 1
    assert [r.op for r in t.backward][-1] == "Linear"  # backward ends at the first layer
    assert t.backward[0].upstream.shape == ()  # starts from dL/dL = 1
    rows = t.table()
    assert len(rows) == len(t.forward) + len(t.backward)
    assert rows[0]["phase"] == "forward" and rows[-1]["phase"] == "backward"
    text = t.text(limit=2)
    assert "... and 2 more ops" in text and "encoder.0 (Linear)" in text
    summary = t.text(by_module=True)
    assert "encoder.1 (ReLU): 1 op(s) (ReLU)" in summary
    with pytest.raises(ValueError, match="limit"):
        t.text(limit=0)


def test_no_trace_means_no_hooks():
    assert autograd._op_hooks == [] and autograd._backward_hooks == []
    with trace():
        assert len(autograd._op_hooks) == 1
    assert autograd._op_hooks == [] and autograd._backward_hooks == []


def test_backward_rules_are_not_recorded_as_forward_ops():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with trace() as t:
        (x.exp() * x).sum().backward()
    assert [r.op for r in t.forward] == ["Exp", "Mul", "Sum"]
    assert [r.op for r in t.backward] == ["Sum", "Mul", "Exp"]


def test_describe_counts_nans_and_zeros():
    s = describe(np.array([0.0, 0.0, 1.0, np.nan, np.inf]))
    assert (s.nans, s.infs, s.zeros) == (1, 1, 0.4)
    assert s.max == 1.0 and s.mean == pytest.approx(1 / 3)


def test_to_dot_of_a_tensor_and_of_a_trace():
    x = gn.tensor(3.0, requires_grad=True)
    y = x**2 + x * 2
    dot = to_dot(y)
    assert dot.startswith("digraph glassnet {") and dot.rstrip().endswith("}")
    assert "Pow" in dot and "Mul" in dot and "Add" in dot
    assert dot.count("-> op0") == 2  # Add has two inputs
    with trace() as t:
        z = (x * 4).sum()
        z.backward()
    traced = to_dot(t)
    assert "Mul" in traced and "grad: 4" in traced
    with pytest.raises(TypeError, match="Tensor or a Trace"):
        to_dot(42)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_render_writes_a_picture(tmp_path, suffix):
    x = gn.tensor(2.0, requires_grad=True)
    path = to_dot(x.exp() * x).render(tmp_path / f"graph.{suffix}")
    data = open(path, "rb").read()
    assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data


def test_render_without_graphviz_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        to_dot(gn.tensor(1.0)).render(tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()


def test_activations_by_path_in_running_order():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model.train()
    acts = activations(model, gn.randn(2, 4))
    assert list(acts) == ["0", "1", "2"]
    assert acts["1"].shape == (2, 8) and float(acts["1"].min()) >= 0
    np.testing.assert_allclose(acts["1"].numpy(), np.maximum(acts["0"].numpy(), 0))
    assert model.training and not model._forward_hooks  # nothing left behind


def test_why_walks_through_the_softmax_and_the_loss():
    gn.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = gn.randn(4)
    e = why(model, x, label=2)
    logits = model(x.reshape(1, 4)).numpy()[0].astype(np.float64)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    np.testing.assert_allclose(e.probabilities, p, rtol=1e-6)
    assert e.predicted == int(np.argmax(p)) and e.confidence == pytest.approx(p.max())
    assert e.loss == pytest.approx(-np.log(p[2]))
    np.testing.assert_allclose(e.grad_logits, p - np.eye(3)[2], atol=1e-12)
    assert e.backward_difference < 1e-6
    text = str(e)
    for piece in (
        "subtract the largest logit",
        "exponentiate",
        "divide by their sum",
        "Prediction",
    ):
        assert piece in text
    with pytest.raises(ValueError, match="label must be a class from 0 to 2"):
        why(model, x, label=3)


def test_why_accepts_an_image_sample_for_a_cnn():
    gn.manual_seed(2)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(72, 3))
    e = why(model, gn.randn(1, 8, 8))
    assert e.predicted in (0, 1, 2) and len(e.layers) == 4


def test_anomaly_names_the_op_in_forward():
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(AnomalyError, match=r"^Log produced \d NaN"):
        with detect_anomaly(), np.errstate(all="ignore"):
            model(gn.tensor([[1.0, -2.0, 3.0]])).abs().neg().log()
    assert autograd._op_hooks == []


def test_anomaly_names_the_module_in_forward():
    class Bad(nn.Module):
        def forward(self, x):
            return x / 0.0

    model = nn.Sequential(nn.Linear(2, 2), Bad())
    with pytest.raises(AnomalyError, match=r"Div in 1 \(Bad\) produced"):
        with detect_anomaly(), np.errstate(all="ignore"):
            model(gn.ones(1, 2))


def test_anomaly_names_the_op_in_backward():
    x = gn.tensor([0.0, 4.0], requires_grad=True)
    with pytest.raises(AnomalyError, match="the backward of Sqrt produced 1 Inf"):
        with detect_anomaly(), np.errstate(all="ignore"):
            x.sqrt().sum().backward()


def test_check_gradients_passes_on_built_in_layers():
    gn.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Tanh(), nn.Flatten(),
        nn.Dropout(0.2), nn.Linear(2 * 4 * 4, 3),
    )  # fmt: skip
    report = check_gradients(model, "cross_entropy", gn.randn(4, 1, 6, 6), gn.tensor([0, 1, 2, 1]))
    assert report.ok, str(report)
    assert {p.name for p in report.parameters} == {n for n, _ in model.named_parameters()}
    assert model[0].weight.dtype == np.float32  # the model itself was not converted


def test_check_gradients_catches_a_wrong_custom_layer():
    class _WrongCube(autograd.Op):
        """y = x**3;   dL/dx = g * 2 x**2 (wrong on purpose: should be 3 x**2)"""

        def forward(self, x):
            return x**3

        def backward(self, g):
            return (g * 2 * self.inputs[0] ** 2,)

    class Cube(nn.Module):
        def forward(self, x):
            return _WrongCube()(x)

    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), Cube())
    report = check_gradients(model, "cross_entropy", gn.randn(5, 4), gn.tensor([0, 1, 2, 1, 0]))
    assert not report.ok and {p.name for p in report.failed} == {"0.weight", "0.bias"}
    assert "WRONG" in str(report)
    with pytest.raises(GradientCheckError, match="disagree"):
        check_gradients(model, "cross_entropy", gn.randn(5, 4), gn.tensor([0, 1, 2, 1, 0]),
                        raise_on_failure=True)  # fmt: skip


# --------------------------------------------------------------------------- plots and report
def _toy_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0).astype(np.int64)
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    history = gn.fit(model, (X, y), epochs=3, batch_size=16, verbose=0, lr=0.05)
    return model, history, X, y


def _is_png(path):
    data = open(path, "rb").read()
    return data.startswith(b"\x89PNG") and len(data) > 1000


def test_each_plot_writes_a_non_empty_image(tmp_path):
    pytest.importorskip("matplotlib")
    from glassnet import inspect as gi

    model, history, X, y = _toy_classifier()
    gi.plot_history(history, tmp_path / "curves.png")
    gi.plot_decision_boundary(model, X, y, tmp_path / "boundary.png", steps=40)
    frames = [(f"epoch {k}", gi.decision_boundary_grid(model, X, steps=30)) for k in range(3)]
    gi.animate_decision_boundary(frames, X, y, tmp_path / "boundary.gif")
    snapshot = {n: p.numpy().copy() for n, p in model.named_parameters()}
    gi.plot_histograms([snapshot, snapshot], tmp_path / "hist.png")
    gi.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), ["no", "yes"], tmp_path / "cm.png")
    images = np.random.default_rng(0).random((6, 64)).astype(np.float32)
    mnist_like = nn.Sequential(nn.Linear(64, 4))
    gi.plot_first_layer_weights(mnist_like, path=tmp_path / "weights.png")
    gi.plot_misclassified(
        images, [0, 1, 2, 3, 4, 5], [0, 2, 2, 1, 4, 0], path=tmp_path / "wrong.png"
    )
    for name in ("curves", "boundary", "hist", "cm", "weights", "wrong"):
        assert _is_png(tmp_path / f"{name}.png"), name
    gif = (tmp_path / "boundary.gif").read_bytes()
    assert gif.startswith(b"GIF8") and gif.count(b"\x21\xf9\x04") == 3  # three frames


def test_plots_without_matplotlib_say_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    from glassnet.inspect import plot_confusion_matrix

    with pytest.raises(ImportError, match=r"pip install 'glassnet\[plot\]'"):
        plot_confusion_matrix(np.eye(2))


def test_report_is_one_offline_file_with_every_section(tmp_path):
    pytest.importorskip("matplotlib")
    from glassnet.inspect import write_report

    model, history, X, y = _toy_classifier()
    path = write_report(
        tmp_path / "report.html", model=model, history=history, config={"epochs": 3},
        data_summary={"train": 60}, X_test=X, y_test=y, class_names=["a", "b", "c"],
    )  # fmt: skip
    text = open(path, encoding="utf-8").read()
    for key in ("configuration", "data", "model", "curves", "layers", "confusion", "mistakes",
                "explanation"):  # fmt: skip
        assert f'<section id="{key}">' in text, key
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert text.count("data:image/png;base64,") >= 2


# --------------------------------------------------------------------------- inside fit
def test_fit_detect_anomaly_stops_at_the_first_nan():
    class Log(nn.Module):
        def forward(self, x):
            return x.log()

    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), Log(), nn.Linear(4, 2))
    X = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    y = np.zeros(16, dtype=np.int64)
    with pytest.raises(AnomalyError, match=r"Log in 1 \(Log\) produced \d+ NaN"):
        with np.errstate(all="ignore"):
            gn.fit(model, (X, y), epochs=1, batch_size=8, verbose=0, detect_anomaly=True)
    assert autograd._op_hooks == []


def test_fit_check_gradients_every_catches_a_wrong_layer_while_training():
    class _HalfGradient(autograd.Op):
        """y = 2x;   dL/dx = g (wrong on purpose: should be 2g)"""

        def forward(self, x):
            return 2 * x

        def backward(self, g):
            return (g,)

    class Double(nn.Module):
        def forward(self, x):
            return _HalfGradient()(x)

    X = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    gn.manual_seed(0)
    good = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    gn.fit(good, (X, y), epochs=1, batch_size=8, verbose=0, check_gradients_every=2)
    gn.manual_seed(0)
    bad = nn.Sequential(nn.Linear(3, 4), Double(), nn.Linear(4, 2))
    with pytest.raises(GradientCheckError, match=r"0\.weight .* WRONG"):
        gn.fit(bad, (X, y), epochs=1, batch_size=8, verbose=0, check_gradients_every=2)


def test_a_custom_function_is_one_step_of_the_trace():
    class Cube(autograd.Function):
        """y = x**3;   dL/dx = g * 3 x**2"""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2

    x = gn.tensor(2.0, requires_grad=True)
    with trace() as t:
        y = Cube.apply(x)
        y.backward()
    assert [r.op for r in t.forward] == ["Cube"] and [r.op for r in t.backward] == ["Cube"]
    assert "dy/dx = 3 x**2 = 12" in t.text() and "x.grad = 12 * 1 = 12" in t.text()
