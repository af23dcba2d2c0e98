"""Running tallies: the loss and metrics of an epoch (or an evaluation), summed batch by batch.

The epoch's loss is the mean over its samples, not over its batches (the last batch may be
smaller), so each batch counts with its size ``n_b``::

    loss_epoch = sum_b n_b * loss_b / sum_b n_b

Metrics that are means over samples (accuracy, MSE, ...) are summed the same way, without
keeping any outputs. The others (precision, F1, ...) are not averages of their batch values;
for them the outputs and targets are kept and the metric is computed once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..metrics import MetricSpec

__all__ = ["Tally"]


class Tally:
    """Sums loss and per-sample-mean metrics batch by batch (weighted by batch size); keeps the
    outputs only when some metric (precision, F1, ...) needs all of them at once."""

    def __init__(self, metrics: Sequence[MetricSpec], prefix: str = "") -> None:
        self.metrics = list(metrics)
        self.prefix = prefix
        self.running = [m for m in self.metrics if m.per_sample_mean]
        self.whole = [m for m in self.metrics if not m.per_sample_mean]
        self.n = 0
        self.loss_sum = 0.0
        self.sums = [0.0] * len(self.running)
        self.outputs: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    def add(self, loss: float | None, output: np.ndarray, target: np.ndarray) -> None:
        """Count one batch: its mean loss (or None), its outputs and its targets (N first)."""
        n = len(target)
        self.n += n
        if loss is not None:
            self.loss_sum += loss * n
        for i, m in enumerate(self.running):
            self.sums[i] += float(m.fn(output, target)) * n
        if self.whole:
            self.outputs.append(output)
            self.targets.append(target)

    def running_logs(self) -> dict[str, float]:
        """The means so far of the loss and the per-sample metrics (what a progress bar shows)."""
        n = max(self.n, 1)
        logs = {"loss": self.loss_sum / n}
        for m, s in zip(self.running, self.sums):
            logs[m.name] = s / n
        return logs

    def logs(self, with_loss: bool = True) -> dict[str, float]:
        """The final values: the loss (unless ``with_loss`` is False) and every metric, each
        name with the prefix (``"val_"``), in the order the metrics were given."""
        n = max(self.n, 1)
        p = self.prefix
        logs = {p + "loss": self.loss_sum / n} if with_loss else {}
        values = dict(zip((m.name for m in self.running), (s / n for s in self.sums)))
        if self.whole and self.outputs:
            out, tgt = np.concatenate(self.outputs), np.concatenate(self.targets)
            for m in self.whole:
                values[m.name] = float(m.fn(out, tgt))
        for m in self.metrics:  # in the order the user asked for them
            if m.name in values:
                logs[p + m.name] = values[m.name]
        return logs
