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
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

__all__ = ["training_plots", "save_figure", "draw_run_plots", "PlotWorker"]


def training_plots(history: Any, kind: str) -> list[tuple[str, Any]]:
    """``[("loss.png", figure), ("accuracy.png" or "mae.png", figure)]`` of a fit's history:
    the training curve and, when there was a validation split, the validation curve, per epoch.
    ``[]`` without matplotlib."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no global state, no display needed
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return []
    plots = []
    second = "accuracy" if kind == "classification" else "mae"
    for key in ("loss", second):
        if key not in history.history:
            continue
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
        fig.tight_layout()
        plots.append((f"{key}.png", fig))
    return plots


def save_figure(figure: Any, path: str) -> None:
    """Write a matplotlib figure to ``path`` as a PNG, atomically."""
    from ..atomic import atomic_write

    with atomic_write(path, "wb") as f:
        figure.savefig(f, format="png")


def draw_run_plots(history: Any, kind: str, run: Any, worker: PlotWorker | None) -> list[str]:
    """Write the plots of ``history`` into the run folder ``run``; the names of the files.

    The worker's files count if it was asked (``worker.ask``) and drew them; otherwise (or if
    it failed) they are drawn here, each written through ``run.writing`` so that a failed
    write is reported by name.
    """
    names = worker.answer() if worker is not None else None
    if names is not None:
        return names
    names = []
    for name, figure in training_plots(history, kind):
        with run.writing(name) as path:
            save_figure(figure, path)
        names.append(name)
    return names


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
        written = []
        try:
            for name, figure in training_plots(history, request["kind"]):
                # Straight into the run's temporary folder, which becomes the run only once
                # everything is written (if this fails, the first process redraws every file).
                figure.savefig(os.path.join(request["folder"], name), format="png")
                written.append(name)
            reply: dict = {"written": written}
        except Exception as error:  # noqa: BLE001 - reported to the first process, which redraws
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    # End of input: every file is written and every reply sent, so skip the interpreter's slow
    # tear-down of matplotlib (the first process waits for this exit).
    os._exit(0)


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
