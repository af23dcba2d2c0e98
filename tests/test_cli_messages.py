"""The `glassnet` command's messages for bad input and exhausted resources (one line each, every
one asserted), --no-header, the interrupted-run report, and `glassnet run`."""

import csv
import json
import re
import sys
import types

import numpy as np
import pytest
from cli_run import run

import glassnet as gn
import glassnet.cli.commands.train as train_command
import glassnet.cli.tasks as tasks
from glassnet.cli import build_parser, main
from glassnet.cli.memory import model_bytes, parameter_count, total_memory
from glassnet.train import History

QUICK = ["--data", "moons", "--hidden", "8", "--no-plots", "-q"]


def one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "moons"
    assert main(["train", *QUICK, "--epochs", "1", "--out", str(folder)]) == 0
    return folder


# ----------------------------------------------------------------------------------------------
# Memory
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "mlp", "in_features": 64, "hidden": [256, 128], "out_features": 10},
        {"kind": "mlp", "in_features": 3, "hidden": [], "out_features": 2},
        {
            "kind": "cnn",
            "in_shape": [1, 8, 8],
            "num_classes": 10,
            "channels": [8, 16],
            "hidden": 32,
        },
        {"kind": "cnn", "in_shape": [3, 28, 28], "num_classes": 5, "channels": [4], "hidden": 7},
    ],
    ids=["mlp", "linear", "cnn-digits", "cnn-rgb"],
)
def test_parameter_count_matches_the_built_model(spec):
    model = gn.models.build_model(spec)
    assert parameter_count(spec) == sum(p.numel() for p in model.parameters())
    assert model_bytes(spec, training=False) == 4 * parameter_count(spec)
    assert model_bytes(spec, batch_size=32) >= 4 * model_bytes(spec, training=False)


def test_a_model_too_large_for_the_machine_is_refused_before_allocating(
    capsys, tmp_path, monkeypatch
):
    def no_allocation(spec):
        raise AssertionError("the model was built")

    monkeypatch.setattr(train_command, "build_model", no_allocation)
    folder = tmp_path / "big"
    code, _, err = run(capsys, "train", "--hidden", "1000000000", "--out", str(folder))
    line = one_line(err)
    assert code == 1
    found = re.fullmatch(
        r"glassnet: error: this model needs ([\d,]+) GiB to train \(([\d,]+) parameters\); "
        r"this machine has ([\d.,]+) GiB: choose smaller --hidden or --channels",
        line,
    )
    assert found, line
    params = 64 * 10**9 + 10**9 + 10**9 * 10 + 10  # 64 -> 1e9 -> 10, weights and biases
    assert int(found.group(2).replace(",", "")) == params
    assert int(found.group(1).replace(",", "")) >= 16 * params // 2**30  # 4 copies of float32
    assert float(found.group(3).replace(",", "")) == pytest.approx(total_memory() / 2**30, rel=0.1)
    assert not folder.exists() and list(tmp_path.iterdir()) == []


