"""``glassnet.autograd_graph``, PyTorch's ``torch.autograd.graph``: ``Node``, the type of every ``grad_fn``, ``increment_version``, and the saved-tensor hooks (from ``saved_tensors.py``).

In PyTorch every ``grad_fn`` (and every ``AccumulateGrad`` at a leaf) is a
``torch.autograd.graph.Node``. In glassnet a grad_fn is the op that made the tensor (an
``autograd.Op``) and a leaf's end of the graph is an ``autograd.AccumulateGrad``; ``Node`` is
an abstract class both are registered with, so ``isinstance(y.grad_fn, Node)`` holds, and a
node offers PyTorch's ``name()``, ``next_functions``, ``metadata``, ``register_hook`` and
``register_prehook``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from typing import Any

from . import autograd
from .autograd import AccumulateGrad, GradientEdge, Op, Tensor
from .saved_tensors import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks

__all__ = [
    "GradientEdge",
    "Node",
    "get_gradient_edge",
    "register_multi_grad_hook",
    "disable_saved_tensors_hooks",
    "increment_version",
    "save_on_cpu",
    "saved_tensors_hooks",
]


class Node(abc.ABC):  # noqa: B024 - a type to test against; its members are registered below
    """The type of a node of the backward graph: any ``grad_fn``, or an ``AccumulateGrad``."""


Node.register(Op)
Node.register(AccumulateGrad)


def increment_version(tensor: Any) -> None:
    """Count a change made to ``tensor``'s numbers behind glassnet's back (say, through NumPy).

    Every in-place op adds 1 to a tensor's version, and backward refuses to use a value saved
    at an older version. Writing into ``t.numpy()`` directly changes nothing glassnet can see;
    calling this afterwards makes such a write count like an in-place op.
    """
    tensors = tensor if isinstance(tensor, (tuple, list)) else (tensor,)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"increment_version: expected a Tensor, got {type(t).__name__}")
        t._version[0] += 1


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """The place in the graph where ``tensor``'s gradient arrives: its ``grad_fn``, or for a
    leaf its ``AccumulateGrad``. ``autograd.grad(loss, edge)`` then gives that gradient."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"get_gradient_edge: expected a Tensor, got {type(tensor).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError(
            "get_gradient_edge: the tensor does not require grad, so no gradient reaches it"
        )
    node = tensor.grad_fn
    return GradientEdge(AccumulateGrad(tensor) if node is None else node, 0)


class _MultiHandle:
    """What ``register_multi_grad_hook`` returns: ``remove()`` takes all of its hooks out."""

    def __init__(self, handles: list, end_hook: Callable) -> None:
        self.handles, self.end_hook = handles, end_hook

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []
        if self.end_hook in autograd._walk_end_hooks:
            autograd._walk_end_hooks.remove(self.end_hook)


def register_multi_grad_hook(
    tensors: Iterable[Tensor], fn: Callable, *, mode: str = "all"
) -> _MultiHandle:
    """Call ``fn`` once per backward walk with the gradients of several tensors together.

    With ``mode="all"``, ``fn(grads)`` runs after a walk that reached at least one of the
    tensors; ``grads`` holds, per tensor in order, its gradient or None where the walk did
    not reach it. With ``mode="any"``, ``fn(grad)`` runs with the first of their gradients
    the walk computes, once per walk. The gradients are shown, not changed (``fn`` returns
    None). As PyTorch's.
    """
    if mode not in ("all", "any"):
        raise ValueError(f"register_multi_grad_hook: expected mode 'all' or 'any', got {mode!r}")
    tensors = tuple(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(
                f"register_multi_grad_hook: tensor {i} does not require grad (or is not a tensor)"
            )
    grads: list = [None] * len(tensors)
    reached = [False]

    def noting(i: int) -> Callable:
        def hook(g: Tensor) -> None:
            if mode == "any":
                if not reached[0]:
                    reached[0] = True
                    fn(g)
            else:
                grads[i], reached[0] = g, True

        return hook

    def at_walk_end() -> None:
        if reached[0] and mode == "all":
            fn(tuple(grads))
        grads[:] = [None] * len(tensors)
        reached[0] = False

    handles = [t.register_hook(noting(i)) for i, t in enumerate(tensors)]
    autograd._walk_end_hooks.append(at_walk_end)
    return _MultiHandle(handles, at_walk_end)
