"""Diagnostics: a callback that watches training and says in plain words what looks wrong.

It looks at what a teacher would look at, and each hint comes with the numbers behind it:

* dead ReLU units: units that gave 0 for every training example seen in an epoch never pass a
  gradient back, so they never learn again;
* vanishing or exploding gradients: per-layer gradient norms far below or far above the others
  (or simply huge);
* a loss that diverges (NaN, or rising well above where it started: the learning rate is too
  high) or stays flat (too low, or gradients do not reach the parameters);
* overfitting: the validation loss rising while the training loss keeps falling.

Each hint is printed the first time it appears and kept, with its epoch, in ``history.hints``.
The callback also keeps small per-epoch samples of every parameter's values and gradients
(``weight_histograms``, ``grad_histograms``) for ``glassnet.inspect.plot_histograms``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import Callback

__all__ = ["Diagnostics", "Hint"]

_RELU_LIKE = ("ReLU", "ReLU6")


class Hint(dict):
    """One observation: ``kind`` (e.g. "dead_units"), ``epoch``, ``message`` and ``numbers``."""

    @property
    def message(self) -> str:
        return self["message"]


def _norm(array: np.ndarray) -> float:
    flat = array.reshape(-1).astype(np.float64, copy=False)
    return float(np.sqrt(flat @ flat))


def _sample(array: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    flat = array.reshape(-1)
    if flat.size <= size:
        return flat.astype(np.float32, copy=True)
    return flat[rng.choice(flat.size, size=size, replace=False)].astype(np.float32)


@dataclass(eq=False)
class Diagnostics(Callback):
    """Watch a ``fit`` and explain what it sees (see the module docstring).

    Args:
        every: look at gradients every this many batches (they are there after each step).
        dead_fraction: report a layer when more than this fraction of its units are dead.
        vanishing_ratio: report when a layer's gradient norm is below this fraction of the
            largest layer's.
        exploding_norm: report a gradient norm above this.
        flat_epochs: after this many epochs, a loss that moved less than ``flat_change``
            (relative) is reported as flat.
        histogram_size: values kept per parameter per epoch for the histograms.
        verbose: print hints as they appear (they are kept in the History either way).

    Attributes:
        hints: every Hint, in the order they appeared.
        grad_norms: per epoch, the mean gradient norm of each parameter.
        dead_units: per epoch, the fraction of dead units of each ReLU layer.
        weight_histograms, grad_histograms: per epoch, samples of each parameter's values.
    """

    # The constructor's arguments: the dataclass writes __init__ to keep each as an attribute.
    every: int = 10
    dead_fraction: float = 0.5
    vanishing_ratio: float = 1e-3
    exploding_norm: float = 1e3
    flat_epochs: int = 3
    flat_change: float = 0.01
    histogram_size: int = 2000
    verbose: bool = True

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"Diagnostics: every must be at least 1 batch, got {self.every}")
        self.hints: list[Hint] = []
        self.grad_norms: list[dict[str, float]] = []
        self.dead_units: list[dict[str, float]] = []
        self.weight_histograms: list[dict[str, np.ndarray]] = []
        self.grad_histograms: list[dict[str, np.ndarray]] = []
        self._seen: set[tuple] = set()
        self._rng = np.random.default_rng(0)

    # -- bookkeeping -------------------------------------------------------------------------
    def _hint(self, kind: str, key: Any, message: str, **numbers: float) -> None:
        if (kind, key) in self._seen:
            return
        self._seen.add((kind, key))
        hint = Hint(kind=kind, epoch=self.state.epoch + 1, message=message, numbers=numbers)
        self.hints.append(hint)
        history = self.state.history
        if history is not None:
            if not hasattr(history, "hints"):
                history.hints = []
            history.hints.append(hint)
        if self.verbose:
            self.state.echo(f"diagnostics: {message}")

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._handles = []
        self._active: dict[str, np.ndarray] = {}
        self._losses: list[float] = []
        self._val_losses: list[float] = []
        for path, module in self.model.named_modules():
            if type(module).__name__ in _RELU_LIKE:
                self._handles.append(module.register_forward_hook(self._relu_hook(path or "model")))

    def _relu_hook(self, path: str) -> Any:
        def hook(module: Any, args: tuple, output: Any) -> None:
            if not module.training or self.state.batch % self.every:
                return
            out = output.array
            if out.ndim < 2:
                return
            alive = np.any(out.reshape(out.shape[0], -1) > 0, axis=0)
            seen = self._active.get(path)
            self._active[path] = (
                alive if seen is None or seen.shape != alive.shape else seen | alive
            )

        return hook

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._active = {}
        self._norm_sums: dict[str, float] = {}
        self._norm_counts = 0

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if batch % self.every:
            return
        self._norm_counts += 1
        for name, p in self.model.named_parameters():
            if p.grad is not None:
                self._norm_sums[name] = self._norm_sums.get(name, 0.0) + _norm(p.grad.array)
                if not math.isfinite(self._norm_sums[name]):
                    self._hint("nan_gradient", name, f"the gradient of {name} holds NaN or Inf")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        self._check_dead_units()
        self._check_gradients()
        self._check_loss(logs)
        self._keep_histograms()

    def on_train_end(self, logs: dict | None = None) -> None:
        for handle in getattr(self, "_handles", []):
            handle.remove()
        self._handles = []

    # -- the checks --------------------------------------------------------------------------
    def _check_dead_units(self) -> None:
        fractions = {}
        for path, alive in self._active.items():
            dead = float(1.0 - alive.mean())
            fractions[path] = dead
            if dead > self.dead_fraction:
                self._hint(
                    "dead_units", path,
                    f"{dead:.0%} of the {alive.size} units after {path} (ReLU) gave 0 for every "
                    "training example this epoch: dead units pass no gradient and never learn "
                    "again (try a lower learning rate, LeakyReLU, or another initialisation)",
                    fraction=dead, units=alive.size,
                )  # fmt: skip
        self.dead_units.append(fractions)

    def _check_gradients(self) -> None:
        if not self._norm_counts:
            self.grad_norms.append({})
            return
        norms = {name: total / self._norm_counts for name, total in self._norm_sums.items()}
        self.grad_norms.append(norms)
        weights = {n: v for n, v in norms.items() if n.endswith("weight") and math.isfinite(v)}
        if not weights:
            return
        largest = max(weights.values())
        for name, value in weights.items():
            if value > self.exploding_norm:
                self._hint(
                    "exploding_gradients", name,
                    f"the gradient of {name} is exploding (norm {value:.3g} > "
                    f"{self.exploding_norm:g}): lower the learning rate or clip gradients "
                    "(glassnet.nn.utils.clip_grad_norm_)",
                    norm=value,
                )  # fmt: skip
            elif largest > 0 and value < self.vanishing_ratio * largest:
                self._hint(
                    "vanishing_gradients", name,
                    f"the gradient of {name} is vanishing (norm {value:.3g}, "
                    f"{value / largest:.1e} of the largest layer's {largest:.3g}): layers that "
                    "far back barely learn (try ReLU instead of sigmoid/tanh, normalisation, "
                    "or residual connections)",
                    norm=value, largest=largest,
                )  # fmt: skip

    def _check_loss(self, logs: dict) -> None:
        loss = logs.get("loss")
        if loss is None:
            return
        self._losses.append(float(loss))
        lr = self.current_lr()
        lr_text = f" (lr={lr:g})" if lr is not None else ""
        first = self._losses[0]
        if not math.isfinite(loss):
            self._hint("diverging", "nan", f"the loss became {loss}{lr_text}: training diverged; "
                       "lower the learning rate", loss=float(loss))  # fmt: skip
        elif len(self._losses) >= 2 and loss > 1.5 * first and loss > self._losses[-2]:
            self._hint(
                "diverging", "rising",
                f"the loss is rising ({first:.4g} after epoch 1, {loss:.4g} now){lr_text}: the "
                "learning rate is probably too high",
                first=first, now=float(loss),
            )  # fmt: skip
        if len(self._losses) >= self.flat_epochs:
            window = self._losses[-self.flat_epochs :]
            change = abs(window[0] - window[-1]) / max(abs(window[0]), 1e-12)
            if change < self.flat_change:
                self._hint(
                    "flat_loss", "flat",
                    f"the loss has hardly moved over {self.flat_epochs} epochs ({window[0]:.4g} "
                    f"to {window[-1]:.4g}, {change:.2%}){lr_text}: the learning rate may be too "
                    "low, or the gradients do not reach the parameters",
                    change=change,
                )  # fmt: skip
        val = logs.get("val_loss")
        if val is not None and math.isfinite(val):
            self._val_losses.append(float(val))
            v, t = self._val_losses, self._losses
            if len(v) >= 3 and v[-1] > v[-2] > v[-3] and t[-1] < t[-3]:
                self._hint(
                    "overfitting", "val",
                    f"the validation loss has risen two epochs in a row ({v[-3]:.4g} to "
                    f"{v[-1]:.4g}) while the training loss fell: the model is overfitting "
                    "(more data, dropout, weight decay, or stop earlier: EarlyStopping)",
                    val_from=v[-3], val_to=v[-1],
                )  # fmt: skip

    def _keep_histograms(self) -> None:
        weights, grads = {}, {}
        for name, p in self.model.named_parameters():
            weights[name] = _sample(p.array, self.histogram_size, self._rng)
            if p.grad is not None:
                grads[name] = _sample(p.grad.array, self.histogram_size, self._rng)
        self.weight_histograms.append(weights)
        self.grad_histograms.append(grads)
