"""Reading a run folder back: config.json checked entry by entry, the model rebuilt from it and
model.npz loaded into it, every problem reported as one line naming the file."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..data import DATASETS
from ..models import build_model
from ..serialization import SerializationError, load
from .errors import CLIError
from .memory import check_fits
from .runs import RUN_FILES, writer_of

__all__ = ["read_run"]


def read_run(folder: str) -> tuple[dict[str, Any], Any]:
    """(config, model with its saved weights) of a run folder; CLIError saying what is wrong."""
    _check_folder(folder)
    config = _read_config(folder)
    check_fits(config["model"], training=False, what=f"the model in {folder}/config.json")
    try:
        model = build_model(config["model"])
    except ValueError as e:
        raise CLIError(
            f"{folder}/config.json describes a model glassnet cannot build: {e}"
        ) from None
    path = os.path.join(folder, "model.npz")
    try:
        state = load(path)
    except SerializationError as e:
        # glassnet train wrote this file as a glassnet file: whatever it holds now, it is damaged
        raise CLIError(f"{path} is corrupt or truncated: {e.reason}") from None
    try:
        model.load_state_dict(state)
    except ValueError as e:  # StateDictError: the weights are whole but for another model
        raise CLIError(f"{path} does not fit the model in config.json: {e}") from None
    return config, model


def read_run_data(folder: str, split: str = "test", data_dir: str | None = None) -> RunData:
    """A run's config and model, with one split of its data loaded and standardized as in
    training (what evaluate, explain and report need)."""
    import numpy as np

    from .tasks import load_task, normalize

    config, model = read_run(folder)
    data = dict(config["data"])
    if data_dir:
        data["data_dir"] = os.path.abspath(data_dir)
    source = {k: data[k] for k in ("name", "path", "target", "header", "data_dir") if k in data}
    task = load_task(source, image=config["model"].get("kind") == "cnn")
    if split == "test":
        X, y = task.X_test, task.y_test
    elif split == "train":
        X, y = task.X_train, task.y_train
    else:
        X = np.concatenate([task.X_train, task.X_test])
        y = np.concatenate([task.y_train, task.y_test])
    shape = tuple(data.get("input_shape") or X.shape[1:])
    X = normalize(data.get("normalize"), X).reshape(len(X), *shape)
    return RunData(config, model, task.name, X, y, data.get("classes"), shape)


@dataclass
class RunData:
    config: dict[str, Any]
    model: Any
    name: str
    X: Any
    y: Any
    classes: list[str] | None
    input_shape: tuple


def read_history(folder: str) -> dict[str, list[float]]:
    """history.csv of a run as {quantity: one value per epoch} (empty if there is none)."""
    import csv

    path = os.path.join(folder, "history.csv")
    if not os.path.isfile(path):
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    columns: dict[str, list[float]] = {}
    for row in rows:
        for key, value in row.items():
            if key != "epoch" and key is not None:
                try:
                    columns.setdefault(key, []).append(float(value))
                except (TypeError, ValueError):
                    raise CLIError(f"{path}: the entry {key}={value!r} is not a number") from None
    return columns


def _check_folder(folder: str) -> None:
    if os.path.isfile(folder):
        raise CLIError(
            f"{folder} is a file, not a run folder: give the folder `glassnet train` wrote "
            "(it holds config.json and model.npz)"
        )
    if not os.path.isdir(folder):
        pid = writer_of(folder)
        if pid is not None:
            raise CLIError(
                f"{folder} is being written by glassnet train (pid {pid or '?'}): it appears "
                "whole when training ends"
            )
        raise CLIError(f"{folder} is not a run folder: no such directory")
    missing = [f for f in RUN_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise CLIError(
            f"{folder} is not a glassnet run folder: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (a run folder written by "
            "`glassnet train` holds config.json and model.npz)"
        )


def _read_config(folder: str) -> dict[str, Any]:
    try:
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CLIError(f"{folder}/config.json is not valid JSON: {e}") from None
    for key in ("data", "model", "task"):
        if not isinstance(config, dict) or key not in config:
            raise CLIError(f"{folder}/config.json is not a glassnet run config: no {key!r} entry")
    for entry, is_valid, expected in _CONFIG_RULES:
        present, value = _lookup(config, entry)
        if present and not is_valid(value):
            shown = json.dumps(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise CLIError(
                f"{folder}/config.json: the entry {entry!r} must be {expected}, got {shown}"
            )
    if config["data"].get("name") == "csv" and not isinstance(config["data"].get("path"), str):
        raise CLIError(f"{folder}/config.json: the entry 'data.path' must name the CSV file")
    return config


def _lookup(config: dict[str, Any], entry: str) -> tuple[bool, Any]:
    """(present, value) of a dotted entry such as ``"data.normalize"``."""
    value: Any = config
    for key in entry.split("."):
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _numbers(v: Any) -> bool:
    return _number(v) or (isinstance(v, list) and bool(v) and all(_number(x) for x in v))


def _texts(v: Any) -> bool:
    return v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _normalize_spec(v: Any) -> bool:
    return v is None or (
        isinstance(v, dict)
        and _numbers(v.get("mean"))
        and _numbers(v.get("std"))
        and isinstance(v.get("axis", -1), int)
    )


def _shape(v: Any) -> bool:
    return v is None or (
        isinstance(v, list)
        and all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in v)
    )


# (entry, check, what it must be): each entry of config.json that evaluate and predict read.
_CONFIG_RULES: list[tuple[str, Callable[[Any], bool], str]] = [
    ("task", lambda v: v in ("classification", "regression"), "'classification' or 'regression'"),
    ("data", lambda v: isinstance(v, dict), "an object"),
    ("model", lambda v: isinstance(v, dict), "an object"),
    ("data.name", lambda v: v == "csv" or v in DATASETS, f"csv or one of {', '.join(DATASETS)}"),
    ("data.classes", _texts, "a list of class names"),
    ("data.feature_names", _texts, "a list of column names"),
    ("data.input_shape", _shape, "a list of positive whole numbers"),
    ("data.normalize", _normalize_spec, "an object with numbers 'mean' and 'std'"),
    ("training", lambda v: isinstance(v, dict), "an object"),
    ("training.label_smoothing", lambda v: v is None or (_number(v) and 0 <= v < 1), "in [0, 1)"),
]
