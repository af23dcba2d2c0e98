"""LiveView: a callback that shows training live in the browser, and lets the page steer it.

``fit(..., callbacks=[LiveView()])`` (or ``glassnet train --live``) starts a small local server
(127.0.0.1) and prints its address. The page follows the run as it goes: loss and metric
curves, the network as a diagram, the decision boundary for 2-D data or predictions on a few
images, weight and gradient histograms, and the Diagnostics hints. Its buttons pause, resume,
step one batch, stop (the model keeps what it learned) and change the learning rate. The
events the page was fed can be saved with the run (``save(path)``) and replayed later with
``glassnet view RUN``.

The server and the page live in ``glassnet.inspect.live``; they are loaded only when a
LiveView starts, so importing glassnet never starts or imports them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .base import Callback

__all__ = ["LiveView"]


def _guess_data_kind(X: np.ndarray, image_shape: tuple | None) -> tuple[str, tuple | None]:
    if X.ndim == 2 and X.shape[1] == 2:
        return "points", None
    if image_shape is not None:
        return "images", tuple(image_shape)
    if X.ndim == 4:
        return "images", tuple(X.shape[2:])
    if X.ndim == 3:
        return "images", tuple(X.shape[1:])
    if X.ndim == 2:
        side = int(round(math.sqrt(X.shape[1])))
        if side * side == X.shape[1] and side >= 4:
            return "images", (side, side)
    return "table", None


def _samples(data: Any, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Up to ``limit`` (inputs, targets) from arrays, a Dataset or a DataLoader."""
    if data is None:
        return None
    if isinstance(data, (tuple, list)) and len(data) == 2:
        X, y = data
        X = X.numpy() if hasattr(X, "numpy") else np.asarray(X)
        y = y.numpy() if hasattr(y, "numpy") else np.asarray(y)
        return X[:limit], y[:limit]
    dataset = getattr(data, "dataset", data)
    arrays = getattr(dataset, "arrays", None)  # a TensorDataset: its first rows at once
    if isinstance(arrays, tuple) and len(arrays) == 2:
        return arrays[0][:limit], arrays[1][:limit]
    try:
        items = [dataset[i] for i in range(min(len(dataset), limit))]
    except (TypeError, IndexError, KeyError):
        return None
    X = np.stack([np.asarray(getattr(x, "numpy", lambda x=x: x)()) for x, _ in items])
    y = np.stack([np.asarray(getattr(t, "numpy", lambda t=t: t)()) for _, t in items])
    return X, y


