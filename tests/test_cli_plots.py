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


def test_the_plots_drawn_side_by_side_are_the_plots_drawn_in_turn(tmp_path):
    pytest.importorskip("matplotlib")
    from glassnet.cli.plots import _draw_side_by_side

    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    draw_run_plots(HISTORY, "classification", _Folder(here), None)
    assert _draw_side_by_side(HISTORY, "classification", str(there)) == [
        "loss.png",
        "accuracy.png",
    ]
    for name in ("loss.png", "accuracy.png"):
        assert (there / name).read_bytes() == (here / name).read_bytes()


class _AnsweringWorker:
    """A worker that already wrote some files (``answer`` names them)."""

    def __init__(self, names):
        self.names = names

    def answer(self):
        return self.names


def test_a_plot_the_worker_could_not_draw_is_drawn_here(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from glassnet.cli import plots

    real = plots.training_plot

    def failing_for_accuracy(history, key):
        if key == "accuracy":
            raise OSError("disk full")
        return real(history, key)

    monkeypatch.setattr(plots, "training_plot", failing_for_accuracy)
    # The forked copy that draws accuracy.png fails; the answer leaves that file out.
    assert plots._draw_side_by_side(HISTORY, "classification", str(tmp_path)) == ["loss.png"]
    assert not (tmp_path / "accuracy.png").exists()
    monkeypatch.setattr(plots, "training_plot", real)
    names = draw_run_plots(
        HISTORY, "classification", _Folder(tmp_path), _AnsweringWorker(["loss.png"])
    )
    assert names == ["loss.png", "accuracy.png"]
    assert (tmp_path / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
