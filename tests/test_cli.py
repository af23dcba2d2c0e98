"""Tests for the `glassnet` command (glassnet.cli.main run in-process, one real subprocess)."""

import csv
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from cli_run import run

import glassnet as gn
from glassnet import __version__
from glassnet.cli import main


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """A short digits run shared by the evaluate/predict tests."""
    folder = tmp_path_factory.mktemp("runs") / "digits"
    assert main(["train", "--epochs", "3", "--out", str(folder), "--no-plots", "-q"]) == 0
    return folder


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


# ----------------------------------------------------------------------------------------------
# train
# ----------------------------------------------------------------------------------------------


def test_train_digits_shows_everything_and_saves_the_run(capsys, tmp_path):
    folder = tmp_path / "run"
    code, out, err = run(capsys, "train", "--epochs", "2", "--out", str(folder), "--no-plots")
    assert code == 0, err
    assert "Data: digits" in out and "train 1,293 / validation 144 / test 360 samples" in out
    assert "10 classes: 0 1 2 3 4 5 6 7 8 9" in out
    assert "Total params: 50,826" in out  # the model summary (64-256-128-10)
    assert out.count("Epoch 1/2 - ") == 1 and out.count("Epoch 2/2 - ") == 1
    assert "Test accuracy: " in out and "Confusion matrix" in out
    assert f"Saved the run to {folder}" in out
    assert sorted(os.listdir(folder)) == ["config.json", "history.csv", "metrics.json", "model.npz"]

    config = json.loads((folder / "config.json").read_text())
    assert config["task"] == "classification"
    assert config["model"] == {
        "kind": "mlp",
        "in_features": 64,
        "hidden": [256, 128],
        "out_features": 10,
        "activation": "relu",
        "dropout": 0.2,
    }
    assert config["data"]["name"] == "digits" and len(config["data"]["normalize"]["mean"]) == 64
    assert config["training"]["epochs_run"] == 2 and config["training"]["seed"] == 0
    assert config["command"] == f"glassnet train --epochs 2 --out {folder} --no-plots"
    with open(folder / "history.csv") as f:
        assert [r["epoch"] for r in csv.DictReader(f)] == ["1", "2"]
    metrics = json.loads((folder / "metrics.json").read_text())["test"]
    assert f"Test accuracy: {metrics['accuracy']:.2%}" in out
    assert np.array(metrics["confusion_matrix"]).sum() == 360
    state = gn.load(folder / "model.npz")
    assert list(state) == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"]


def test_train_default_folder_and_quiet(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "train", "--data", "moons", "--epochs", "2", "-q", "--no-plots")
    assert code == 0
    (folder,) = os.listdir(tmp_path / "runs")
    assert folder.endswith("-moons-mlp")
    assert "Epoch" not in out and "Total params" not in out
    assert out.splitlines()[0].startswith("Test accuracy: ")
    # the same second twice: a new folder, never an overwrite
    code, _, _ = run(capsys, "train", "--data", "moons", "--epochs", "1", "-q", "--no-plots")
    assert code == 0 and len(os.listdir(tmp_path / "runs")) == 2


