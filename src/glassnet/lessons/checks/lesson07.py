"""Lesson 7's exercises: accuracy from logits, a confusion matrix by hand, softmax probabilities."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn

from ..exercises import Report, exercise


def _cases(seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(description, logits (N, C), labels (N,)) of a few shapes, random but repeatable."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, c in ((6, 3), (50, 10), (7, 7)):
        logits = rng.normal(size=(n, c)) * 3
        labels = rng.integers(0, c, size=n)
        cases.append((f"{n} samples of {c} classes", logits, labels))
    return cases


ACCURACY_TEMPLATE = '''
import numpy as np


def accuracy(logits, labels):
    """The fraction (0 to 1) of samples whose largest logit is at their label.

    logits: a NumPy array (N, C), one row of C class scores per sample.
    labels: a NumPy array (N,) of integers 0..C-1, the true classes.
    """
    ...
'''


@exercise(7, 1, "accuracy from logits", ACCURACY_TEMPLATE, "accuracy")
def check_accuracy(accuracy: Callable, report: Report) -> None:
    for what, logits, labels in _cases(7):
        expected = gn.metrics.accuracy(logits, labels)
        report.compare(f"accuracy of {what}", accuracy(logits.copy(), labels.copy()), expected)


CONFUSION_TEMPLATE = '''
import numpy as np


def confusion_matrix(predicted, true, num_classes):
    """Counts of (true, predicted) pairs: an integer matrix M of shape (num_classes, num_classes)
    where M[t, p] is how many samples of true class t were predicted as class p.

    predicted, true: NumPy arrays (N,) of integers 0..num_classes-1.
    """
    ...
'''


@exercise(7, 2, "a confusion matrix by hand", CONFUSION_TEMPLATE, "confusion_matrix")
def check_confusion(confusion_matrix: Callable, report: Report) -> None:
    for what, logits, labels in _cases(8):
        predicted = logits.argmax(axis=1)
        c = logits.shape[1]
        expected = gn.metrics.confusion_matrix(predicted, labels, num_classes=c)
        got = confusion_matrix(predicted.copy(), labels.copy(), c)
        report.compare(f"confusion_matrix of {what} (rows true, columns predicted)", got, expected)
    # A class that never occurs must still have its (empty) row and column.
    got = confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), 4)
    report.compare("confusion_matrix(predicted=[0, 1, 1], true=[0, 1, 0], num_classes=4)", got,
                   gn.metrics.confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), 4))  # fmt: skip


SOFTMAX_TEMPLATE = '''
import numpy as np


def softmax(logits):
    """Probabilities from logits, row by row: p[i, k] = e^z[i, k] / sum over j of e^z[i, j].

    logits: a NumPy array (N, C). Returns an array (N, C) whose rows are positive and sum to 1.
    Subtract each row's largest logit first, so that logits like 1000 do not overflow.
    """
    ...
'''


@exercise(7, 3, "softmax probabilities", SOFTMAX_TEMPLATE, "softmax")
def check_softmax(softmax: Callable, report: Report) -> None:
    cases = [(what, logits) for what, logits, _ in _cases(9)]
    cases.append(("logits [[1000, 1001, 1002], [-5, 0, 5]]",
                  np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])))  # fmt: skip
    for what, logits in cases:
        expected = gn.softmax(gn.tensor(logits), dim=1).numpy()
        with np.errstate(all="ignore"):  # an overflow shows as a wrong value, not a warning
            got = softmax(logits.copy())
        report.compare(f"softmax of {what}", got, expected, rtol=1e-6, atol=1e-9)
