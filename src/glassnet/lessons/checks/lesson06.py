"""Lesson 6's exercises: softplus's backward, a chain rule by hand, a Function of two inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import glassnet as gn

from ..exercises import Report, exercise
from .values import unpack


def is_function_class(value: Any, name: str, report: Report) -> bool:
    """Whether the learner's ``name`` is a ``glassnet.autograd.Function`` subclass (if not, the
    report says so)."""
    if isinstance(value, type) and issubclass(value, gn.autograd.Function):
        return True
    report.wrong(f"{name} must be a class derived from glassnet.autograd.Function")
    return False


def gradients_through(apply: Any, inputs: list[np.ndarray], upstream: np.ndarray) -> list:
    """dL/d(input) for L = sum(upstream * apply(*inputs)), by backward (None where none came)."""
    tensors = [gn.tensor(x, requires_grad=True) for x in inputs]
    (apply(*tensors) * gn.tensor(upstream)).sum().backward()
    return [None if t.grad is None else t.grad.numpy() for t in tensors]


def compare_function(
    what: str,
    learner: Any,
    reference: Any,
    inputs: list[np.ndarray],
    names: list[str],
    report: Report,
) -> None:
    """The learner's Function against glassnet's own ops: forward value and every gradient."""
    upstream = np.random.default_rng(60).uniform(0.5, 1.5, size=inputs[0].shape)
    got = gradients_through(learner.apply, inputs, upstream)
    expected = gradients_through(reference, inputs, upstream)
    for name, mine, theirs in zip(names, got, expected):
        if mine is None:
            report.wrong(f"{what}: {name}: expected a gradient, got none (backward returned None)")
        else:
            report.compare(f"{what}: {name}", mine, theirs)


SOFTPLUS_TEMPLATE = '''
import glassnet as gn


class Softplus(gn.autograd.Function):
    """softplus(x) = log(1 + exp(x)); its derivative is sigmoid(x) = 1 / (1 + exp(-x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, g):
        """Given g = dL/dy (a Tensor of y's shape), return dL/dx, using x from ctx.saved_tensors.

        Write it with Tensor operations (x.exp(), +, /, ...).
        """
        ...
'''


@exercise(6, 1, "softplus as a Function", SOFTPLUS_TEMPLATE, "Softplus")
def check_softplus(softplus: Any, report: Report) -> None:
    if not is_function_class(softplus, "Softplus", report):
        return
    rng = np.random.default_rng(61)
    cases = [
        np.array([0.0, 1.0, -1.0]),
        rng.uniform(-4, 4, size=6),
        rng.uniform(-3, 3, size=(2, 3)),
    ]
    for x in cases:
        what = f"Softplus on x of shape {x.shape}"
        compare_function(what, softplus, gn.softplus, [x], ["dL/dx"], report)
    x = gn.tensor(rng.uniform(-3, 3, size=5), requires_grad=True)
    if gn.gradcheck(softplus.apply, x, raise_exception=False):
        report.right("gradcheck(Softplus.apply, x) agrees with the numerical derivatives")
    else:
        report.wrong("gradcheck(Softplus.apply, x): expected True (backward agreeing with nudging)")


CHAIN_TEMPLATE = '''


def chain_rule(x, y):
    """The gradient of L = sin(x * y) + y at the numbers x, y, by the chain rule, by hand.

    Returns the pair (dL/dx, dL/dy). Use math.cos: d sin(u) / du = cos(u). y reaches L along
    two paths: count both.
    """
    ...
'''


@exercise(6, 2, "a chain-rule product by hand", CHAIN_TEMPLATE, "chain_rule")
def check_chain(chain_rule: Callable, report: Report) -> None:
    for x, y in [(1.0, 2.0), (0.5, -1.5), (-2.0, 0.3), (0.0, 1.0)]:
        xt = gn.tensor(x, dtype=gn.float64, requires_grad=True)
        yt = gn.tensor(y, dtype=gn.float64, requires_grad=True)
        ((xt * yt).sin() + yt).backward()
        what = f"chain_rule({x}, {y})"
        got = unpack(what, chain_rule(x, y), ("dL/dx", "dL/dy"), report)
        if got is None:
            return
        report.compare(f"{what}: dL/dx", got[0], xt.grad.item())
        report.compare(f"{what}: dL/dy", got[1], yt.grad.item())


HYPOT_TEMPLATE = '''
import glassnet as gn


class Hypot(gn.autograd.Function):
    """r = sqrt(a**2 + b**2), element by element: the length of the vector (a, b)."""

    @staticmethod
    def forward(ctx, a, b):
        r = (a * a + b * b).sqrt()
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        """Given g = dL/dr, return the pair (dL/da, dL/db), one gradient per input.

        Work out dr/da and dr/db yourself (d sqrt(u) / du = 1 / (2 sqrt(u))).
        """
        ...
'''


@exercise(6, 3, "a Function of two inputs", HYPOT_TEMPLATE, "Hypot")
def check_hypot(hypot: Any, report: Report) -> None:
    if not is_function_class(hypot, "Hypot", report):
        return

    def reference(a: Any, b: Any) -> Any:
        return (a * a + b * b).sqrt()

    rng = np.random.default_rng(63)
    cases = [(np.array([3.0]), np.array([4.0])), (rng.normal(size=5), rng.normal(size=5))]
    cases.append((rng.normal(size=(2, 3)), rng.normal(size=(2, 3))))
    for a, b in cases:
        what = f"Hypot on a and b of shape {a.shape}"
        compare_function(what, hypot, reference, [a, b], ["dL/da", "dL/db"], report)
