"""The `glassnet` command line: the argument parser of every subcommand and its option types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

from .._version import __version__
from ..models import ACTIVATIONS
from ..one_line_parser import OneLineParser as _Parser
from ..train import OPTIMIZERS, SCHEDULERS

__all__ = ["build_parser"]


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


def _checked_number(
    convert: Callable[[str], Any], is_valid: Callable[[Any], bool], expected: str
) -> Callable[[str], Any]:
    """An argparse ``type=``: ``convert(text)`` (int or float) when that works and ``is_valid``,
    else a one-line error "expected <expected>, got '<text>'"."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not is_valid(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_fraction = _checked_number(float, lambda p: 0.0 <= p < 1.0, "a number in [0, 1)")
_positive_int = _checked_number(int, lambda n: n >= 1, "a positive integer")
_positive_float = _checked_number(float, lambda x: x > 0 and np.isfinite(x), "a positive number")
_seed = _checked_number(int, lambda n: 0 <= n < 2**63, "a whole number >= 0")


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
    _add_train(sub)
    _add_evaluate(sub)
    _add_predict(sub)
    sub.add_parser(
        "datasets",
        help="list the datasets --data accepts",
        description="List the datasets `glassnet train --data` accepts.",
    )
    _add_run(sub)
    _add_inside(sub)
    return parser


def _add_train(sub: argparse._SubParsersAction) -> None:
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
        type=_seed,
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
        "--overwrite",
        action="store_true",
        help="replace an existing run folder (the old run is removed only once the new one is "
        "complete)",
    )
    t.add_argument(
        "--no-header",
        action="store_true",
        help="for a CSV file: the first row is data, not column names (the columns are then "
        "column_1, column_2, ...)",
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
        "--live",
        action="store_true",
        help="watch it learn in the browser: prints a local address (127.0.0.1) with a token; "
        "the page can pause, step, stop and change the learning rate; the run keeps a replay",
    )
    t.add_argument(
        "--port", type=int, default=0, metavar="N", help="the port of --live (default: any free)"
    )
    t.add_argument(
        "--report", action="store_true", help="also write report.html, the whole run in one file"
    )
    t.add_argument(
        "--detect-anomaly",
        action="store_true",
        help="stop at the first op that makes a NaN or Inf, naming it and its layer (slower)",
    )
    t.add_argument(
        "--check-gradients-every",
        type=_positive_int,
        metavar="N",
        help="every N batches compare backprop gradients with numerical ones (slow)",
    )
    t.add_argument(
        "--no-diagnostics",
        action="store_true",
        help="do not watch training for dead units, vanishing gradients, divergence, ...",
    )
    t.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel training on MPI: start with `mpiexec -n N glassnet train "
        "--distributed` (pip install 'glassnet[mpi]'); rank 0 prints and saves the run",
    )
    t.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the result and where the run was saved (no summary, no progress)",
    )


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    e = _add_command_on_a_run(
        sub,
        "evaluate",
        help="test a saved run on its data",
        description="Rebuild a saved run's model and measure it on its data: loss, accuracy, "
        "a confusion matrix and per-class precision/recall/F1 (or MSE/MAE for regression).",
    )
    e.add_argument(
        "--split",
        choices=("test", "train", "all"),
        default="test",
        help="which part of the data to evaluate on (default: test)",
    )
    e.add_argument(
        "--data-dir", metavar="DIR", help="for mnist/fashion-mnist: the folder with the IDX files"
    )
    _add_batch_size(e)


def _add_predict(sub: argparse._SubParsersAction) -> None:
    p = _add_command_on_a_run(
        sub,
        "predict",
        help="predict with a saved run",
        description="Predict with a saved run's model: one line per input row (the class name "
        "for a classifier, the value(s) for a regressor).",
    )
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
        "--no-header",
        action="store_true",
        help="for a CSV file: the first row is data (default: a first row that is not all "
        "numbers is taken as column names)",
    )
    p.add_argument(
        "--output", metavar="FILE.csv", help="also write the predictions to this CSV file"
    )
    _add_batch_size(p)


def _add_command_on_a_run(
    sub: argparse._SubParsersAction, name: str, help: str, description: str
) -> argparse.ArgumentParser:
    """A subcommand whose first argument is a run folder (evaluate, predict, explain, ...)."""
    command = sub.add_parser(name, help=help, description=description)
    command.add_argument("run", metavar="RUN", help="a run folder written by `glassnet train`")
    return command


def _add_batch_size(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--batch-size",
        type=_positive_int,
        default=256,
        metavar="N",
        help="samples per forward pass (default: 256)",
    )


def _add_inside(sub: argparse._SubParsersAction) -> None:
    """explain, report, view and lesson: the commands that show the inside."""
    x = _add_command_on_a_run(
        sub,
        "explain",
        help="how a saved run's model classifies one test sample",
        description="Show one test sample's path through a saved classifier: each layer, the "
        "logits, the softmax step by step, the prediction, the loss and its gradient.",
    )
    x.add_argument("--sample", type=int, default=0, metavar="N", help="the test sample (default 0)")
    x.add_argument("--data-dir", metavar="DIR", help="for mnist/fashion-mnist: the IDX files")
    r = _add_command_on_a_run(
        sub,
        "report",
        help="write a saved run's HTML report and print its path",
        description="Write RUN/report.html: configuration, data, model, learning curves, "
        "confusion matrix, per-layer statistics, mistakes, one explained prediction. It opens "
        "offline.",
    )
    r.add_argument("--data-dir", metavar="DIR", help="for mnist/fashion-mnist: the IDX files")
    v = _add_command_on_a_run(
        sub,
        "view",
        help="replay a run recorded with --live in the browser",
        description="Serve the live view of a finished run (recorded by `glassnet train "
        "--live`) with a time slider, on 127.0.0.1.",
    )
    v.add_argument("--port", type=int, default=0, metavar="N", help="the port (default: any free)")
    lesson = sub.add_parser(
        "lesson",
        help="the lessons: list, run one, get and check exercises",
        description="`glassnet lesson` lists the lessons, `glassnet lesson N` runs one, "
        "`--exercise K` writes an exercise's template, `--check FILE` checks your solution.",
        add_help=False,
    )
    lesson.add_argument("lesson_args", nargs=argparse.REMAINDER, metavar="ARGS")


def _add_run(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "run",
        help="run an unmodified PyTorch script on glassnet",
        description="Run SCRIPT.py with `import torch` giving glassnet; every argument after "
        "the script's path is passed to the script unchanged.",
    )
    r.add_argument("script", metavar="SCRIPT.py", help="the Python script to run")
    r.add_argument(
        "script_args", nargs=argparse.REMAINDER, metavar="ARGS", help="the script's arguments"
    )
