"""Callbacks: code that fit() runs at fixed points of training (stop early, save, schedule, log, show).

How fit calls them. ``glassnet.fit`` keeps a list of callbacks and calls, in this order::

    on_train_begin(logs)
    for each epoch:
        on_epoch_begin(epoch, logs)
        for each batch:
            on_batch_begin(batch, logs)
            ... forward, loss, zero_grad, backward, step ...
            on_batch_end(batch, logs)      # logs: running means over the epoch so far
        ... validation ...
        on_epoch_end(epoch, logs)          # logs: loss, metrics, val_loss, val_*, lr
    on_train_end(logs)

``epoch`` and ``batch`` count from 0. ``logs`` is a dict of floats (``"loss"``, ``"accuracy"``,
``"val_loss"``, ...); a callback may add entries to it, which later callbacks, the History and
the progress bar then see.

What a callback can see and do. Before training starts, fit gives every callback a
:class:`FitState` as ``self.state``: the model, the optimizer, the epoch counts, the history so
far, and ``state.stop_training`` -- set it to True to end training after the current batch
(``state.stop_reason`` says why, for the user). ``self.model`` and ``self.optimizer`` are
shortcuts. Messages for the user go through ``self.state.echo(text)``, which stays silent at
``verbose=0`` and does not break a progress bar.

Writing one::

    class PrintBest(Callback):
        def on_train_begin(self, logs=None):
            self.best = float("inf")

        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < self.best:
                self.best = logs["loss"]
                self.state.echo(f"epoch {epoch + 1}: new best loss {self.best:.4f}")

Resuming. A callback whose behaviour depends on past epochs (EarlyStopping's patience
counter, CSVLogger's rows) returns that memory from ``state_dict()`` and takes it back in
``load_state_dict()``; resumable checkpoints store it, so a resumed run behaves exactly as an
uninterrupted one.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from .atomic import atomic_write
from .metrics import METRICS
from .optim.lr_scheduler import LRScheduler, OneCycleLR, ReduceLROnPlateau
from .optim.optimizer import Optimizer
from .serialization import save

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "FitState",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgressBar",
    "TerminateOnNaN",
    "TrainingCheckpoint",
]


# ----------------------------------------------------------------------------------------------
# What fit shares with the callbacks
# ----------------------------------------------------------------------------------------------


@dataclass
class FitState:
    """The training run as callbacks see it (fit creates one per call and fills it in).

    Attributes:
        model: the Module being trained.
        optimizer: its optimizer.
        epochs: the epoch count fit was asked for (training ends before epoch ``epochs``).
        initial_epoch: the first epoch of this call (> 0 when resuming from a checkpoint).
        epoch: the current epoch (from 0); ``batch``: the current batch (from 0).
        steps_per_epoch: batches per epoch (None when the data has no length).
        history: the History of this run (includes resumed epochs).
        stop_training: set to True to stop after the current batch.
        stop_reason: a short sentence saying why training stopped early (for the user).
        interrupted: True when Ctrl-C stopped training.
        verbose: fit's verbosity (0 silent, 1 progress bar, 2 one line per epoch).
        params: a summary of the settings (epochs, batch_size, metrics, ...), as in Keras.
        save_checkpoint: ``save_checkpoint(path)`` writes a resumable checkpoint of the run as
            it is now (used by TrainingCheckpoint).
    """

    model: Any = None
    optimizer: Any = None
    epochs: int = 0
    initial_epoch: int = 0
    epoch: int = 0
    batch: int = 0
    steps_per_epoch: int | None = None
    history: Any = None
    stop_training: bool = False
    stop_reason: str | None = None
    interrupted: bool = False
    verbose: int = 1
    params: dict[str, Any] = field(default_factory=dict)
    save_checkpoint: Callable[[str], None] | None = None
    _writer: Callable[[str], None] | None = None

    def echo(self, text: str) -> None:
        """Show a message to the user (nothing at verbose=0; above a live progress bar)."""
        if self.verbose <= 0:
            return
        if self._writer is not None:
            self._writer(text)
        else:
            print(text, file=sys.stdout, flush=True)

    def stop(self, reason: str) -> None:
        """Ask fit to stop after the current batch, saying why."""
        self.stop_training = True
        if self.stop_reason is None:
            self.stop_reason = reason


class Callback:
    """Base class of callbacks: override the ``on_*`` methods you need (each does nothing here).

    Attributes:
        state: the :class:`FitState` of the running ``fit`` (set before ``on_train_begin``).
    """

    state: FitState

    @property
    def model(self) -> Any:
        """The model being trained."""
        return self.state.model

    @property
    def optimizer(self) -> Any:
        """Its optimizer."""
        return self.state.optimizer

    def set_state(self, state: FitState) -> None:
        """Called by fit before training starts."""
        self.state = state

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Training is about to start (after resuming, if fit resumes from a checkpoint)."""

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """Training has ended: all epochs done, stopped early, or interrupted by Ctrl-C."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Epoch ``epoch`` (from 0) is about to start."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Epoch ``epoch`` has ended; ``logs`` holds its loss, metrics and validation results."""

    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Batch ``batch`` (from 0 in each epoch) is about to be trained on."""

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Batch ``batch`` is done; ``logs`` holds the running means of loss and metrics."""

    def state_dict(self) -> dict[str, Any]:
        """What this callback remembers across epochs, for resumable checkpoints ({} if nothing)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take back what ``state_dict`` returned (called before ``on_train_begin``)."""


