"""Tests for glassnet.train: fit / evaluate / predict, History, Ctrl-C, resumable checkpoints."""

import os
import signal

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet import callbacks as C
from glassnet import train
from glassnet.checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from glassnet.data import DataLoader, TensorDataset
from glassnet.models import mlp
from glassnet.serialization import SerializationError


@pytest.fixture(scope="module")
def spiral():
    return gn.data.spiral(n_per_class=40, classes=3, seed=0)  # 120 points, float32 / int64


def small(dropout=0.0, seed=1):
    gn.manual_seed(seed)
    return mlp(2, [16], 3, dropout=dropout)


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# ----------------------------------------------------------------------------------------------
# fit: data forms, names, history
# ----------------------------------------------------------------------------------------------


def test_fit_learns_and_returns_history(spiral):
    X, y = spiral
    model = small()
    h = train.fit(model, (X, y), lr=0.01, epochs=15, batch_size=16, verbose=0)
    assert isinstance(h, train.History)
    assert h.epoch == list(range(15)) and len(h) == 15
    assert list(h.history) == ["loss", "accuracy", "lr"]
    assert all(len(v) == 15 for v in h.history.values())
    assert h["loss"][-1] < 0.8 * h["loss"][0]
    assert h["accuracy"][-1] > max(h["accuracy"][0], 0.45)  # chance is 1/3
    assert h.interrupted is False and h.stop_reason is None
    assert h.params["steps"] == 8 and h.params["metrics"] == ["accuracy"]


def test_float64_numpy_features_meet_a_float32_model(spiral):
    X, y = spiral
    h = train.fit(small(), (X.astype(np.float64), y), epochs=1, verbose=0)
    assert np.isfinite(h["loss"][0])


def test_every_data_form_gives_the_same_run(spiral):
    """(X, y) arrays, Tensors, a TensorDataset and a shuffling DataLoader all draw the shuffle
    from the global generator that seed= resets, so the runs are identical."""
    X, y = spiral
    forms = {
        "arrays": (X, y),
        "lists": (X.tolist(), y.tolist()),
        "tensors": (gn.tensor(X), gn.tensor(y)),
        "dataset": TensorDataset(X, y),
        "loader": DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True),
    }
    results = {}
    for name, data in forms.items():
        model = small()
        bs = None if name == "loader" else 16
        h = train.fit(model, data, epochs=3, batch_size=bs, seed=5, verbose=0)
        results[name] = (h.history, weights(model))
    ref_hist, ref_w = results["arrays"]
    for name, (hist, w) in results.items():
        assert hist == ref_hist, name
        assert same_weights(w, ref_w), name


def test_loss_and_optimizer_objects(spiral):
    X, y = spiral
    model = small()
    opt = gn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    h = train.fit(model, (X, y), loss=nn.CrossEntropyLoss(), optimizer=opt, epochs=5, verbose=0)
    assert "accuracy" in h  # a CrossEntropyLoss module is a classification loss
    assert h["lr"] == [0.1] * 5
    assert h["loss"][-1] < h["loss"][0]


def test_optimizer_by_name_and_default_rates(spiral):
    X, y = spiral
    built = []

    class Spy(C.Callback):
        def on_train_begin(self, logs=None):
            built.append(type(self.optimizer))

    for name, (cls, default_lr) in train.OPTIMIZERS.items():
        model = small()
        h = train.fit(model, (X, y), optimizer=name, epochs=1, callbacks=[Spy()], verbose=0)
        assert h["lr"] == [default_lr] and built[-1] is cls, name
    h = train.fit(small(), (X, y), optimizer="sgd", lr=0.5, epochs=1, verbose=0)
    assert h["lr"] == [0.5]


def test_regression_defaults_to_no_metrics():
    X, y = gn.data.sine(n=64, seed=0)
    model = mlp(1, [8], 1, activation="tanh")
    h = train.fit(model, (X, y), loss="mse", epochs=2, verbose=0)
    assert list(h.history) == ["loss", "lr"]
    h = train.fit(model, (X, y), loss="mse", metrics=["mae", "mse"], epochs=1, verbose=0)
    assert list(h.history) == ["loss", "mae", "mse", "lr"]
    # mse as a metric equals the loss (both means over the same batches)
    assert h["mse"][0] == pytest.approx(h["loss"][0], rel=1e-5)


