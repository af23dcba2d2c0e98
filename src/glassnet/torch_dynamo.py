"""PyTorch's ``torch._dynamo``: the names ``torch.compile`` scripts call on its compiler, for a library that runs everything eagerly.

``torch.compile`` hands a model to TorchDynamo, which records its Python code into graphs and
caches them; scripts then call ``torch._dynamo.reset()`` to forget the cache, set
``torch._dynamo.config`` options, or mark code that must not be compiled. glassnet has no
compiler (``glassnet.compile`` gives the model back), so there is nothing to forget or to
leave out: ``reset`` does nothing, ``disable`` and ``allow_in_graph`` give the function back,
and ``config`` keeps what a script sets on it.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

__all__ = ["allow_in_graph", "config", "disable", "mark_dynamic", "mark_static", "reset"]

#: ``torch._dynamo.config``: options a script may set (``suppress_errors = True``, ...); kept,
#: with no effect, since nothing is compiled.
config = types.SimpleNamespace(
    suppress_errors=False,
    cache_size_limit=8,
    verbose=False,
    capture_scalar_outputs=False,
    optimize_ddp=True,
)


def reset() -> None:
    """Forget compiled graphs: there are none in glassnet, so this does nothing."""


def disable(
    fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None
) -> Any:
    """Leave ``fn`` out of compilation: in glassnet it always runs as written. Also a decorator."""
    if fn is None:
        return lambda function: function
    return fn


def allow_in_graph(fn: Callable) -> Callable:
    """Let ``fn`` appear in a compiled graph as one call: the function itself here."""
    return fn


def mark_dynamic(t: Any, index: Any, **options: Any) -> None:
    """Mark a dimension as varying between calls (no graphs here, so nothing to mark)."""


def mark_static(t: Any, index: Any = None) -> None:
    """Mark a dimension as fixed (no graphs here, so nothing to mark)."""
