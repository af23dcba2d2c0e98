"""Saving during training: ModelCheckpoint (the weights, after epochs) and TrainingCheckpoint (everything, to resume)."""

from __future__ import annotations

import os
from typing import Any

from ..serialization import save
from .base import Callback
from .monitor import _improved, _monitored, _resolve_mode

__all__ = ["ModelCheckpoint", "TrainingCheckpoint"]


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