def test_validation_data_and_split(spiral):
    X, y = spiral
    h = train.fit(small(), (X[:90], y[:90]), validation_data=(X[90:], y[90:]), epochs=2, verbose=0)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    h = train.fit(small(), (X, y), validation_split=0.25, epochs=1, verbose=0)
    assert h.params["samples"] == 90 and "val_loss" in h


def test_validation_metrics_match_evaluate(spiral):
    """Epoch-end validation numbers are exact, including non-mean metrics such as F1."""
    X, y = spiral
    model = small()
    h = train.fit(
        model,
        (X[:90], y[:90]),
        validation_data=(X[90:], y[90:]),
        metrics=["accuracy", "f1"],
        epochs=3,
        verbose=0,
    )
    ev = train.evaluate(model, (X[90:], y[90:]), loss="cross_entropy", metrics=["accuracy", "f1"])
    assert ev["loss"] == pytest.approx(h["val_loss"][-1], rel=1e-6)
    assert ev["accuracy"] == h["val_accuracy"][-1]
    assert ev["f1"] == h["val_f1"][-1]
    outputs = train.predict(model, X[90:])
    assert ev["f1"] == gn.metrics.f1_score(outputs, y[90:])


def test_fit_restores_the_modules_modes(spiral):
    X, y = spiral
    model = small(dropout=0.5)
    model[2].eval()  # one layer frozen in eval mode by the user
    train.fit(model, (X, y), epochs=1, verbose=0)
    assert model.training and model[0].training and not model[2].training


