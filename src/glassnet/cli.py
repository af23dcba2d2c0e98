"""The `glassnet` command: train a network, evaluate or use a saved run, list the datasets.

    glassnet train                      # an MLP on the bundled 8x8 digits: >= 97% in seconds
    glassnet train --data spiral --hidden 64,64 --epochs 200
    glassnet train --data mnist --download --model cnn
    glassnet train --data my.csv --target label
    glassnet evaluate runs/<run>        # test accuracy and confusion matrix of a saved run
    glassnet predict runs/<run> new.csv # one predicted class per row
    glassnet datasets                   # what --data accepts
    glassnet --version

A run folder (``runs/<time>-<data>-<model>/`` by default) holds everything needed to use the
model again: ``model.npz`` (the weights: ``glassnet.save(model.state_dict())``),
``config.json`` (the data, the model's description, the input standardization and the
training settings), ``history.csv`` (one row per epoch, written as training goes),
``metrics.json`` (the test results) and, when matplotlib is installed, ``loss.png`` and
``accuracy.png``.

Bad input (an unknown dataset, a missing column, a folder that is not a run, ...) gets one
clear line on stderr and exit status 1 (2 for a malformed command line), never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import shlex
import sys
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np

from . import metrics as gm
from ._version import __version__
from .atomic import atomic_write
from .callbacks import CSVLogger, EarlyStopping
from .data import DATASETS, FASHION_MNIST_CLASSES, load_csv, load_dataset
from .data.mnist import MNIST_KINDS, mnist_folder
from .data.transforms import Normalize
from .models import ACTIVATIONS, build_model
from .nn import functional as F
from .random import manual_seed
from .serialization import load, save
from .train import OPTIMIZERS, SCHEDULERS, evaluate, fit, predict

__all__ = ["main"]

RUN_FILES = ("config.json", "model.npz")
_IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist")
_TWO_D = ("spiral", "moons", "circles", "xor", "blobs")
TEST_FRACTION = 0.2  # of a CSV file, held out for testing

# Training defaults per kind of data (an option given on the command line always wins).
PRESETS: dict[str, dict[str, Any]] = {
    "digits": dict(hidden=[256, 128], dropout=0.2, lr=1e-3, epochs=30, batch_size=32),
    "mnist": dict(hidden=[256, 128], dropout=0.2, lr=1e-3, epochs=10, batch_size=128),
    "2d": dict(hidden=[64, 64], dropout=0.0, lr=1e-2, epochs=100, batch_size=32),
    "sine": dict(
        hidden=[64, 64], dropout=0.0, lr=1e-2, epochs=100, batch_size=32, activation="tanh"
    ),
    "csv": dict(hidden=[64, 64], dropout=0.0, lr=1e-3, epochs=50, batch_size=32),
}
CNN_PRESETS: dict[str, dict[str, Any]] = {
    "digits": dict(channels=[32, 64], hidden=[128], dropout=0.2, lr=2e-3, epochs=15, batch_size=32),
    "mnist": dict(channels=[32, 64], hidden=[128], dropout=0.2, lr=1e-3, epochs=5, batch_size=128),
}


class CLIError(Exception):
    """A problem with the user's input: printed as one line, exit status 1."""


# ----------------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line gives one line (and a pointer to --help), not usage."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see: {self.prog} --help)\n")
        raise SystemExit(2)