def test_any_other_memory_error_ends_in_one_line(capsys, tmp_path, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 3.00 GiB for an array")

    monkeypatch.setattr(train_command, "fit", out_of_memory)
    code, _, err = run(capsys, "train", *QUICK, "--out", str(tmp_path / "r"))
    assert code == 1 and one_line(err).startswith(
        "glassnet: error: out of memory: Unable to allocate 3.00 GiB for an array; try a "
        "smaller model"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_saved_model_too_large_to_load_is_refused(capsys, tmp_path, moons_run):
    folder = tmp_path / "huge"
    folder.mkdir()
    config = json.loads((moons_run / "config.json").read_text())
    config["model"]["hidden"] = [10**12]
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.npz").write_bytes((moons_run / "model.npz").read_bytes())
    code, _, err = run(capsys, "evaluate", str(folder))
    assert code == 1 and re.match(
        rf"glassnet: error: the model in {re.escape(str(folder))}/config\.json needs [\d,]+ GiB "
        r"to load \([\d,]+ parameters\); this machine has",
        one_line(err),
    )


# ----------------------------------------------------------------------------------------------
# Messages to mend (issue 10, item 6)
# ----------------------------------------------------------------------------------------------


def test_predict_on_a_binary_file_names_the_file_and_the_formats(capsys, tmp_path, moons_run):
    accepted = "predict reads a CSV file of numbers (text) or a NumPy .npy array"
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    code, _, err = run(capsys, "predict", str(moons_run), str(binary))
    assert code == 1 and one_line(err) == (
        f"glassnet: error: {binary} is not a text CSV file (it holds binary data); {accepted}"
    )
    fake_npy = tmp_path / "x.npy"
    fake_npy.write_bytes(b"\x7fELF" + bytes(100))
    code, _, err = run(capsys, "predict", str(moons_run), str(fake_npy))
    assert (
        code == 1 and one_line(err) == f"glassnet: error: {fake_npy} is not a .npy file; {accepted}"
    )


@pytest.mark.parametrize("keep", [0, 100, -50], ids=["empty", "first-100-bytes", "last-50-cut"])
def test_a_truncated_model_file_is_called_corrupt_or_truncated(capsys, tmp_path, moons_run, keep):
    folder = tmp_path / "cut"
    folder.mkdir()
    (folder / "config.json").write_text((moons_run / "config.json").read_text())
    data = (moons_run / "model.npz").read_bytes()
    (folder / "model.npz").write_bytes(data[:keep])
    code, _, err = run(capsys, "evaluate", str(folder))
    line = one_line(err)
    assert code == 1 and line.startswith(
        f"glassnet: error: {folder}/model.npz is corrupt or truncated"
    )
    assert "does not fit" not in line


def test_a_negative_seed_is_refused_with_the_other_options_before_any_data(capsys, monkeypatch):
    def no_data(*args, **kwargs):
        raise AssertionError("data was loaded")

    monkeypatch.setattr(train_command, "load_task", no_data)
    code, _, err = run(capsys, "train", "--seed", "-1")
    assert code == 2 and one_line(err) == (
        "glassnet train: error: argument --seed: expected a whole number >= 0, got '-1' "
        "(see: glassnet train --help)"
    )


@pytest.mark.parametrize(
    "entry, value, expected",
    [
        ("task", "clustering", "'classification' or 'regression'"),
        ("data.name", "imagenet", "csv or one of digits"),
        ("data.normalize", "standard", "an object with numbers 'mean' and 'std'"),
        ("data.normalize", {"mean": [0, "a"], "std": [1, 1]}, "an object with numbers"),
        ("data.input_shape", [0, 2], "a list of positive whole numbers"),
        ("data.classes", "01", "a list of class names"),
        ("data.feature_names", [1, 2], "a list of column names"),
        ("training.label_smoothing", 2, "in [0, 1)"),
    ],
    ids=["task", "name", "normalize", "normalize-mean", "shape", "classes", "features", "eps"],
)
def test_a_bad_entry_in_config_json_names_config_json(
    capsys, tmp_path, moons_run, entry, value, expected
):
    config = json.loads((moons_run / "config.json").read_text())
    *parents, key = entry.split(".")
    target = config
    for p in parents:
        target = target[p]
    target[key] = value
    folder = tmp_path / "edited"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.npz").write_bytes((moons_run / "model.npz").read_bytes())
    for command in (["evaluate", str(folder)], ["predict", str(folder), str(folder / "x.csv")]):
        code, _, err = run(capsys, *command)
        line = one_line(err)
        assert code == 1
        assert line.startswith(f"glassnet: error: {folder}/config.json: the entry {entry!r}")
        assert f"must be {expected}" in line


def test_evaluate_given_a_file_says_it_is_a_file(capsys, moons_run):
    path = moons_run / "config.json"
    code, _, err = run(capsys, "evaluate", str(path))
    assert code == 1 and one_line(err) == (
        f"glassnet: error: {path} is a file, not a run folder: give the folder `glassnet train` "
        "wrote (it holds config.json and model.npz)"
    )


# ----------------------------------------------------------------------------------------------
# --no-header
# ----------------------------------------------------------------------------------------------


def test_no_header_is_parsed_for_train_and_predict():
    parser = build_parser()
    assert parser.parse_args(["train", "--no-header"]).no_header is True
    assert parser.parse_args(["train"]).no_header is False
    assert parser.parse_args(["predict", "RUN", "x.csv", "--no-header"]).no_header is True


@pytest.mark.parametrize("accepts_header", [True, False], ids=["new-load-csv", "old-load-csv"])
def test_header_reaches_load_csv_only_when_it_takes_it(
    capsys, tmp_path, monkeypatch, accepts_header
):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(30)))
    calls = []
    real = tasks.load_csv

    if accepts_header:

        def fake(path, target=-1, header=True):
            calls.append({"header": header})
            return real(path, target=target, header=header)
    else:

        def fake(path, target=-1):
            calls.append({})
            return real(path, target=target)

    monkeypatch.setattr(tasks, "load_csv", fake)
    argv = ["train", "--data", str(path), "--epochs", "1", "--no-plots", "-q"]
    assert run(capsys, *argv, "--out", str(tmp_path / "r1"))[0] == 0
    assert calls == [{"header": True}] if accepts_header else [{}]
    code, _, err = run(capsys, *argv, "--no-header", "--out", str(tmp_path / "r2"))
    if accepts_header:
        assert calls[-1] == {"header": False}
    else:
        assert code == 1 and one_line(err) == (
            "glassnet: error: --no-header needs a glassnet whose load_csv takes header=False"
        )


