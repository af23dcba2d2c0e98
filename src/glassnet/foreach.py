"""PyTorch's ``torch._foreach_*`` functions: one Tensor method applied to every tensor of a list (hand-written EMA and optimizer code uses them).

``torch._foreach_mul_(params, 0.999)`` is ``p.mul_(0.999)`` for each ``p`` of ``params``; an
argument that is a list of the same length gives each tensor its own element
(``_foreach_add(xs, ys, alpha=2)`` is ``[x.add(y, alpha=2) for x, y in zip(xs, ys)]``). PyTorch
fuses these into few kernels on a GPU; here each is the loop it stands for. A name that ends
in ``_`` changes the tensors in place and returns the list; the others return a tuple of new
tensors, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .tensor import Tensor

__all__ = ["foreach_function"]

PREFIX = "_foreach_"


def foreach_function(name: str) -> Callable:
    """``torch._foreach_<method>`` for any Tensor method; AttributeError for other names."""
    method = name.removeprefix(PREFIX)
    if not name.startswith(PREFIX) or not callable(getattr(Tensor, method, None)):
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    in_place = method.endswith("_")

    def apply_to_each(given: Any, *args: Any, **kwargs: Any) -> Any:
        tensors = given if isinstance(given, list) else list(given)
        n = len(tensors)

        def own(value: Any, i: int) -> Any:  # a list of n values gives tensor i its own
            return value[i] if isinstance(value, (list, tuple)) and len(value) == n else value

        results = [
            getattr(t, method)(
                *(own(a, i) for a in args), **{k: own(v, i) for k, v in kwargs.items()}
            )
            for i, t in enumerate(tensors)
        ]
        return tensors if in_place else tuple(results)

    apply_to_each.__name__ = name
    apply_to_each.__doc__ = f"``Tensor.{method}`` applied to each tensor of a list."
    return apply_to_each
