"""``glassnet.func``, PyTorch's ``torch.func``: functions of a model's weights (re-exports only).

* ``functional_call(model, params, args)``: run a model with given parameters and buffers
  (nn/utils/stateless.py).
* ``grad(f, argnums=0, has_aux=False)``: the function returning df/d(args[argnums])
  (autograd.functional_grad; differentiable again, so ``grad(grad(f))`` works).

``vmap`` is not provided: glassnet has no batching transform, and a Python loop posing as
one would hide the cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .autograd import functional_grad
from .nn.utils.stateless import _functional_call as functional_call

__all__ = ["functional_call", "grad"]


def grad(func: Callable, argnums: int | Iterable[int] = 0, has_aux: bool = False) -> Callable:
    """torch.func.grad: ``grad(f)(*args)`` is df/d(args[argnums]) for a scalar-valued ``f``.

    With ``has_aux=True``, ``f`` returns ``(scalar, aux)`` and the result is ``(gradient, aux)``.
    """
    if not has_aux:
        return functional_grad(func, argnums)
    box: dict[str, Any] = {}

    def scalar_part(*args: Any) -> Any:
        out = func(*args)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(
                "grad(f, has_aux=True): f must return a tuple (output, aux), got "
                f"{type(out).__name__}"
            )
        box["aux"] = out[1]
        return out[0]

    inner = functional_grad(scalar_part, argnums)

    def grad_with_aux(*args: Any) -> tuple[Any, Any]:
        return inner(*args), box.pop("aux")

    return grad_with_aux