def test_a_csv_without_a_header_trains_on_every_row(capsys, tmp_path):
    X, y = gn.data.moons(n=200, noise=0.1, seed=0)
    path = tmp_path / "plain.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([[f"{a:.5f}", f"{b:.5f}", int(c)] for (a, b), c in zip(X, y)])
    folder = tmp_path / "run"
    code, out, err = run(
        capsys, "train", "--data", str(path), "--no-header", "--epochs", "30", "--lr", "0.01",
        "--out", str(folder), "--no-plots",
    )  # fmt: skip
    assert code == 0, err
    assert "plain.csv: 200 rows, 2 features, target column 'column_3'" in out
    data = json.loads((folder / "config.json").read_text())["data"]
    assert data["feature_names"] == ["column_1", "column_2"] and data["header"] is False
    assert data["train_samples"] + data["validation_samples"] + data["test_samples"] == 200
    code, out, _ = run(capsys, "evaluate", str(folder))
    assert code == 0 and "of 40 correct" in out  # the test split: 20% of the 200 rows
    code, out, _ = run(capsys, "predict", str(folder), str(path), "--no-header")
    assert code == 0
    assert np.mean(np.array(out.split(), dtype=int) == y) > 0.8


def test_no_header_names_the_generated_columns_for_a_bad_target(capsys, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("".join(f"{i},{i % 2}\n" for i in range(20)))
    code, _, err = run(capsys, "train", "--data", str(path), "--no-header", "--target", "label")
    assert code == 1 and one_line(err) == (
        "glassnet: error: target column 'label' is not in the file; without a header row the "
        "columns are column_1 .. column_2 (or give a position)"
    )
    code, _, err = run(capsys, "train", "--no-header")
    assert code == 1 and "--no-header only applies to a CSV file" in one_line(err)


# ----------------------------------------------------------------------------------------------
# Ctrl-C: what was applied (in-process; the real signal is in test_cli_runs.py)
# ----------------------------------------------------------------------------------------------


def interrupted_fit(stopped_at, stop_reason):
    """A fit that trains as asked, then reports a Ctrl-C as the training loop does."""
    real_fit = train_command.fit

    def fit(*args, **kwargs):
        history = real_fit(*args, **kwargs)
        history.interrupted = True
        history.stop_reason = stop_reason
        if stopped_at is not None:
            history.stopped_at = stopped_at
        else:  # a History without stopped_at: the message falls back to stop_reason
            vars(history).pop("stopped_at", None)
        return history

    return fit


@pytest.mark.parametrize(
    "stopped_at, reason, expected",
    [
        ((2, 16, 41), None, "2 epochs and 16 of 41 batches of epoch 3"),
        (None, "interrupted by Ctrl-C during epoch 3 after 16 of 41 batches", "2 epochs and "
         "16 of 41 batches of epoch 3"),
        (None, "interrupted by Ctrl-C after epoch 2", "2 epochs"),
        ((1, 0, 41), None, "1 epoch"),
    ],
    ids=["stopped_at", "stop-reason-mid-epoch", "stop-reason-between", "one-epoch"],
)  # fmt: skip
def test_ctrl_c_reports_what_was_applied_and_exits_130(
    capsys, tmp_path, monkeypatch, stopped_at, reason, expected
):
    epochs = stopped_at[0] if stopped_at else 2
    monkeypatch.setattr(train_command, "fit", interrupted_fit(stopped_at, reason))
    folder = tmp_path / "run"
    code, out, err = run(capsys, "train", *QUICK, "--epochs", str(epochs), "--out", str(folder))
    assert code == 130
    assert one_line(err) == f"glassnet: interrupted: the run holds what was applied: {expected}"
    assert f"Saved the run to {folder}" in out
    training = json.loads((folder / "config.json").read_text())["training"]
    assert training["interrupted"] is True and training["applied"] == expected


def test_applied_reads_a_plain_history():
    history = History()
    assert train_command.applied(history) == "0 epochs"


# ----------------------------------------------------------------------------------------------
# glassnet run
# ----------------------------------------------------------------------------------------------


def test_run_passes_every_argument_after_the_script_through(capsys, monkeypatch):
    seen = []
    fake = types.ModuleType("glassnet.run")
    fake.main = lambda argv: seen.append(argv) or 7
    monkeypatch.setitem(sys.modules, "glassnet.run", fake)
    argv = ["train.py", "--epochs", "3", "-q", "--help", "data.csv"]
    assert run(capsys, "run", *argv)[0] == 7
    assert seen == [argv]


def test_run_without_glassnet_run_says_so(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "glassnet.run", None)  # makes the import fail
    code, _, err = run(capsys, "run", "script.py", "--x")
    assert code == 2 and one_line(err) == "glassnet run is not available in this build"
