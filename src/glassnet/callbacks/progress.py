"""ProgressBar: a live tqdm bar per epoch on a terminal or in a notebook, one plain line per epoch elsewhere."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

import numpy as np

from .base import Callback

__all__ = ["ProgressBar", "format_logs"]


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
