"""What the commands print: the data's description, test results and the confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import metrics as gm
from .tasks import Task

__all__ = ["describe_task", "format_confusion", "report_classification", "report_regression"]


def describe_task(task: Task, n_train: int, n_val: int) -> str:
    """The data in three lines: its name, the split sizes and input shape, the classes."""
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


def report_classification(
    output: np.ndarray, y: np.ndarray, classes: list[str], loss: float, split: str
) -> dict[str, Any]:
    """Print accuracy, loss, macro F1 and (up to 20 classes) the confusion matrix of the logits
    ``output`` (N, classes) against the labels ``y`` (N,); return them for metrics.json."""
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


def report_regression(output: np.ndarray, y: np.ndarray, split: str) -> dict[str, Any]:
    """Print MSE and MAE of ``output`` (N, k) against ``y``; return them for metrics.json."""
    y2 = y.reshape(output.shape)
    m, a = gm.mse(output, y2), gm.mae(output, y2)
    print(f"{split.capitalize()} MSE: {m:.5f}   MAE: {a:.5f}   ({len(y):,} samples)")
    return {"mse": m, "mae": a, "loss": m}
