"""EarlyStopping: stop training when a monitored value has stopped improving (optionally restoring the best weights)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Callback
from .monitor import _improved, _monitored, _resolve_mode

__all__ = ["EarlyStopping"]


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
