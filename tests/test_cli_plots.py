"""The run's plots: the second process (PlotWorker) writes the same files as drawing in place."""

from types import SimpleNamespace

import pytest

from glassnet.cli.plots import PlotWorker, draw_run_plots


class _Folder:
    """The part of RunWriter that draw_run_plots uses."""

    def __init__(self, root):
        self.root = root

    def path(self, name):
        return str(self.root / name)

    def writing(self, name):
        import contextlib

        return contextlib.nullcontext(self.path(name))


HISTORY = SimpleNamespace(
    epoch=[0, 1, 2],
    history={
        "loss": [1.5, 0.9, 0.7],
        "val_loss": [1.6, 1.0, 0.8],
        "accuracy": [0.5, 0.7, 0.8],
        "val_accuracy": [0.4, 0.6, 0.75],
    },
)


def test_the_worker_draws_the_same_files_as_this_process(tmp_path):
    pytest.importorskip("matplotlib")
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    assert draw_run_plots(HISTORY, "classification", _Folder(here), None) == [
        "loss.png",
        "accuracy.png",
    ]
    with PlotWorker.start() as worker:
        worker.ask(HISTORY, "classification", str(there))
        names = draw_run_plots(HISTORY, "classification", _Folder(there), worker)
        assert worker.answer() is None  # one answer per question
    assert names == ["loss.png", "accuracy.png"]
    for name in names:
        assert (there / name).read_bytes() == (here / name).read_bytes()


def test_a_worker_that_died_leaves_the_drawing_to_this_process(tmp_path):
    pytest.importorskip("matplotlib")
    worker = PlotWorker.start()
    worker.process.kill()
    worker.process.wait()
    worker.ask(HISTORY, "regression", str(tmp_path))
    names = draw_run_plots(HISTORY, "regression", _Folder(tmp_path), worker)
    worker.close()
    assert names == ["loss.png"]  # no "mae" in this history
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_worker_not_asked_has_no_answer():
    pytest.importorskip("matplotlib")
    with PlotWorker.start() as worker:
        assert worker.answer() is None
    assert worker.process.poll() is not None  # ended on leaving the with block


def test_running_starts_only_when_wanted_and_always_ends():
    pytest.importorskip("matplotlib")
    with PlotWorker.running(False) as worker:
        assert worker is None
    with pytest.raises(KeyError):
        with PlotWorker.running() as worker:
            assert worker.process.poll() is None
            raise KeyError("stop")
    assert worker.process.poll() is not None
