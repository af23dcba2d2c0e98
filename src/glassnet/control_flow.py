"""PyTorch's control-flow operators ``torch.cond`` and ``torch.while_loop``, run eagerly.

PyTorch provides them so that a compiler can capture a branch or a loop whose choice depends
on a tensor's value. glassnet runs every program eagerly, so each is the Python statement it
stands for, and gradients flow through the branch (or the iterations) that ran:

    cond(pred, true_fn, false_fn, operands)   = true_fn(*operands) if pred else false_fn(*operands)
    while_loop(cond_fn, body_fn, carried)     : while cond_fn(*carried): carried = body_fn(*carried)

d cond / d operands is the derivative of the chosen function; the other is never run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["cond", "while_loop"]


def _truth(value: Any, what: str) -> bool:
    """A predicate's truth: a Python/NumPy bool or a one-element tensor (PyTorch's rule)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Tensor) and value.array.size == 1:
        return bool(value.array.reshape(()))
    shown = f"a tensor of shape {tuple(value.shape)}" if isinstance(value, Tensor) else repr(value)
    raise TypeError(f"{what}: expected a bool or a one-element tensor, got {shown}")


def _operands(operands: Any, what: str) -> tuple:
    if isinstance(operands, (tuple, list)):
        return tuple(operands)
    raise TypeError(
        f"{what}: expected the operands as a tuple or list, got {type(operands).__name__}"
    )


def cond(pred: Any, true_fn: Callable, false_fn: Callable, operands: Any = ()) -> Any:
    """``true_fn(*operands)`` if ``pred`` holds, else ``false_fn(*operands)``.

    Args:
        pred: a bool or a one-element tensor.
        true_fn, false_fn: functions of the operands returning tensors (the same structure).
        operands: a tuple or list of the functions' inputs.
    """
    chosen = true_fn if _truth(pred, "cond") else false_fn
    if not callable(chosen):
        raise TypeError(f"cond: expected true_fn and false_fn to be functions, got {chosen!r}")
    return chosen(*_operands(operands, "cond"))


def while_loop(cond_fn: Callable, body_fn: Callable, carried_inputs: Any) -> tuple:
    """Run ``carried = body_fn(*carried)`` while ``cond_fn(*carried)`` holds; the last ``carried``.

    Args:
        cond_fn: returns a bool or a one-element tensor from the carried values.
        body_fn: returns as many values as it is given (a tuple or list).
        carried_inputs: a tuple or list of the starting values.
    """
    carried = _operands(carried_inputs, "while_loop")
    while _truth(cond_fn(*carried), "while_loop's cond_fn"):
        result = body_fn(*carried)
        result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        if len(result) != len(carried):
            raise ValueError(
                f"while_loop: body_fn must return {len(carried)} values (one per carried "
                f"input), got {len(result)}"
            )
        carried = result
    return carried
