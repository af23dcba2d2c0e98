"""The live view's event stream: what the page is fed, kept in order, and saved for replay.

Training appends small JSON-ready events (a batch's loss, an epoch's logs, a snapshot of the
network, a Diagnostics hint, a change of status); the page asks for "everything since event
n" and folds the events into what it draws. Because the page is a function of the events, a
saved stream replays exactly what a learner saw: ``glassnet view RUN`` serves it again.

Saved compactly: one JSON event per line, floats rounded to 4 significant digits, gzipped.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import threading
import time
from collections import deque
from typing import Any

import numpy as np

from ...atomic import atomic_write

__all__ = ["EventStream", "compact", "load_stream"]

STREAM_FILE = "live.jsonl.gz"
_MAX_STREAM_BYTES = 512 * 1024 * 1024  # a replay larger than this (inflated) is refused


def compact(value: Any, digits: int = 4) -> Any:
    """``value`` made JSON-ready and small: arrays to lists, floats rounded, NaN to None."""
    if isinstance(value, dict):
        return {str(k): compact(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [compact(v, digits) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub":
            return value.astype(np.int64).tolist()
        return _round_array(value.astype(np.float64), digits)
    if isinstance(value, (np.floating, float)):
        return _round_number(float(value), digits)
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    return value


def _round_number(x: float, digits: int = 4) -> float | None:
    """``x`` to ``digits`` significant digits (NaN and infinities to None)."""
    return float(f"{x:.{digits}g}") if math.isfinite(x) else None


def _round_array(a: np.ndarray, digits: int) -> list:
    """An array's values to ``digits`` significant digits, as nested lists (NaN/Inf as None).

    Vectorised: x is rounded at the decimal place 10**(floor(log10|x|) - digits + 1), which
    is what formatting each number with ``:.4g`` would keep, without a Python loop per number.
    """
    finite = np.isfinite(a)
    safe = np.where(finite & (a != 0), np.abs(a), 1.0)
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(safe)))
    rounded = np.where(finite, np.round(a * scale) / scale, 0.0)
    if finite.all():
        return rounded.tolist()
    as_objects = rounded.astype(object)
    as_objects[~finite] = None
    return as_objects.tolist()


class EventStream:
    """A thread-safe, append-only list of events with a sequence number each."""

    def __init__(self, events: list[dict] | None = None) -> None:
        self._events: list[dict | tuple] = list(events or [])
        self._lock = threading.Condition()
        self._readers_waiting = 0  # readers inside since()'s wait: only they need waking
        # Batches not yet in _events, as (t, step, epoch, loss): see add_batch.
        self._batches: deque[tuple] = deque()
        # _events[:_ready] are all dicts; after it, a batch may still be its raw tuple: it is
        # made an event (rounded, a dict) only when someone reads the stream (see _ready_events).
        self._ready = len(self._events)
        self.started = time.time()

    def __len__(self) -> int:
        with self._lock:
            self._take_batches()
            return len(self._events)

    def add(self, kind: str, **payload: Any) -> None:
        """Append one event (``kind`` plus its payload) and wake any waiting reader."""
        event = {"kind": kind, "t": round(time.time() - self.started, 3)}
        for key, value in payload.items():
            event[key] = value if type(value) is int or value is None else compact(value)
        with self._lock:
            self._take_batches()  # they came first
            self._events.append(event)
            if self._readers_waiting:
                self._lock.notify_all()

    def add_batch(self, step: int, epoch: int, loss: Any) -> None:
        """Append a batch's event: ``add("batch", step=, epoch=, loss=)``, at a fraction of the cost.

        It is called after every batch, so it only notes the numbers (one append to a deque,
        which needs no lock). They take their place among the events when the stream is next
        added to (``_take_batches``), and become an event like any other (a dict, the loss
        rounded) only when the stream is read, at once if a page is waiting for news. A run
        nobody watches never pays for the rounding. Measured in ``fit``: about 13 us a batch
        through ``add``, most of it the lock and the dict; 2 us through the rounding at once.
        """
        self._batches.append((time.time(), step, epoch, loss))
        if self._readers_waiting:
            with self._lock:
                self._take_batches()
                self._lock.notify_all()

    def _take_batches(self) -> None:
        """Move the noted batches into the events, in order (with the lock held)."""
        batches, events = self._batches, self._events
        while batches:  # popleft, not a swap of the deque: add_batch may append meanwhile
            events.append(batches.popleft())

    def _ready_events(self) -> list[dict]:
        """All events, every batch made a dict (with the lock held): what a reader is given."""
        self._take_batches()
        events, started = self._events, self.started
        for i in range(self._ready, len(events)):
            if type(events[i]) is tuple:
                t, step, epoch, loss = events[i]
                if type(loss) is float:  # compact's rounding, without its questions about type
                    loss = _round_number(loss)
                elif not (loss is None or type(loss) is int):
                    loss = compact(loss)
                events[i] = {"kind": "batch", "t": round(t - started, 3), "step": step,
                             "epoch": epoch, "loss": loss}  # fmt: skip
        self._ready = len(events)
        return events

    def since(self, index: int, wait: float = 0.0) -> tuple[list[dict], int]:
        """The events from ``index`` on, waiting up to ``wait`` seconds for a new one."""
        index = max(0, int(index))
        with self._lock:
            self._take_batches()
            if wait > 0 and index >= len(self._events):
                self._readers_waiting += 1
                try:
                    self._lock.wait(timeout=wait)
                finally:
                    self._readers_waiting -= 1
            events = self._ready_events()[index:]
            return events, index + len(events)

    def events(self) -> list[dict]:
        with self._lock:
            return list(self._ready_events())

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the stream as gzipped JSON lines, all at once (see the module docstring)."""
        path = os.fspath(path)
        with atomic_write(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as z:
            for event in self.events():
                z.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
        return path


def load_stream(path: str | os.PathLike[str]) -> EventStream:
    """Read a saved stream; a damaged file raises ValueError naming it."""
    path = os.fspath(path)
    events = []
    try:
        with gzip.open(path, "rb") as z:
            data = z.read(_MAX_STREAM_BYTES + 1)
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable live-view recording ({error})") from None
    if len(data) > _MAX_STREAM_BYTES:
        raise ValueError(f"{path}: the recording inflates to more than 512 MiB; refusing it")
    for number, line in enumerate(data.splitlines(), 1):
        try:
            event = json.loads(line)
        except ValueError:
            raise ValueError(
                f"{path}: line {number} is not JSON; the recording is damaged"
            ) from None
        if not isinstance(event, dict) or "kind" not in event:
            raise ValueError(f"{path}: line {number} is not a live-view event")
        events.append(event)
    return EventStream(events)
