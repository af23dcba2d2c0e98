"""Tests for glassnet.callbacks: EarlyStopping, ModelCheckpoint, LearningRateScheduler, CSVLogger,
TerminateOnNaN, ProgressBar, run inside glassnet.fit."""

import csv
import io
import math
import os
import time

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import callbacks as C
from glassnet import train
from glassnet.models import mlp


@pytest.fixture(scope="module")
def data():
    return gn.data.blobs(n=96, centers=3, seed=0)


def small(seed=1):
    gn.manual_seed(seed)
    return mlp(2, [8], 3)


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


class Inject(C.Callback):
    """Writes a scripted value into the logs at each epoch end (so monitors see known values),
    and remembers the weights of every epoch."""

    def __init__(self, key, values):
        self.key, self.values = key, list(values)
        self.snapshots = []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.snapshots.append(weights(self.model))


def fit(data, callbacks, epochs, **kw):
    model = kw.pop("model", None) or small()
    h = train.fit(model, data, epochs=epochs, callbacks=callbacks, verbose=0, **kw)
    return model, h


# ----------------------------------------------------------------------------------------------
# EarlyStopping
# ----------------------------------------------------------------------------------------------


def test_early_stopping_waits_patience_epochs(data):
    stop = C.EarlyStopping(monitor="score", patience=2)
    _, h = fit(data, [Inject("score", [5, 4, 4.5, 4.2, 4.1, 3, 2]), stop], epochs=7)
    # best 4 at epoch 1; epochs 2 and 3 do not improve -> stop after epoch 3
    assert h.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best == 4 and stop.best_epoch == 1
    assert "early stopping at epoch 4" in h.stop_reason
    assert h["score"] == [5, 4, 4.5, 4.2]


def test_early_stopping_min_delta_and_max_mode(data):
    stop = C.EarlyStopping(monitor="val_acc", patience=1, min_delta=0.05)
    assert stop.mode == "max"  # an accuracy-like name
    _, h = fit(data, [Inject("val_acc", [0.5, 0.54, 0.9, 0.9]), stop], epochs=4)
    assert h.epoch == [0, 1]  # +0.04 is less than min_delta


def test_early_stopping_baseline(data):
    stop = C.EarlyStopping(monitor="score", patience=2, baseline=1.0)
    _, h = fit(data, [Inject("score", [3, 2, 0.5, 0.4]), stop], epochs=4)
    assert h.epoch == [0, 1] and "never beat the baseline" in h.stop_reason


def test_early_stopping_restores_the_best_weights(data):
    inject = Inject("score", [3, 1, 2, 2.5, 4])
    stop = C.EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    model, h = fit(data, [inject, stop], epochs=5)
    assert h.epoch == [0, 1, 2, 3]
    best = inject.snapshots[1]
    assert all(np.array_equal(best[k], v.numpy()) for k, v in model.state_dict().items())
    # when the best epoch is the last one the weights are simply kept
    inject = Inject("score", [3, 2, 1])
    stop = C.EarlyStopping("score", patience=3, restore_best_weights=True)
    model, _ = fit(data, [inject, stop], epochs=3)
    last = inject.snapshots[2]
    assert all(np.array_equal(last[k], v.numpy()) for k, v in model.state_dict().items())


def test_early_stopping_needs_its_monitor(data):
    with pytest.raises(ValueError, match="monitors 'val_loss'.*validation_data"):
        fit(data, [C.EarlyStopping()], epochs=2)
    with pytest.raises(ValueError, match="mode must be"):
        C.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="patience"):
        C.EarlyStopping(patience=-1)


def test_early_stopping_state_round_trip():
    stop = C.EarlyStopping(monitor="loss", restore_best_weights=True)
    stop.best, stop.best_epoch, stop.wait = 0.5, 3, 2
    stop.best_weights = {"w": np.ones(3)}
    other = C.EarlyStopping(monitor="loss", restore_best_weights=True)
    other.load_state_dict(stop.state_dict())
    other.on_train_begin()  # a restored memory survives the start of training
    assert (other.best, other.best_epoch, other.wait) == (0.5, 3, 2)
    np.testing.assert_array_equal(other.best_weights["w"], np.ones(3))


