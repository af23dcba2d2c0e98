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
from typing import Any

from .autograd import AccumulateGrad, Op, Tensor
from .saved_tensors import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks

__all__ = [
    "Node",
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
