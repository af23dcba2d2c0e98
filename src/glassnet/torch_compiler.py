"""PyTorch's ``torch.compiler``: the public switches of its compiler, for a library that runs every op eagerly as written.

Scripts written for ``torch.compile`` ask ``torch.compiler.is_compiling()`` to take a simpler
path inside a compiled region, mark functions with ``@torch.compiler.disable``, or call
``torch.compiler.reset()``. glassnet compiles nothing (``glassnet.compile`` gives the model
back), so no code is ever inside a compiled region: the questions answer False and the
decorators give their function back. The switches themselves live in ``torch_dynamo.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .torch_dynamo import allow_in_graph, config, disable, reset

__all__ = [
    "allow_in_graph",
    "assume_constant_result",
    "config",
    "cudagraph_mark_step_begin",
    "disable",
    "is_compiling",
    "is_dynamo_compiling",
    "is_exporting",
    "list_backends",
    "nested_compile_region",
    "reset",
    "set_stance",
    "substitute_in_graph",
]


def is_compiling() -> bool:
    """Whether the calling code is being compiled: never, in glassnet."""
    return False


is_dynamo_compiling = is_compiling
is_exporting = is_compiling


def _returns_the_function(fn: Callable | None = None, *args: Any, **kwargs: Any) -> Any:
    if fn is None or not callable(fn):  # used with arguments: @nested_compile_region(...)
        return lambda function: function
    return fn


def assume_constant_result(fn: Callable) -> Callable:
    """Let the compiler treat ``fn``'s result as a constant: the function itself here."""
    return fn


nested_compile_region = _returns_the_function


def substitute_in_graph(original: Callable, **options: Any) -> Callable:
    """A decorator naming a stand-in for ``original`` in compiled graphs: nothing to stand in
    for here, so it gives the decorated function back."""
    return lambda function: function


class set_stance:  # noqa: N801 - PyTorch's name; a switch, a context manager and a decorator
    """Set how compiled functions behave (``"force_eager"``, ...): they are all eager here."""

    def __init__(self, stance: str = "default", *, skip_guard_eval_unsafe: bool = False,
                 force_backend: Any = None) -> None:  # fmt: skip
        self.stance = stance

    def __enter__(self) -> set_stance:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, fn: Callable) -> Callable:
        return fn


def cudagraph_mark_step_begin() -> None:
    """Start a new CUDA-graph step: glassnet has no CUDA graphs, so there is nothing to mark."""


def list_backends(exclude_tags: Any = ()) -> list[str]:
    """The compiler backends ``torch.compile(backend=...)`` accepts: glassnet runs eagerly."""
    return ["eager"]
