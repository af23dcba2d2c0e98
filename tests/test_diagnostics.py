"""The Diagnostics callback: each hint appears when its cause is there, with its numbers."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.callbacks import Diagnostics, FitState


def _data(n=128, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def _kinds(history):
    return [h["kind"] for h in getattr(history, "hints", [])]


def test_dead_relu_units_are_reported():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    with gn.no_grad():
        model[0].bias.fill_(-50.0)  # every pre-activation negative: all 16 units dead
    diagnostics = Diagnostics(every=1, verbose=False)
    history = gn.fit(model, _data(), epochs=2, batch_size=32, verbose=0, callbacks=[diagnostics])
    assert "dead_units" in _kinds(history)
    hint = next(h for h in history.hints if h["kind"] == "dead_units")
    assert hint["numbers"]["fraction"] == 1.0 and hint["numbers"]["units"] == 16
    assert "100% of the 16 units after 1 (ReLU)" in hint["message"]
    assert diagnostics.dead_units[0]["1"] == 1.0


def test_a_learning_rate_far_too_high_is_reported_as_diverging():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2))
    with np.errstate(all="ignore"):
        history = gn.fit(model, _data(), epochs=6, batch_size=16, lr=50.0, optimizer="sgd",
                         verbose=0, callbacks=[Diagnostics(verbose=False)])  # fmt: skip
    assert "diverging" in _kinds(history), history.hints
    message = next(h["message"] for h in history.hints if h["kind"] == "diverging")
    assert "lr=50" in message


def test_a_flat_loss_is_reported():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    history = gn.fit(model, _data(), epochs=4, batch_size=32, lr=1e-9, optimizer="sgd",
                     verbose=0, callbacks=[Diagnostics(verbose=False)])  # fmt: skip
    assert "flat_loss" in _kinds(history)


def test_a_healthy_run_gets_no_hints_and_prints_nothing(capsys):
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))
    history = gn.fit(model, _data(), epochs=3, batch_size=16, lr=0.05, verbose=0,
                     callbacks=[Diagnostics()])  # fmt: skip
    assert _kinds(history) == []
    assert capsys.readouterr().out == ""


class _FakeHistory:
    pass


def _fed(diagnostics, losses, val_losses):
    state = FitState(model=nn.Linear(2, 2), history=_FakeHistory(), verbose=0)
    diagnostics.set_state(state)
    diagnostics.on_train_begin()
    for epoch, (loss, val) in enumerate(zip(losses, val_losses)):
        state.epoch = epoch
        diagnostics.on_epoch_begin(epoch)
        diagnostics.on_epoch_end(epoch, {"loss": loss, "val_loss": val})
    return state.history


def test_overfitting_is_reported_when_validation_rises_while_training_falls():
    history = _fed(Diagnostics(), [1.0, 0.8, 0.6, 0.4, 0.3], [0.9, 0.8, 0.85, 0.9, 1.0])
    hint = next(h for h in history.hints if h["kind"] == "overfitting")
    assert hint["epoch"] == 4 and "overfitting" in hint["message"]
    assert hint["numbers"] == {"val_from": 0.8, "val_to": 0.9}


def test_each_hint_is_given_once():
    history = _fed(Diagnostics(), [1.0, 0.8, 0.6, 0.4, 0.3, 0.2], [0.9, 0.8, 0.85, 0.9, 1.0, 1.1])
    assert _kinds(history).count("overfitting") == 1


def test_vanishing_and_exploding_gradients_are_reported():
    diagnostics = Diagnostics(verbose=False)
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2))
    state = FitState(model=model, history=_FakeHistory(), verbose=0)
    diagnostics.set_state(state)
    diagnostics.on_train_begin()
    diagnostics.on_epoch_begin(0)
    model[0].weight.grad = gn.full((2, 2), 1e-9)
    model[1].weight.grad = gn.ones(2, 2)
    model[2].weight.grad = gn.full((2, 2), 1e6)
    diagnostics.on_batch_end(0, {"loss": 1.0})
    diagnostics.on_epoch_end(0, {"loss": 1.0})
    kinds = {(h["kind"], h["message"].split()[3]) for h in state.history.hints}
    assert ("vanishing_gradients", "0.weight") in kinds
    assert ("exploding_gradients", "2.weight") in kinds


def test_histograms_are_kept_per_epoch():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    diagnostics = Diagnostics(histogram_size=10, verbose=False)
    gn.fit(model, _data(), epochs=2, batch_size=32, verbose=0, callbacks=[diagnostics])
    assert len(diagnostics.weight_histograms) == 2
    assert set(diagnostics.weight_histograms[0]) == {n for n, _ in model.named_parameters()}
    assert diagnostics.weight_histograms[0]["0.weight"].size == 10


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="every must be at least 1 batch, got 0"):
        Diagnostics(every=0)


def test_options_are_attributes_shown_by_repr():
    diagnostics = Diagnostics(5, dead_fraction=0.25, verbose=False)
    assert (diagnostics.every, diagnostics.dead_fraction, diagnostics.verbose) == (5, 0.25, False)
    assert repr(diagnostics).startswith("Diagnostics(every=5, dead_fraction=0.25, ")
    assert diagnostics.hints == [] and Diagnostics().hints is not diagnostics.hints
    assert diagnostics != Diagnostics(
        5, dead_fraction=0.25, verbose=False
    )  # each keeps its own run's hints