# ----------------------------------------------------------------------------------------------
# ModelCheckpoint
# ----------------------------------------------------------------------------------------------


def test_model_checkpoint_every_epoch_with_formatted_names(data, tmp_path):
    pattern = str(tmp_path / "ckpt" / "epoch{epoch:02d}-{loss:.3f}.npz")
    cb = C.ModelCheckpoint(pattern)
    model, h = fit(data, [cb], epochs=3)
    names = sorted(os.listdir(tmp_path / "ckpt"))
    assert names == [f"epoch{e + 1:02d}-{h['loss'][e]:.3f}.npz" for e in range(3)]
    saved = gn.load(cb.last_saved)
    assert all(np.array_equal(saved[k].numpy(), v.numpy()) for k, v in model.state_dict().items())


def test_model_checkpoint_save_best_only(data, tmp_path):
    path = str(tmp_path / "best.npz")
    inject = Inject("val_score", [0.3, 0.6, 0.5, 0.7, 0.2])
    cb = C.ModelCheckpoint(path, monitor="val_score", save_best_only=True, mode="max", verbose=True)
    model, _ = fit(data, [inject, cb], epochs=5)
    assert cb.best == 0.7
    saved = gn.load(path)
    best = inject.snapshots[3]
    assert all(np.array_equal(saved[k].numpy(), best[k]) for k in best)
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []  # atomic writes


def _saved_weights(path, kind):
    saved = gn.load(path)
    state = saved if kind == "model" else saved["model"]
    return {k: v.numpy() for k, v in state.items()}


@pytest.mark.parametrize(
    "kind", ["model", "training"], ids=["ModelCheckpoint", "TrainingCheckpoint"]
)
def test_an_interrupted_checkpoint_write_leaves_the_previous_file_whole(
    data, tmp_path, monkeypatch, kind
):
    """Ctrl-C half-way through writing the second epoch's file: the first epoch's stays."""
    path = tmp_path / "ckpt.npz"
    make = {"model": C.ModelCheckpoint, "training": C.TrainingCheckpoint}[kind]
    model, _ = fit(data, [make(str(path))], epochs=1)
    first = weights(model)
    assert _saved_weights(path, kind).keys() == first.keys()

    write_array = np.lib.format.write_array
    written = []

    def write_half_then_ctrl_c(member, array, **kw):
        if written:  # the first array goes in whole, the second is cut short
            member.write(array.tobytes()[: array.nbytes // 2])
            raise KeyboardInterrupt
        written.append(array.shape)
        write_array(member, array, **kw)

    monkeypatch.setattr(np.lib.format, "write_array", write_half_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        fit(data, [make(str(path))], epochs=1, model=small(seed=7))
    monkeypatch.undo()
    assert written  # the new file really was being written when the interrupt came
    saved = _saved_weights(path, kind)
    assert saved.keys() == first.keys()
    for key in first:
        np.testing.assert_array_equal(saved[key], first[key], err_msg=key)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]  # no temporary file left behind


def test_model_checkpoint_unknown_name_field(data, tmp_path):
    with pytest.raises(ValueError, match="fields available are epoch, accuracy, loss, lr"):
        fit(data, [C.ModelCheckpoint(str(tmp_path / "{val_loss}.npz"))], epochs=1)


# ----------------------------------------------------------------------------------------------
# LearningRateScheduler
# ----------------------------------------------------------------------------------------------


def test_lr_scheduler_steps_once_per_epoch(data):
    model = small()
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    sched = gn.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    _, h = fit(data, [C.LearningRateScheduler(sched)], epochs=3, model=model, optimizer=opt)
    np.testing.assert_allclose(h["lr"], [0.1, 0.05, 0.025])
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0125)


def test_lr_scheduler_factory_and_fit_argument_agree(data):
    def make(opt):
        return gn.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)

    _, h1 = fit(data, [C.LearningRateScheduler(make)], epochs=3, lr=0.2, optimizer="sgd")
    _, h2 = fit(data, [], epochs=3, lr=0.2, optimizer="sgd", scheduler=make)
    np.testing.assert_allclose(h1["lr"], [0.2, 0.18, 0.162])
    assert h1.history == h2.history


