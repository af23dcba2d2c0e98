"""Saved-tensor hooks: what a graph node keeps for its backward, packed by the user's hook when the forward records it and unpacked when the backward reads it (PyTorch's ``torch.autograd.graph.saved_tensors_hooks``).

What a node "saves" is what its backward rule reads: the inputs its ``saved_inputs`` names,
its output when it keeps one (``out_data``, as e**x and ReLU do), and the arrays it gave to
``save_for_backward`` (a custom ``Function``'s ``ctx.save_for_backward`` tensors among them).
Inside ``saved_tensors_hooks(pack, unpack)`` every op that records a node calls ``pack`` once
per saved tensor and keeps what ``pack`` returns; when the backward walk reaches the node it
calls ``unpack`` on each kept object and runs the rule on the tensors it gets back::

    with glassnet.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = a * b              # pack(a), pack(b): Mul's gradient reads both
    y.sum().backward()         # unpack(...) twice, then dL/da = g * unpack(pack(b))

Both hooks run with recording off. The innermost ``saved_tensors_hooks`` block is the one
that applies; ``disable_saved_tensors_hooks(message)`` makes any use of hooks raise
``message``. A node's backward then trusts what ``unpack`` returns: the in-place check on the
saved values is skipped for it, as in PyTorch, since ``pack`` may have kept a copy.

One difference from PyTorch: a glassnet node also holds its inputs as the edges of the graph
(for their shapes and for tools that draw it), so packing a tensor somewhere else (to disk,
say) changes what the rule reads but does not free the tensor's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd
from .autograd import Op, is_tensor, no_grad, wrap

__all__ = ["disable_saved_tensors_hooks", "save_on_cpu", "saved_tensors_hooks", "SavedTensor"]

# The innermost (pack, unpack) pair in force is autograd._saved_tensor_hooks[-1]; the engine
# reads that list (empty: nothing to do) when it records a node.
_disabled_messages: list[str] = []


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name for a context manager
    """Context manager: the ops recorded inside it keep ``pack(t)`` for each tensor ``t`` their
    backward reads, and the backward gives the rule ``unpack(kept)`` instead.

    Args:
        pack_hook: ``pack_hook(tensor) -> Any``, called once per saved tensor, in the forward.
        unpack_hook: ``unpack_hook(kept) -> Tensor``, called each time a backward reads it; it
            must return a tensor of the saved tensor's shape.
    """

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError(
                "saved_tensors_hooks(pack_hook, unpack_hook): expected two functions, got "
                f"{type(pack_hook).__name__} and {type(unpack_hook).__name__}"
            )
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _disabled_messages:
            raise RuntimeError(_disabled_messages[-1])
        autograd._saved_tensor_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc: object) -> None:
        autograd._saved_tensor_hooks.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """PyTorch's hooks that move saved tensors to the CPU until backward needs them.

    glassnet's tensors always live on the CPU, so the saved tensors stay where they are; the
    block is accepted so that scripts written for a GPU run unchanged.
    """

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(_keep, _keep)


def _keep(tensor: Any) -> Any:
    return tensor


class disable_saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Context manager: inside it, using saved-tensor hooks raises ``RuntimeError(error_message)``
    (entering ``saved_tensors_hooks``, or recording an op while hooks from outside are in force)."""

    def __init__(self, error_message: str) -> None:
        self.error_message = str(error_message)

    def __enter__(self) -> disable_saved_tensors_hooks:
        _disabled_messages.append(self.error_message)
        return self

    def __exit__(self, *exc: object) -> None:
        _disabled_messages.pop()


# -- the engine's side -----------------------------------------------------------------------
# A node's packed values are kept as a list of slots (where, position, kept, unpack): where is
# "input" (node.inputs[position]), "output" (node.out_data) or "saved" (node.saved[position]).