def _overrides(cb: Callback, name: str) -> bool:
    return getattr(type(cb), name) is not getattr(Callback, name)


class CallbackList:
    """Calls a list of callbacks in order. Per-batch hooks go only to the callbacks that define
    them, so a run whose callbacks ignore batches pays nothing per batch."""

    def __init__(self, callbacks: Iterable[Callback], state: FitState) -> None:
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be glassnet.callbacks.Callback instances, got "
                    f"{type(cb).__name__}"
                )
            cb.set_state(state)
        self._batch_begin = [cb for cb in self.callbacks if _overrides(cb, "on_batch_begin")]
        self._batch_end = [cb for cb in self.callbacks if _overrides(cb, "on_batch_end")]

    def on_train_begin(self, logs: dict[str, float]) -> None:
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs: dict[str, float]) -> None:
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float]) -> None:
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch: int, logs: dict[str, float]) -> None:
        for cb in self._batch_begin:
            cb.on_batch_begin(batch, logs)

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        for cb in self._batch_end:
            cb.on_batch_end(batch, logs)


# ----------------------------------------------------------------------------------------------
# Helpers shared by the monitoring callbacks
# ----------------------------------------------------------------------------------------------


def _resolve_mode(mode: str, monitor: str, who: str) -> str:
    """'min' or 'max': ``"auto"`` picks max for accuracy-like metrics and min for losses."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    base = monitor[4:] if monitor.startswith("val_") else monitor
    spec = METRICS.get(base)
    if spec is not None:
        return "max" if spec.higher_is_better else "min"
    if any(word in base for word in ("acc", "f1", "precision", "recall", "auc")):
        return "max"
    return "min"


def _monitored(logs: dict[str, float] | None, monitor: str, who: str) -> float:
    if not logs or monitor not in logs:
        have = ", ".join(sorted(logs)) if logs else "nothing"
        hint = ""
        if monitor.startswith("val_"):
            hint = (
                " (pass validation_data= or validation_split= to fit, or monitor a training value)"
            )
        raise ValueError(f"{who} monitors {monitor!r}, but the logs hold only {have}{hint}")
    return float(logs[monitor])


def _improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    if math.isnan(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


# ----------------------------------------------------------------------------------------------
# EarlyStopping
# ----------------------------------------------------------------------------------------------


class EarlyStopping(Callback):
    """Stop training when a monitored value has stopped improving.

    After each epoch the monitored value (``logs[monitor]``) is compared with the best so far:
    it improves when it is lower by more than ``min_delta`` (mode "min") or higher by more than
    ``min_delta`` (mode "max"). After ``patience`` epochs in a row without improvement,
    training stops.

    Args:
        monitor: the log entry to watch (default ``"val_loss"``; needs validation data).
        patience: how many epochs without improvement to accept before stopping.
        min_delta: the smallest change that counts as an improvement.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy/F1-like names, else min).
        restore_best_weights: when training ends, put back the weights of the best epoch (a
            copy is kept in memory each time the value improves).
        baseline: a value the monitored quantity must beat; until then no epoch counts as an
            improvement.
        start_from_epoch: epochs (from the start) during which no stopping happens (warm-up).

    Attributes:
        best, best_epoch: the best value seen and its epoch (from 0).
        stopped_epoch: the epoch training stopped at, or None.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
        baseline: float | None = None,
        start_from_epoch: int = 0,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = _resolve_mode(mode, monitor, "EarlyStopping")
        self.restore_best_weights = bool(restore_best_weights)
        self.baseline = baseline
        self.start_from_epoch = int(start_from_epoch)
        self._restored = False
        self._reset()

    def _reset(self) -> None:
        self.best: float | None = None if self.baseline is None else float(self.baseline)
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_weights: dict[str, np.ndarray] | None = None
        self._last_epoch: int | None = None

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        if not self._restored:
            self._reset()
        self._restored = False

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        value = _monitored(logs, self.monitor, "EarlyStopping")
        self._last_epoch = epoch
        if _improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = {k: v.array.copy() for k, v in self.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1) and epoch >= self.start_from_epoch:
            self.stopped_epoch = epoch
            if self.best_epoch is None and self.baseline is not None:
                why = f"{self.monitor} never beat the baseline {self.baseline}"
            else:
                epochs = "epoch" if self.wait == 1 else "epochs"
                why = f"{self.monitor} has not improved on {self.best:.4g} for {self.wait} {epochs}"
            self.state.stop(f"early stopping at epoch {epoch + 1}: {why}")

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if (
            self.restore_best_weights
            and self.best_weights is not None
            and self.best_epoch != self._last_epoch
        ):
            self.model.load_state_dict(self.best_weights)
            self.state.echo(
                f"Restored the weights of epoch {self.best_epoch + 1} "
                f"({self.monitor} = {self.best:.4g})."
            )

    def state_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "last_epoch": self._last_epoch,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state["best"]
        self.best_epoch = state["best_epoch"]
        self.wait = int(state["wait"])
        self.stopped_epoch = state["stopped_epoch"]
        self._last_epoch = state["last_epoch"]
        weights = state["best_weights"]
        self.best_weights = (
            None if weights is None else {k: np.asarray(v) for k, v in weights.items()}
        )
        self._restored = True