def _int_list(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(
            f"invalid sizes {text!r}: expected comma-separated positive integers such as 256,128"
        )
    return values


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `glassnet` command (all subcommands)."""
    parser = _Parser(
        prog="glassnet",
        description="Deep learning from scratch on NumPy, with nothing hidden. Start with "
        "`glassnet train`: it trains a network on handwritten digits that ship with glassnet.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # -- train
    t = sub.add_parser(
        "train",
        help="train a network (default: an MLP on the bundled digits)",
        description="Train a network and save the run (model.npz, config.json, history.csv, "
        "metrics.json, plots) in a folder. Defaults that say 'depends on --data' are tuned per "
        "dataset: digits, mnist/fashion-mnist, the 2-D sets, sine, or a CSV file.",
    )
    t.add_argument(
        "--data",
        default="digits",
        metavar="NAME|FILE.csv",
        help="a dataset name (see `glassnet datasets`: digits, spiral, moons, circles, xor, "
        "blobs, sine, mnist, fashion-mnist) or a CSV file of numbers with a header row "
        "(default: digits)",
    )
    t.add_argument(
        "--target",
        metavar="COLUMN",
        help="for a CSV file: the column to predict, by name or position (default: the last "
        "column). Whole numbers or text make a classifier, other numbers a regressor",
    )
    t.add_argument(
        "--model",
        choices=("mlp", "cnn"),
        default="mlp",
        help="mlp: fully connected layers (any data); cnn: a small convolutional network "
        "(images: digits, mnist, fashion-mnist) (default: mlp)",
    )
    t.add_argument(
        "--hidden",
        type=_int_list,
        metavar="SIZES",
        help="hidden layer widths, comma-separated, e.g. 256,128; 'none' for a linear model. "
        "For --model cnn, the width of its fully connected layer (default: depends on --data: "
        "digits 256,128; 2-D sets 64,64)",
    )
    t.add_argument(
        "--channels",
        type=_int_list,
        metavar="SIZES",
        help="for --model cnn: channels of each conv block, e.g. 32,64 (default: 32,64)",
    )
    t.add_argument(
        "--activation",
        choices=tuple(ACTIVATIONS),
        help="the activation after each hidden layer (default: relu; tanh for sine)",
    )
    t.add_argument(
        "--dropout",
        type=_fraction,
        metavar="P",
        help="dropout probability after each hidden layer (default: 0.2 for digits/mnist, else 0)",
    )
    t.add_argument(
        "--optimizer",
        choices=tuple(OPTIMIZERS),
        default="adam",
        help="the optimizer (default: adam)",
    )
    t.add_argument(
        "--lr",
        type=_positive_float,
        metavar="RATE",
        help="learning rate (default: depends on --data: 1e-3 for digits, 1e-2 for 2-D sets)",
    )
    t.add_argument(
        "--schedule",
        choices=(*SCHEDULERS, "none"),
        default="cosine",
        help="learning-rate schedule over the epochs: "
        + "; ".join(f"{k}: {v}" for k, v in SCHEDULERS.items())
        + "; none: constant (default: cosine)",
    )
    t.add_argument(
        "--label-smoothing",
        type=_fraction,
        default=0.1,
        metavar="EPS",
        help="for classifiers: train against targets with EPS of the probability spread over "
        "all classes, which makes the model less over-confident (default: 0.1)",
    )
    t.add_argument(
        "--epochs",
        type=_positive_int,
        help="passes over the training data (default: depends "
        "on --data: digits 30, mnist 10, 2-D sets 100)",
    )
    t.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help="samples per gradient step (default: 32; 128 for mnist)",
    )
    t.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed for the weights, the shuffling, dropout and the split (default: 0)",
    )
    t.add_argument(
        "--val-split",
        type=_fraction,
        default=0.1,
        metavar="FRACTION",
        help="fraction of the training data held out to watch for overfitting after each "
        "epoch; 0 for none (default: 0.1)",
    )
    t.add_argument(
        "--patience",
        type=_positive_int,
        metavar="EPOCHS",
        help="stop early when the validation loss has not improved for this many epochs, and "
        "keep the best weights (default: off)",
    )
    t.add_argument(
        "--out",
        metavar="DIR",
        help="the run folder to write (default: runs/<date-time>-<data>-<model>)",
    )
    t.add_argument("--name", help="name the run folder runs/NAME instead of by date and time")
    t.add_argument(
        "--overwrite", action="store_true", help="allow writing into an existing run folder"
    )
    t.add_argument(
        "--download",
        action="store_true",
        help="for mnist/fashion-mnist: download missing files (SHA-256 checked)",
    )
    t.add_argument(
        "--data-dir",
        metavar="DIR",
        help="for mnist/fashion-mnist: the folder with the IDX files (default: "
        "$GLASSNET_CACHE/<name> or ~/.cache/glassnet/<name>)",
    )
    t.add_argument("--no-plots", action="store_true", help="do not draw loss/accuracy plots")
    t.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the result and where the run was saved (no summary, no progress)",
    )

    # -- evaluate
    e = sub.add_parser(
        "evaluate",
        help="test a saved run on its data",
        description="Rebuild a saved run's model and measure it on its data: loss, accuracy, "
        "a confusion matrix and per-class precision/recall/F1 (or MSE/MAE for regression).",
    )
    e.add_argument("run", metavar="RUN", help="a run folder written by `glassnet train`")
    e.add_argument(
        "--split",
        choices=("test", "train", "all"),
        default="test",
        help="which part of the data to evaluate on (default: test)",
    )
    e.add_argument(
        "--data-dir", metavar="DIR", help="for mnist/fashion-mnist: the folder with the IDX files"
    )
    e.add_argument(
        "--batch-size",
        type=_positive_int,
        default=256,
        metavar="N",
        help="samples per forward pass (default: 256)",
    )

    # -- predict
    p = sub.add_parser(
        "predict",
        help="predict with a saved run",
        description="Predict with a saved run's model: one line per input row (the class name "
        "for a classifier, the value(s) for a regressor).",
    )
    p.add_argument("run", metavar="RUN", help="a run folder written by `glassnet train`")
    p.add_argument(
        "input",
        metavar="INPUT",
        help="the inputs: a .npy array (one sample per row, or images) or a CSV file of "
        "numbers. A CSV with a header row may hold extra columns (e.g. the target): the "
        "model's feature columns are picked by name",
    )
    p.add_argument(
        "--probabilities",
        action="store_true",
        help="for classifiers: also print each class's probability",
    )
    p.add_argument(
        "--output", metavar="FILE.csv", help="also write the predictions to this CSV file"
    )
    p.add_argument(
        "--batch-size",
        type=_positive_int,
        default=256,
        metavar="N",
        help="samples per forward pass (default: 256)",
    )

    # -- datasets
    sub.add_parser(
        "datasets",
        help="list the datasets --data accepts",
        description="List the datasets `glassnet train --data` accepts.",
    )
    return parser


# ----------------------------------------------------------------------------------------------
# Data: a named dataset or a CSV file, as arrays with a train/test split
# ----------------------------------------------------------------------------------------------


@dataclass
class Task:
    """What the command trains on: the arrays and what they mean."""

    name: str
    description: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    kind: str  # "classification" or "regression"
    classes: list[str] | None = None
    feature_names: list[str] | None = None
    source: dict[str, Any] = field(default_factory=dict)  # how to load it again (config.json)

    @property
    def num_outputs(self) -> int:
        if self.kind == "classification":
            return len(self.classes or [])
        return int(self.y_train.shape[1]) if self.y_train.ndim == 2 else 1


def _preset_key(name: str) -> str:
    if name in ("mnist", "fashion-mnist"):
        return "mnist"
    if name in _TWO_D:
        return "2d"
    return name if name in PRESETS else "csv"


def _is_csv(data: str) -> bool:
    return data not in DATASETS and (data.lower().endswith(".csv") or os.path.isfile(data))


def _csv_header(path: str) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.reader(f):
            if any(c.strip() for c in row):
                return [c.strip() for c in row]
    return []


def load_task(source: dict[str, Any], image: bool) -> Task:
    """Load the data a run describes: ``{"name": ..., "path": ..., "target": ...,
    "data_dir": ..., "download": ...}``. ``image=True`` keeps image datasets as (N, C, H, W)."""
    name = source["name"]
    if name == "csv":
        return _load_csv_task(source)
    if name not in DATASETS:
        raise CLIError(
            f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)} (or give the path "
            "of a CSV file)"
        )
    kwargs: dict[str, Any] = {}
    if name in _IMAGE_DATASETS:
        kwargs["flatten"] = not image
    if name in ("mnist", "fashion-mnist"):
        kwargs["download"] = bool(source.get("download"))
        if source.get("data_dir"):
            kwargs["root"] = source["data_dir"]
    try:
        X_train, y_train = load_dataset(name, "train", **kwargs)
        X_test, y_test = load_dataset(name, "test", **kwargs)
    except FileNotFoundError:
        if name not in ("mnist", "fashion-mnist"):
            raise
        folder = mnist_folder(source.get("data_dir"), name)
        files = ", ".join(MNIST_KINDS[name]["sha256"])
        raise CLIError(
            f"{name} is not in {folder}: it needs the files {files} (gzipped or not). Run "
            f"`glassnet train --data {name} --download` to fetch them (about 30 MB, SHA-256 "
            "checked), or point --data-dir at a folder that has them"
        ) from None
    regression = y_train.dtype.kind == "f"
    classes = None
    if not regression:
        if name == "fashion-mnist":
            classes = list(FASHION_MNIST_CLASSES)
        else:
            classes = [str(c) for c in range(int(max(y_train.max(), y_test.max())) + 1)]
    return Task(
        name=name,
        description=DATASETS[name],
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        kind="regression" if regression else "classification",
        classes=classes,
        source=dict(source),
    )


def _load_csv_task(source: dict[str, Any]) -> Task:
    path = source["path"]
    if not os.path.isfile(path):
        raise CLIError(f"no such CSV file: {path}")
    header = _csv_header(path)
    target: Any = source.get("target")
    if target is None:
        target = -1
    elif target not in header and str(target).lstrip("-").isdigit():
        target = int(target)  # a position
    X, y, class_names = load_csv(path, target=target)
    t = header.index(target) if isinstance(target, str) else target % max(len(header), 1)
    features = [h for j, h in enumerate(header) if j != t]
    regression = y.dtype.kind == "f"
    if not regression:
        if y.min() < 0:
            raise CLIError(
                f"{path}: class labels in column {header[t]!r} must be >= 0, found {y.min()} "
                "(use text labels, or labels 0, 1, 2, ...)"
            )
        classes = class_names or [str(c) for c in range(int(y.max()) + 1)]
    else:
        classes = None
    # The same split every time: a permutation from a fixed seed, 20% for testing.
    perm = np.random.default_rng(0).permutation(len(X))
    n_test = max(1, int(round(len(X) * TEST_FRACTION)))
    if len(X) - n_test < 2:
        raise CLIError(f"{path} has only {len(X)} rows: too few to train and test on")
    test, train = perm[:n_test], perm[n_test:]
    return Task(
        name="csv",
        description=f"{os.path.basename(path)}: {len(X)} rows, {X.shape[1]} features, target "
        f"column {header[t]!r}",
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        kind="regression" if regression else "classification",
        classes=classes,
        feature_names=features,
        source={"name": "csv", "path": os.path.abspath(path), "target": header[t]},
    )


def _task_from_args(args: argparse.Namespace) -> Task:
    data = args.data
    if data in DATASETS:
        if args.target is not None:
            raise CLIError(f"--target only applies to a CSV file, not to the dataset {data!r}")
        source: dict[str, Any] = {"name": data}
        if args.data_dir:
            source["data_dir"] = os.path.abspath(args.data_dir)
        if args.download:
            source["download"] = True
    elif _is_csv(data):
        source = {"name": "csv", "path": data, "target": args.target}
    else:
        raise CLIError(
            f"unknown dataset {data!r}; known datasets: {', '.join(DATASETS)} (or give the path "
            "of a CSV file)"
        )
    if args.model == "cnn" and source["name"] not in _IMAGE_DATASETS:
        raise CLIError(
            f"--model cnn needs images ({', '.join(_IMAGE_DATASETS)}); {data!r} is not an image "
            "dataset: use --model mlp"
        )
    return load_task(source, image=args.model == "cnn")


# ----------------------------------------------------------------------------------------------
# Standardization of the inputs (fitted on the training data, saved in config.json)
# ----------------------------------------------------------------------------------------------


def _fit_normalize(X: np.ndarray, image: bool) -> dict[str, Any]:
    if image:  # one mean and std for every pixel of every channel
        std = float(X.std())
        return {"mean": float(X.mean()), "std": std if std > 1e-8 else 1.0, "axis": -1}
    n = Normalize.fit(X)
    return {"mean": n.mean.tolist(), "std": n.std.tolist(), "axis": -1}


def _normalize(spec: dict[str, Any] | None, X: np.ndarray) -> np.ndarray:
    if not spec:
        return X
    return Normalize(spec["mean"], spec["std"], axis=spec.get("axis", -1))(X)


# ----------------------------------------------------------------------------------------------
# Printing
# ----------------------------------------------------------------------------------------------


def _describe_task(task: Task, n_train: int, n_val: int) -> str:
    shape = task.X_train.shape[1:]
    what = (
        f"{shape[0]} features"
        if len(shape) == 1
        else "images of shape " + "x".join(str(s) for s in shape)
    )
    lines = [f"Data: {task.name} - {task.description}"]
    sizes = (
        f"train {n_train:,}"
        + (f" / validation {n_val:,}" if n_val else "")
        + (f" / test {len(task.X_test):,} samples; {what}")
    )
    lines.append("  " + sizes)
    if task.kind == "classification":
        names = " ".join(task.classes or [])
        if len(names) > 70:
            names = names[:67] + "..."
        lines.append(f"  {len(task.classes or [])} classes: {names}")
    else:
        lines.append(f"  regression of {task.num_outputs} value(s)")
    return "\n".join(lines)


def format_confusion(matrix: np.ndarray, classes: list[str]) -> str:
    """A confusion matrix as text: rows are true classes, columns predicted classes."""
    labels = [c if len(c) <= 8 else c[:7] + "." for c in classes]
    width = max(4, max(len(str(int(matrix.max()))), *(len(c) for c in labels)) + 1)
    side = max(len(c) for c in labels) + 1
    head = " " * side + "".join(f"{c:>{width}}" for c in labels)
    rows = [
        f"{label:>{side - 1}} " + "".join(f"{int(v):>{width}}" for v in row)
        for label, row in zip(labels, matrix)
    ]
    return "\n".join([head, *rows])


def _report_classification(
    output: np.ndarray, y: np.ndarray, classes: list[str], loss: float, split: str
) -> dict[str, Any]:
    acc = gm.accuracy(output, y)
    matrix = gm.confusion_matrix(output, y, num_classes=len(classes))
    scores = gm.precision_recall_f1(output, y, num_classes=len(classes))
    correct = int(np.trace(matrix))
    print(
        f"{split.capitalize()} accuracy: {acc:.2%} ({correct:,} of {len(y):,} correct)   "
        f"loss {loss:.4f}   macro F1 {scores['macro_f1']:.4f}"
    )
    if len(classes) <= 20:
        print("Confusion matrix (rows: true class, columns: predicted class):")
        print(format_confusion(matrix, classes))
    return {
        "accuracy": acc,
        "loss": loss,
        "macro_f1": scores["macro_f1"],
        "confusion_matrix": matrix.tolist(),
    }


def _report_regression(output: np.ndarray, y: np.ndarray, split: str) -> dict[str, Any]:
    y2 = y.reshape(output.shape)
    m, a = gm.mse(output, y2), gm.mae(output, y2)
    print(f"{split.capitalize()} MSE: {m:.5f}   MAE: {a:.5f}   ({len(y):,} samples)")
    return {"mse": m, "mae": a, "loss": m}


# ----------------------------------------------------------------------------------------------
# Run folders
# ----------------------------------------------------------------------------------------------


def _new_run_folder(args: argparse.Namespace) -> str:
    if args.out:
        folder = args.out
    elif args.name:
        folder = os.path.join("runs", args.name)
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        data = args.data if args.data in DATASETS else "csv"
        base = os.path.join("runs", f"{stamp}-{data}-{args.model}")
        folder, k = base, 2
        while os.path.exists(folder):
            folder, k = f"{base}-{k}", k + 1
    if os.path.isfile(folder):
        raise CLIError(f"cannot write the run to {folder}: it is a file")
    if os.path.isdir(folder) and os.listdir(folder) and not args.overwrite:
        raise CLIError(
            f"the run folder {folder} already exists and is not empty; choose another --out or "
            "--name, or pass --overwrite"
        )
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise CLIError(f"cannot create the run folder {folder}: {e.strerror or e}") from None
    return folder


def _json_text(obj: Any, indent: int = 0) -> str:
    """JSON with one entry per line, but lists of numbers or strings kept on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(obj, dict) and obj:
        items = [
            f"{inner}{json.dumps(str(k))}: {_json_text(v, indent + 1)}" for k, v in obj.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        items = [inner + _json_text(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def _write_json(path: str, obj: Any) -> None:
    with atomic_write(path, "w") as f:
        f.write(_json_text(obj) + "\n")


def read_run(folder: str) -> tuple[dict[str, Any], Any]:
    """(config, model with its saved weights) of a run folder; CLIError saying what is wrong."""
    if not os.path.isdir(folder):
        raise CLIError(f"{folder} is not a run folder: no such directory")
    missing = [f for f in RUN_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise CLIError(
            f"{folder} is not a glassnet run folder: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (a run folder written by "
            "`glassnet train` holds config.json and model.npz)"
        )
    try:
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CLIError(f"{folder}/config.json is not valid JSON: {e}") from None
    for key in ("data", "model", "task"):
        if not isinstance(config, dict) or key not in config:
            raise CLIError(f"{folder}/config.json is not a glassnet run config: no {key!r} entry")
    try:
        model = build_model(config["model"])
    except ValueError as e:
        raise CLIError(
            f"{folder}/config.json describes a model glassnet cannot build: {e}"
        ) from None
    try:
        state = load(os.path.join(folder, "model.npz"))
        model.load_state_dict(state)
    except ValueError as e:  # SerializationError and StateDictError are ValueErrors
        raise CLIError(f"{folder}/model.npz does not fit the model in config.json: {e}") from None
    return config, model


def _save_plots(folder: str, history: Any, kind: str) -> list[str]:
    """loss.png and accuracy.png (or mae.png) when matplotlib is installed; [] otherwise."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no global state, no display needed
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return []
    written = []
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
        name = f"{key}.png"
        with atomic_write(os.path.join(folder, name), "wb") as f:
            fig.savefig(f, format="png")
        written.append(name)
    return written


# ----------------------------------------------------------------------------------------------
# glassnet train
# ----------------------------------------------------------------------------------------------


def _settings(args: argparse.Namespace, task: Task) -> dict[str, Any]:
    key = _preset_key(task.name)
    preset = dict(PRESETS[key])
    if args.model == "cnn":
        preset.update(CNN_PRESETS[key])
    given = {
        "hidden": args.hidden,
        "dropout": args.dropout,
        "lr": args.lr,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "activation": args.activation,
        "channels": args.channels,
    }
    out = {**preset, **{k: v for k, v in given.items() if v is not None}}
    out.setdefault("activation", "relu")
    out.setdefault("channels", [32, 64])
    return out


def _model_spec(args: argparse.Namespace, task: Task, s: dict[str, Any]) -> dict[str, Any]:
    if args.model == "cnn":
        if len(s["hidden"]) != 1:
            raise CLIError(
                f"--hidden for --model cnn is the width of its one fully connected layer, "
                f"e.g. --hidden 128; got {','.join(map(str, s['hidden'])) or 'none'}"
            )
        return {
            "kind": "cnn",
            "in_shape": list(task.X_train.shape[1:]),
            "num_classes": task.num_outputs,
            "channels": list(s["channels"]),
            "hidden": s["hidden"][0],
            "activation": s["activation"],
            "dropout": s["dropout"],
        }
    return {
        "kind": "mlp",
        "in_features": int(np.prod(task.X_train.shape[1:])),
        "hidden": list(s["hidden"]),
        "out_features": task.num_outputs,
        "activation": s["activation"],
        "dropout": s["dropout"],
    }


def cmd_train(args: argparse.Namespace) -> int:
    """`glassnet train`: load and standardize the data, then train and save into a run folder."""
    task = _task_from_args(args)
    if task.kind == "classification" and len(task.classes or []) < 2:
        raise CLIError(f"{task.name}: a classifier needs at least 2 classes, the data has 1")
    s = _settings(args, task)
    image = args.model == "cnn"
    spec = _model_spec(args, task, s)
    norm = _fit_normalize(task.X_train, image)
    X_train = _normalize(norm, task.X_train).reshape(len(task.X_train), *_input_shape(spec))
    X_test = _normalize(norm, task.X_test).reshape(len(task.X_test), *_input_shape(spec))

    if args.patience and not args.val_split:
        raise CLIError("--patience watches the validation loss: it needs --val-split > 0")
    folder = _new_run_folder(args)
    try:
        return _train_into(args, task, s, spec, norm, X_train, X_test, folder)
    except BaseException:
        if os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)  # failed before anything was written: leave no empty run behind
        raise


def _train_into(
    args: argparse.Namespace,
    task: Task,
    s: dict[str, Any],
    spec: dict[str, Any],
    norm: dict[str, Any],
    X_train: np.ndarray,
    X_test: np.ndarray,
    folder: str,
) -> int:
    """Build the model, show it, fit it, test it, and write the run folder."""
    say = (lambda *a, **k: None) if args.quiet else print
    manual_seed(args.seed)  # the initial weights depend on the seed too
    model = build_model(spec)
    n_val = int(round(len(X_train) * args.val_split)) if args.val_split else 0
    say(_describe_task(task, len(X_train) - n_val, n_val))
    say("  inputs standardized with the training set's mean and standard deviation")
    say("")
    if not args.quiet:
        model.summary((1, *_input_shape(spec)))
        say("")
    classify = task.kind == "classification"
    smoothing = args.label_smoothing if classify else 0.0
    loss: Any = "mse"
    if classify:
        loss = _smoothed_cross_entropy(smoothing) if smoothing else "cross_entropy"
    schedule = None if args.schedule == "none" else args.schedule
    say(
        f"Training: {args.optimizer} lr {s['lr']:g}, schedule {args.schedule}, {s['epochs']} "
        f"epochs, batch size {s['batch_size']}"
        + (f", label smoothing {smoothing:g}" if smoothing else "")
        + f", seed {args.seed}"
    )
    callbacks: list[Any] = [CSVLogger(os.path.join(folder, "history.csv"))]
    if args.patience:
        callbacks.append(EarlyStopping(patience=args.patience, restore_best_weights=True))
    started = time.perf_counter()
    history = fit(
        model,
        (X_train, task.y_train),
        loss=loss,
        optimizer=args.optimizer,
        lr=s["lr"],
        epochs=s["epochs"],
        batch_size=s["batch_size"],
        validation_split=args.val_split,
        metrics=["accuracy"] if classify else ["mae"],
        callbacks=callbacks,
        scheduler=schedule,
        seed=args.seed,
        verbose=0 if args.quiet else 1,
    )
    seconds = time.perf_counter() - started
    done = len(history.epoch)
    say(f"Trained {done} epoch{'s' if done != 1 else ''} in {seconds:.1f} s.")
    say("")

    # Test, then save everything.
    output = predict(model, X_test).array
    # The test loss is the training loss (label smoothing included), comparable with val_loss.
    test_loss = evaluate(model, (X_test, task.y_test), loss=loss)["loss"]
    if classify:
        results = _report_classification(output, task.y_test, task.classes or [], test_loss, "test")
    else:
        results = _report_regression(output, task.y_test, "test")
    save(model.state_dict(), os.path.join(folder, "model.npz"))
    config = {
        "format": "glassnet-run",
        "format_version": 1,
        "glassnet_version": __version__,
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": "glassnet " + " ".join(shlex.quote(a) for a in args._argv),
        "task": task.kind,
        "data": {
            **task.source,
            "classes": task.classes,
            "feature_names": task.feature_names,
            "input_shape": list(_input_shape(spec)),
            "normalize": norm,
            "train_samples": len(X_train) - n_val,
            "validation_samples": n_val,
            "test_samples": len(X_test),
        },
        "model": spec,
        "training": {
            "loss": "cross_entropy" if classify else "mse",
            "label_smoothing": smoothing,
            "optimizer": args.optimizer,
            "lr": s["lr"],
            "schedule": args.schedule,
            "epochs": s["epochs"],
            "epochs_run": done,
            "batch_size": s["batch_size"],
            "seed": args.seed,
            "val_split": args.val_split,
            "patience": args.patience,
            "interrupted": history.interrupted,
            "stop_reason": history.stop_reason,
            "seconds": round(seconds, 3),
        },
    }
    _write_json(os.path.join(folder, "config.json"), config)
    _write_json(os.path.join(folder, "metrics.json"), {"test": results})
    files = ["model.npz", "config.json", "history.csv", "metrics.json"]
    if not args.no_plots and done:
        files += _save_plots(folder, history, task.kind)
    print(f"Saved the run to {folder}{os.sep}: {', '.join(files)}")
    if not args.quiet:
        print(f"Use it: glassnet evaluate {folder}   |   glassnet predict {folder} INPUT.csv")
    return 0


def _smoothed_cross_entropy(eps: float) -> Any:
    def cross_entropy(output: Any, target: Any) -> Any:
        return F.cross_entropy(output, target, label_smoothing=eps)

    return cross_entropy


def _input_shape(spec: dict[str, Any]) -> tuple[int, ...]:
    if spec["kind"] == "cnn":
        return tuple(spec["in_shape"])
    return (spec["in_features"],)


# ----------------------------------------------------------------------------------------------
# glassnet evaluate / predict / datasets
# ----------------------------------------------------------------------------------------------


def cmd_evaluate(args: argparse.Namespace) -> int:
    config, model = read_run(args.run)
    data = dict(config["data"])
    if args.data_dir:
        data["data_dir"] = os.path.abspath(args.data_dir)
    source = {k: data[k] for k in ("name", "path", "target", "data_dir") if k in data}
    image = config["model"].get("kind") == "cnn"
    task = load_task(source, image=image)
    if args.split == "test":
        X, y = task.X_test, task.y_test
    elif args.split == "train":
        X, y = task.X_train, task.y_train
    else:
        X, y = (
            np.concatenate([task.X_train, task.X_test]),
            np.concatenate([task.y_train, task.y_test]),
        )
    shape = tuple(data.get("input_shape") or X.shape[1:])
    X = _normalize(data.get("normalize"), X).reshape(len(X), *shape)
    print(f"Run: {args.run} ({config['model'].get('kind')} on {task.name}, {args.split} split)")
    if config["task"] == "classification":
        eps = float(config.get("training", {}).get("label_smoothing") or 0.0)
        loss = _smoothed_cross_entropy(eps) if eps else "cross_entropy"
        logs = evaluate(model, (X, y), loss=loss, batch_size=args.batch_size)
        output = predict(model, X, batch_size=args.batch_size).array
        classes = data.get("classes") or [str(c) for c in range(output.shape[1])]
        _report_classification(output, y, classes, logs["loss"], args.split)
        print(gm.classification_report(output, y, class_names=classes, num_classes=len(classes)))
    else:
        output = predict(model, X, batch_size=args.batch_size).array
        _report_regression(output, y, args.split)
    return 0


def _read_input(path: str, config: dict[str, Any]) -> np.ndarray:
    """The INPUT of `glassnet predict` as a float array with one row (or image) per sample."""
    if not os.path.isfile(path):
        raise CLIError(f"no such input file: {path}")
    if path.lower().endswith(".npy"):
        try:
            X = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise CLIError(f"{path} is not a readable .npy array of numbers: {e}") from None
        if X.dtype.kind not in "biuf":
            raise CLIError(f"{path} must hold numbers, it holds {X.dtype}")
        return X.astype(np.float32)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [[c.strip() for c in r] for r in csv.reader(f) if any(c.strip() for c in r)]
    if not rows:
        raise CLIError(f"{path} is empty")
    features = config["data"].get("feature_names")
    first_is_header = any(not _is_number(c) for c in rows[0])
    start = 1 if first_is_header else 0
    columns = list(range(len(rows[0])))
    if first_is_header and features:
        header = rows[0]
        missing = [c for c in features if c not in header]
        if missing:
            raise CLIError(
                f"{path} lacks the column(s) {', '.join(map(repr, missing))} the model needs; "
                f"its columns are {', '.join(map(repr, header))}"
            )
        columns = [header.index(c) for c in features]
    X = np.empty((len(rows) - start, len(columns)), dtype=np.float32)
    for i, row in enumerate(rows[start:], start=start + 1):
        if len(row) != len(rows[0]):
            raise CLIError(f"{path}, line {i}: expected {len(rows[0])} fields, got {len(row)}")
        for k, j in enumerate(columns):
            if not _is_number(row[j]):
                raise CLIError(
                    f"{path}, line {i}, column {j + 1}: expected a number, got {row[j]!r}"
                )
            X[i - start - 1, k] = float(row[j])
    return X


def _is_number(text: str) -> bool:
    try:
        return np.isfinite(float(text))
    except ValueError:
        return False


def cmd_predict(args: argparse.Namespace) -> int:
    config, model = read_run(args.run)
    data = config["data"]
    X = _read_input(args.input, config)
    shape = tuple(data.get("input_shape") or X.shape[1:])
    size = int(np.prod(shape))
    if X.ndim == 0 or (X.ndim == 1 and X.size == size):
        X = X.reshape(1, -1)
    per_sample = int(np.prod(X.shape[1:])) if X.ndim > 1 else 1
    if per_sample != size:
        names = data.get("feature_names")
        expect = f"{size} features" + (f" ({', '.join(names)})" if names else "")
        raise CLIError(
            f"{args.input} has {per_sample} values per sample; the model expects {expect}"
            + (f" in the shape {shape}" if len(shape) > 1 else "")
        )
    X = _normalize(data.get("normalize"), X.reshape(len(X), *shape))
    output = predict(model, X, batch_size=args.batch_size).array
    rows: list[list[str]] = []
    if config["task"] == "classification":
        classes = data.get("classes") or [str(c) for c in range(output.shape[1])]
        z = output - output.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        header = ["prediction"] + ([f"p({c})" for c in classes] if args.probabilities else [])
        for i, k in enumerate(output.argmax(axis=1)):
            row = [classes[int(k)]]
            if args.probabilities:
                row += [f"{p:.4f}" for p in probs[i]]
            rows.append(row)
    else:
        header = (
            ["prediction"] if output.shape[1] == 1 else [f"y{j}" for j in range(output.shape[1])]
        )
        rows = [[f"{v:.6g}" for v in r] for r in output]
    if args.probabilities:
        print("  ".join(header))
    for row in rows:
        print("  ".join(row))
    if args.output:
        with atomic_write(args.output, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    width = max(len(n) for n in DATASETS)
    print("Datasets for `glassnet train --data NAME`:")
    for name, text in DATASETS.items():
        print(f"  {name:<{width}}  {text}")
    print("Or your own numbers: glassnet train --data FILE.csv --target COLUMN")
    return 0


# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------

_COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "datasets": cmd_datasets,
}


def main(argv: list[str] | None = None) -> int:
    """Run the `glassnet` command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a malformed command line
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    if args.command is None:
        parser.print_help()
        return 2
    args._argv = argv
    try:
        return _COMMANDS[args.command](args)
    except CLIError as e:
        print(f"glassnet: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `glassnet predict ... | head`: the reader left; stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except (ValueError, TypeError, OSError) as e:  # bad input found deeper down (files, CSVs)
        if os.environ.get("GLASSNET_DEBUG"):
            raise
        message = str(e) or type(e).__name__
        if isinstance(e, OSError) and e.filename and e.strerror:
            message = f"{e.filename}: {e.strerror}"
        print(f"glassnet: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nglassnet: interrupted", file=sys.stderr)
        return 130
