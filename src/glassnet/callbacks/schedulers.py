"""LearningRateScheduler: step a learning-rate scheduler at the right moments of training (epoch or batch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..optim.lr_scheduler import CyclicLR, LRScheduler, OneCycleLR, ReduceLROnPlateau
from ..optim.optimizer import Optimizer
from .base import Callback
from .monitor import _monitored

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Step a ``glassnet.optim.lr_scheduler`` scheduler at the right moments of training.

    * most schedulers (StepLR, CosineAnnealingLR, ...) step once at the end of every epoch;
    * OneCycleLR and CyclicLR step after every batch (``interval="batch"``), as they are meant to;
    * ReduceLROnPlateau steps at the end of every epoch with the monitored value.

    Args:
        scheduler: a scheduler, or a function ``f(optimizer) -> scheduler`` (useful when fit
            builds the optimizer from a name): ``lambda opt: StepLR(opt, step_size=10)``.
        monitor: for ReduceLROnPlateau, the log entry to pass it; default ``"val_loss"`` when
            there is validation data, else ``"loss"``.
        interval: ``"epoch"``, ``"batch"`` or ``"auto"`` (batch for OneCycleLR and CyclicLR,
            else epoch).

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
        return "batch" if isinstance(self.scheduler, (OneCycleLR, CyclicLR)) else "epoch"

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
