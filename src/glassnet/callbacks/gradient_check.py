"""GradientCheck: every N batches, compare the model's backprop gradients with numerical ones.

``fit(..., check_gradients_every=N)`` adds it. A layer the user wrote with a wrong backward
trains, silently, in the wrong direction; this stops training at the first check that fails,
with the per-parameter table of ``glassnet.inspect.check_gradients``. Each check costs two
forward passes per checked element (on a copy of the model, in float64, on a few samples),
so use it while developing a layer, not for every run.
"""

from __future__ import annotations

from typing import Any

from .base import Callback

__all__ = ["GradientCheck"]


class GradientCheck(Callback):
    """Run ``check_gradients`` on a small fixed batch every ``every`` training batches.

    Args:
        every: check after batch 0, ``every``, ``2 every``, ... of the run.
        loss_fn: the loss fit trains with (``loss_fn(output, target)``).
        samples: how many training samples the check uses.
        max_elements: elements checked per parameter (see check_gradients).
    """

    def __init__(self, every: int, loss_fn: Any, samples: int = 8, max_elements: int = 16) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"check_gradients_every must be a positive number of batches, got {every!r}"
            )
        self.every = every
        self.loss_fn = loss_fn
        self.samples = samples
        self.max_elements = max_elements
        self.results: list[Any] = []
        self._step = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        from ..data.loader import default_collate

        dataset = self.state.train_data.dataset
        items = [dataset[i] for i in range(min(self.samples, len(dataset)))]
        *inputs, target = default_collate(items)
        self._batch = (inputs[0] if len(inputs) == 1 else tuple(inputs), target)

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        step, self._step = self._step, self._step + 1
        if step % self.every:
            return
        from ..inspect.gradients import check_gradients

        x, y = self._batch
        report = check_gradients(self.model, self.loss_fn, x, y, max_elements=self.max_elements,
                                 raise_on_failure=True)  # fmt: skip
        self.results.append(report)
