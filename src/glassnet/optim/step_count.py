"""The step count in an optimizer's state: a 0-d float32 tensor, as PyTorch keeps it.

PyTorch's Adam, AdamW, Adamax, NAdam, RAdam, Adagrad, RMSprop, ASGD, Rprop, Adadelta and
Adafactor hold ``state[p]["step"]`` as ``tensor(t)`` (float32, no dimensions), so scripts
call ``state["step"].item()`` or ``int(state["step"])`` and a printed ``state_dict()`` shows
``'step': tensor(3.)``. glassnet keeps the same object. The update rules need t as a Python
int at every step of every parameter; adding 1 through the tensor's operators would record
an op (a microsecond each time), so ``advance_step`` writes into the tensor's array instead
(about a tenth of that). float32 counts exactly up to 2**24 steps, as PyTorch's does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import wrap
from ..tensor import Tensor


def step_tensor(value: Any = 0) -> Tensor:
    """A new step count holding ``value``: a 0-d float32 tensor that needs no gradient.

    ``value`` may be an int (glassnet's checkpoints before this form), a number, a 0-d
    NumPy array or a Tensor (a PyTorch checkpoint's ``tensor(3.)``); anything else, or a
    value with more than one element, raises TypeError.
    """
    if isinstance(value, Tensor):
        value = value.array
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "biuf":
        raise TypeError(
            f"an optimizer's 'step' must be one number (an int or a 0-d tensor), "
            f"got {type(value).__name__} of shape {tuple(array.shape)}"
        )
    return wrap(np.array(array.item(), dtype=np.float32))


def advance_step(state: dict[str, Any]) -> int:
    """Add 1 to ``state["step"]`` in place and return the new count t as an int.

    A ``step`` that is not a tensor yet (an int a script wrote into the state) is turned
    into the tensor form first.
    """
    step = state["step"]
    if not isinstance(step, Tensor):
        step = state["step"] = step_tensor(step)
    counter = step.array
    counter[()] = t = counter[()] + 1  # numpy scalars: no op recorded, no array made
    return int(t)