def test_train_options_reach_the_model(capsys, tmp_path):
    folder = tmp_path / "r"
    code, _, err = run(
        capsys, "train", "--data", "spiral", "--hidden", "32,16,8", "--activation", "tanh",
        "--dropout", "0.1", "--optimizer", "sgd", "--lr", "0.05", "--epochs", "3",
        "--batch-size", "20", "--seed", "7", "--val-split", "0", "--schedule", "none",
        "--out", str(folder), "-q", "--no-plots",
    )  # fmt: skip
    assert code == 0, err
    config = json.loads((folder / "config.json").read_text())
    assert config["model"]["hidden"] == [32, 16, 8] and config["model"]["activation"] == "tanh"
    t = config["training"]
    assert (t["optimizer"], t["lr"], t["epochs"], t["batch_size"], t["seed"]) == (
        "sgd", 0.05, 3, 20, 7,
    )  # fmt: skip
    assert config["data"]["validation_samples"] == 0
    with open(folder / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert "val_loss" not in rows[0] and [float(r["lr"]) for r in rows] == [0.05] * 3


def test_train_cnn_then_evaluate(capsys, tmp_path):
    folder = tmp_path / "cnn"
    code, out, err = run(
        capsys, "train", "--model", "cnn", "--channels", "8,16", "--hidden", "32",
        "--epochs", "1", "--out", str(folder), "--no-plots",
    )  # fmt: skip
    assert code == 0, err
    assert "(1, 8, 4, 4)" in out  # summary shows the conv block's output shape
    config = json.loads((folder / "config.json").read_text())
    assert config["model"]["kind"] == "cnn" and config["data"]["input_shape"] == [1, 8, 8]
    code, out, _ = run(capsys, "evaluate", str(folder))
    assert code == 0 and "Test accuracy" in out


def test_train_early_stopping(capsys, tmp_path):
    folder = tmp_path / "es"
    code, _, _ = run(
        capsys, "train", "--data", "circles", "--epochs", "60", "--patience", "1",
        "--lr", "0.3", "--optimizer", "sgd", "--out", str(folder), "-q", "--no-plots",
    )  # fmt: skip
    assert code == 0
    t = json.loads((folder / "config.json").read_text())["training"]
    assert t["epochs_run"] < 60 and "early stopping" in t["stop_reason"]


def test_train_plots_when_matplotlib_is_installed(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "plots"
    code, out, _ = run(
        capsys, "train", "--data", "xor", "--epochs", "2", "--out", str(folder), "-q"
    )
    assert code == 0
    for name in ("loss.png", "accuracy.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert name in out


# ----------------------------------------------------------------------------------------------
# CSV data, predict, evaluate
# ----------------------------------------------------------------------------------------------


def test_csv_classification_end_to_end(capsys, tmp_path):
    X, y = gn.data.moons(n=200, noise=0.1, seed=0)
    names = np.array(["left", "right"])[y]
    path = write_csv(
        tmp_path / "moons.csv",
        ["x0", "label", "x1"],
        [[f"{a:.6f}", lab, f"{b:.6f}"] for (a, b), lab in zip(X, names)],
    )
    folder = tmp_path / "run"
    code, out, err = run(
        capsys, "train", "--data", str(path), "--target", "label", "--epochs", "40",
        "--lr", "0.01", "--out", str(folder), "--no-plots",
    )  # fmt: skip
    assert code == 0, err
    assert "moons.csv: 200 rows, 2 features, target column 'label'" in out
    assert "2 classes: left right" in out
    config = json.loads((folder / "config.json").read_text())
    assert config["data"]["feature_names"] == ["x0", "x1"]
    assert config["data"]["classes"] == ["left", "right"]
    # predict on the same file: the target column is ignored, features are picked by name
    out_csv = tmp_path / "pred.csv"
    code, out, err = run(capsys, "predict", str(folder), str(path), "--output", str(out_csv))
    assert code == 0, err
    predicted = out.split()
    assert len(predicted) == 200 and set(predicted) <= {"left", "right"}
    assert np.mean(np.array(predicted) == names) > 0.95
    with open(out_csv) as f:
        assert [r["prediction"] for r in csv.DictReader(f)] == predicted
    code, out, _ = run(capsys, "evaluate", str(folder), "--split", "all")
    assert code == 0 and "All accuracy" in out and "left" in out


def test_csv_regression(capsys, tmp_path):
    X, y = gn.data.sine(n=150, seed=1)
    path = write_csv(tmp_path / "s.csv", ["x", "y"], np.hstack([X, y]).tolist())
    folder = tmp_path / "run"
    code, out, err = run(
        capsys, "train", "--data", str(path), "--epochs", "5", "--out", str(folder), "--no-plots"
    )
    assert code == 0, err
    assert "regression of 1 value(s)" in out and "Test MSE: " in out
    rows = write_csv(tmp_path / "x.csv", ["x"], [[0.5], [1.5]])
    code, out, _ = run(capsys, "predict", str(folder), str(rows))
    assert code == 0 and len(out.split()) == 2
    float(out.split()[0])


def test_predict_npy_and_probabilities(capsys, digits_run, tmp_path):
    X, y = gn.data.load_digits("test")
    np.save(tmp_path / "x.npy", X[:20])
    code, out, err = run(capsys, "predict", str(digits_run), str(tmp_path / "x.npy"))
    assert code == 0, err
    predicted = [int(v) for v in out.split()]
    assert len(predicted) == 20 and np.mean(np.array(predicted) == y[:20]) >= 0.8
    code, out, _ = run(
        capsys, "predict", str(digits_run), str(tmp_path / "x.npy"), "--probabilities"
    )
    lines = out.splitlines()
    assert lines[0].split() == ["prediction"] + [f"p({d})" for d in range(10)]
    row = lines[1].split()
    assert int(row[0]) == predicted[0] and sum(float(p) for p in row[1:]) == pytest.approx(
        1, abs=1e-3
    )
    # a single sample, and images instead of rows
    np.save(tmp_path / "one.npy", X[0])
    assert run(capsys, "predict", str(digits_run), str(tmp_path / "one.npy"))[1].split() == [
        str(predicted[0])
    ]
    np.save(tmp_path / "img.npy", X[:3].reshape(3, 1, 8, 8))
    assert run(capsys, "predict", str(digits_run), str(tmp_path / "img.npy"))[1].split() == [
        str(p) for p in predicted[:3]
    ]  # fmt: skip


def test_evaluate_matches_the_training_report(capsys, digits_run):
    code, out, _ = run(capsys, "evaluate", str(digits_run))
    assert code == 0
    accuracy = json.loads((digits_run / "metrics.json").read_text())["test"]["accuracy"]
    assert f"Test accuracy: {accuracy:.2%}" in out
    assert "precision" in out and "macro avg" in out


def test_datasets_and_version(capsys):
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    for name in gn.data.DATASETS:
        assert f"  {name}" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"glassnet {__version__}"


def test_help_explains_every_option(capsys):
    code, out, _ = run(capsys, "train", "--help")
    assert code == 0
    for option in (
        "--data", "--target", "--model", "--hidden", "--activation", "--dropout", "--optimizer",
        "--lr", "--epochs", "--batch-size", "--seed", "--val-split", "--out", "--quiet",
    ):  # fmt: skip
        assert option in out
    for command in ("evaluate", "predict", "datasets"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "usage: glassnet " + command in out


def test_no_command_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and "train" in out and "evaluate" in out


# ----------------------------------------------------------------------------------------------
# Bad input: one line on stderr, a non-zero exit, no traceback
# ----------------------------------------------------------------------------------------------


def bad_cases(tmp_path, digits_run):
    good = write_csv(tmp_path / "good.csv", ["a", "b", "y"], [[1, 2, 0], [3, 4, 1]] * 10)
    text = write_csv(tmp_path / "text.csv", ["a", "y"], [[1, 0], ["oops", 1], [2, 0]])
    not_run = tmp_path / "not_a_run"
    not_run.mkdir()
    (not_run / "config.json").write_text("{}")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    (broken / "model.npz").write_bytes(b"junk")
    wrong_npz = tmp_path / "wrong"
    wrong_npz.mkdir()
    (wrong_npz / "config.json").write_text((digits_run / "config.json").read_text())
    (wrong_npz / "model.npz").write_bytes(b"not a zip file")
    other = tmp_path / "other"  # whole weights, but of another model
    other.mkdir()
    (other / "config.json").write_text((digits_run / "config.json").read_text())
    gn.save(gn.models.mlp(64, [8], 10).state_dict(), other / "model.npz")
    three = write_csv(tmp_path / "three.csv", ["a", "b", "c"], [[1, 2, 3]])
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x")
    return [
        ("unknown-dataset", ["train", "--data", "imagenet"], 1,
         "unknown dataset 'imagenet'; known datasets: digits, spiral"),
        ("missing-csv", ["train", "--data", str(tmp_path / "nope.csv")], 1, "no such CSV file"),
        ("no-target-column", ["train", "--data", str(good), "--target", "label"], 1,
         "target column 'label' is not in the file; the columns are 0: 'a', 1: 'b', 2: 'y'"),
        ("non-numeric", ["train", "--data", str(text), "--target", "y"], 1,
         "line 3: column 'a' must be numeric, got 'oops'"),
        ("target-on-named", ["train", "--target", "y"], 1, "--target only applies to a CSV"),
        ("cnn-on-2d", ["train", "--data", "spiral", "--model", "cnn"], 1, "--model cnn needs images"),
        ("bad-hidden", ["train", "--hidden", "12a"], 2, "invalid sizes '12a'"),
        ("bad-epochs", ["train", "--epochs", "0"], 2, "expected a positive integer"),
        ("bad-choice", ["train", "--optimizer", "adamm"], 2, "invalid choice: 'adamm'"),
        ("out-exists", ["train", "--out", str(full)], 1, "already exists and is not empty"),
        ("patience-no-val", ["train", "--patience", "2", "--val-split", "0"], 1, "--val-split"),
        ("run-missing", ["evaluate", str(tmp_path / "nothing")], 1, "no such directory"),
        ("run-incomplete", ["evaluate", str(not_run)], 1,
         "is not a glassnet run folder: model.npz is missing"),
        ("run-bad-json", ["evaluate", str(broken)], 1, "config.json is not valid JSON"),
        ("run-bad-model", ["predict", str(wrong_npz), str(good)], 1,
         "model.npz is corrupt or truncated"),
        ("run-other-model", ["predict", str(other), str(good)], 1, "model.npz does not fit"),
        ("predict-no-input", ["predict", str(digits_run), str(tmp_path / "x.npy")], 1,
         "no such input file"),
        ("predict-width", ["predict", str(digits_run), str(three)], 1,
         "has 3 values per sample; the model expects 64 features"),
    ]  # fmt: skip


def test_bad_input_gives_one_clear_line(capsys, tmp_path, digits_run, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a default run folder would go under ./runs
    for case, argv, code, message in bad_cases(tmp_path, digits_run):
        got, out, err = run(capsys, *argv)
        assert not (tmp_path / "runs").exists(), case  # nothing half-made is left behind
        assert got == code, (case, got, err)
        assert message in err, (case, err)
        assert len(err.strip().splitlines()) == 1, (case, err)
        assert "Traceback" not in err + out, case
        assert err.startswith("glassnet"), case


def test_a_failed_run_leaves_no_empty_folder(capsys, tmp_path, monkeypatch):
    import glassnet.cli.commands.train

    def broken_fit(*args, **kwargs):
        raise ValueError("fit: something was wrong")

    monkeypatch.setattr(glassnet.cli.commands.train, "fit", broken_fit)
    folder = tmp_path / "run"
    code, _, err = run(capsys, "train", "--out", str(folder), "-q")
    assert code == 1 and err.strip() == "glassnet: error: fit: something was wrong"
    assert not folder.exists()


def test_missing_mnist_says_which_files_to_put_where(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_CACHE", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train", "--data", "fashion-mnist")
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "train-images-idx3-ubyte.gz" in err and str(tmp_path) in err and "--download" in err


def write_idx(path, array):
    """An IDX file (gzipped): magic 0x0000 08 <ndim>, big-endian sizes, then the uint8 data."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_train_on_mnist_format_files(capsys, tmp_path):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 120), ("t10k", 30)):
        labels = rng.integers(0, 10, n)
        images = np.zeros((n, 28, 28), np.uint8)
        images[np.arange(n), 2 * labels + 3, 5:20] = 255  # a bar whose height is the label
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels)
    folder = tmp_path / "run"
    code, out, err = run(
        capsys, "train", "--data", "mnist", "--data-dir", str(tmp_path), "--epochs", "15",
        "--lr", "0.01", "--out", str(folder), "--no-plots",
    )  # fmt: skip
    assert code == 0, err
    assert "train 108 / validation 12 / test 30 samples; 784 features" in out
    assert "Test accuracy: 100.00%" in out
    code, out, _ = run(capsys, "evaluate", str(folder))
    assert code == 0 and "Test accuracy: 100.00%" in out


def test_python_dash_m_glassnet_help():
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-m", "glassnet", "--help"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: glassnet")
    for command in ("train", "evaluate", "predict", "datasets"):
        assert command in result.stdout


def test_a_bad_thread_count_in_the_environment_stops_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GLASSNET_NUM_THREADS", "two")
    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "run"), "--no-plots"]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no summary, no training: the mistake is said first
    assert err.strip() == (
        "glassnet: error: GLASSNET_NUM_THREADS must be a positive whole number, got 'two'"
    )
    assert not (tmp_path / "run").exists()
