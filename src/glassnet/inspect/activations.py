"""activations(model, x): every layer's output for an input, by module path, in running order.

Forward hooks on every submodule catch each output as the model runs (PyTorch's way of looking
inside a model without changing it); they are removed again before the function returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..autograd import no_grad
from ..nn import Module
from ..tensor import Tensor, as_tensor

__all__ = ["LayerCall", "activations", "eval_mode", "record_layers"]


class LayerCall:
    """One call of one module: its path, the module, its (first) input and its output."""

    __slots__ = ("path", "module", "input", "output")

    def __init__(self, path: str, module: Module, input: Any, output: Any) -> None:  # noqa: A002
        self.path = path
        self.module = module
        self.input = input
        self.output = output

    @property
    def label(self) -> str:
        name = type(self.module).__name__
        return f"{self.path} ({name})" if self.path else name

    @property
    def is_leaf(self) -> bool:
        """True for a layer with no sublayers (Linear, ReLU), False for containers."""
        return not any(True for _ in self.module.children())


@contextmanager
def record_layers(model: Module) -> Iterator[list[LayerCall]]:
    """While the block runs, every module call of ``model`` is appended to the yielded list."""
    if not isinstance(model, Module):
        raise TypeError(f"expected a glassnet.nn.Module, got {type(model).__name__}")
    calls: list[LayerCall] = []
    handles = []
    for path, module in model.named_modules():

        def hook(module: Module, args: tuple, output: Any, path: str = path) -> None:
            calls.append(LayerCall(path, module, args[0] if args else None, output))

        handles.append(module.register_forward_hook(hook))
    try:
        yield calls
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def eval_mode(model: Module) -> Iterator[Module]:
    """While the block runs, ``model`` is in evaluation mode (dropout off, batch norm on its
    running statistics); its previous mode comes back afterwards, even after an error."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def _as_batch(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(x)


def activations(model: Module, x: Any, include_containers: bool = False) -> dict[str, Any]:
    """Every layer's output for the input ``x``, keyed by module path, in the order they ran.

    Runs under ``no_grad`` and changes nothing in the model (its train/eval mode included).

    Args:
        model: a glassnet Module.
        x: an input batch the model accepts (a Tensor, an array or a nested list).
        include_containers: also keep the outputs of containers (Sequential, the model itself,
            keyed ``""``); by default only the layers that compute (Linear, ReLU, ...).

    Returns:
        ``{"0": Tensor, "1": Tensor, ...}``; a layer called twice appears as ``"path#2"``.

    Example::

        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> acts = activations(model, glassnet.randn(2, 4))
        >>> {path: tuple(t.shape) for path, t in acts.items()}
        {'0': (2, 8), '1': (2, 8), '2': (2, 3)}
    """
    with record_layers(model) as calls, no_grad():
        model(_as_batch(x))
    result: dict[str, Any] = {}
    for call in calls:
        if not include_containers and not call.is_leaf:
            continue
        key = call.path
        count = 2
        while key in result:
            key = f"{call.path}#{count}"
            count += 1
        result[key] = call.output
    return result