def test_one_cycle_steps_every_batch(data):
    cb = C.LearningRateScheduler(
        lambda opt: gn.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3 * 6)
    )
    fit(data, [cb], epochs=3, batch_size=16)  # 96 samples: 6 batches per epoch
    assert cb.scheduler.last_epoch == 18


def test_cyclic_lr_steps_every_batch(data):
    cb = C.LearningRateScheduler(
        lambda opt: gn.optim.lr_scheduler.CyclicLR(
            opt, 0.01, 0.1, step_size_up=4, cycle_momentum=False
        )  # fmt: skip
    )
    fit(data, [cb], epochs=2, batch_size=16)
    assert cb.scheduler.last_epoch == 12


def test_reduce_on_plateau_uses_the_monitor(data):
    cb = C.LearningRateScheduler(
        lambda opt: gn.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1),
        monitor="score",
    )
    _, h = fit(data, [Inject("score", [1.0, 1.0, 1.0, 1.0, 1.0]), cb], epochs=5, lr=0.1)
    # no improvement after epoch 0: bad epochs 1, 2 -> halve after epoch 2 (and again after 4)
    np.testing.assert_allclose(h["lr"], [0.1, 0.1, 0.1, 0.05, 0.05])


def test_lr_scheduler_on_another_optimizer_is_refused(data):
    other = gn.optim.SGD(small().parameters(), lr=0.1)
    cb = C.LearningRateScheduler(gn.optim.lr_scheduler.StepLR(other, step_size=1))
    with pytest.raises(ValueError, match="different optimizer"):
        fit(data, [cb], epochs=1)
    with pytest.raises(TypeError, match="scheduler"):
        C.LearningRateScheduler(3)


# ----------------------------------------------------------------------------------------------
# CSVLogger
# ----------------------------------------------------------------------------------------------


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_csv_logger_writes_every_epoch_exactly(data, tmp_path):
    path = tmp_path / "history.csv"
    _, h = fit(data, [C.CSVLogger(path)], epochs=3, validation_data=data)
    rows = read_rows(path)
    assert list(rows[0]) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    for key in h.history:  # full precision: the file reads back to the same floats
        assert [float(r[key]) for r in rows] == h[key]
    assert sorted(os.listdir(tmp_path)) == ["history.csv"]  # no temporary files left


def test_csv_logger_append(data, tmp_path):
    path = tmp_path / "h.csv"
    fit(data, [C.CSVLogger(path)], epochs=2)
    fit(data, [C.CSVLogger(path, append=True)], epochs=1)
    assert [r["epoch"] for r in read_rows(path)] == ["1", "2", "1"]
    fit(data, [C.CSVLogger(path)], epochs=1)  # append=False starts over
    assert len(read_rows(path)) == 1


# ----------------------------------------------------------------------------------------------
# TerminateOnNaN
# ----------------------------------------------------------------------------------------------


def test_terminate_on_nan_stops_at_the_bad_batch(data):
    calls = {"n": 0}

    def loss(output, target):
        calls["n"] += 1
        scale = math.nan if calls["n"] == 9 else 1.0  # batch 3 of epoch 2 (6 batches/epoch)
        return F.cross_entropy(output, target) * scale

    _, h = fit(data, [C.TerminateOnNaN()], epochs=5, loss=loss, batch_size=16)
    assert calls["n"] == 9  # no batch after the NaN one
    assert h.epoch == [0, 1] and math.isnan(h["loss"][1])
    assert "loss became nan at epoch 2, batch 3" in h.stop_reason


