"""Lesson 5's exercises: a layer's backward, the softmax cross-entropy gradient, ReLU's backward."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn
from glassnet import nn

from ..exercises import Report, exercise
from .values import linear_layer, unpack

LINEAR_TEMPLATE = '''
import numpy as np


def linear_backward(x, W, b, grad_y):
    """The backward pass of a layer y = x @ W.T + b.

    x: inputs (samples, in_features); W: weights (out_features, in_features); b: bias
    (out_features,); grad_y: dL/dy, the upstream gradient, of y's shape (samples, out_features).
    Returns the tuple (dL/dx, dL/dW, dL/db), each of the shape of x, W and b.
    """
    ...
'''


@exercise(5, 1, "a layer's backward", LINEAR_TEMPLATE, "linear_backward")
def check_linear(linear_backward: Callable, report: Report) -> None:
    rng = np.random.default_rng(51)
    for samples, features, outputs in [(4, 3, 2), (1, 5, 3), (6, 2, 4)]:
        x = rng.normal(size=(samples, features))
        W, b = rng.normal(size=(outputs, features)), rng.normal(size=outputs)
        grad_y = rng.normal(size=(samples, outputs))
        layer = linear_layer(W, b)
        xt = gn.tensor(x, requires_grad=True)
        (layer(xt) * gn.tensor(grad_y)).sum().backward()  # sum(g * y) has gradient g at y
        what = f"linear_backward(x {x.shape}, W {W.shape}, b {b.shape}, grad_y {grad_y.shape})"
        got = linear_backward(x.copy(), W.copy(), b.copy(), grad_y.copy())
        got = unpack(what, got, ("dL/dx", "dL/dW", "dL/db"), report)
        if got is None:
            return
        expected = (xt.grad, layer.weight.grad, layer.bias.grad)
        for name, mine, theirs in zip(("dL/dx", "dL/dW", "dL/db"), got, expected):
            report.compare(f"{what}: {name}", mine, theirs.numpy())


SOFTMAX_TEMPLATE = '''
import numpy as np


def softmax_cross_entropy_gradient(logits, labels):
    """dL/d(logits) for L = mean over samples i of -log softmax(logits[i])[labels[i]].

    logits: array (samples, classes); labels: integer array (samples,), the true classes.
    softmax(z)[c] = exp(z[c]) / sum over k of exp(z[k]). Returns an array of logits' shape.
    """
    ...
'''


@exercise(
    5, 2, "the softmax cross-entropy gradient", SOFTMAX_TEMPLATE, "softmax_cross_entropy_gradient"
)
def check_softmax(gradient: Callable, report: Report) -> None:
    rng = np.random.default_rng(52)
    for samples, classes in [(4, 3), (1, 5), (6, 2), (3, 4)]:
        logits = rng.normal(scale=2.0, size=(samples, classes))
        labels = rng.integers(0, classes, size=samples)
        z = gn.tensor(logits, requires_grad=True)
        nn.functional.cross_entropy(z, gn.tensor(labels)).backward()
        what = f"softmax_cross_entropy_gradient(logits {logits.shape}, labels {labels.tolist()})"
        report.compare(what, gradient(logits.copy(), labels.copy()), z.grad.numpy())


RELU_TEMPLATE = '''
import numpy as np


def relu_backward(x, grad_y):
    """The backward pass of y = relu(x) = max(x, 0), element by element.

    x: the input of the forward pass; grad_y: dL/dy, the same shape. Returns dL/dx: the local
    derivative of relu (1 where x > 0, 0 where x <= 0) times the upstream gradient.
    """
    ...
'''


@exercise(5, 3, "ReLU's backward", RELU_TEMPLATE, "relu_backward")
def check_relu(relu_backward: Callable, report: Report) -> None:
    rng = np.random.default_rng(53)
    for shape in [(5,), (3, 4), (2, 1, 3)]:
        x = rng.normal(size=shape)
        grad_y = rng.normal(size=shape)
        xt = gn.tensor(x, requires_grad=True)
        (gn.relu(xt) * gn.tensor(grad_y)).sum().backward()
        what = f"relu_backward(x and grad_y of shape {shape})"
        report.compare(what, relu_backward(x.copy(), grad_y.copy()), xt.grad.numpy())
