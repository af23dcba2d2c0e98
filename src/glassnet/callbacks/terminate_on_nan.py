"""TerminateOnNaN: stop training as soon as a batch's loss is NaN or infinite."""

from __future__ import annotations

import math

from .base import Callback

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss of a batch is NaN or infinite (nothing more to learn)."""

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        loss = (logs or {}).get("batch_loss", (logs or {}).get("loss"))
        if loss is not None and not math.isfinite(loss):
            self.state.stop(
                f"the loss became {loss} at epoch {self.state.epoch + 1}, batch {batch + 1}: "
                "training stopped (try a smaller learning rate)"
            )
