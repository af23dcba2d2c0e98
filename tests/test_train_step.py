"""Tests for fit's pieces: train_step, run_epoch, the running tallies and the Ctrl-C guard."""

import signal

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet import callbacks as C
from glassnet import train
from glassnet.data import DataLoader, TensorDataset
from glassnet.metrics import get_metric
from glassnet.models import mlp
from glassnet.train.interrupt import StopOnCtrlC
from glassnet.train.tallies import Tally


@pytest.fixture(scope="module")
def spiral():
    return gn.data.spiral(n_per_class=40, classes=3, seed=0)  # 120 points, float32 / int64


def small(seed=1):
    gn.manual_seed(seed)
    return mlp(2, [16], 3)


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# ----------------------------------------------------------------------------------------------
# train_step
# ----------------------------------------------------------------------------------------------


def test_train_step_does_the_sgd_step_of_its_docstring():
    """y = w x, w = 2, x = 3, target 3, L = (y - t)^2, lr 0.01: L = 9, dL/dw = 18, w -> 1.82."""
    model = nn.Linear(1, 1, bias=False)
    model.weight.data.fill_(2.0)
    opt = gn.optim.SGD(model.parameters(), lr=0.01)
    x, t = gn.tensor([[3.0]]), gn.tensor([[3.0]])
    loss, outputs = train.train_step(model, F.mse_loss, opt, x, t)
    assert loss.item() == pytest.approx(9.0)
    assert outputs.shape == (1, 1) and outputs.item() == pytest.approx(6.0)
    assert model.weight.item() == pytest.approx(2.0 - 0.01 * 2 * (6.0 - 3.0) * 3.0, rel=1e-6)
    assert F.mse_loss(model(x), t).item() == pytest.approx((1.82 * 3 - 3) ** 2, rel=1e-5)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda p: gn.optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: gn.optim.Adam(p, lr=0.01),
    ],
    ids=["sgd-momentum", "adam"],
)
def test_train_step_equals_the_five_lines_by_hand(spiral, make_optimizer):
    X, y = spiral
    x, t = gn.tensor(X[:32]), gn.tensor(y[:32])
    by_hand, stepped = small(), small()
    opt_hand, opt_step = make_optimizer(by_hand.parameters()), make_optimizer(stepped.parameters())
    for _ in range(3):
        out = by_hand(x)
        loss = F.cross_entropy(out, t)
        opt_hand.zero_grad()
        loss.backward()
        opt_hand.step()
        loss_step, out_step = train.train_step(stepped, F.cross_entropy, opt_step, x, t)
        assert loss_step.item() == loss.item()
        np.testing.assert_array_equal(out_step.numpy(), out.numpy())
    assert_same_weights(weights(stepped), weights(by_hand))


def test_train_step_passes_a_tuple_as_several_inputs():
    class Sum(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

        def forward(self, a, b):
            return self.fc(a + b)

    gn.manual_seed(0)
    model = Sum()
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    a, b, t = gn.randn(4, 2), gn.randn(4, 2), gn.randn(4, 1)
    expected = F.mse_loss(model(a, b), t).item()
    loss, out = train.train_step(model, F.mse_loss, opt, (a, b), t)
    assert loss.item() == expected and out.shape == (4, 1)


@pytest.mark.parametrize(
    ("model", "loss_fn", "exc", "match"),
    [
        (lambda: lambda x: x.numpy(), F.mse_loss, TypeError, "train_step needs the model"),
        (
            lambda: nn.Linear(2, 1),
            lambda o, t: F.mse_loss(o, t, reduction="none"),
            ValueError,
            "train_step: the loss must be a single number",
        ),
    ],
    ids=["output-not-a-tensor", "loss-not-a-number"],
)
def test_train_step_refuses_bad_outputs_in_one_line(model, loss_fn, exc, match):
    layer = nn.Linear(2, 1)
    opt = gn.optim.SGD(layer.parameters(), lr=0.1)
    with pytest.raises(exc, match=match):
        train.train_step(model(), loss_fn, opt, gn.randn(3, 2), gn.randn(3, 1))


# ----------------------------------------------------------------------------------------------
# run_epoch
# ----------------------------------------------------------------------------------------------


def test_run_epoch_is_one_epoch_of_fit(spiral):
    """fit for one unshuffled epoch and run_epoch over the same batches train identically."""
    X, y = spiral
    fitted, run = small(), small()
    h = train.fit(fitted, (X, y), optimizer="sgd", lr=0.1, epochs=1, shuffle=False, verbose=0)
    opt = gn.optim.SGD(run.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(X, y), batch_size=32)
    logs, batches = train.run_epoch(run, loader, F.cross_entropy, opt, metrics=["accuracy"])
    assert batches == 4 and list(logs) == ["loss", "accuracy"]
    assert logs["loss"] == h["loss"][0] and logs["accuracy"] == h["accuracy"][0]
    assert_same_weights(weights(run), weights(fitted))


def test_run_epoch_stops_when_asked_and_calls_the_batch_hooks(spiral):
    X, y = spiral
    model = small()
    seen = []

    class Record(C.Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch, self.state.batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, sorted(logs)))

    cb_list = C.CallbackList([Record()], C.FitState(model=model))
    loader = DataLoader(TensorDataset(X, y), batch_size=16)  # 8 batches
    logs, batches = train.run_epoch(
        model,
        loader,
        F.cross_entropy,
        gn.optim.SGD(model.parameters(), lr=0.1),
        callbacks=cb_list,
        should_stop=lambda: len(seen) >= 6,
    )
    assert batches == 3 and list(logs) == ["loss"]
    assert seen == [
        ("begin", 0, 0), ("end", 0, ["batch_loss", "loss"]),
        ("begin", 1, 1), ("end", 1, ["batch_loss", "loss"]),
        ("begin", 2, 2), ("end", 2, ["batch_loss", "loss"]),
    ]  # fmt: skip
    assert model.training


