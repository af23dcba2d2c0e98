"""Lesson 2's exercises: a neuron's output, a layer's forward pass, and two layers composed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn
from glassnet import nn

from ..exercises import Report, exercise
from .values import linear_layer

NEURON_TEMPLATE = '''
import numpy as np


def neuron(x, w, b):
    """One neuron's output: w[0]*x[0] + w[1]*x[1] + ... + b.

    x: the inputs, a 1-D NumPy array; w: the weights, an array of the same length;
    b: the bias, a number. Returns a number.
    """
    ...
'''


@exercise(2, 1, "a neuron's output", NEURON_TEMPLATE, "neuron")
def check_neuron(neuron: Callable, report: Report) -> None:
    rng = np.random.default_rng(21)
    cases = [([1.0, 2.0], [2.0, 3.0], 0.0), ([1.0, 2.0], [2.0, 3.0], -1.0)]
    cases += [(rng.normal(size=n), rng.normal(size=n), float(rng.normal())) for n in (1, 4, 7)]
    for x, w, b in cases:
        x, w = np.asarray(x), np.asarray(w)
        expected = linear_layer(w[None, :], np.array([b]))(gn.tensor(x[None, :])).numpy()[0, 0]
        what = f"neuron(x={np.round(x, 3).tolist()}, w={np.round(w, 3).tolist()}, b={b:.3g})"
        report.compare(what, neuron(x.copy(), w.copy(), b), expected)


LAYER_TEMPLATE = '''
import numpy as np


def layer_forward(X, W, b):
    """A layer of neurons applied to a batch: result[i, j] = X[i] . W[j] + b[j].

    X: array (samples, features); W: array (neurons, features), one row per neuron, as the
    weight of glassnet.nn.Linear; b: array (neurons,). Returns an array (samples, neurons).
    """
    ...
'''


@exercise(2, 2, "a layer's forward pass", LAYER_TEMPLATE, "layer_forward")
def check_layer(layer_forward: Callable, report: Report) -> None:
    rng = np.random.default_rng(22)
    for samples, features, neurons in [(4, 2, 3), (1, 5, 2), (6, 3, 3), (2, 4, 1)]:
        X = rng.normal(size=(samples, features))
        W = rng.normal(size=(neurons, features))
        b = rng.normal(size=neurons)
        expected = linear_layer(W, b)(gn.tensor(X)).numpy()
        what = f"layer_forward(X {X.shape}, W {W.shape}, b {b.shape})"
        report.compare(what, layer_forward(X.copy(), W.copy(), b.copy()), expected)


TWO_LAYERS_TEMPLATE = '''
import numpy as np


def two_layers(X, W1, b1, W2, b2):
    """A small network: layer 1 (W1, b1), then ReLU, then layer 2 (W2, b2).

    Shapes: X (samples, features), W1 (hidden, features), b1 (hidden,), W2 (outputs, hidden),
    b2 (outputs,). Returns an array (samples, outputs). relu(z) = np.maximum(z, 0).
    """
    ...
'''


@exercise(2, 3, "two layers composed", TWO_LAYERS_TEMPLATE, "two_layers")
def check_two_layers(two_layers: Callable, report: Report) -> None:
    rng = np.random.default_rng(23)
    for samples, features, hidden, outputs in [(4, 2, 3, 1), (5, 3, 6, 2), (1, 4, 2, 3)]:
        X = rng.normal(size=(samples, features))
        W1, b1 = rng.normal(size=(hidden, features)), rng.normal(size=hidden)
        W2, b2 = rng.normal(size=(outputs, hidden)), rng.normal(size=outputs)
        network = nn.Sequential(linear_layer(W1, b1), nn.ReLU(), linear_layer(W2, b2))
        expected = network(gn.tensor(X)).numpy()
        what = f"two_layers(X {X.shape}, W1 {W1.shape}, W2 {W2.shape})"
        got = two_layers(X.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy())
        report.compare(what, got, expected)
