"""check_gradients(model, loss_fn, x, y): every parameter's backprop gradient against a numerical one.

Backpropagation is only as right as every layer's backward rule. The check runs the model in
float64 on a copy (the model itself is not touched), computes dL/dp for every parameter p with
``backward()``, then nudges elements of p by +-eps and measures the slope of the loss:

    numerical dL/dp_i = (L(p_i + eps) - L(p_i - eps)) / (2 eps)

and reports, per parameter, the largest absolute error |a - n| and relative error
|a - n| / max(|a|, |n|, tiny). A custom layer with a wrong backward shows up at once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import enable_grad, no_grad
from ..nn import Module
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor, as_tensor
from ..train.choices import get_loss

__all__ = ["GradientCheck", "GradientCheckError", "ParameterCheck", "check_gradients"]


class GradientCheckError(AssertionError):
    """A parameter's backpropagated gradient disagrees with the numerical one."""


@dataclass(frozen=True)
class ParameterCheck:
    """The check of one parameter: how many elements were compared and the largest errors."""

    name: str
    shape: tuple
    checked: int
    max_abs_error: float
    max_rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradientCheck:
    """The result of check_gradients: one ParameterCheck per parameter, and ``ok``."""

    parameters: list[ParameterCheck]
    loss: float

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parameters)

    @property
    def failed(self) -> list[ParameterCheck]:
        return [p for p in self.parameters if not p.ok]

    def table(self) -> list[dict]:
        return [p.__dict__.copy() for p in self.parameters]

    def __str__(self) -> str:
        width = max([len(p.name) for p in self.parameters] + [9])
        lines = [
            f"{'parameter':<{width}}  {'shape':<14} {'checked':>7}  {'max abs err':>11}  "
            f"{'max rel err':>11}  result"
        ]
        for p in self.parameters:
            lines.append(
                f"{p.name:<{width}}  {str(p.shape):<14} {p.checked:>7}  {p.max_abs_error:>11.2e}  "
                f"{p.max_rel_error:>11.2e}  {'ok' if p.ok else 'WRONG'}"
            )
        verdict = "all gradients agree" if self.ok else f"{len(self.failed)} parameter(s) disagree"
        lines.append(f"loss {self.loss:.6g}; {verdict}")
        return "\n".join(lines)

    __repr__ = __str__


def _float64(value: Any) -> Tensor:
    t = value if isinstance(value, Tensor) else as_tensor(np.asarray(value))
    return t.double() if t.dtype.kind == "f" else t


def check_gradients(
    model: Module,
    loss_fn: Any,
    x: Any,
    y: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    max_elements: int | None = 64,
    seed: int = 0,
    raise_on_failure: bool = False,
) -> GradientCheck:
    """Compare every parameter's backpropagated gradient with central differences, in float64.

    Args:
        model: the model to check (not modified: a float64 copy is checked).
        loss_fn: ``loss_fn(output, y) -> scalar Tensor``, a loss module, or a name such as
            "cross_entropy" (the names fit takes).
        x, y: a small batch of inputs and targets (a few samples are enough).
        eps: the nudge of the finite differences.
        atol, rtol: an element passes when ``|a - n| <= atol + rtol * |n|``.
        max_elements: check at most this many elements per parameter, chosen at random with
            ``seed`` (None: every element; each costs two forward passes).
        raise_on_failure: raise GradientCheckError with the table instead of returning.

    Returns:
        A GradientCheck: print it for the per-parameter table; ``.ok`` is the verdict.

    Random layers (dropout) see the same random numbers in every evaluation: the generator's
    state is restored before each one.
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"check_gradients: expected a glassnet.nn.Module, got {type(model).__name__}"
        )
    loss_of, _ = get_loss(loss_fn)  # names, loss modules and functions, as fit takes them
    checked_model = copy.deepcopy(model).double()
    inputs, targets = _float64(x), _float64(y)
    named = [(n, p) for n, p in checked_model.named_parameters() if p.requires_grad]
    if not named:
        raise ValueError("check_gradients: the model has no parameters that require grad")
    rng_state = get_rng_state()

    def loss_value() -> Tensor:
        set_rng_state(rng_state)  # the same dropout masks every time
        return loss_of(checked_model(inputs), targets)

    for _, p in named:
        p.grad = None
    with enable_grad():
        loss = loss_value()
        if loss.numel() != 1:
            raise ValueError(
                f"check_gradients: the loss must be one number, got shape {loss.shape}"
            )
        loss.backward()
    chooser = np.random.default_rng(seed)
    results = []
    for name, p in named:
        analytic = np.zeros(p.shape) if p.grad is None else p.grad.array
        flat = p.array.reshape(-1)  # a view: nudging it nudges the parameter
        count = flat.size
        picks = np.arange(count)
        if max_elements is not None and count > max_elements:
            picks = np.sort(chooser.choice(count, size=max_elements, replace=False))
        numeric = np.empty(picks.size)
        with no_grad():
            for k, i in enumerate(picks):
                keep = flat[i]
                flat[i] = keep + eps
                up = float(loss_value().array)
                flat[i] = keep - eps
                down = float(loss_value().array)
                flat[i] = keep
                numeric[k] = (up - down) / (2 * eps)
        a = analytic.reshape(-1)[picks]
        abs_error = np.abs(a - numeric)
        scale = np.maximum(np.maximum(np.abs(a), np.abs(numeric)), 1e-12)
        ok = bool(np.all(abs_error <= atol + rtol * np.abs(numeric)))
        results.append(
            ParameterCheck(
                name,
                tuple(p.shape),
                int(picks.size),
                float(abs_error.max(initial=0.0)),
                float((abs_error / scale).max(initial=0.0)),
                ok,
            )  # fmt: skip
        )
    set_rng_state(rng_state)
    report = GradientCheck(results, float(loss.array))
    if raise_on_failure and not report.ok:
        raise GradientCheckError("backprop and numerical gradients disagree:\n" + str(report))
    return report
