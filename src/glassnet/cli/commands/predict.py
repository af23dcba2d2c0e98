"""`glassnet predict RUN INPUT`: read the inputs (.npy or CSV), predict with a saved run's model
and print one line per sample (optionally also a CSV file)."""

from __future__ import annotations

import argparse
import csv
import os
from typing import Any

import numpy as np

from ...atomic import atomic_write
from ...npz_reading import read_npy_file
from ...train import predict
from ..errors import CLIError
from ..run_reader import read_run
from ..tasks import normalize

__all__ = ["cmd_predict", "read_input"]

ACCEPTED = "a CSV file of numbers (text) or a NumPy .npy array"


def cmd_predict(args: argparse.Namespace) -> int:
    """Predict every sample of INPUT: the class name (and probabilities) or the value(s)."""
    config, model = read_run(args.run)
    X = _samples(args.input, read_input(args.input, config, header=not args.no_header), config)
    output = predict(model, X, batch_size=args.batch_size).array
    if config["task"] == "classification":
        classes = config["data"].get("classes") or [str(c) for c in range(output.shape[1])]
        header, rows = _class_rows(output, classes, args.probabilities)
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


def _class_rows(
    output: np.ndarray, classes: list[str], probabilities: bool
) -> tuple[list[str], list[list[str]]]:
    """The header and one row per sample: the predicted class, then p(class) if asked."""
    z = output - output.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)  # softmax of the logits
    header = ["prediction"] + ([f"p({c})" for c in classes] if probabilities else [])
    rows = []
    for i, k in enumerate(output.argmax(axis=1)):
        row = [classes[int(k)]]
        if probabilities:
            row += [f"{p:.4f}" for p in probs[i]]
        rows.append(row)
    return header, rows


def _samples(path: str, X: np.ndarray, config: dict[str, Any]) -> np.ndarray:
    """The inputs in the model's shape, standardized as in training; CLIError if they do not fit."""
    data = config["data"]
    shape = tuple(data.get("input_shape") or X.shape[1:])
    size = int(np.prod(shape))
    if X.ndim == 0 or (X.ndim == 1 and X.size == size):
        X = X.reshape(1, -1)
    per_sample = int(np.prod(X.shape[1:])) if X.ndim > 1 else 1
    if per_sample != size:
        names = data.get("feature_names")
        expect = f"{size} features" + (f" ({', '.join(names)})" if names else "")
        raise CLIError(
            f"{path} has {per_sample} values per sample; the model expects {expect}"
            + (f" in the shape {shape}" if len(shape) > 1 else "")
        )
    return normalize(data.get("normalize"), X.reshape(len(X), *shape))


def read_input(path: str, config: dict[str, Any], header: bool = True) -> np.ndarray:
    """The INPUT of `glassnet predict` as a float array with one row (or image) per sample.

    A ``.npy`` file is read as it is (numbers only, never pickles). A CSV file whose first row
    is not all numbers has a header (unless ``header=False``): the model's feature columns are
    then picked by name, so extra columns (e.g. the target) may stay in the file. For a model
    trained with --no-header, a file without a header has its columns picked by position
    (``column_1``, ``column_2``, ...) the same way."""
    if not os.path.isfile(path):
        raise CLIError(f"no such input file: {path}")
    if path.lower().endswith(".npy"):
        return _read_npy(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [[c.strip() for c in r] for r in csv.reader(f) if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error):
        raise CLIError(
            f"{path} is not a text CSV file (it holds binary data); predict reads {ACCEPTED}"
        ) from None
    if not rows:
        raise CLIError(f"{path} is empty")
    return _csv_numbers(path, rows, config["data"].get("feature_names"), header)


def _read_npy(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":  # the magic string every .npy file starts with
            raise CLIError(f"{path} is not a .npy file; predict reads {ACCEPTED}")
    try:  # glassnet's bounded reader: the header must agree with the file before any allocation
        X = read_npy_file(path)
    except (ValueError, OSError, EOFError) as e:
        raise CLIError(
            f"{path} is not a readable .npy array of numbers ({e}); predict reads {ACCEPTED}"
        ) from None
    if not isinstance(X, np.ndarray) or X.dtype.kind not in "biuf":
        what = X.dtype if isinstance(X, np.ndarray) else type(X).__name__
        raise CLIError(f"{path} must hold numbers, it holds {what}")
    return X.astype(np.float32)


def _csv_numbers(
    path: str, rows: list[list[str]], features: list[str] | None, header: bool
) -> np.ndarray:
    """The CSV rows as numbers: the feature columns by name when the first row is a header."""
    first_is_header = header and any(not _is_number(c) for c in rows[0])
    start = 1 if first_is_header else 0
    columns = list(range(len(rows[0])))
    generated = [f"column_{j + 1}" for j in columns]  # a model trained with --no-header
    if not first_is_header and features and all(c in generated for c in features):
        columns = [generated.index(c) for c in features]
    if first_is_header and features:
        names = rows[0]
        missing = [c for c in features if c not in names]
        if missing:
            raise CLIError(
                f"{path} lacks the column(s) {', '.join(map(repr, missing))} the model needs; "
                f"its columns are {', '.join(map(repr, names))}"
            )
        columns = [names.index(c) for c in features]
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
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False
