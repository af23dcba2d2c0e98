"""History: what fit returns, the loss, metrics and validation results of every epoch, and where training stopped."""

from __future__ import annotations

import math
from typing import Any

from ..callbacks import Callback

__all__ = ["History"]


class History(Callback):
    """What fit returns: the loss, metrics and validation results of every epoch.

    Attributes:
        history: ``{"loss": [...], "accuracy": [...], "val_loss": [...], "lr": [...], ...}``,
            one value per completed epoch (as ``keras.callbacks.History.history``).
        epoch: the epoch numbers (from 0) the values belong to.
        interrupted: True when Ctrl-C stopped training.
        stop_reason: why training stopped before ``epochs`` (early stopping, NaN loss,
            Ctrl-C), or None.
        stopped_at: where training ended, as three ints ``(epochs_completed,
            batches_into_next_epoch, batches_per_epoch)``, counting what the weights were
            trained on (resumed epochs included): ``(epochs, 0, n)`` when every epoch ran,
            ``(5, 16, 41)`` when Ctrl-C stopped after batch 16 of 41 of the sixth epoch (read
            it as "5 epochs and 16 of 41 batches of epoch 6"). A callback that stops training
            mid-epoch (TerminateOnNaN) ends that epoch in ``history``, but ``stopped_at``
            still counts only its batches. None until training ends (set before
            ``on_train_end``, so callbacks can read it there).
        params: fit's settings (epochs, batch_size, steps per epoch, metrics).
        seconds: wall-clock time of the fit call.

    ``history["loss"]`` is ``history.history["loss"]``; ``len(history)`` is the number of epochs.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.interrupted = False
        self.stop_reason: str | None = None
        self.stopped_at: tuple[int, int, int] | None = None
        self.params: dict[str, Any] = {}
        self.seconds = 0.0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        n_before = len(self.epoch)
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            if key.startswith(("_", "batch_")):
                continue
            # A key first seen late is padded with NaN, so every list lines up with `epoch`.
            values = self.history.setdefault(key, [math.nan] * n_before)
            values.append(float(value))
        for values in self.history.values():
            if len(values) < len(self.epoch):
                values.append(math.nan)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        extra = ", interrupted" if self.interrupted else ""
        return f"History({len(self.epoch)} epochs{extra}; last: {last})"
