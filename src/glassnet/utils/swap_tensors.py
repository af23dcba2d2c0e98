"""``torch.utils.swap_tensors``: two tensors exchange everything they are, while every reference to each stays where it was."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["swap_tensors"]

_STATE = ("array", "grad", "requires_grad", "grad_fn", "_version")


def swap_tensors(t1: Tensor, t2: Tensor) -> None:
    """After ``swap_tensors(a, b)``, ``a`` holds what ``b`` held and ``b`` what ``a`` held:
    numbers, gradient, ``requires_grad``, history, version counter, attributes and class
    (a Parameter stays a Parameter only if it was swapped with one). Objects that held ``a``
    (an optimizer, a list) now see b's old contents under the same object.
    """
    for name, t in (("t1", t1), ("t2", t2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"swap_tensors: expected {name} to be a Tensor, got {type(t).__name__}")
    if t1 is t2:
        return
    first: dict[str, Any] = {name: getattr(t1, name) for name in _STATE}
    for name in _STATE:
        setattr(t1, name, getattr(t2, name))
        setattr(t2, name, first[name])
    t1.__dict__, t2.__dict__ = t2.__dict__, t1.__dict__
    t1.__class__, t2.__class__ = t2.__class__, t1.__class__
