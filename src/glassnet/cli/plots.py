"""The run's plots: loss.png and accuracy.png (or mae.png), drawn when matplotlib is installed.

Importing matplotlib and drawing two figures takes longer than training the default model, so
`glassnet train` draws them in a second process (``PlotWorker``): started before training, it
imports matplotlib on the other core while the first process trains, and draws when it is
sent the history. ``draw_run_plots`` falls back to drawing here, with the same code, whenever
there is no worker or it fails, so the files are the same either way.

This file is also the worker's program (run as a script, it imports nothing from glassnet:
``import glassnet`` would cost the time the worker is there to save), so the only glassnet
import is inside ``save_figure``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

__all__ = [
    "plot_files",
    "training_plot",
    "training_plots",
    "save_figure",
    "draw_run_plots",
    "PlotWorker",
]


def plot_files(history: Any, kind: str) -> list[tuple[str, str]]:
    """``[(file name, history key)]`` of the plots a fit's history has: loss.png, then
    accuracy.png (classification) or mae.png (regression) when that metric was recorded."""
    second = "accuracy" if kind == "classification" else "mae"
    return [(f"{key}.png", key) for key in ("loss", second) if key in history.history]


def training_plot(history: Any, key: str) -> Any:
    """The figure of one recorded quantity ``key`` ("loss", "accuracy", ...) per epoch: the
    training curve and, when there was a validation split, the validation curve."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no display needed
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_subplot()
    epochs = [e + 1 for e in history.epoch]
    ax.plot(epochs, history.history[key], label=f"train {key}")
    if f"val_{key}" in history.history:
        ax.plot(epochs, history.history[f"val_{key}"], label=f"validation {key}")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(key)
    ax.grid(alpha=0.3)
    ax.legend()
    # Fixed margins, wide enough for tick labels of seven characters ("0.00025", "12500.0"):
    # matplotlib's tight_layout would fit them exactly, but it draws the whole figure once
    # more to measure them (about 40 ms of a plot's 150 ms, measured here).
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.12, top=0.96)
    return fig


def training_plots(history: Any, kind: str, skip: Iterable[str] = ()) -> list[tuple[str, Any]]:
    """``[("loss.png", figure), ("accuracy.png" or "mae.png", figure)]`` of a fit's history
    (see ``plot_files`` and ``training_plot``), leaving out the files named in ``skip``;
    ``[]`` without matplotlib."""
    if importlib.util.find_spec("matplotlib") is None:
        return []
    skipped = set(skip)
    files = [(name, key) for name, key in plot_files(history, kind) if name not in skipped]
    return [(name, training_plot(history, key)) for name, key in files]


# How the PNGs are written, the same in both processes. zlib's fastest level: the files are
# about an eighth larger, and saving a figure took 78 ms instead of 91 ms here.
PNG_OPTIONS: dict[str, Any] = {"format": "png", "pil_kwargs": {"compress_level": 1}}


def save_figure(figure: Any, path: str) -> None:
    """Write a matplotlib figure to ``path`` as a PNG, atomically."""
    from ..atomic import atomic_write

    with atomic_write(path, "wb") as f:
        figure.savefig(f, **PNG_OPTIONS)


def draw_run_plots(history: Any, kind: str, run: Any, worker: PlotWorker | None) -> list[str]:
    """Write the plots of ``history`` into the run folder ``run``; the names of the files.

    The files the worker wrote count if it was asked (``worker.ask``); every other file (all
    of them, if there is no worker or it failed) is drawn here, each written through
    ``run.writing`` so that a failed write is reported by name.
    """
    drawn = worker.answer() if worker is not None else None
    names = []
    for name, figure in training_plots(history, kind, skip=drawn or []):
        with run.writing(name) as path:
            save_figure(figure, path)
        names.append(name)
    return [name for name, _ in plot_files(history, kind) if name in (drawn or []) + names]


