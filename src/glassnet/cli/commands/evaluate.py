"""`glassnet evaluate RUN`: rebuild a saved run's model and measure it on its data again."""

from __future__ import annotations

import argparse
import os

import numpy as np

from ... import metrics as gm
from ...train import evaluate, predict
from ..reports import report_classification, report_regression
from ..run_reader import read_run
from ..tasks import load_task, normalize
from .train import training_loss

__all__ = ["cmd_evaluate"]


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Loss, accuracy, confusion matrix and per-class scores (MSE/MAE for a regressor)."""
    config, model = read_run(args.run)
    data = dict(config["data"])
    if args.data_dir:
        data["data_dir"] = os.path.abspath(args.data_dir)
    source = {k: data[k] for k in ("name", "path", "target", "header", "data_dir") if k in data}
    task = load_task(source, image=config["model"].get("kind") == "cnn")
    if args.split == "test":
        X, y = task.X_test, task.y_test
    elif args.split == "train":
        X, y = task.X_train, task.y_train
    else:
        X = np.concatenate([task.X_train, task.X_test])
        y = np.concatenate([task.y_train, task.y_test])
    shape = tuple(data.get("input_shape") or X.shape[1:])
    X = normalize(data.get("normalize"), X).reshape(len(X), *shape)
    print(f"Run: {args.run} ({config['model'].get('kind')} on {task.name}, {args.split} split)")
    output = predict(model, X, batch_size=args.batch_size).array
    if config["task"] != "classification":
        report_regression(output, y, args.split)
        return 0
    eps = float(config.get("training", {}).get("label_smoothing") or 0.0)
    logs = evaluate(
        model, (X, y), loss=training_loss("classification", eps), batch_size=args.batch_size
    )
    classes = data.get("classes") or [str(c) for c in range(output.shape[1])]
    report_classification(output, y, classes, logs["loss"], args.split)
    print(gm.classification_report(output, y, class_names=classes, num_classes=len(classes)))
    return 0
