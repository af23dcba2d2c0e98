"""Lesson 1's exercises: a dot product by hand, and a layer's outputs as a matrix product."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..exercises import Report, exercise

DOT_TEMPLATE = '''
def dot(u, v):
    """The dot product of two lists of numbers of the same length: u[0]*v[0] + u[1]*v[1] + ...

    Use a loop, * and + only (no NumPy), to see what np.dot does.
    """
    ...
'''


@exercise(1, 1, "a dot product by hand", DOT_TEMPLATE, "dot")
def check_dot(dot: Callable, report: Report) -> None:
    rng = np.random.default_rng(11)
    cases = [([1, 2, 3], [4, 5, 6]), ([2.5], [-2.0]), ([0, 0], [3, 4])]
    cases += [tuple(rng.integers(-9, 9, size=(2, 5)).tolist()) for _ in range(3)]
    for u, v in cases:
        report.compare(f"dot({u}, {v})", dot(list(u), list(v)), float(np.dot(u, v)))


LAYER_TEMPLATE = '''
import numpy as np


def layer_outputs(X, W):
    """Every neuron's output for every sample: result[i, j] = X[i] . W[j].

    X: array (samples, features); W: array (neurons, features).
    Returns an array of shape (samples, neurons). One line with @ and a transpose will do.
    """
    ...
'''


@exercise(1, 2, "a layer's outputs", LAYER_TEMPLATE, "layer_outputs")
def check_layer(layer_outputs: Callable, report: Report) -> None:
    rng = np.random.default_rng(12)
    for samples, features, neurons in [(3, 2, 1), (4, 3, 5), (1, 6, 2)]:
        X = rng.normal(size=(samples, features))
        W = rng.normal(size=(neurons, features))
        report.compare(f"layer_outputs(X {X.shape}, W {W.shape})", layer_outputs(X, W), X @ W.T)
