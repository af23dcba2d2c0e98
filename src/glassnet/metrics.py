"""Metrics: numbers that say how good predictions are (accuracy, top-k, MSE/MAE, confusion matrix, F1).

Every metric takes the model's ``output`` and the ``target`` (glassnet Tensors or NumPy arrays)
and returns a plain Python float (or, for per-class metrics, a NumPy array). They never build a
graph and never change their inputs.

Classification conventions (PyTorch's):

* ``output`` holds one score per class along axis 1: logits or probabilities of shape (N, C)
  (or (N, C, d1, ...) for per-position classes), and ``target`` holds class indices of shape
  (N,) (or (N, d1, ...)). The predicted class is ``argmax(output, axis=1)``.
* ``output`` may also already be class indices, of the same shape as ``target``.
* Binary: a float ``output`` of the same shape as ``target`` (e.g. (N, 1) probabilities) is
  turned into classes with ``output > threshold`` (0.5; use ``threshold=0`` for logits).

The formulas, for predictions :math:`\\hat y_i` and targets :math:`y_i`, i = 1..N:

* accuracy :math:`= \\frac{1}{N} \\sum_i [\\hat y_i = y_i]`
* top-k accuracy: the fraction of samples whose target is among the k highest scores
* MSE :math:`= \\frac{1}{N} \\sum_i (\\hat y_i - y_i)^2`, MAE :math:`= \\frac{1}{N} \\sum_i |\\hat y_i - y_i|`
  (means over every element)
* confusion matrix :math:`M_{tp}` = how many samples of true class t were predicted as p
  (rows are true classes, columns predictions, as in scikit-learn)
* per class c: precision :math:`= M_{cc} / \\sum_t M_{tc}` (of the samples predicted c, the
  fraction really c), recall :math:`= M_{cc} / \\sum_p M_{cp}` (of the samples really c, the
  fraction found), F1 = their harmonic mean :math:`2PR/(P+R)`; 0 where a denominator is 0.
  "macro" averages the per-class values with equal weight; "micro" pools all samples (and
  equals accuracy for single-label classification).

The registry ``METRICS`` maps names (what ``fit(metrics=[...])`` accepts) to metric specs;
``get_metric("top3_accuracy")`` also understands ``top<k>_accuracy`` for any k.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = [
    "METRICS",
    "MetricSpec",
    "accuracy",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "get_metric",
    "mae",
    "mse",
    "precision",
    "precision_recall_f1",
    "predicted_classes",
    "recall",
    "top_k_accuracy",
]


# ----------------------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------------------


def _array(x: Any, name: str) -> np.ndarray:
    """A Tensor, array, list or number as an ndarray (no copy for arrays and Tensors)."""
    if isinstance(x, Tensor):
        return x.array
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {a.dtype}")
    return a


def _labels(target: Any, fn: str) -> np.ndarray:
    t = _array(target, "target")
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise TypeError(
                f"{fn}: target must hold class indices (integers), got non-integer floats "
                f"of dtype {t.dtype}"
            )
        t = t.astype(np.int64)
    elif t.dtype.kind == "b":
        t = t.astype(np.int64)
    return t


def predicted_classes(output: Any, target_shape: tuple | None = None, threshold: float = 0.5):
    """The class predicted for each sample, as an int64 array.

    * ``output`` with one more axis than the target (or 2-D with no target shape given):
      ``argmax`` over axis 1 (the class scores).
    * an integer ``output``: already classes.
    * a float ``output`` of the target's shape: binary, ``output > threshold``.
    """
    o = _array(output, "output")
    if target_shape is None:
        target_shape = o.shape[:1] + o.shape[2:] if o.ndim >= 2 else o.shape
    if o.ndim == len(target_shape) + 1:
        if o.ndim < 2:
            raise ValueError(f"output of shape {o.shape} has no class axis")
        return o.argmax(axis=1)
    if o.shape == tuple(target_shape):
        if o.dtype.kind in "iub":
            return o.astype(np.int64)
        return (o > threshold).astype(np.int64)
    raise ValueError(
        f"output of shape {o.shape} does not fit target of shape {tuple(target_shape)}: expected "
        "scores of shape (N, C, ...) for targets (N, ...), or outputs of the target's own shape"
    )


def _classes(output: Any, target: Any, fn: str, threshold: float = 0.5):
    t = _labels(target, fn)
    try:
        p = predicted_classes(output, t.shape, threshold)
    except ValueError as e:
        raise ValueError(f"{fn}: {e}") from None
    if p.size == 0:
        raise ValueError(f"{fn}: got no samples")
    return p, t


# ----------------------------------------------------------------------------------------------
# Classification
# ----------------------------------------------------------------------------------------------


def accuracy(output: Any, target: Any, threshold: float = 0.5) -> float:
    """The fraction of samples whose predicted class equals the target class.

    Args:
        output: class scores (N, C, ...), or predicted classes / binary scores of the
            target's shape (see the module docstring).
        target: class indices (N, ...).
        threshold: for binary scores of the target's shape: predicted class = score > threshold.

    Example::

        accuracy([[2.0, 1.0], [0.1, 0.9]], [0, 0])   # 0.5
    """
    p, t = _classes(output, target, "accuracy", threshold)
    return np.count_nonzero(p == t) / p.size  # the mean of the hits (np.mean is slower here)


def top_k_accuracy(output: Any, target: Any, k: int = 5) -> float:
    """The fraction of samples whose target class is among the ``k`` highest scores.

    Args:
        output: class scores (N, C) (or (N, C, d1, ...)).
        target: class indices (N,) (or (N, d1, ...)).
        k: how many of the best-scored classes count as a hit (1 <= k; k >= C always hits).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"top_k_accuracy: k must be a positive integer, got {k!r}")
    o = _array(output, "output")
    t = _labels(target, "top_k_accuracy")
    if o.ndim != t.ndim + 1 or o.ndim < 2:
        raise ValueError(
            f"top_k_accuracy: expected scores of shape (N, C, ...) for targets of shape (N, ...), "
            f"got output {o.shape} and target {t.shape}"
        )
    n_classes = o.shape[1]
    if k >= n_classes:
        return 1.0
    # The target's score, and how many classes score strictly higher: a hit when fewer than k.
    target_score = np.take_along_axis(o, np.expand_dims(t, 1), axis=1)
    higher = (o > target_score).sum(axis=1)
    return float(np.mean(higher < k))