def pack_saved(node: Op) -> None:
    """Called by the engine right after ``node`` was recorded, while hooks are in force."""
    if _disabled_messages:
        raise RuntimeError(_disabled_messages[-1])
    pack, unpack = autograd._saved_tensor_hooks[-1]
    node._packed = [(where, i, _pack(pack, t), unpack) for where, i, t in _saved_slots(node)]


def _saved_slots(node: Op) -> list:
    """(where, position, tensor) for each tensor ``node``'s backward reads."""
    slots = [("input", i, node.inputs[i]) for i in node.saved_inputs() if is_tensor(node.inputs[i])]
    if node.out_data is not None:
        slots.append(("output", None, node.output()))
    for i, value in enumerate(node.saved):
        if isinstance(value, np.ndarray):
            slots.append(("saved", i, wrap(value)))
        elif is_tensor(value):
            slots.append(("saved", i, value))
    return slots


def _pack(pack: Callable, tensor: Any) -> Any:
    with no_grad():
        return pack(tensor)


def backward_unpacked(node: Op, g: Any) -> tuple:
    """Run ``node``'s backward rule on the values its unpack hooks give back.

    The node's own inputs, output and saved values are put back afterwards, so a second
    backward (``retain_graph=True``) unpacks again, as in PyTorch.
    """
    inputs, saved, out_data = list(node.inputs), list(node.saved), node.out_data
    for where, i, kept, unpack in node._packed:
        original = inputs[i] if where == "input" else saved[i] if where == "saved" else None
        shape = np.shape(out_data) if original is None else np.shape(original)
        value = _unpack(unpack, kept, node, shape)
        if where == "input":
            inputs[i] = value
        elif where == "output":
            out_data = value.array
        else:
            saved[i] = value.array if isinstance(saved[i], np.ndarray) else value
    originals = node.inputs, node.saved, node.out_data, node.__dict__.get("saved_versions")
    node.inputs, node.saved, node.out_data = tuple(inputs), tuple(saved), out_data
    if originals[3] is not None:  # a Function's ctx: the unpacked tensors are what it checks
        node.saved_versions = tuple(t._version[0] if is_tensor(t) else None for t in saved)
    try:
        return node.backward(g)
    finally:
        node.inputs, node.saved, node.out_data = originals[:3]
        if originals[3] is not None:
            node.saved_versions = originals[3]


def _unpack(unpack: Callable, kept: Any, node: Op, shape: tuple) -> Any:
    with no_grad():
        value = unpack(kept)
    if not is_tensor(value):
        raise TypeError(
            f"{node.name}: the saved-tensor unpack hook must return a Tensor, got "
            f"{type(value).__name__}"
        )
    if tuple(value.shape) != tuple(shape):
        raise RuntimeError(
            f"{node.name}: the saved-tensor unpack hook returned a tensor of shape "
            f"{tuple(value.shape)} for a saved tensor of shape {tuple(shape)}"
        )
    return value


class SavedTensor:
    """One value a node keeps for its backward, as PyTorch's ``grad_fn._raw_saved_self`` shows
    it: ``register_hooks(pack, unpack)`` packs it now and unpacks it when backward reads it."""

    def __init__(self, node: Op, where: str, position: int | None) -> None:
        self.node, self.where, self.position = node, where, position

    def register_hooks(self, pack_hook: Callable, unpack_hook: Callable) -> None:
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError("register_hooks(pack_hook, unpack_hook): expected two functions")
        node = self.node
        if node.parents is autograd.FREED:
            raise RuntimeError(
                f"register_hooks on a value {node.name} saved: backward() has already freed it; "
                "call backward(retain_graph=True) to keep it"
            )
        if node._packed is None:
            node._packed = []
        if any(slot[:2] == (self.where, self.position) for slot in node._packed):
            raise RuntimeError(
                "register_hooks: this saved tensor already has hooks; only one pair is allowed"
            )
        value = node.output() if self.where == "output" else node.inputs[self.position]
        node._packed.append((self.where, self.position, _pack(pack_hook, value), unpack_hook))

    def __repr__(self) -> str:
        return f"<SavedTensor of {self.node.name}>"