# ----------------------------------------------------------------------------------------------
# ModelCheckpoint
# ----------------------------------------------------------------------------------------------


class ModelCheckpoint(Callback):
    """Save the model's weights (its ``state_dict``) with ``glassnet.save`` after epochs.

    Every file is written atomically: a crash or Ctrl-C while saving leaves the previous file
    whole. Load the weights back with ``model.load_state_dict(glassnet.load(path))``.

    Args:
        filepath: where to save. It may hold ``str.format`` fields filled from the epoch (from
            1) and the logs, e.g. ``"ckpt/epoch{epoch:02d}-{val_loss:.3f}.npz"``. Missing
            folders are created.
        monitor: the log entry that decides "best" (with ``save_best_only``).
        save_best_only: save only when ``monitor`` improves on the best so far.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (see EarlyStopping).
        verbose: say each time a file is written.

    Attributes:
        best: the best monitored value so far; ``last_saved``: the path last written.
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        verbose: bool = False,
    ) -> None:
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = bool(save_best_only)
        self.mode = _resolve_mode(mode, monitor, "ModelCheckpoint")
        self.verbose = bool(verbose)
        self.best: float | None = None
        self.last_saved: str | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if not _improved(value, self.best, self.mode, 0.0):
                return
            self.best = value
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(
                f"ModelCheckpoint: cannot fill in the file name {self.filepath!r} ({e}); the "
                f"fields available are epoch, {', '.join(sorted(logs))}"
            ) from None
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        save(self.model.state_dict(), path)
        self.last_saved = path
        if self.verbose:
            note = f" ({self.monitor} = {self.best:.4g})" if self.save_best_only else ""
            self.state.echo(f"Epoch {epoch + 1}: saved the model to {path}{note}")

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "last_saved": self.last_saved}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state["best"]
        self.last_saved = state["last_saved"]


# ----------------------------------------------------------------------------------------------
# TrainingCheckpoint: everything needed to resume
# ----------------------------------------------------------------------------------------------


class TrainingCheckpoint(Callback):
    """Write a resumable checkpoint every ``every`` epochs (and after the last one).

    The checkpoint (see ``glassnet.checkpoint``) holds the model, the optimizer, the learning
    rate scheduler, the epoch, the history, the callbacks' memories and the random-generator
    states, so ``fit(..., resume_from=path)`` continues exactly where this run was. It is
    written atomically at the end of an epoch, so a Ctrl-C or a crash leaves the last complete
    epoch on disk. ``fit(..., checkpoint=path)`` adds this callback for you.
    """

    def __init__(self, path: str | os.PathLike[str], every: int = 1) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"TrainingCheckpoint: every must be a positive integer, got {every!r}")
        self.path = os.fspath(path)
        self.every = every

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        done = epoch + 1
        if done % self.every == 0 or done == self.state.epochs or self.state.stop_training:
            if self.state.save_checkpoint is None:
                raise RuntimeError("TrainingCheckpoint only works inside glassnet.fit")
            self.state.save_checkpoint(self.path)


# ----------------------------------------------------------------------------------------------
# LearningRateScheduler
# ----------------------------------------------------------------------------------------------


class LearningRateScheduler(Callback):
    """Step a ``glassnet.optim.lr_scheduler`` scheduler at the right moments of training.

    * most schedulers (StepLR, CosineAnnealingLR, ...) step once at the end of every epoch;
    * OneCycleLR steps after every batch (``interval="batch"``), as it is meant to;
    * ReduceLROnPlateau steps at the end of every epoch with the monitored value.

    Args:
        scheduler: a scheduler, or a function ``f(optimizer) -> scheduler`` (useful when fit
            builds the optimizer from a name): ``lambda opt: StepLR(opt, step_size=10)``.
        monitor: for ReduceLROnPlateau, the log entry to pass it; default ``"val_loss"`` when
            there is validation data, else ``"loss"``.
        interval: ``"epoch"``, ``"batch"`` or ``"auto"`` (batch for OneCycleLR, else epoch).

    The learning rate used in each epoch appears in the logs and history as ``"lr"``.
    """

    def __init__(
        self,
        scheduler: LRScheduler | Callable[[Optimizer], LRScheduler],
        monitor: str | None = None,
        interval: str = "auto",
    ) -> None:
        if not isinstance(scheduler, LRScheduler) and not callable(scheduler):
            raise TypeError(
                "LearningRateScheduler expects a glassnet.optim.lr_scheduler scheduler or a "
                f"function optimizer -> scheduler, got {type(scheduler).__name__}"
            )
        if interval not in ("auto", "epoch", "batch"):
            raise ValueError(
                f"LearningRateScheduler: interval must be 'auto', 'epoch' or 'batch', got "
                f"{interval!r}"
            )
        self._source = scheduler
        self.scheduler: LRScheduler | None = (
            scheduler if isinstance(scheduler, LRScheduler) else None
        )
        self.monitor = monitor
        self.interval = interval
        self._pending_state: dict[str, Any] | None = None

    def build(self, optimizer: Optimizer) -> LRScheduler:
        """The scheduler, made from the factory on first use; checked to drive ``optimizer``."""
        if self.scheduler is None:
            made = self._source(optimizer)
            if not isinstance(made, LRScheduler):
                raise TypeError(
                    "the scheduler factory given to LearningRateScheduler must return a "
                    f"glassnet.optim.lr_scheduler scheduler, got {type(made).__name__}"
                )
            self.scheduler = made
        if self.scheduler.optimizer is not optimizer:
            raise ValueError(
                "the learning-rate scheduler drives a different optimizer than the one fit "
                "trains with; build it on that optimizer, or pass a function "
                "optimizer -> scheduler"
            )
        if self._pending_state is not None:
            self.scheduler.load_state_dict(self._pending_state)
            self._pending_state = None
        return self.scheduler

    def _interval(self) -> str:
        if self.interval != "auto":
            return self.interval
        return "batch" if isinstance(self.scheduler, OneCycleLR) else "epoch"

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.build(self.optimizer)
        self._per_batch = self._interval() == "batch"

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self._per_batch:
            self.scheduler.step()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if self._per_batch:
            return
        if isinstance(self.scheduler, ReduceLROnPlateau):
            logs = logs or {}
            monitor = self.monitor
            if monitor is None:
                monitor = "val_loss" if "val_loss" in logs else "loss"
            self.scheduler.step(_monitored(logs, monitor, "LearningRateScheduler"))
        else:
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        return {} if self.scheduler is None else {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "scheduler" not in state:
            return
        if self.scheduler is None:
            self._pending_state = state["scheduler"]
        else:
            self.scheduler.load_state_dict(state["scheduler"])


# ----------------------------------------------------------------------------------------------
# CSVLogger
# ----------------------------------------------------------------------------------------------


def _read_csv_rows(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class CSVLogger(Callback):
    """Write one row per epoch (epoch number from 1, then every log entry) to a CSV file.

    The whole file is rewritten atomically after each epoch (the rows are few), so it is never
    seen half-written and it always holds every finished epoch, even after a crash or Ctrl-C.
    Numbers are written with full precision (``repr``), so they read back exactly.

    Args:
        filename: the CSV file (its folder must exist).
        separator: the field separator.
        append: keep the rows already in the file and add to them (e.g. when resuming).
    """

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self.rows: list[dict[str, Any]] = []
        self._restored = False

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        if self._restored:
            self._restored = False
        elif self.append and os.path.exists(self.filename):
            self.rows = _read_csv_rows(self.filename)
        else:
            self.rows = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        row: dict[str, Any] = {"epoch": epoch + 1}
        for key, value in (logs or {}).items():
            row[key] = repr(float(value)) if isinstance(value, (float, np.floating)) else value
        self.rows.append(row)
        self._write()

    def _write(self) -> None:
        fields: list[str] = []
        for row in self.rows:
            for key in row:
                if key not in fields:
                    fields.append(key)
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=fields, delimiter=self.separator, lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(self.rows)
        with atomic_write(self.filename, "w", newline="") as f:
            f.write(buffer.getvalue())

    def state_dict(self) -> dict[str, Any]:
        return {"rows": [{k: str(v) for k, v in row.items()} for row in self.rows]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rows = [dict(row) for row in state["rows"]]
        self._restored = True


# ----------------------------------------------------------------------------------------------
# TerminateOnNaN
# ----------------------------------------------------------------------------------------------


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss of a batch is NaN or infinite (nothing more to learn)."""

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        loss = (logs or {}).get("batch_loss", (logs or {}).get("loss"))
        if loss is not None and not math.isfinite(loss):
            self.state.stop(
                f"the loss became {loss} at epoch {self.state.epoch + 1}, batch {batch + 1}: "
                "training stopped (try a smaller learning rate)"
            )


