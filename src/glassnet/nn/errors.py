"""Layer paths in error messages: the stack of running modules, layer labels, the one error helper.

``Module.__call__`` keeps a stack of the modules that are running. The *outermost* one (the
module the user called) is the root, and every module inside it has a path relative to it
(its name in ``root.named_modules()``). A layer that is given bad input raises through
``layer_error`` (or the ``Module`` methods built on it: ``check_input_shape``,
``input_error``, ``layer_error``), so the message names the layer, what it expected and what
it got::

    encoder.fc2 (Linear): expected input of shape (*, 784), got (32, 100)

A layer called on its own (not inside a model) is labelled by its class name alone
(``Linear``). Any other exception that escapes a module's ``forward`` gets a note naming the
innermost layer it came from (``annotate``). Shape mistakes raise
``glassnet.errors.ShapeError`` (a ValueError and a RuntimeError), dtype mistakes
``glassnet.errors.DTypeError`` (a TypeError and a RuntimeError), so code written for PyTorch
(``except RuntimeError``) and code written for Python's habits both catch them.

Input shape patterns (``shape_matches``, ``pattern_text``): an int matches that size exactly,
a name such as ``"N"`` or ``"H"`` (or None) matches any one size, and ``"*"`` matches any
number of dimensions (zero included).
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import NumberTypeError, ShapeError, ValueRangeError

if TYPE_CHECKING:  # annotations only: module.py imports this file
    from .module import Module

__all__ = [
    "call_stack",
    "path_of",
    "layer_label",
    "call_state",
    "layer_error",
    "call_function_form",
    "annotate",
    "shape_matches",
    "pattern_text",
]

# The attribute that marks an exception as already labelled with the layer it came from.
_LAYER_ATTRIBUTE = "_glassnet_layer"


class _CallState(threading.local):
    """Per-thread: the modules currently inside ``__call__`` (outermost first), name cache."""

    def __init__(self) -> None:
        self.stack: list[Module] = []
        self.names: dict[int, str] | None = None  # id(module) -> path under stack[0]


#: ``Module.__call__`` pushes each module onto ``call_state.stack`` and pops it on the way
#: out; when the outermost one returns it drops the cached paths (``call_state.names = None``).
call_state = _CallState()


def layer_size(layer: str, what: str, value: Any, smallest: int = 1) -> int:
    """``value`` as an int if it is a whole number >= ``smallest`` (a layer's count of features,
    channels or heads), else one line naming the layer: NumberTypeError for a float such as
    4.0 (a TypeError, as PyTorch raises), ValueRangeError for a number too small."""
    kind = "positive" if smallest == 1 else "non-negative" if smallest == 0 else f">= {smallest}"
    message = f"{layer}: {what} must be a {kind} integer, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise NumberTypeError(message)
    if value < smallest:
        raise ValueRangeError(message)
    return int(value)


def path_of(module: Module) -> str | None:
    """The path of ``module`` under the outermost running module ("" for that module itself).

    None when no module is running or ``module`` is not inside the running model.
    """
    stack = call_state.stack
    if not stack:
        return None
    root = stack[0]
    if module is root:
        return ""
    names = call_state.names
    if names is None or id(module) not in names:
        names = {}
        for name, m in root.named_modules():
            names.setdefault(id(m), name)
        call_state.names = names
    return names.get(id(module))


def call_stack() -> list[tuple[str, Module]]:
    """The modules running right now, outermost first, as ``(path, module)`` pairs.

    The outermost module's path is ``""``; a module that is running but is not registered
    inside the outermost one gets its class name in angle brackets. For tracing tools: an op
    executed inside ``model(x)`` can ask which layer it belongs to.
    """
    result = []
    for m in call_state.stack:
        path = path_of(m)
        result.append((path if path is not None else f"<{type(m).__name__}>", m))
    return result


def layer_label(module: Module) -> str:
    """How errors name a layer: ``"encoder.fc2 (Linear)"`` inside a model, else ``"Linear"``."""
    path = path_of(module)
    name = type(module).__name__
    return f"{path} ({name})" if path else name


def layer_error(module: Module, message: str, kind: type[Exception] = ShapeError) -> Exception:
    """Build (not raise) ``kind("<layer label>: <message>")``, marked as naming its layer.

    The one way a layer reports bad input: ``raise layer_error(self, "expected ...")``. The
    mark keeps ``annotate`` from adding a second note naming the same layer.
    """
    label = layer_label(module)
    error = kind(f"{label}: {message}")
    setattr(error, _LAYER_ATTRIBUTE, label)
    return error


def call_function_form(module: Module, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call a layer's function form; the argument errors it raises come out naming the layer.

    ``"batch_norm: expected ..."`` raised by ``F.batch_norm`` inside BatchNorm1d becomes
    ``"bn (BatchNorm1d): expected ..."`` (same exception type): layers that leave the input
    check to their function form (losses, normalization) report it with their own name, as
    if they had checked it themselves, and the input is checked only once. Errors that do
    not come from ``fn``'s own checks pass through unchanged.
    """
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError, IndexError) as error:
        prefix = fn.__name__ + ": "
        message = str(error)
        if not message.startswith(prefix):
            raise
        raise layer_error(module, message[len(prefix) :], type(error)) from None


def annotate(error: BaseException, module: Module) -> None:
    """Attach the innermost layer's label to an exception escaping ``forward`` (once)."""
    if getattr(error, _LAYER_ATTRIBUTE, None) is not None:
        return
    label = layer_label(module)
    try:
        setattr(error, _LAYER_ATTRIBUTE, label)
    except Exception:  # pragma: no cover - exotic exception types without __dict__
        return
    if hasattr(error, "add_note") and not str(error).startswith(label):
        error.add_note(f"(raised inside layer {label})")


def pattern_text(pattern: tuple) -> str:
    """A shape pattern as text: ``("*", 784)`` -> ``"(*, 784)"``, None shown as ``?``."""
    parts = ["?" if p is None else str(p) for p in pattern]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _dim_matches(size: int, p: Any) -> bool:
    return p is None or isinstance(p, str) or size == p


def shape_matches(shape: tuple, pattern: tuple) -> bool:
    """Whether ``shape`` fits ``pattern`` (ints exact, names any one size, ``"*"`` any run)."""
    if "*" in pattern:
        k = pattern.index("*")
        head, tail = pattern[:k], pattern[k + 1 :]
        if len(shape) < len(head) + len(tail):
            return False
        return all(_dim_matches(s, p) for s, p in zip(shape[: len(head)], head)) and all(
            _dim_matches(s, p) for s, p in zip(shape[len(shape) - len(tail) :], tail)
        )
    return len(shape) == len(pattern) and all(_dim_matches(s, p) for s, p in zip(shape, pattern))
