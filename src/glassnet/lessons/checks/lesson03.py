"""Lesson 3's exercises: the sigmoid's derivative, and a gradient by central differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn

from ..exercises import Report, exercise

SIGMOID_TEMPLATE = '''
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    """d sigmoid / dx at x (a number or a NumPy array), from sigmoid(x) * (1 - sigmoid(x))."""
    ...
'''


@exercise(3, 1, "the sigmoid's derivative", SIGMOID_TEMPLATE, "sigmoid_derivative")
def check_sigmoid(derivative: Callable, report: Report) -> None:

    def sigmoid(x: float) -> float:
        return 1 / (1 + np.exp(-x))

    for x in (0.0, 2.0, -3.0, 10.0):
        expected = gn.numerical_derivative(sigmoid, x, h=1e-5)
        report.compare(f"sigmoid_derivative({x})", derivative(x), expected, rtol=1e-6, atol=1e-9)
    xs = np.linspace(-4, 4, 9)
    report.compare("sigmoid_derivative(an array of 9 numbers)", derivative(xs),
                   [gn.numerical_derivative(sigmoid, float(v), h=1e-5) for v in xs],
                   rtol=1e-6, atol=1e-9)  # fmt: skip


GRADIENT_TEMPLATE = '''
import numpy as np


def gradient(f, point, h=1e-5):
    """The gradient of f at point (a 1-D NumPy array), by central differences:

    component i = (f(point + h e_i) - f(point - h e_i)) / (2 h), e_i the i-th unit vector.
    Do not change `point` itself (work on copies).
    """
    ...
'''


@exercise(3, 2, "a gradient by nudging", GRADIENT_TEMPLATE, "gradient")
def check_gradient(gradient: Callable, report: Report) -> None:
    functions = {
        "sum of squares": lambda v: (v**2).sum(),
        "x0 * sin(x1) + x2**3": lambda v: v[0] * v[1].sin() + v[2] ** 3,
        "log(1 + exp(x)) summed": lambda v: (1 + v.exp()).log().sum(),
    }
    rng = np.random.default_rng(3)
    for name, function in functions.items():
        point = rng.normal(size=3)
        kept = point.copy()
        t = gn.tensor(point, requires_grad=True)
        function(t).backward()  # backpropagation gives the true gradient
        got = gradient(lambda p, fn=function: float(fn(gn.tensor(p)).item()), point)
        report.compare(f"gradient of {name} at {np.round(kept, 3).tolist()}", got, t.grad.numpy(),
                       rtol=1e-5, atol=1e-7)  # fmt: skip
        if not np.array_equal(point, kept):
            report.wrong("gradient changed the point it was given; nudge a copy instead")