# ----------------------------------------------------------------------------------------------
# ProgressBar
# ----------------------------------------------------------------------------------------------


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where tqdm.auto draws a widget)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    try:
        return type(shell.get_ipython()).__name__ == "ZMQInteractiveShell"
    except Exception:
        return False


def _load_tqdm(notebook: bool) -> Any:
    try:
        if notebook:
            from tqdm.auto import tqdm
        else:
            from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


def format_logs(
    logs: dict[str, float], sep: str = " - ", eq: str = ": ", short: bool = False
) -> str:
    """``loss: 0.1234 - accuracy: 0.9612 - lr: 0.001`` (internal keys starting with _ or
    ``batch_`` are left out). ``short`` abbreviates for a progress bar: ``acc=0.961``."""
    parts = []
    for key, value in logs.items():
        if key.startswith(("_", "batch_")):
            continue
        if isinstance(value, (float, np.floating)):
            text = f"{value:.3g}" if key == "lr" else f"{value:.{3 if short else 4}f}"
        else:
            text = str(value)
        if short:
            key = key.replace("accuracy", "acc")
        parts.append(f"{key}{eq}{text}")
    return sep.join(parts)


_BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"
)


class ProgressBar(Callback):
    """Show training progress: a live bar per epoch on a terminal, a plain line per epoch elsewhere.

    * On a terminal (or in a Jupyter notebook) with tqdm installed: a live tqdm bar during
      each epoch with the running loss and metrics, replaced at the end of the epoch by the
      epoch's full line (below), validation results included.
    * Where the output is not a terminal (a log file, CI), or tqdm is missing, or
      ``verbose=2``: one line per epoch, e.g.
      ``Epoch 3/20 - 0.4s - loss: 0.1234 - accuracy: 0.9612 - val_loss: ...``.
    * ``verbose=0``: nothing.

    fit adds one of these itself (from its ``verbose`` argument); add your own only to
    choose ``file`` or ``style``, and pass ``verbose=0`` to fit.

    Args:
        verbose: 0, 1 or 2 as above.
        file: where to write (default: ``sys.stdout`` at the time training starts).
        style: ``"auto"``, ``"bar"`` (tqdm whatever the output) or ``"lines"``.
    """

    def __init__(self, verbose: int = 1, file: IO[str] | None = None, style: str = "auto") -> None:
        if verbose not in (0, 1, 2):
            raise ValueError(f"ProgressBar: verbose must be 0, 1 or 2, got {verbose!r}")
        if style not in ("auto", "bar", "lines"):
            raise ValueError(f"ProgressBar: style must be 'auto', 'bar' or 'lines', got {style!r}")
        self.verbose = verbose
        self.file = file
        self.style = style
        self._bar: Any = None

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self._out = self.file if self.file is not None else sys.stdout
        self._tqdm = None
        if self.verbose == 1 and self.style != "lines":
            notebook = _in_notebook()
            is_tty = bool(getattr(self._out, "isatty", lambda: False)())
            if self.style == "bar" or is_tty or notebook:
                self._tqdm = _load_tqdm(notebook and self.file is None)
        if self._tqdm is not None:
            self.state._writer = self._write_above_bar
        self._train_start = time.perf_counter()

    def _write_above_bar(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self._out)
        else:
            print(text, file=self._out, flush=True)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._epoch_start = time.perf_counter()
        if self._tqdm is not None:
            self._bar = self._tqdm(
                total=self.state.steps_per_epoch,
                desc=f"Epoch {epoch + 1}/{self.state.epochs}",
                unit="batch",
                file=self._out,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.1,
                bar_format=_BAR_FORMAT,
            )

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}, ", ", "=", short=True), refresh=False)
            self._bar.update(1)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if self.verbose == 0:
            return
        seconds = time.perf_counter() - self._epoch_start
        if self._bar is not None:  # the live bar gives way to the epoch's full line
            self._bar.close()
            self._bar = None
        line = f"Epoch {epoch + 1}/{self.state.epochs} - {seconds:.1f}s - " + format_logs(
            logs or {}
        )
        print(line, file=self._out, flush=True)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self.close()

    def close(self) -> None:
        """Close a bar left open (training stopped mid-epoch, or an error); safe to repeat."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if getattr(self, "state", None) is not None and self.state._writer == self._write_above_bar:
            self.state._writer = None
