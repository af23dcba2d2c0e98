"""In-place activations (PyTorch's F names): relu_, elu_, leaky_relu_, hardtanh_, celu_, rrelu_, selu_, threshold_.

``F.elu_(x, alpha)`` computes ``F.elu(x, alpha)`` and writes it into x's own array, then
returns x itself. The writing is done by ``Tensor._inplace`` (tensor.py), the mechanism of
every glassnet in-place method (``x.relu_()``, ``x.clamp_()``, ``x.atan_()``), so the same
rules hold:

* the version counter goes up, so an op that saved x's old value refuses a stale backward;
* a leaf that requires grad is refused while gradients are recorded (wrap the call in
  ``glassnet.no_grad()``, or apply it to a non-leaf);
* on a recorded tensor the activation is recorded on x's old value and x takes the result's
  place in the graph, so dL/d(old x) = g * f'(old x), the derivative of the out-of-place form
  (given in its docstring in activation.py);
* a float result cannot be stored in an integer tensor (TypeError, as in PyTorch).

The formulas are those of the out-of-place functions; nothing is computed twice here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...tensor import Tensor
from . import activation as A
from ._args import not_a_tensor_message

__all__ = [
    "relu_",
    "elu_",
    "leaky_relu_",
    "hardtanh_",
    "celu_",
    "rrelu_",
    "selu_",
    "threshold_",
]


def _write(fn: str, input: Any, function: Callable[[Tensor], Tensor]) -> Tensor:
    """``input`` with its elements replaced by ``function(input)`` (computed from the old values)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: {not_a_tensor_message(input)}")
    return input._inplace(function)


def relu_(input: Tensor) -> Tensor:
    """ReLU in place: x <- max(x, 0);   d/d(old x) = 1 for x > 0, else 0. Returns ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"relu_: {not_a_tensor_message(input)}")
    return input.relu_()


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """ELU in place: x <- x for x > 0, else alpha (e**x - 1). Returns ``input``."""
    return _write("elu_", input, lambda x: A.elu(x, alpha))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """LeakyReLU in place: x <- x for x > 0, else negative_slope * x. Returns ``input``."""
    return _write("leaky_relu_", input, lambda x: A.leaky_relu(x, negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """Hardtanh in place: x <- min(max(x, min_val), max_val). Returns ``input``."""
    if min_val > max_val:  # checked before anything is written
        raise ValueError(f"hardtanh_: min_val ({min_val}) must not exceed max_val ({max_val})")
    return _write("hardtanh_", input, lambda x: A.hardtanh(x, min_val, max_val))


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """CELU in place: x <- x for x > 0, else alpha (e**(x / alpha) - 1). Returns ``input``."""
    if alpha == 0:
        raise ValueError("celu_: alpha must not be 0 (it divides x)")
    return _write("celu_", input, lambda x: A.celu(x, alpha))


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """Randomized leaky ReLU in place: x <- x for x > 0, else a x. Returns ``input``.

    In training each element draws a ~ Uniform(lower, upper) from glassnet's generator; in
    evaluation a = (lower + upper) / 2 (see ``F.rrelu``).
    """
    if not lower <= upper:
        raise ValueError(f"rrelu_: lower must be at most upper, got lower={lower}, upper={upper}")
    return _write("rrelu_", input, lambda x: A.rrelu(x, lower, upper, training))


def selu_(input: Tensor) -> Tensor:
    """SELU in place: x <- scale * ELU(x, alpha), alpha ~ 1.6733, scale ~ 1.0507. Returns ``input``."""
    return _write("selu_", input, A.selu)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """Threshold in place: x <- x where x > threshold, else value. Returns ``input``."""
    return _write("threshold_", input, lambda x: A.threshold(x, threshold, value))
