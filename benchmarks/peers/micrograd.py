"""A micrograd-style scalar autograd in pure Python: the smallest engine a learner writes first.

In the spirit of Andrej Karpathy's micrograd (written afresh here, not copied): every number is
a ``Value`` that remembers the values it came from and how to push a gradient back to them.
``backward()`` orders the graph topologically and applies the chain rule from the output down:

* ``z = x + y``:     dz/dx = 1,            dz/dy = 1
* ``z = x * y``:     dz/dx = y,            dz/dy = x
* ``z = tanh(x)``:   dz/dx = 1 - z^2
* ``z = relu(x)``:   dz/dx = 1 if x > 0 else 0

The suite's case 4a runs ``(a * b + c).sum()`` on 16-element vectors with it, one ``Value`` per
element, so the time is pure Python bookkeeping: what glassnet's overhead is measured against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np


class Value:
    """One scalar in a computation graph: its value, its gradient and how it was made."""

    __slots__ = ("data", "grad", "_parents", "_push_grad")

    def __init__(self, data: float, parents: tuple[Value, ...] = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self._parents = parents
        # Adds this node's gradient, times the local derivative, to each parent's gradient.
        self._push_grad: Callable[[], None] = _nothing

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def push() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._push_grad = push
        return out

    __radd__ = __add__

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def push() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._push_grad = push
        return out

    __rmul__ = __mul__

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def push() -> None:
            self.grad += (1.0 - t * t) * out.grad

        out._push_grad = push
        return out

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,))

        def push() -> None:
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._push_grad = push
        return out

    def backward(self) -> None:
        """d self / d v into every v.grad of the graph (added to what is there: zero it first)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative depth-first search: a long chain must not hit the recursion limit
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if id(p) not in seen)
        self.grad = 1.0
        for node in reversed(order):
            node._push_grad()

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def _nothing() -> None:
    """The gradient push of a leaf: nothing to push to."""


def total(values: Iterable[Value]) -> Value:
    """The sum of Values as one chain of additions (micrograd has no other reduction)."""
    out: Value | None = None
    for v in values:
        out = v if out is None else out + v
    if out is None:
        raise ValueError("total() needs at least one Value, got none")
    return out


def small_op(steps: int, vectors: list[np.ndarray]) -> Any:
    """Case 4a: ``steps`` times, zero the gradients, then ``(a * b + c).sum()`` and backward."""
    a, b, c = ([Value(x) for x in v.tolist()] for v in vectors)
    leaves = a + b + c

    def run() -> float:
        out = None
        for _ in range(steps):
            for v in leaves:
                v.grad = 0.0
            out = total(x * y + z for x, y, z in zip(a, b, c))
            out.backward()
        return out.data if out is not None else 0.0

    return run
