"""What a command trains or tests on: a named dataset or a CSV file as a Task (arrays, split,
meaning), and the standardization of its inputs (fitted on the training data, saved in
config.json)."""

from __future__ import annotations

import argparse
import csv
import inspect
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data import DATASETS, FASHION_MNIST_CLASSES, load_csv, load_dataset
from ..data.mnist import MNIST_KINDS, mnist_folder
from ..data.transforms import Normalize
from .errors import CLIError

__all__ = ["Task", "task_source", "load_task", "fit_normalize", "normalize", "IMAGE_DATASETS"]

IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist")
TEST_FRACTION = 0.2  # of a CSV file, held out for testing


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


def _unknown_dataset(name: str) -> CLIError:
    return CLIError(
        f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)} (or give the path "
        "of a CSV file)"
    )


def _is_csv(data: str) -> bool:
    return data not in DATASETS and (data.lower().endswith(".csv") or os.path.isfile(data))


def task_source(args: argparse.Namespace) -> dict[str, Any]:
    """The data `glassnet train` options describe, checked without loading anything:
    ``{"name": ..., "path": ..., "target": ..., "header": ..., "data_dir": ..., "download": ...}``."""
    data = args.data
    if data in DATASETS:
        if args.target is not None:
            raise CLIError(f"--target only applies to a CSV file, not to the dataset {data!r}")
        if args.no_header:
            raise CLIError(f"--no-header only applies to a CSV file, not to the dataset {data!r}")
        source: dict[str, Any] = {"name": data}
        if args.data_dir:
            source["data_dir"] = os.path.abspath(args.data_dir)
        if args.download:
            source["download"] = True
    elif _is_csv(data):
        if not os.path.isfile(data):
            raise CLIError(f"no such CSV file: {data}")
        source = {"name": "csv", "path": data, "target": args.target}
        if args.no_header:
            source["header"] = False
    else:
        raise _unknown_dataset(data)
    if args.model == "cnn" and source["name"] not in IMAGE_DATASETS:
        raise CLIError(
            f"--model cnn needs images ({', '.join(IMAGE_DATASETS)}); {data!r} is not an image "
            "dataset: use --model mlp"
        )
    return source


def load_task(source: dict[str, Any], image: bool) -> Task:
    """Load the data a run describes (see :func:`task_source`). ``image=True`` keeps image
    datasets as (N, C, H, W)."""
    name = source["name"]
    if name == "csv":
        return _load_csv_task(source)
    if name not in DATASETS:
        raise _unknown_dataset(name)
    kwargs: dict[str, Any] = {}
    if name in IMAGE_DATASETS:
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


# ----------------------------------------------------------------------------------------------
# A CSV file
# ----------------------------------------------------------------------------------------------


def _first_row(path: str) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            for row in csv.reader(f):
                if any(c.strip() for c in row):
                    return [c.strip() for c in row]
    except UnicodeDecodeError:
        raise CLIError(f"{path} is not a text CSV file (it holds binary data)") from None
    return []


def column_names(path: str, header: bool) -> list[str]:
    """The CSV file's column names: its first row, or ``column_1 .. column_N`` without a header."""
    first = _first_row(path)
    return first if header else [f"column_{j + 1}" for j in range(len(first))]


def _target_position(target: Any, names: list[str], header: bool) -> Any:
    """The target as load_csv takes it: a header name as it is, else a position."""
    if target is None:
        return -1
    if target in names:
        return target if header else names.index(target)
    if str(target).lstrip("-").isdigit():
        return int(target)
    if header:
        return target  # load_csv names the columns in its message
    raise CLIError(
        f"target column {target!r} is not in the file; without a header row the columns are "
        f"column_1 .. column_{len(names)} (or give a position)"
    )


def _read_csv(path: str, target: Any, header: bool) -> Any:
    """load_csv, passing ``header`` only to a load_csv that takes it."""
    if "header" in inspect.signature(load_csv).parameters:
        return load_csv(path, target=target, header=header)
    if not header:
        raise CLIError("--no-header needs a glassnet whose load_csv takes header=False")
    return load_csv(path, target=target)


def _load_csv_task(source: dict[str, Any]) -> Task:
    path = source["path"]
    if not os.path.isfile(path):
        raise CLIError(f"no such CSV file: {path}")
    header = bool(source.get("header", True))
    names = column_names(path, header)
    target = _target_position(source.get("target"), names, header)
    X, y, class_names = _read_csv(path, target, header)
    t = names.index(target) if isinstance(target, str) else target % max(len(names), 1)
    regression = y.dtype.kind == "f"
    classes = None
    if not regression:
        if y.min() < 0:
            raise CLIError(
                f"{path}: class labels in column {names[t]!r} must be >= 0, found {y.min()} "
                "(use text labels, or labels 0, 1, 2, ...)"
            )
        classes = class_names or [str(c) for c in range(int(y.max()) + 1)]
    # The same split every time: a permutation from a fixed seed, 20% for testing.
    perm = np.random.default_rng(0).permutation(len(X))
    n_test = max(1, int(round(len(X) * TEST_FRACTION)))
    if len(X) - n_test < 2:
        raise CLIError(f"{path} has only {len(X)} rows: too few to train and test on")
    test, train = perm[:n_test], perm[n_test:]
    again = {"name": "csv", "path": os.path.abspath(path), "target": names[t]}
    if not header:
        again["header"] = False
    return Task(
        name="csv",
        description=f"{os.path.basename(path)}: {len(X)} rows, {X.shape[1]} features, target "
        f"column {names[t]!r}",
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        kind="regression" if regression else "classification",
        classes=classes,
        feature_names=[h for j, h in enumerate(names) if j != t],
        source=again,
    )


# ----------------------------------------------------------------------------------------------
# Standardization of the inputs
# ----------------------------------------------------------------------------------------------


def fit_normalize(X: np.ndarray, image: bool) -> dict[str, Any]:
    """The mean and standard deviation to standardize with, as config.json stores them."""
    if image:  # one mean and std for every pixel of every channel
        std = float(X.std())
        return {"mean": float(X.mean()), "std": std if std > 1e-8 else 1.0, "axis": -1}
    n = Normalize.fit(X)
    return {"mean": n.mean.tolist(), "std": n.std.tolist(), "axis": -1}


def normalize(spec: dict[str, Any] | None, X: np.ndarray) -> np.ndarray:
    """``(X - mean) / std`` with a spec from :func:`fit_normalize` (X itself without one)."""
    if not spec:
        return X
    return Normalize(spec["mean"], spec["std"], axis=spec.get("axis", -1))(X)
