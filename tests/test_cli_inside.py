"""The commands that show the inside: train --report/--live/diagnostics, explain, report, view,
lesson, and the pass-through of --detect-anomaly and --check-gradients-every."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from cli_run import run

from glassnet.cli import main

QUICK = ["--epochs", "2", "--hidden", "16", "--quiet"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "digits"
    assert main(["train", *QUICK, "--out", str(folder), "--report", "--live"]) == 0
    return folder


def test_train_writes_the_report_and_the_live_recording(trained):
    names = set(os.listdir(trained))
    assert {"model.npz", "config.json", "report.html", "live.jsonl.gz"} <= names
    html = (trained / "report.html").read_text(encoding="utf-8")
    assert '<section id="explanation">' in html and "https://" not in html
    from glassnet.inspect.live import load_stream

    kinds = {e["kind"] for e in load_stream(trained / "live.jsonl.gz").events()}
    assert {"meta", "batch", "epoch", "snapshot", "status"} <= kinds
    training = json.loads((trained / "config.json").read_text())["training"]
    assert isinstance(training["hints"], list)  # the Diagnostics callback watched by default


def test_diagnostics_speak_up_in_plain_words(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "--epochs", "4", "--hidden", "16", "--lr", "20",
                        "--optimizer", "sgd", "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0
    assert "diagnostics: the loss" in out or "diagnostics: " in out
    hints = json.loads((tmp_path / "r" / "config.json").read_text())["training"]["hints"]
    assert hints and all({"kind", "epoch", "message"} <= set(h) for h in hints)


def test_explain_shows_one_test_sample(trained, capsys):
    code, out, _ = run(capsys, "explain", str(trained), "--sample", "5")
    assert code == 0
    assert out.startswith(f"Run: {trained}, test sample 5 of 360 (true class ")
    for piece in ("Layer by layer:", "Softmax, step by step:", "Prediction: class", "loss = -log"):
        assert piece in out
    code, _, err = run(capsys, "explain", str(trained), "--sample", "360")
    assert code == 1 and "--sample must be a test sample from 0 to 359, got 360" in err


def test_report_prints_the_path_of_the_file(trained, capsys, tmp_path):
    (trained / "report.html").unlink()
    code, out, _ = run(capsys, "report", str(trained))
    assert code == 0 and out.strip() == str((trained / "report.html").resolve())
    assert (trained / "report.html").stat().st_size > 10_000


def test_view_replays_a_recorded_run(trained):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent / "src"))
    process = subprocess.Popen([sys.executable, "-m", "glassnet", "view", str(trained)],
                               stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        line = process.stdout.readline()
        url = line.split(": ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        base, token = url.split("/?token=")
        with urllib.request.urlopen(f"{base}/api/events?token={token}&since=0", timeout=10) as r:
            answer = json.loads(r.read())
        assert answer["replay"] and answer["events"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_view_of_a_run_without_a_recording_says_how_to_make_one(tmp_path, capsys):
    assert main(["train", *QUICK, "--out", str(tmp_path / "plain")]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "view", str(tmp_path / "plain"))
    assert code == 1 and "glassnet train --live" in err


def test_lesson_command_lists_the_lessons(capsys):
    code, out, _ = run(capsys, "lesson")
    assert code == 0 and out.startswith(" 1. Numbers in arrays")


def test_detect_anomaly_and_check_gradients_pass_through(tmp_path, capsys, monkeypatch):
    import glassnet.cli.commands.train as train_command

    seen = {}
    real_fit = train_command.fit

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(train_command, "fit", spy)
    code, _, _ = run(capsys, "train", *QUICK, "--out", str(tmp_path / "a"), "--detect-anomaly",
                      "--check-gradients-every", "50")  # fmt: skip
    assert code == 0 and seen["detect_anomaly"] is True and seen["check_gradients_every"] == 50


def test_an_anomaly_ends_the_command_in_one_line(tmp_path, capsys, monkeypatch):
    import glassnet.cli.commands.train as train_command
    from glassnet.inspect import AnomalyError

    def failing_fit(*args, **kwargs):
        raise AnomalyError("Log in 3 (Linear) produced 2 NaN of 8 values in its output")

    monkeypatch.setattr(train_command, "fit", failing_fit)
    code, _, err = run(capsys, "train", *QUICK, "--out", str(tmp_path / "b"))
    assert code == 1 and err.strip().startswith("glassnet: error: Log in 3 (Linear) produced")
    assert not (tmp_path / "b").exists()


def test_distributed_without_mpiexec_explains_how_to_start(tmp_path, capsys, monkeypatch):
    for name in ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "HYDI_CONTROL_FD", "OMPI_COMM_WORLD_SIZE",
                 "SLURM_NTASKS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "train", *QUICK, "--distributed", "--out", str(tmp_path / "d"))
    assert code == 1 and "mpiexec -n 2 glassnet train --distributed" in err