# ----------------------------------------------------------------------------------------------
# ProgressBar
# ----------------------------------------------------------------------------------------------


def test_progress_lines_when_not_a_terminal(data):
    out = io.StringIO()
    fit(data, [C.ProgressBar(verbose=1, file=out)], epochs=3, validation_data=data)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("Epoch 3/3 - ")
    assert "loss: " in lines[2] and "val_accuracy: " in lines[2] and "lr: 0.001" in lines[2]


def test_progress_bar_with_tqdm(data):
    pytest.importorskip("tqdm")
    out = io.StringIO()
    stop = C.EarlyStopping(monitor="loss", patience=0, restore_best_weights=True)
    model = small()

    class Slow(C.Callback):  # so that the bar redraws mid-epoch (tqdm draws every 0.1 s)
        def on_batch_end(self, batch, logs=None):
            if self.state.epoch == 0 and batch == 1:
                time.sleep(0.15)

    h = train.fit(
        model,
        data,
        epochs=2,
        verbose=1,
        callbacks=[Slow(), Inject("loss", [1.0, 2.0]), stop, C.ProgressBar(file=out, style="bar")],
    )
    text = out.getvalue()
    assert "Epoch 1/2:   0%" in text and "2/3" in text and "loss=" in text and "acc=" in text
    # at the end of each epoch the bar gives way to the full line
    pieces = text.replace("\r", "\n").splitlines()
    assert [p[:12] for p in pieces if p.startswith("Epoch ") and " - " in p] == [
        "Epoch 1/2 - ",
        "Epoch 2/2 - ",
    ]
    assert "Restored the weights of epoch 1" in text
    assert h.epoch == [0, 1]


def test_progress_falls_back_to_lines_without_tqdm(data, monkeypatch):
    monkeypatch.setattr(C.progress, "_load_tqdm", lambda notebook: None)
    out = io.StringIO()
    fit(data, [C.ProgressBar(file=out, style="bar")], epochs=2)
    assert out.getvalue().splitlines()[1].startswith("Epoch 2/2 - ")


def test_progress_silent_at_verbose_0(data):
    out = io.StringIO()
    fit(data, [C.ProgressBar(verbose=0, file=out)], epochs=2)
    assert out.getvalue() == ""


def test_bad_callbacks_are_refused(data):
    with pytest.raises(TypeError, match="Callback instances"):
        fit(data, [object()], epochs=1)
    with pytest.raises(ValueError, match="style"):
        C.ProgressBar(style="fancy")


# Every name the single-module glassnet/callbacks.py defined, private helpers included.
OLD_CALLBACK_NAMES = (
    "CSVLogger Callback CallbackList EarlyStopping FitState LearningRateScheduler "
    "ModelCheckpoint ProgressBar TerminateOnNaN TrainingCheckpoint format_logs _overrides "
    "_resolve_mode _monitored _improved _read_csv_rows _in_notebook _load_tqdm _BAR_FORMAT"
).split()


@pytest.mark.parametrize("name", OLD_CALLBACK_NAMES, ids=OLD_CALLBACK_NAMES)
def test_names_of_the_single_module_callbacks_still_import(name):
    assert getattr(C, name) is not None


def test_current_lr_is_the_first_groups_learning_rate():
    model = gn.nn.Linear(2, 1)
    callback = C.Callback()
    callback.set_state(C.FitState(model=model, optimizer=gn.optim.SGD(model.parameters(), lr=0.3)))
    assert callback.current_lr() == pytest.approx(0.3)
    callback.optimizer.param_groups[0]["lr"] = 0.05  # as a scheduler would
    assert callback.current_lr() == pytest.approx(0.05)
    callback.set_state(C.FitState(model=model))
    assert callback.current_lr() is None