def test_callback_hooks_are_called_in_order(spiral):
    X, y = spiral
    calls = []

    class Recorder(C.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_begin(self, batch, logs=None):
            calls.append("b")

        def on_batch_end(self, batch, logs=None):
            assert set(logs) == {"loss", "accuracy", "batch_loss"}
            calls.append("e")

        def on_epoch_end(self, epoch, logs=None):
            assert self.model is model and self.optimizer is self.state.optimizer
            calls.append(f"epoch_end {epoch}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    model = small()
    train.fit(model, (X, y), epochs=2, batch_size=60, callbacks=[Recorder()], verbose=0)
    assert calls == [
        "train_begin",
        "epoch_begin 0", "b", "e", "b", "e", "epoch_end 0",
        "epoch_begin 1", "b", "e", "b", "e", "epoch_end 1",
        "train_end",
    ]  # fmt: skip


def test_a_callback_can_stop_training(spiral):
    X, y = spiral

    class StopAfterTwo(C.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.state.stop("enough")

    h = train.fit(small(), (X, y), epochs=10, callbacks=[StopAfterTwo()], verbose=0)
    assert h.epoch == [0, 1] and h.stop_reason == "enough" and not h.interrupted


def test_scheduler_by_name_steps_per_epoch(spiral):
    X, y = spiral
    h = train.fit(small(), (X, y), lr=0.1, scheduler="cosine", epochs=4, verbose=0)
    expected = [0.05 * (1 + np.cos(np.pi * e / 4)) for e in range(4)]
    np.testing.assert_allclose(h["lr"], expected, rtol=1e-12)


def test_verbose_output(spiral, capsys):
    X, y = spiral
    train.fit(small(), (X, y), epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    for verbose in (1, 2):  # capsys is not a terminal: one plain line per epoch
        train.fit(small(), (X, y), epochs=2, validation_split=0.2, verbose=verbose)
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 2
        assert lines[0].startswith("Epoch 1/2 - ") and "val_accuracy: " in lines[0]


# ----------------------------------------------------------------------------------------------
# evaluate and predict
# ----------------------------------------------------------------------------------------------


def test_evaluate_defaults_and_batch_size_independence(spiral):
    X, y = spiral
    model = small()
    train.fit(model, (X, y), epochs=3, verbose=0)
    a = train.evaluate(model, (X, y), batch_size=7)
    b = train.evaluate(model, (X, y), batch_size=1000)
    assert list(a) == ["loss", "accuracy"]
    assert a["accuracy"] == b["accuracy"]
    assert a["loss"] == pytest.approx(b["loss"], rel=1e-6)
    out = train.predict(model, X)
    assert a["accuracy"] == gn.metrics.accuracy(out, y)
    assert a["loss"] == pytest.approx(F.cross_entropy(out, gn.tensor(y)).item(), rel=1e-6)


def test_evaluate_regression_defaults():
    X, y = gn.data.sine(n=50, seed=0)
    model = mlp(1, [8], 1)
    r = train.evaluate(model, (X, y))
    assert list(r) == ["loss", "mae"]
    out = train.predict(model, X).numpy()
    assert r["loss"] == pytest.approx(np.mean((out - y) ** 2), rel=1e-5)


def test_predict_is_batched_graph_free_and_keeps_modes(spiral):
    X, y = spiral
    model = small(dropout=0.5)
    assert model.training
    out = train.predict(model, X, batch_size=7)
    assert isinstance(out, gn.Tensor) and out.shape == (120, 3)
    assert out.grad_fn is None and not out.requires_grad
    assert model.training  # mode restored
    again = train.predict(model, X).numpy()  # no dropout: the same up to batch-size rounding
    np.testing.assert_allclose(out.numpy(), again, rtol=1e-6, atol=1e-7)
    with gn.no_grad():
        model.eval()
        direct = model(gn.tensor(X)).numpy()
    np.testing.assert_allclose(out.numpy(), direct, rtol=1e-6, atol=1e-6)
    # a loader of (x, y) pairs: the inputs are used
    loader = DataLoader(TensorDataset(X, y), batch_size=50)
    np.testing.assert_allclose(train.predict(model, loader).numpy(), again, rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------------


class TupleModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        return self.fc(x), x


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda X, y: train.fit(lambda x: x, (X, y)), TypeError, "glassnet.nn.Module"),
        (lambda X, y: train.fit(small(), X), TypeError, r"\(X, y\)"),
        (lambda X, y: train.fit(small(), (X, y[:-1])), ValueError, "120 samples in X but 119"),
        (lambda X, y: train.fit(small(), (X, y), loss="crossentropy_"), ValueError, "known losses"),
        (lambda X, y: train.fit(small(), (X, y), optimizer="adum"), ValueError, "known optim"),
        (lambda X, y: train.fit(small(), (X, y), lr=-1), ValueError, "positive"),
        (lambda X, y: train.fit(small(), (X, y), epochs=-1), ValueError, "epochs"),
        (lambda X, y: train.fit(small(), (X, y), verbose=3), ValueError, "verbose"),
        (lambda X, y: train.fit(small(), (X, y), metrics=["acc", "acc"]), ValueError, "unique"),
        (
            lambda X, y: train.fit(small(), (X, y), validation_split=0.2, validation_data=(X, y)),
            ValueError,
            "not both",
        ),
        (lambda X, y: train.fit(small(), (X, y), validation_split=1.5), ValueError, "fraction"),
        (
            lambda X, y: train.fit(small(), DataLoader(TensorDataset(X, y)), batch_size=4),
            ValueError,
            "has its own",
        ),
        (
            lambda X, y: train.fit(
                small(), DataLoader(TensorDataset(X, y)), validation_split=0.1
            ),
            ValueError,
            "validation_data=",
        ),
        (lambda X, y: train.fit(TupleModel(), (X, y)), TypeError, "one Tensor"),
        (
            lambda X, y: train.fit(
                small(), (X, y), loss=lambda o, t: F.cross_entropy(o, t, reduction="none")
            ),
            ValueError,
            "single number",
        ),
        (
            lambda X, y: train.fit(small(), (X, y), optimizer=gn.optim.SGD(small().parameters())),
            ValueError,
            "another model",
        ),
        (
            lambda X, y: train.fit(small(), (X, y), optimizer=gn.optim.SGD(small().parameters()), lr=1),
            ValueError,
            "by name",
        ),
        (lambda X, y: train.fit(small(), (X, y), scheduler="cosin"), ValueError, "known sched"),
        (lambda X, y: train.fit(small(), DataLoader(TensorDataset(X))), ValueError, "targets"),
        (lambda X, y: train.predict(small(), 3.0), TypeError, "must be an array"),
    ],
    ids=[
        "not-a-module", "no-targets", "length", "loss-name", "optimizer-name", "lr", "epochs",
        "verbose", "metric-twice", "both-validations", "split-range", "loader-batch-size",
        "loader-split", "tuple-output", "loss-not-scalar", "foreign-optimizer",
        "lr-with-optimizer", "scheduler-name", "batch-without-targets", "predict-scalar",
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_error(spiral, make, exc, match):
    X, y = spiral
    with pytest.raises(exc, match=match):
        make(X, y)


# ----------------------------------------------------------------------------------------------
# Ctrl-C
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def default_sigint():
    """Python's own SIGINT handler for the test, whatever the suite was started with.

    A shell starts a background job (``pytest &``, a CI runner) with SIGINT ignored, and fit's
    Ctrl-C guard rightly leaves an ignored signal alone; the Ctrl-C tests need Ctrl-C to arrive.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class CtrlC(C.Callback):
    """Sends SIGINT to this process after a given batch of a given epoch (`times` times)."""

    def __init__(self, epoch, batch, times=1):
        self.at = (epoch, batch)
        self.times = times
        self.weights_after_epoch = []

    def on_batch_end(self, batch, logs=None):
        if (self.state.epoch, batch) == self.at:
            for _ in range(self.times):
                os.kill(os.getpid(), signal.SIGINT)

    def on_epoch_end(self, epoch, logs=None):
        self.weights_after_epoch.append(weights(self.model))


@pytest.mark.usefixtures("default_sigint")
def test_ctrl_c_stops_cleanly_at_the_end_of_the_batch(spiral, capsys):
    X, y = spiral
    before = signal.getsignal(signal.SIGINT)
    model = small()
    batches = []

    class Count(C.Callback):
        def on_batch_end(self, batch, logs=None):
            batches.append((self.state.epoch, batch))

    ctrl_c = CtrlC(epoch=1, batch=2)
    h = train.fit(model, (X, y), epochs=5, batch_size=16, callbacks=[ctrl_c, Count()], verbose=0)
    assert h.interrupted is True
    assert h.epoch == [0] and len(h["loss"]) == 1  # only the complete epoch is recorded
    assert batches[-1] == (1, 2)  # the batch in progress finished, no other started
    assert "epoch 2 after 3 of 8 batches" in h.stop_reason
    # the weights are kept, including the 3 updates of the interrupted epoch
    assert not same_weights(weights(model), ctrl_c.weights_after_epoch[0])
    assert signal.getsignal(signal.SIGINT) is before  # our handler is gone again
    err = capsys.readouterr().err
    assert "Ctrl-C" in err and "keeps its weights" in err


@pytest.mark.usefixtures("default_sigint")
def test_ctrl_c_between_batches_stops_before_the_next_epoch(spiral, capsys):
    X, y = spiral

    class CtrlCAtEpochEnd(C.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    h = train.fit(small(), (X, y), epochs=5, callbacks=[CtrlCAtEpochEnd()], verbose=0)
    assert h.interrupted and h.epoch == [0, 1]  # epoch 1 was complete: it is kept
    assert h.stop_reason == "interrupted by Ctrl-C after epoch 2"
    assert "the 2 completed epochs" in capsys.readouterr().err


@pytest.mark.usefixtures("default_sigint")
def test_second_ctrl_c_aborts(spiral):
    X, y = spiral
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        train.fit(small(), (X, y), epochs=3, callbacks=[CtrlC(0, 1, times=2)], verbose=0)
    assert signal.getsignal(signal.SIGINT) is before


# ----------------------------------------------------------------------------------------------
# history.stopped_at: (epochs completed, batches into the next epoch, batches per epoch)
# ----------------------------------------------------------------------------------------------


class StopAt(C.Callback):
    """Asks fit to stop after a given batch of a given epoch (as TerminateOnNaN does)."""

    def __init__(self, epoch, batch):
        self.at = (epoch, batch)

    def on_batch_end(self, batch, logs=None):
        if (self.state.epoch, batch) == self.at:
            self.state.stop("asked to")


@pytest.mark.usefixtures("default_sigint")
@pytest.mark.parametrize(
    ("epochs", "callbacks", "expected", "recorded"),
    [
        (3, [], (3, 0, 8), 3),
        (0, [], (0, 0, 8), 0),
        (5, [CtrlC(epoch=1, batch=2)], (1, 3, 8), 1),
        # Ctrl-C on the last batch of epoch 3: all its batches were trained on, but its
        # validation and epoch-end callbacks never ran, so the history holds 2 epochs
        (5, [CtrlC(epoch=2, batch=7)], (3, 0, 8), 2),
        (5, [StopAt(epoch=1, batch=4)], (1, 5, 8), 2),  # the epoch is closed, its batches count
        (5, [StopAt(epoch=1, batch=7)], (2, 0, 8), 2),
    ],
    ids=["all-done", "no-epochs", "ctrl-c-mid-epoch", "ctrl-c-last-batch", "stop-mid-epoch",
         "stop-at-epoch-end"],
)  # fmt: skip
def test_stopped_at_counts_what_the_weights_were_trained_on(
    spiral, epochs, callbacks, expected, recorded
):
    X, y = spiral
    h = train.fit(small(), (X, y), epochs=epochs, batch_size=16, callbacks=callbacks, verbose=0)
    assert h.stopped_at == expected and all(type(n) is int for n in h.stopped_at)
    assert len(h) == recorded
    done, into_next, per_epoch = h.stopped_at
    assert done * per_epoch + into_next <= epochs * per_epoch


@pytest.mark.usefixtures("default_sigint")
def test_stopped_at_matches_the_batches_trained(spiral):
    """Every batch fit trains on is counted once: the callback sees as many as stopped_at says."""
    X, y = spiral
    count = []

    seen_at_train_end = []

    class Count(C.Callback):
        def on_batch_end(self, batch, logs=None):
            count.append(batch)

        def on_train_end(self, logs=None):
            seen_at_train_end.append(self.state.history.stopped_at)

    h = train.fit(small(), (X, y), epochs=4, batch_size=50, verbose=0,
                  callbacks=[CtrlC(epoch=2, batch=1), Count()])  # fmt: skip
    done, into_next, per_epoch = h.stopped_at
    assert (done, into_next, per_epoch) == (2, 2, 3)
    assert len(count) == done * per_epoch + into_next
    assert seen_at_train_end == [h.stopped_at]  # callbacks can read it when training ends


def test_stopped_at_counts_resumed_epochs(spiral, tmp_path):
    X, y = spiral
    path = str(tmp_path / "c.npz")
    train.fit(small(), (X, y), epochs=2, batch_size=16, checkpoint=path, verbose=0)
    h = train.fit(small(), (X, y), epochs=3, batch_size=16, resume_from=path, verbose=0)
    assert h.stopped_at == (3, 0, 8)
    h = train.fit(small(), (X, y), epochs=2, batch_size=16, resume_from=path, verbose=0)
    assert h.stopped_at == (2, 0, 8)  # nothing left to train


# ----------------------------------------------------------------------------------------------
# Resumable checkpoints
# ----------------------------------------------------------------------------------------------


def _settings(**extra):
    settings = dict(
        lr=0.01,
        epochs=4,
        batch_size=16,
        validation_split=0.2,
        scheduler=lambda opt: gn.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7),
        seed=3,
        verbose=0,
    )
    return {**settings, **extra}


def test_resume_gives_bit_identical_weights(spiral, tmp_path):
    """4 epochs straight == 2 epochs, checkpoint, rebuild everything, 2 more epochs."""
    X, y = spiral
    straight = small(dropout=0.2)
    h_straight = train.fit(straight, (X, y), callbacks=[C.EarlyStopping(patience=9)], **_settings())

    path = tmp_path / "run.ckpt.npz"
    first = small(dropout=0.2)
    h_first = train.fit(
        first,
        (X, y),
        checkpoint=str(path),
        callbacks=[C.EarlyStopping(patience=9)],
        **_settings(epochs=2),
    )
    assert h_first.epoch == [0, 1] and path.exists()

    # A new "process": different global random state, a model rebuilt with other weights.
    gn.manual_seed(12345)
    gn.randn(10)
    rebuilt = small(dropout=0.2, seed=99)
    stopper = C.EarlyStopping(patience=9)
    h_resumed = train.fit(
        rebuilt, (X, y), resume_from=str(path), callbacks=[stopper], **_settings()
    )
    assert same_weights(weights(rebuilt), weights(straight))
    assert h_resumed.history == h_straight.history  # the history continues the saved one
    assert h_resumed.epoch == [0, 1, 2, 3]
    assert stopper.best == min(h_straight["val_loss"])  # the callback's memory came back too


def test_resume_with_a_loader_that_has_its_own_generator(spiral, tmp_path):
    X, y = spiral

    def run(model, epochs, **kw):
        loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, seed=7)
        return train.fit(model, loader, lr=0.01, epochs=epochs, verbose=0, **kw)

    straight = small(dropout=0.3)
    run(straight, 3, seed=1)
    path = str(tmp_path / "c.npz")
    run(small(dropout=0.3), 1, seed=1, checkpoint=path)
    resumed = small(seed=50, dropout=0.3)
    train.resume(path, resumed, DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, seed=7),
                 lr=0.01, epochs=3, verbose=0, seed=1)  # fmt: skip
    assert same_weights(weights(resumed), weights(straight))
    assert read_checkpoint(path)["epoch"] == 3  # resume keeps writing the same checkpoint


def test_resume_refuses_a_missing_scheduler(spiral, tmp_path):
    X, y = spiral
    path = str(tmp_path / "c.npz")
    train.fit(small(), (X, y), epochs=1, scheduler="cosine", checkpoint=path, verbose=0)
    with pytest.raises(ValueError, match="same scheduler="):
        train.fit(small(), (X, y), epochs=2, resume_from=path, verbose=0)


def test_resume_when_already_done_trains_nothing(spiral, tmp_path):
    X, y = spiral
    path = str(tmp_path / "c.npz")
    model = small()
    train.fit(model, (X, y), epochs=2, checkpoint=path, verbose=0)
    again = small(seed=4)
    h = train.fit(again, (X, y), epochs=2, resume_from=path, verbose=0)
    assert h.epoch == [0, 1] and same_weights(weights(again), weights(model))


def test_checkpoint_round_trip_by_hand(tmp_path):
    model = small()
    opt = gn.optim.Adam(model.parameters(), lr=0.01)
    sched = gn.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    x, t = gn.randn(8, 2), gn.tensor(np.arange(8) % 3)
    for _ in range(3):
        loss = F.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    path = tmp_path / "hand.npz"
    save_checkpoint(
        path, model=model, optimizer=opt, scheduler=sched, epoch=3, extra={"note": "hi"}
    )
    rng_state = gn.get_rng_state()
    gn.randn(5)  # move the generator on

    model2 = small(seed=8)
    opt2 = gn.optim.Adam(model2.parameters(), lr=0.5)
    sched2 = gn.optim.lr_scheduler.StepLR(opt2, step_size=1, gamma=0.5)
    info = load_checkpoint(path, model=model2, optimizer=opt2, scheduler=sched2)
    assert info.epoch == 3 and info.extra == {"note": "hi"}
    assert same_weights(weights(model2), weights(model))
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"] == 0.01 * 0.5**3
    assert sched2.last_epoch == sched.last_epoch == 3
    for p, q in zip(model.parameters(), model2.parameters()):
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(opt.state[p][key], opt2.state[q][key])
    assert gn.get_rng_state() == rng_state


def test_checkpoint_that_does_not_fit_changes_nothing(tmp_path):
    model = small()
    path = tmp_path / "c.npz"
    save_checkpoint(path, model=model, optimizer=gn.optim.SGD(model.parameters(), lr=0.1))
    other = mlp(2, [16], 3)
    other_opt = gn.optim.SGD(list(other.parameters())[:2], lr=0.3)  # fewer parameters
    before = weights(other)
    with pytest.raises(ValueError, match="does not fit the optimizer"):
        load_checkpoint(path, model=other, optimizer=other_opt)
    assert same_weights(weights(other), before)  # the model part was rolled back
    assert other_opt.param_groups[0]["lr"] == 0.3
    with pytest.raises(ValueError, match="does not fit the model"):
        load_checkpoint(path, model=mlp(2, [8], 3))


def test_a_weights_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "w.npz"
    gn.save(small().state_dict(), path)
    with pytest.raises(SerializationError, match="not a training checkpoint"):
        read_checkpoint(path)


def test_an_error_during_training_restores_the_modes(spiral):
    X, y = spiral
    model = small(dropout=0.5)
    model.eval()
    calls = {"n": 0}

    def failing_loss(output, target):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("boom")
        return F.cross_entropy(output, target)

    with pytest.raises(RuntimeError, match="boom"):
        train.fit(model, (X, y), epochs=2, loss=failing_loss, verbose=0)
    assert not any(m.training for m in model.modules())


@pytest.mark.skipif(not hasattr(nn.Module, "fit"), reason="Module.fit is not wired in yet")
def test_module_fit_is_glassnet_fit(spiral):
    X, y = spiral
    a, b = small(), small()
    h1 = a.fit((X, y), epochs=2, seed=0, verbose=0)
    h2 = gn.fit(b, (X, y), epochs=2, seed=0, verbose=0)
    assert h1.history == h2.history and same_weights(weights(a), weights(b))
