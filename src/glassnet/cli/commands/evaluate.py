"""`glassnet evaluate RUN`: rebuild a saved run's model and measure it on its data again."""

from __future__ import annotations

import argparse

from ... import metrics as gm
from ...train import evaluate, predict
from ..reports import report_classification, report_regression
from ..run_reader import read_run_data
from .train import training_loss

__all__ = ["cmd_evaluate"]


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Loss, accuracy, confusion matrix and per-class scores (MSE/MAE for a regressor)."""
    run = read_run_data(args.run, args.split, args.data_dir)
    config, model, X, y, data = run.config, run.model, run.X, run.y, run.config["data"]
    task_name = run.name
    print(f"Run: {args.run} ({config['model'].get('kind')} on {task_name}, {args.split} split)")
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
