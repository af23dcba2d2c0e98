"""The callback protocol: FitState (the run as callbacks see it), the Callback base class and CallbackList."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Callback", "CallbackList", "FitState"]


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
        train_data: the training data as fit received it (a Dataset or DataLoader), for
            callbacks that show samples (LiveView).
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
    train_data: Any = None
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

    def current_lr(self) -> float | None:
        """The optimizer's learning rate now (its first parameter group's), or None."""
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups else None

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
    them, so a run whose callbacks ignore batches pays nothing per batch.

    Attributes:
        callbacks: the callbacks, in calling order.
        state: the FitState they share; ``on_batch_begin`` sets its ``batch``.
    """

    def __init__(self, callbacks: Iterable[Callback], state: FitState) -> None:
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be glassnet.callbacks.Callback instances, got "
                    f"{type(cb).__name__}"
                )
            cb.set_state(state)
        self.state = state
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
        self.state.batch = batch  # for the callbacks that read it in any per-batch hook
        for cb in self._batch_begin:
            cb.on_batch_begin(batch, logs)

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        for cb in self._batch_end:
            cb.on_batch_end(batch, logs)