def test_train_step_and_run_epoch_are_exported_beside_fit():
    assert gn.train_step is train.train_step and gn.run_epoch is train.run_epoch
    assert {"fit", "train_step", "run_epoch"} <= set(train.__all__)


# Every name the single-module glassnet/train.py defined, private helpers included.
OLD_TRAIN_NAMES = (
    "LOSSES OPTIMIZERS SCHEDULERS History evaluate fit get_loss make_optimizer predict resume "
    "_LOSS_ALIASES _CLASSIFICATION_LOSSES _CLASSIFICATION_MODULES _is_classification "
    "_default_metrics _make_scheduler _param_dtype _as_dataset _is_array _length _features "
    "_loader _split_batch _validation_split _StopOnCtrlC _Tally _scalar_loss _output_tensor "
    "_check_metrics _ModeKeeper _infer_loss _evaluate_loader"
).split()


@pytest.mark.parametrize("name", OLD_TRAIN_NAMES, ids=OLD_TRAIN_NAMES)
def test_names_of_the_single_module_train_still_import(name):
    assert getattr(train, name) is not None


def test_the_old_private_class_names_are_the_new_classes():
    assert train._Tally is Tally and train._StopOnCtrlC is StopOnCtrlC


# ----------------------------------------------------------------------------------------------
# Tallies
# ----------------------------------------------------------------------------------------------


def test_tally_weights_each_batch_by_its_size():
    """Batches of 3 and 1 samples: the epoch's loss is (3*l1 + 1*l2) / 4, not (l1 + l2) / 2."""
    rng = np.random.default_rng(0)
    outputs, targets = rng.normal(size=(4, 3)), np.array([0, 1, 2, 2])
    losses = [0.5, 2.5]
    tally = Tally([get_metric("accuracy"), get_metric("f1")], prefix="val_")
    tally.add(losses[0], outputs[:3], targets[:3])
    tally.add(losses[1], outputs[3:], targets[3:])
    logs = tally.logs()
    assert list(logs) == ["val_loss", "val_accuracy", "val_f1"]
    assert logs["val_loss"] == pytest.approx((3 * losses[0] + 1 * losses[1]) / 4)
    assert logs["val_accuracy"] == pytest.approx(gn.metrics.accuracy(outputs, targets))
    assert logs["val_f1"] == pytest.approx(gn.metrics.f1_score(outputs, targets))
    assert tally.running_logs()["loss"] == logs["val_loss"]


# ----------------------------------------------------------------------------------------------
# The Ctrl-C guard
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handler",
    [signal.default_int_handler, signal.SIG_IGN],
    ids=["default-handler", "ignored"],
)
def test_the_guard_puts_the_previous_handler_back(handler):
    """An ignored SIGINT (a background job) stays ignored: the guard only takes a live one."""
    previous = signal.signal(signal.SIGINT, handler)
    try:
        with StopOnCtrlC() as guard:
            installed = signal.getsignal(signal.SIGINT)
        assert (installed == guard._handle) is (handler is not signal.SIG_IGN)
        assert signal.getsignal(signal.SIGINT) is handler
        assert not guard.requested
    finally:
        signal.signal(signal.SIGINT, previous)