@dataclass(eq=False)
class LiveView(Callback):
    """Show the run live in the browser (see the module docstring).

    Args:
        data: ``(X, y)`` to draw (2-D points for a decision boundary, images for predictions);
            by default the first samples of the training data fit was given.
        port: the port to serve on (0: any free port).
        host: the address to bind (default 127.0.0.1: only this machine can connect).
        snapshot_seconds: at most one snapshot of the network per this many seconds, so the
            page never slows training by more than a few percent.
        probe_size: samples used for activations and predictions.
        class_names, image_shape: how to label classes and show one input as an image.
        show_inline: in a notebook, also display the page in the cell.
        announce: print the address when training starts.

    Attributes:
        stream: the events fed to the page; ``save(path)`` keeps them for ``glassnet view``.
        url: the page's address (with its token), once training has started.
    """

    # The constructor's arguments: the dataclass writes __init__ to keep each as an attribute.
    data: Any = field(default=None, repr=False)  # arrays: too long to show
    port: int = 0
    host: str = "127.0.0.1"
    snapshot_seconds: float = 0.5
    probe_size: int = 256
    class_names: list[str] | None = None
    image_shape: tuple | None = None
    show_inline: bool = False
    announce: bool = True

    def __post_init__(self) -> None:
        from ..inspect.live.stream import EventStream

        self.stream = EventStream()
        self.server: Any = None
        self.controls: Any = None
        self.url: str | None = None
        self._step = 0
        self._last_snapshot = 0.0
        self._hints_sent = 0

    # -- starting and stopping ---------------------------------------------------------------
    def start(self) -> str:
        """Start the server (fit does this at the beginning of training); returns the URL."""
        if self.server is None:
            from ..inspect.live.server import Controls, LiveServer

            self.controls = Controls()
            self.server = LiveServer(self.stream, self.controls, self.port, self.host).start()
            self.url = self.server.url
        return self.url

    def close(self) -> None:
        """Stop serving the page (the recorded stream stays)."""
        if self.server is not None:
            self.server.close()
            self.server = None

    def save(self, path: str) -> str:
        """Save the stream for ``glassnet view`` (gzipped JSON lines, written atomically)."""
        return self.stream.save(path)

    # -- training events ---------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        from ..inspect.live.snapshot import describe_network

        self.start()
        samples = _samples(self.data if self.data is not None else getattr(self.state, "train_data", None),
                           self.probe_size)  # fmt: skip
        self._probe = samples
        kind, shape = (
            ("table", None) if samples is None else _guess_data_kind(samples[0], self.image_shape)
        )
        self._kind, self._image_shape = kind, shape
        meta: dict[str, Any] = {
            "network": describe_network(
                self.model, () if samples is None else samples[0].shape[1:], kind
            ),
            "data": kind,
            "image_shape": shape,
            "class_names": self.class_names,
            "epochs": self.state.epochs,
            "steps_per_epoch": self.state.steps_per_epoch,
            "lr": self.current_lr(),
        }
        if samples is not None and kind == "points":
            meta["points"] = samples[0][:256]
            meta["labels"] = samples[1][:256].astype(np.int64)
        if samples is not None and kind == "images":
            meta["images"] = samples[0][:8].reshape(min(8, len(samples[0])), -1)
            meta["labels"] = samples[1][:8].astype(np.int64)
        self.stream.add("meta", **meta)
        self.stream.add("status", state="running", lr=self.current_lr())
        if self.announce:
            self.state.echo(f"Live view: {self.url}")
        if self.show_inline:
            try:
                from IPython.display import IFrame, display

                display(IFrame(self.url, width="100%", height=720))
            except ImportError:
                pass
        self._snapshot(force=True)

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1
        logs = logs or {}
        self.stream.add_batch(
            self._step, self.state.epoch, logs.get("batch_loss", logs.get("loss"))
        )
        self._send_new_hints()
        self._apply_controls()
        if time.monotonic() - self._last_snapshot >= self.snapshot_seconds:
            self._snapshot()
        if self.controls.paused:
            self.stream.add("status", state="paused", lr=self.current_lr())
            self._snapshot(force=True)
            self.controls.wait_if_paused()
            self._apply_controls()
            if not self.controls.stop_requested:
                self.stream.add("status", state="paused" if self.controls.paused else "running",
                                lr=self.current_lr())  # fmt: skip

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.stream.add("epoch", step=self._step, epoch=epoch + 1, logs=dict(logs or {}))
        self._send_new_hints()
        self._snapshot()  # at the usual rate: short epochs must not pay a snapshot each

    def on_train_end(self, logs: dict | None = None) -> None:
        self._snapshot(force=True)  # the final state, whatever the rate
        self._send_new_hints()
        reason = getattr(self.state, "stop_reason", None)
        self.stream.add("status", state="finished", lr=self.current_lr(), reason=reason)

    # -- helpers -----------------------------------------------------------------------------
    def _apply_controls(self) -> None:
        # A look at new_lr without the lock first: it is set once in a long while, and a value
        # set just after the look is taken at the next batch.
        lr = self.controls.take_lr() if self.controls.new_lr is not None else None
        if lr is not None and getattr(self.optimizer, "param_groups", None):
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            self.stream.add("status", state="paused" if self.controls.paused else "running", lr=lr)
        if self.controls.stop_requested and not self.state.stop_training:
            self.state.stop("stopped from the live view")

    def _send_new_hints(self) -> None:
        hints = getattr(self.state.history, "hints", None) or []
        if len(hints) <= self._hints_sent:  # after every batch: usually nothing new
            return
        for hint in hints[self._hints_sent :]:
            self.stream.add("hint", epoch=hint["epoch"], message=hint["message"], what=hint["kind"])
        self._hints_sent = len(hints)

    def _snapshot(self, force: bool = False) -> None:
        from ..inspect.live.snapshot import network_snapshot, prediction_snapshot

        if self._probe is None:
            return
        if not force and time.monotonic() - self._last_snapshot < self.snapshot_seconds:
            return
        X, y = self._probe
        snapshot = {"step": self._step, "network": network_snapshot(self.model, X[:64])}
        if self._kind == "points":
            snapshot["predictions"] = prediction_snapshot(self.model, "points", X, y)
        elif self._kind == "images":
            snapshot["predictions"] = prediction_snapshot(self.model, "images", X[:8], y[:8])
        self.stream.add("snapshot", **snapshot)
        self._last_snapshot = time.monotonic()
