"""CSVLogger: one row per epoch in a CSV file, rewritten atomically so it always holds every finished epoch."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np

from ..atomic import atomic_write
from .base import Callback

__all__ = ["CSVLogger"]


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
        sync_every_epoch: fsync each epoch's rewrite (the default). False syncs only the last
            one, at the end of training: each rewrite is still atomic, but a power cut during
            training may lose the newest rows (`glassnet train` writes into a folder that
            becomes the run only when it is complete, where a sync per epoch buys nothing).
    """

    def __init__(
        self,
        filename: str | os.PathLike[str],
        separator: str = ",",
        append: bool = False,
        sync_every_epoch: bool = True,
    ) -> None:
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self.sync_every_epoch = bool(sync_every_epoch)
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
        self._write(durable=self.sync_every_epoch)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if not self.sync_every_epoch and self.rows:
            self._write(durable=True)

    def _write(self, durable: bool = True) -> None:
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
        with atomic_write(self.filename, "w", newline="", durable=durable) as f:
            f.write(buffer.getvalue())

    def state_dict(self) -> dict[str, Any]:
        return {"rows": [{k: str(v) for k, v in row.items()} for row in self.rows]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rows = [dict(row) for row in state["rows"]]
        self._restored = True