def confusion_matrix(output: Any, target: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs: an int64 matrix of shape (C, C).

    ``M[t, p]`` is how many samples of true class ``t`` were predicted as ``p``: the diagonal
    holds the correct predictions, each row sums to the number of samples of that class.

    Args:
        output: class scores (N, C, ...) or predicted classes of the target's shape.
        target: class indices (N, ...).
        num_classes: C; default the number of score columns, else ``max(class) + 1``.
    """
    p, t = _classes(output, target, "confusion_matrix")
    if num_classes is None:
        o = _array(output, "output")
        num_classes = o.shape[1] if o.ndim == t.ndim + 1 else int(max(p.max(), t.max())) + 1
    if min(p.min(), t.min()) < 0 or max(p.max(), t.max()) >= num_classes:
        raise ValueError(
            f"confusion_matrix: classes must lie in [0, {num_classes}); got predictions from "
            f"{p.min()} to {p.max()} and targets from {t.min()} to {t.max()}"
        )
    flat = t.ravel() * num_classes + p.ravel()
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _safe_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape, dtype=np.float64)
    np.divide(a, b, out=out, where=b > 0)
    return out


def precision_recall_f1(
    output: Any, target: Any, num_classes: int | None = None
) -> dict[str, np.ndarray | float]:
    """Per-class precision, recall and F1, their macro averages and the support of each class.

    Returns:
        ``{"precision": (C,), "recall": (C,), "f1": (C,), "support": (C,) int64,
        "macro_precision": float, "macro_recall": float, "macro_f1": float,
        "accuracy": float}``.
    """
    m = confusion_matrix(output, target, num_classes).astype(np.float64)
    tp = np.diag(m)
    predicted = m.sum(axis=0)
    actual = m.sum(axis=1)
    p = _safe_divide(tp, predicted)
    r = _safe_divide(tp, actual)
    f1 = _safe_divide(2 * p * r, p + r)
    return {
        "precision": p,
        "recall": r,
        "f1": f1,
        "support": actual.astype(np.int64),
        "macro_precision": float(p.mean()),
        "macro_recall": float(r.mean()),
        "macro_f1": float(f1.mean()),
        "accuracy": float(tp.sum() / m.sum()),
    }


def _averaged(which: str, output: Any, target: Any, average: str | None, num_classes: int | None):
    if average not in (None, "macro", "micro"):
        raise ValueError(f"{which}: average must be None, 'macro' or 'micro', got {average!r}")
    if average == "micro":  # pooled counts: every sample is one prediction, right or wrong
        return accuracy(output, target)
    scores = precision_recall_f1(output, target, num_classes)
    return scores[which] if average is None else scores["macro_" + which]


def precision(
    output: Any, target: Any, average: str | None = "macro", num_classes: int | None = None
) -> float | np.ndarray:
    """Precision: of the samples predicted as class c, the fraction that really are c.

    ``average="macro"`` (default) returns the unweighted mean over classes, ``None`` the
    per-class array, ``"micro"`` the pooled value (= accuracy for single-label data).
    """
    return _averaged("precision", output, target, average, num_classes)


def recall(
    output: Any, target: Any, average: str | None = "macro", num_classes: int | None = None
) -> float | np.ndarray:
    """Recall: of the samples of class c, the fraction predicted as c (see ``precision``)."""
    return _averaged("recall", output, target, average, num_classes)


def f1_score(
    output: Any, target: Any, average: str | None = "macro", num_classes: int | None = None
) -> float | np.ndarray:
    """F1: the harmonic mean 2PR/(P+R) of precision and recall, per class or averaged."""
    return _averaged("f1", output, target, average, num_classes)


def classification_report(
    output: Any,
    target: Any,
    class_names: Sequence[str] | None = None,
    num_classes: int | None = None,
    digits: int = 3,
) -> str:
    """A text table of precision, recall, F1 and support per class, with macro averages."""
    s = precision_recall_f1(output, target, num_classes)
    n = len(s["support"])
    names = [str(c) for c in (class_names if class_names is not None else range(n))]
    if len(names) != n:
        raise ValueError(f"classification_report: {len(names)} class names for {n} classes")
    width = max(12, *(len(x) for x in names))
    head = f"{'class':>{width}}  {'precision':>9}  {'recall':>9}  {'f1':>9}  {'support':>7}"
    lines = [head]
    for i, name in enumerate(names):
        lines.append(
            f"{name:>{width}}  {s['precision'][i]:9.{digits}f}  {s['recall'][i]:9.{digits}f}  "
            f"{s['f1'][i]:9.{digits}f}  {s['support'][i]:7d}"
        )
    total = int(s["support"].sum())
    lines.append(
        f"{'macro avg':>{width}}  {s['macro_precision']:9.{digits}f}  "
        f"{s['macro_recall']:9.{digits}f}  {s['macro_f1']:9.{digits}f}  {total:7d}"
    )
    lines.append(f"{'accuracy':>{width}}  {'':9}  {'':9}  {s['accuracy']:9.{digits}f}  {total:7d}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Regression
# ----------------------------------------------------------------------------------------------


def _pair(output: Any, target: Any, fn: str) -> tuple[np.ndarray, np.ndarray]:
    o = _array(output, "output")
    t = _array(target, "target")
    if o.shape != t.shape:
        # (N, 1) against (N,) is the same data; anything else would broadcast into nonsense.
        if o.size == t.size and np.squeeze(o).shape == np.squeeze(t).shape:
            t = t.reshape(o.shape)
        else:
            raise ValueError(
                f"{fn}: output of shape {o.shape} and target of shape {t.shape} must have the "
                "same shape"
            )
    if o.size == 0:
        raise ValueError(f"{fn}: got no samples")
    return o.astype(np.float64), t.astype(np.float64)


def mse(output: Any, target: Any) -> float:
    """Mean squared error over every element: mean((output - target)**2)."""
    o, t = _pair(output, target, "mse")
    return float(np.mean((o - t) ** 2))


def mae(output: Any, target: Any) -> float:
    """Mean absolute error over every element: mean(|output - target|)."""
    o, t = _pair(output, target, "mae")
    return float(np.mean(np.abs(o - t)))


# ----------------------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricSpec:
    """A named metric as ``fit`` and ``evaluate`` use it.

    Attributes:
        name: the key in logs and histories (``"accuracy"``; ``"val_accuracy"`` on validation).
        fn: ``fn(output, target) -> float`` on NumPy arrays.
        per_sample_mean: True when the metric is a mean over samples (accuracy, MSE, ...), so
            the value over an epoch is the batch-size-weighted mean of the batch values and can
            be tracked batch by batch. False (precision, F1, ...) means it must be computed
            once from all the epoch's outputs.
        higher_is_better: the direction EarlyStopping/ModelCheckpoint use with ``mode="auto"``.
    """

    name: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    per_sample_mean: bool = True
    higher_is_better: bool = True


METRICS: dict[str, MetricSpec] = {
    "accuracy": MetricSpec("accuracy", accuracy),
    "top5_accuracy": MetricSpec("top5_accuracy", lambda o, t: top_k_accuracy(o, t, 5)),
    "mse": MetricSpec("mse", mse, higher_is_better=False),
    "mae": MetricSpec("mae", mae, higher_is_better=False),
    "precision": MetricSpec("precision", precision, per_sample_mean=False),
    "recall": MetricSpec("recall", recall, per_sample_mean=False),
    "f1": MetricSpec("f1", f1_score, per_sample_mean=False),
}

_ALIASES = {"acc": "accuracy", "f1_score": "f1", "mean_squared_error": "mse",
            "mean_absolute_error": "mae"}  # fmt: skip
_TOP_K = re.compile(r"top_?(\d+)(_accuracy|_acc)?$")


def get_metric(metric: str | Callable | MetricSpec) -> MetricSpec:
    """Look a metric up by name (``METRICS``, aliases such as ``"acc"``, ``"top3_accuracy"``),
    or wrap a function ``fn(output, target) -> float`` (named after the function, assumed
    to be a mean over samples unless it has ``per_sample_mean = False``)."""
    if isinstance(metric, MetricSpec):
        return metric
    if isinstance(metric, str):
        key = _ALIASES.get(metric, metric)
        if key in METRICS:
            return METRICS[key]
        match = _TOP_K.match(key)
        if match:
            k = int(match.group(1))
            return MetricSpec(f"top{k}_accuracy", lambda o, t, k=k: top_k_accuracy(o, t, k))
        raise ValueError(
            f"unknown metric {metric!r}; known metrics: {', '.join(METRICS)} (and top<k>_accuracy"
            " for any k), or pass a function fn(output, target) -> float"
        )
    if callable(metric):
        name = getattr(metric, "__name__", None) or type(metric).__name__
        return MetricSpec(
            name,
            metric,
            per_sample_mean=bool(getattr(metric, "per_sample_mean", True)),
            higher_is_better=bool(getattr(metric, "higher_is_better", True)),
        )
    raise TypeError(f"a metric must be a name or a function, got {type(metric).__name__}")
