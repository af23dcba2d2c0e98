"""Lesson 4's exercises: a gradient-descent step, the mean squared error's gradient, momentum."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn
from glassnet import nn

from ..exercises import Report, exercise
from .values import unpack

STEP_TEMPLATE = '''
import numpy as np


def gradient_descent_step(w, b, x, y, learning_rate):
    """One step of gradient descent on L(w, b) = mean((w * x + b - y)**2).

    w, b: the line's slope and offset (numbers); x, y: the data (1-D NumPy arrays).
    Compute dL/dw and dL/db at (w, b), then return the new pair
    (w - learning_rate * dL/dw, b - learning_rate * dL/db).
    """
    ...
'''


@exercise(4, 1, "one gradient-descent step by hand", STEP_TEMPLATE, "gradient_descent_step")
def check_step(step: Callable, report: Report) -> None:
    rng = np.random.default_rng(41)
    x = np.linspace(-1, 1, 20)
    y = 2 * x + 1 + 0.1 * rng.normal(size=20)
    cases = [(0.0, 0.0, x, y, 0.1), (1.5, -0.5, x, y, 0.3)]
    more_x = rng.normal(size=7)
    cases.append((-1.0, 2.0, more_x, -3 * more_x + 0.5 + rng.normal(size=7), 0.05))
    for w, b, xs, ys, rate in cases:
        wt = gn.tensor(w, dtype=gn.float64, requires_grad=True)
        bt = gn.tensor(b, dtype=gn.float64, requires_grad=True)
        ((wt * gn.tensor(xs) + bt - gn.tensor(ys)) ** 2).mean().backward()
        expected = (w - rate * wt.grad.item(), b - rate * bt.grad.item())
        what = f"gradient_descent_step(w={w}, b={b}, {xs.size} points, learning_rate={rate})"
        got = unpack(what, step(w, b, xs.copy(), ys.copy(), rate), ("new_w", "new_b"), report)
        if got is not None:
            report.compare(f"{what}, new w", got[0], expected[0])
            report.compare(f"{what}, new b", got[1], expected[1])


MSE_TEMPLATE = '''
import numpy as np


def mse_gradient(prediction, target):
    """dL/d(prediction) for L = mean((prediction - target)**2), the mean over every element.

    prediction, target: NumPy arrays of the same shape (any shape). Returns an array of that
    shape: how much L changes per unit change of each prediction.
    """
    ...
'''


@exercise(4, 2, "the gradient of the mean squared error", MSE_TEMPLATE, "mse_gradient")
def check_mse(mse_gradient: Callable, report: Report) -> None:
    rng = np.random.default_rng(42)
    for shape in [(5,), (3, 2), (1,), (4, 1, 3)]:
        prediction, target = rng.normal(size=shape), rng.normal(size=shape)
        p = gn.tensor(prediction, requires_grad=True)
        nn.functional.mse_loss(p, gn.tensor(target)).backward()
        what = f"mse_gradient(prediction and target of shape {shape})"
        report.compare(what, mse_gradient(prediction.copy(), target.copy()), p.grad.numpy())


MOMENTUM_TEMPLATE = '''
import numpy as np


def momentum_step(weight, gradient, buffer, learning_rate, momentum):
    """One step of SGD with momentum, as glassnet.optim.SGD(lr=..., momentum=...) takes it.

    weight, gradient: NumPy arrays of one shape; buffer: the running sum from the previous
    step, or None at the first step. The rule:
        buffer = gradient at the first step, else momentum * buffer + gradient
        weight = weight - learning_rate * buffer
    Returns the pair (new_weight, new_buffer).
    """
    ...
'''


@exercise(4, 3, "one step of SGD with momentum", MOMENTUM_TEMPLATE, "momentum_step")
def check_momentum(momentum_step: Callable, report: Report) -> None:
    rng = np.random.default_rng(43)
    for rate, momentum in [(0.1, 0.9), (0.05, 0.5)]:
        scales = gn.tensor(rng.uniform(0.5, 3.0, size=4))
        weight = gn.tensor(rng.normal(size=4), requires_grad=True)
        optimizer = gn.optim.SGD([weight], lr=rate, momentum=momentum)
        buffer = None
        for step in range(1, 6):  # a bowl, sum(scales * weight**2): gradients keep changing
            before = weight.numpy().copy()
            optimizer.zero_grad()
            (scales * weight**2).sum().backward()
            gradient = weight.grad.numpy().copy()
            optimizer.step()
            what = f"step {step} (learning_rate={rate}, momentum={momentum})"
            got = momentum_step(before, gradient, buffer, rate, momentum)
            got = unpack(what, got, ("new_weight", "new_buffer"), report)
            if got is None or not report.compare(f"{what}, new weight", got[0], weight.numpy()):
                break  # later steps would only repeat the same mistake
            buffer = got[1]