class PlotWorker:
    """A second Python process that imports matplotlib now and draws the plots when asked.

    ``PlotWorker.start()`` returns None where matplotlib is not installed (nothing to draw) or
    the process cannot be started. ``ask`` sends the history as one line of JSON and returns
    at once (the worker draws while this process tests and saves the model); ``answer`` waits
    for the names of the files written (None if the worker failed or was not asked). Used as
    a context manager it is always ended, on Ctrl-C too.
    """

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.asked = False

    @classmethod
    def start(cls) -> PlotWorker | None:
        if importlib.util.find_spec("matplotlib") is None:
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError:
            return None
        return cls(process)

    @classmethod
    @contextlib.contextmanager
    def running(cls, wanted: bool = True) -> Iterator[PlotWorker | None]:
        """``with PlotWorker.running() as worker:`` the worker (None if not ``wanted`` or it
        cannot start), ended when the block ends, however it ends."""
        worker = cls.start() if wanted else None
        try:
            yield worker
        finally:
            if worker is not None:
                worker.close()

    def ask(self, history: Any, kind: str, folder: str) -> None:
        """Ask for the plots of ``history`` to be written into ``folder``."""
        request = {"history": history.history, "epoch": list(history.epoch), "kind": kind}
        request["folder"] = folder
        try:
            self.process.stdin.write(json.dumps(request, default=float) + "\n")
            self.process.stdin.flush()
            self.asked = True
        except OSError:  # the worker has gone: answer() says so and the plots are drawn here
            pass

    def answer(self) -> list[str] | None:
        if not self.asked:
            return None
        self.asked = False
        try:
            reply = json.loads(self.process.stdout.readline() or "null")
        except (OSError, ValueError):
            return None
        return reply.get("written") if isinstance(reply, dict) else None

    def close(self) -> None:
        """End the worker: end-of-file on its input makes it exit (killed if it hangs)."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()

    def __enter__(self) -> PlotWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve() -> None:
    """The worker's loop: import matplotlib, then draw each request read from stdin."""
    import signal

    # Ctrl-C reaches the whole process group; the first process decides what happens (it still
    # asks for the plots of the part it trained), so the worker does not die of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _warm_up()
    except ImportError:
        pass
    for line in sys.stdin:
        request = json.loads(line)
        history = SimpleNamespace(history=request["history"], epoch=request["epoch"])
        try:
            reply: dict = {
                "written": _draw_side_by_side(history, request["kind"], request["folder"])
            }
        except Exception as error:  # noqa: BLE001 - reported to the first process, which redraws
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    # End of input: every file is written and every reply sent, so skip the interpreter's slow
    # tear-down of matplotlib (the first process waits for this exit).
    os._exit(0)


def _draw_side_by_side(history: Any, kind: str, folder: str) -> list[str]:
    """Write each plot of ``history`` into ``folder``; the names of the files written.

    Drawing is Python work (text layout, mostly), so two figures take twice as long as one in
    one process. Where the system can fork, every figure after the first is drawn by a copy of
    this process made for it, so the figures are drawn on all cores at once while the first
    process waits; a copy that fails leaves its file out of the answer (and the first process
    draws it again). The files go straight into the run's temporary folder, which becomes the
    run only once everything is written.
    """
    files = plot_files(history, kind)
    copies: dict[str, int] = {}
    for name, key in files[1:] if hasattr(os, "fork") else []:
        try:
            pid = os.fork()
        except OSError:
            break  # no more processes: the rest are drawn here
        if pid == 0:  # the copy: draw this one file, then leave at once (no clean-up to run)
            os._exit(0 if _write_plot(history, key, os.path.join(folder, name)) else 1)
        copies[name] = pid
    written = []
    for name, key in files:
        if name in copies:
            drawn = os.waitpid(copies[name], 0)[1] == 0
        else:
            drawn = _write_plot(history, key, os.path.join(folder, name))
        if drawn:
            written.append(name)
    return written


def _write_plot(history: Any, key: str, path: str) -> bool:
    """Draw the plot of ``key`` into ``path``; False if that failed (whatever the reason)."""
    try:
        training_plot(history, key).savefig(path, **PNG_OPTIONS)
    except Exception:  # noqa: BLE001 - the first process draws the file again and reports
        return False
    return True


def _warm_up() -> None:
    """Import matplotlib and draw one small figure with text into memory, while the first
    process trains: loading the fonts and the renderer is then done before the plots are asked
    for. Raises ImportError without matplotlib."""
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2), dpi=50)
    axes = figure.add_subplot()
    axes.plot([0, 1], [1, 0], label="warm-up")
    axes.set_xlabel("epoch")
    axes.legend()
    figure.tight_layout()
    figure.savefig(io.BytesIO(), format="png")


if __name__ == "__main__":
    # Run as a script, this file's folder comes first on sys.path: take it off so that none of
    # its neighbours (parser.py, errors.py, ...) can stand in for a module matplotlib imports.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    _serve()
