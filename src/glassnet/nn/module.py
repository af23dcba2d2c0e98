"""Module: the base class of every layer and model (registration, traversal, modes, state, hooks).

A model is a tree of Modules. A Module holds three kinds of named members, registered simply
by assigning attributes in ``__init__``:

* **parameters** (``self.weight = Parameter(...)``): what the optimizer learns;
* **buffers** (``self.register_buffer("running_mean", t)``): state that is saved and moved
  with the model but not learned (``persistent=False`` keeps a buffer out of ``state_dict``);
* **submodules** (``self.fc = Linear(...)``): children, whose members are found recursively
  under dotted names (``"encoder.fc2.weight"``).

Calling a module (``model(x)``) runs ``__call__``, which runs the forward pre-hooks,
``forward``, then the forward hooks (and sets up backward hooks, if any).

Layer paths in error messages (for layer authors)
-------------------------------------------------
``Module.__call__`` keeps a stack of the modules that are running. The *outermost* one (the
module the user called) is the root, and every module inside it has a path relative to it
(its name in ``root.named_modules()``). A layer that is given bad input should raise through
one of these helpers, so the message names the layer, what it expected and what it got::

    def forward(self, x):
        self.check_input_shape(x, ("*", self.in_features))
        ...
    # -> ValueError: encoder.fc2 (Linear): expected input of shape (*, 784), got (32, 100)

``check_input_shape(x, *patterns)`` checks that ``x`` is a Tensor whose shape matches one of
the patterns: an int matches that size exactly, a name such as ``"N"`` or ``"H"`` matches any
one size, and ``"*"`` matches any number of leading/inner dimensions (zero included). For
other checks, build the error yourself with ``raise self.input_error(expected, got_shape)`` or
use ``self.layer_label()`` in your own message. A layer called on its own (not inside a
model) is labelled by its class name alone (``Linear``). Any other exception that escapes a
module's ``forward`` gets a note naming the innermost layer it came from.
The stack is also available to tools: ``call_stack()`` lists ``(path, module)`` pairs.

Backward hooks in glassnet
--------------------------
``register_full_backward_hook(hook)`` calls ``hook(module, grad_input, grad_output)`` during
``backward()`` once the gradients with respect to the module's inputs are known:

* ``grad_output`` is a tuple with dL/d(output) for each Tensor output of the call (one entry
  for a module that returns a single Tensor; None where an output received no gradient);
* ``grad_input`` is a tuple with one entry per *positional argument* of the call: dL/d(arg)
  for a Tensor argument that requires grad, None for every other argument (for the first
  layer of a model, whose input is data, it is ``(None,)``). Gradients with respect to the
  module's parameters are not part of it; they arrive in ``param.grad``.

The hook may return a tuple of the same length to replace ``grad_input`` (the replacement is
what flows on to earlier layers). ``register_full_backward_pre_hook(hook)`` calls
``hook(module, grad_output)`` before that and may return a replacement ``grad_output``.
How: while a module with backward hooks runs, its Tensor inputs that require grad are joined
into one flat identity node (``_Gather``) and handed to ``forward`` as slices of it, and its
outputs likewise. Every gradient flowing back into the call passes through the output node,
and every gradient leaving it through the input node, so each node sees all the gradients at
once and can call the hook exactly once per backward. The cost (a copy of the inputs and
outputs) is paid only by modules that have backward hooks. If no input requires grad the
hook fires at the output node, with ``grad_input`` all None.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from ..autograd import Op, is_grad_enabled, no_grad
from ..device import split_to_arguments
from ..dtypes import is_floating, to_dtype
from ..tensor import Tensor
from .parameter import Parameter

__all__ = [
    "Module",
    "RemovableHandle",
    "IncompatibleKeys",
    "StateDictError",
    "call_stack",
    "register_module_forward_pre_hook",
    "register_module_forward_hook",
]

# ----------------------------------------------------------------------------------------------
# The call stack: which modules are running, and their paths relative to the outermost one
# ----------------------------------------------------------------------------------------------


class _CallState(threading.local):
    """Per-thread: the modules currently inside ``__call__`` (outermost first), name cache."""

    def __init__(self) -> None:
        self.stack: list[Module] = []
        self.names: dict[int, str] | None = None  # id(module) -> path under stack[0]


_calls = _CallState()


def _path_of(module: Module) -> str | None:
    """The path of ``module`` under the outermost running module ("" for that module itself).

    None when no module is running or ``module`` is not inside the running model.
    """
    stack = _calls.stack
    if not stack:
        return None
    root = stack[0]
    if module is root:
        return ""
    names = _calls.names
    if names is None or id(module) not in names:
        names = {}
        for name, m in root.named_modules():
            names.setdefault(id(m), name)
        _calls.names = names
    return names.get(id(module))


def call_stack() -> list[tuple[str, Module]]:
    """The modules running right now, outermost first, as ``(path, module)`` pairs.

    The outermost module's path is ``""``; a module that is running but is not registered
    inside the outermost one gets its class name in angle brackets. For tracing tools: an op
    executed inside ``model(x)`` can ask which layer it belongs to.
    """
    result = []
    for m in _calls.stack:
        path = _path_of(m)
        result.append((path if path is not None else f"<{type(m).__name__}>", m))
    return result


def _annotate(error: BaseException, module: Module) -> None:
    """Attach the innermost layer's label to an exception escaping ``forward`` (once)."""
    if getattr(error, "_glassnet_layer", None) is not None:
        return
    label = module.layer_label()
    try:
        error._glassnet_layer = label  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - exotic exception types without __dict__
        return
    if hasattr(error, "add_note") and not str(error).startswith(label):
        error.add_note(f"(raised inside layer {label})")


# ----------------------------------------------------------------------------------------------
# Hook handles and global hooks
# ----------------------------------------------------------------------------------------------

_hook_ids = itertools.count()


class RemovableHandle:
    """Returned by every ``register_*_hook``: ``handle.remove()`` unregisters the hook.

    Also a context manager: ``with model.register_forward_hook(f): model(x)`` removes the hook
    on leaving the block.
    """

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self.id = next(_hook_ids)

    def remove(self) -> None:
        """Unregister the hook (removing twice is harmless)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<RemovableHandle id={self.id}>"


def _add_hook(hooks: dict, value: Any, prepend: bool = False) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = value
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks.update([items[-1]] + items[:-1])
    return handle


_global_forward_pre_hooks: dict[int, Callable] = {}
_global_forward_hooks: dict[int, Callable] = {}


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, args)`` before the forward of *every* module (tools, tracers).

    Global hooks run before a module's own hooks; returning non-None replaces ``args``.
    """
    return _add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, args, output)`` after the forward of *every* module (tools, tracers).

    Global hooks run before a module's own hooks; returning non-None replaces the output.
    """
    return _add_hook(_global_forward_hooks, hook)


# ----------------------------------------------------------------------------------------------
# Identity ops used by backward hooks
# ----------------------------------------------------------------------------------------------


class _Slice(Op):
    """y = reshape(x[start:stop], shape);   dL/dx = g placed at [start:stop] of zeros(len(x))"""

    def __init__(self, start: int, stop: int, shape: tuple, dtype: np.dtype) -> None:
        self.start, self.stop, self.shape, self.dtype = start, stop, shape, dtype

    def forward(self, flat: np.ndarray) -> np.ndarray:
        self.total, self.flat_dtype = flat.shape[0], flat.dtype
        return flat[self.start : self.stop].reshape(self.shape).astype(self.dtype, copy=False)

    def backward(self, g: Tensor) -> tuple:
        if self.start == 0 and self.stop == self.total:
            return (g.reshape(-1),)
        return (_Embed(self.start, self.stop, self.total, self.flat_dtype)(g),)


class _Embed(Op):
    """y = zeros(total) with y[start:stop] = ravel(x);   dL/dx = reshape(g[start:stop], x.shape)"""

    def __init__(self, start: int, stop: int, total: int, dtype: np.dtype) -> None:
        self.start, self.stop, self.total, self.dtype = start, stop, total, dtype

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.in_shape, self.in_dtype = x.shape, x.dtype
        out = np.zeros(self.total, dtype=self.dtype)
        out[self.start : self.stop] = x.reshape(-1)
        return out

    def backward(self, g: Tensor) -> tuple:
        return (_Slice(self.start, self.stop, self.in_shape, self.in_dtype)(g),)


class _Gather(Op):
    """y = concat(ravel(x_1), ..., ravel(x_n));   dL/dx_i = reshape(g[slice_i], shape_i)

    The single node through which all gradients of a module call's inputs (or outputs) pass,
    so that a backward hook sees them together; ``on_backward(grads)`` may replace them.
    """

    def __init__(self, on_backward: Callable[[tuple], tuple]) -> None:
        self.on_backward = on_backward

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        self.layout = []
        start = 0
        for a in arrays:
            self.layout.append((start, start + a.size, a.shape, a.dtype))
            start += a.size
        return np.concatenate([np.ravel(a) for a in arrays])

    def slices(self, flat: Tensor) -> list[Tensor]:
        """The inputs again, as outputs of the graph node (what the module computes with)."""
        return [_Slice(*entry)(flat) for entry in self.layout]

    def backward(self, g: Tensor) -> tuple:
        grads = tuple(_Slice(*entry)(g) for entry in self.layout)
        return tuple(self.on_backward(grads))


class _BackwardHookCall:
    """The backward-hook bookkeeping of one call of one module (see the module docstring)."""

    def __init__(self, module: Module, n_args: int) -> None:
        self.module = module
        self.n_args = n_args
        self.arg_positions: list[int] = []  # positional args routed through the input gather
        self.n_outputs = 0
        self.grad_output: tuple | None = None

    def wrap_inputs(self, args: tuple) -> tuple:
        self.arg_positions = [
            i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad
        ]
        if not self.arg_positions:
            return args
        gather = _Gather(self._inputs_backward)
        flat = gather(*(args[i] for i in self.arg_positions))
        args = list(args)
        for i, piece in zip(self.arg_positions, gather.slices(flat)):
            args[i] = piece
        return tuple(args)

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, Tensor)
        items = [output] if single else output if isinstance(output, (tuple, list)) else None
        if items is None:
            return output  # not a Tensor or a sequence of Tensors: nothing to hook
        positions = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        self.n_outputs = sum(isinstance(o, Tensor) for o in items)
        if not positions:
            return output
        self.output_tensor_index = {
            p: k for k, p in enumerate(i for i, o in enumerate(items) if isinstance(o, Tensor))
        }
        self.output_positions = positions
        gather = _Gather(self._outputs_backward)
        flat = gather(*(items[i] for i in positions))
        new_items = list(items)
        for i, piece in zip(positions, gather.slices(flat)):
            new_items[i] = piece
        if single:
            return new_items[0]
        return type(output)(new_items) if isinstance(output, tuple) else new_items

    def _outputs_backward(self, grads: tuple) -> tuple:
        grad_output = [None] * self.n_outputs
        for p, g in zip(self.output_positions, grads):
            grad_output[self.output_tensor_index[p]] = g
        grad_output = tuple(grad_output)
        module = self.module
        for hook in list(module._backward_pre_hooks.values()):
            result = hook(module, grad_output)
            if result is not None:
                grad_output = _checked_replacement(result, grad_output, "grad_output", hook)
        self.grad_output = grad_output
        if not self.arg_positions:
            self._fire((None,) * self.n_args)
        return tuple(grad_output[self.output_tensor_index[p]] for p in self.output_positions)

    def _inputs_backward(self, grads: tuple) -> tuple:
        grad_input = [None] * self.n_args
        for i, g in zip(self.arg_positions, grads):
            grad_input[i] = g
        grad_input = self._fire(tuple(grad_input))
        return tuple(grad_input[i] for i in self.arg_positions)

    def _fire(self, grad_input: tuple) -> tuple:
        grad_output = self.grad_output
        if grad_output is None:
            grad_output = (None,) * max(self.n_outputs, 1)
        module = self.module
        for hook in list(module._backward_hooks.values()):
            result = hook(module, grad_input, grad_output)
            if result is not None:
                grad_input = _checked_replacement(result, grad_input, "grad_input", hook)
        return grad_input


def _checked_replacement(result: Any, current: tuple, what: str, hook: Callable) -> tuple:
    if isinstance(result, Tensor):
        result = (result,)
    if not isinstance(result, (tuple, list)) or len(result) != len(current):
        raise ValueError(
            f"backward hook {getattr(hook, '__name__', hook)!r} must return None or a tuple of "
            f"{len(current)} gradients to replace {what}, got {result!r}"
        )
    for new, old in zip(result, current):
        if new is not None and old is not None and tuple(new.shape) != tuple(old.shape):
            raise ValueError(
                f"backward hook {getattr(hook, '__name__', hook)!r} returned a gradient of "
                f"shape {tuple(new.shape)} in {what}, expected shape {tuple(old.shape)}"
            )
    return tuple(result)


# ----------------------------------------------------------------------------------------------
# state_dict helpers
# ----------------------------------------------------------------------------------------------


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: keys the model wanted but did not get, and extras."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class StateDictError(ValueError, RuntimeError):
    """A state_dict does not fit the model (a ValueError, and a RuntimeError as in PyTorch)."""


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


# ----------------------------------------------------------------------------------------------
# Input shape patterns (see check_input_shape)
# ----------------------------------------------------------------------------------------------


def _format_pattern(pattern: tuple) -> str:
    parts = ["?" if p is None else str(p) for p in pattern]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _dim_matches(size: int, p: Any) -> bool:
    return p is None or isinstance(p, str) or size == p


def _shape_matches(shape: tuple, pattern: tuple) -> bool:
    if "*" in pattern:
        k = pattern.index("*")
        head, tail = pattern[:k], pattern[k + 1 :]
        if len(shape) < len(head) + len(tail):
            return False
        return all(_dim_matches(s, p) for s, p in zip(shape[: len(head)], head)) and all(
            _dim_matches(s, p) for s, p in zip(shape[len(shape) - len(tail) :], tail)
        )
    return len(shape) == len(pattern) and all(_dim_matches(s, p) for s, p in zip(shape, pattern))


# ----------------------------------------------------------------------------------------------
# Module
# ----------------------------------------------------------------------------------------------


class Module:
    """Base class of all layers and models: subclass, build members in __init__, write forward.

    Example::

        class TwoLayer(Module):
            def __init__(self):
                super().__init__()          # must come first
                self.fc1 = Linear(4, 8)     # registered as a submodule named "fc1"
                self.fc2 = Linear(8, 2)

            def forward(self, x):
                return self.fc2(self.fc1(x).relu())

        model = TwoLayer()
        [name for name, _ in model.named_parameters()]
        # ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

    Attributes:
        training: True in training mode (the default), False after ``eval()``; layers such
            as Dropout and BatchNorm behave differently in the two modes.
    """

    training: bool

    def __init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_forward_pre_hooks", {})
        setattr_(self, "_forward_hooks", {})
        setattr_(self, "_backward_hooks", {})
        setattr_(self, "_backward_pre_hooks", {})

    # ------------------------------------------------------------------ forward and calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it. Call the module, not ``forward``."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        stack = _calls.stack
        stack.append(self)
        try:
            if (
                self._forward_pre_hooks
                or self._forward_hooks
                or self._backward_hooks
                or self._backward_pre_hooks
                or _global_forward_pre_hooks
                or _global_forward_hooks
            ):
                return self._call_with_hooks(args, kwargs)
            return self.forward(*args, **kwargs)
        except Exception as error:
            _annotate(error, self)
            raise
        finally:
            stack.pop()
            if not stack:
                _calls.names = None

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook in list(_global_forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        for hook, with_kwargs in list(self._forward_pre_hooks.values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise ValueError(
                            "a forward pre-hook registered with_kwargs=True must return None or "
                            f"a tuple (args, kwargs), got {type(result).__name__}"
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_call = None
        if (self._backward_hooks or self._backward_pre_hooks) and is_grad_enabled():
            backward_call = _BackwardHookCall(self, len(args))
            args = backward_call.wrap_inputs(args)
        output = self.forward(*args, **kwargs)
        for hook in list(_global_forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        for hook, with_kwargs in list(self._forward_hooks.values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        if backward_call is not None:
            output = backward_call.wrap_outputs(output)
        return output

    # ------------------------------------------------------------------ layer labels, input checks
    def layer_label(self) -> str:
        """How errors name this layer: ``"encoder.fc2 (Linear)"`` in a model, else ``"Linear"``."""
        path = _path_of(self)
        name = type(self).__name__
        return f"{path} ({name})" if path else name

    def input_error(self, expected: str, got: Any, what: str = "input") -> ValueError:
        """Build (not raise) the error for a wrong input shape, naming this layer.

        Args:
            expected: the expected shape as text, e.g. ``"(*, 784)"`` or ``"(N, 3, H, W)"``.
            got: the shape received (a tuple, or the Tensor itself).
            what: what the argument is called in the message (``"input"``, ``"target"``...).

        Example::

            raise self.input_error("(N, C, H, W)", x.shape)
            # ValueError: features.0 (Conv2d): expected input of shape (N, C, H, W), got (3, 32)
        """
        shape = tuple(got.shape) if hasattr(got, "shape") else tuple(got)
        error = ValueError(
            f"{self.layer_label()}: expected {what} of shape {expected}, got {_shape_text(shape)}"
        )
        error._glassnet_layer = self.layer_label()  # type: ignore[attr-defined]
        return error

    def check_input_shape(self, x: Any, *patterns: tuple, what: str = "input") -> None:
        """Raise unless ``x`` is a Tensor whose shape matches one of ``patterns``.

        In a pattern an int must match exactly, a name (``"N"``, ``"H"``) or None matches any
        one dimension, and one ``"*"`` matches any number of dimensions (zero included).
        ``check_input_shape(x, ("*", 784))`` accepts (784,), (32, 784), (8, 4, 784);
        ``check_input_shape(x, ("N", 3, "H", "W"), (3, "H", "W"))`` accepts batched or
        single images with 3 channels.

        Raises:
            TypeError: ``x`` is not a glassnet Tensor.
            ValueError: the shape matches no pattern (the message names the layer).
        """
        if not isinstance(x, Tensor):
            error = TypeError(
                f"{self.layer_label()}: expected {what} to be a glassnet Tensor, got "
                f"{type(x).__name__}"
                + (
                    " (wrap it with glassnet.tensor(...))"
                    if isinstance(x, (np.ndarray, list))
                    else ""
                )
            )
            error._glassnet_layer = self.layer_label()  # type: ignore[attr-defined]
            raise error
        shape = x.array.shape
        for pattern in patterns:
            if _shape_matches(shape, pattern):
                return
        raise self.input_error(" or ".join(_format_pattern(p) for p in patterns), shape, what)

    # ------------------------------------------------------------------ registration
    def _check_new_name(self, kind: str, name: Any, store: dict) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot register a {kind} before Module.__init__() has run: call "
                f"super().__init__() first in {type(self).__name__}.__init__"
            )
        if not isinstance(name, str):
            raise TypeError(f"{kind} name must be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise ValueError(f"{kind} name must be non-empty and contain no '.', got {name!r}")
        if hasattr(self, name) and name not in store:
            raise ValueError(f"cannot register {kind} {name!r}: attribute {name!r} already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: a declared but absent parameter, such as a missing bias)."""
        self._check_new_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign a {type(param).__name__} as parameter {name!r} "
                "(glassnet.nn.Parameter or None expected); wrap it: Parameter(tensor)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: a Tensor that belongs to the module's state but is not learned.

        Args:
            name: attribute name (then ``self.<name>`` reads it).
            tensor: the value, or None.
            persistent: whether ``state_dict()`` includes it (False for caches that can be
                recomputed, e.g. a causal mask).
        """
        self._check_new_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign a {type(tensor).__name__} as buffer {name!r} "
                "(glassnet Tensor or None expected)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (same as ``setattr(self, name, module)``)."""
        self._check_new_name("module", name, self._modules)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(
                    "cannot assign parameters before Module.__init__() has run: call "
                    f"super().__init__() first in {type(self).__name__}.__init__"
                )
            _remove(name, d, self._buffers, self._modules)
            self._non_persistent_buffers.discard(name)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as parameter {name!r} "
                    "(glassnet.nn.Parameter or None expected)"
                )
            params[name] = None
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(
                    "cannot assign a submodule before Module.__init__() has run: call "
                    f"super().__init__() first in {type(self).__name__}.__init__"
                )
            _remove(name, d, self._parameters, self._buffers)
            self._non_persistent_buffers.discard(name)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as child module {name!r} "
                    "(Module or None expected)"
                )
            modules[name] = None
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as buffer {name!r} "
                    "(glassnet Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: parameters, buffers and submodules live here.
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        keys.update(self._parameters, self._buffers, self._modules)
        return sorted(k for k in keys if not k[0].isdigit())

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path (``model.get_submodule("encoder.fc2")``); "" is self."""
        module = self
        if target == "":
            return module
        walked = []
        for part in target.split("."):
            child = module._modules.get(part)
            if not isinstance(child, Module):
                where = ".".join(walked) or type(self).__name__
                raise AttributeError(f"{where} has no submodule {part!r} (looking for {target!r})")
            module = child
            walked.append(part)
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``model.get_parameter("encoder.fc2.weight")``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters or module._parameters[name] is None:
            raise AttributeError(f"{module_path or type(self).__name__} has no parameter {name!r}")
        return module._parameters[name]

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Every module in the tree, self first (named ``prefix``), depth-first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Every module in the tree, self first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names (each module once)."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Direct submodules."""
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs; a parameter shared by two layers comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters (what an optimizer is given): ``SGD(model.parameters(), lr=0.1)``."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs, persistent or not."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers (persistent or not)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def num_parameters(self, trainable_only: bool = False) -> int:
        """How many numbers the model learns (each shared parameter counted once)."""
        return sum(p.array.size for p in self.parameters() if p.requires_grad or not trainable_only)

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Set training mode (True) or evaluation mode (False) on this module and all below."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be a bool, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): Dropout off, BatchNorm uses running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter: whether the optimizer learns it."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (None by default, or zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            elif p.grad.grad_fn is not None or p.grad.requires_grad:
                p.grad = Tensor._make(np.zeros_like(p.array))
            else:
                p.grad.array[...] = 0

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn(m)`` on every submodule (children first) and then on self; e.g. custom init."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype conversion
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating parameters and buffers to a dtype in place: ``model.to(gn.float64)``.

        Integer buffers (counters, indices) are left alone, as in PyTorch. ``to("cpu")`` and
        ``to(glassnet.device("cpu"))`` are accepted and do nothing (glassnet runs on the CPU);
        other devices raise DeviceError. Accepts a dtype, a device, or a Tensor (whose dtype is
        used), as ``Tensor.to`` does (both read their arguments with ``split_to_arguments``).
        """
        dtype = split_to_arguments(args, kwargs)  # raises DeviceError for devices but the CPU
        if dtype is None:
            return self
        dtype = to_dtype(dtype)
        if not is_floating(dtype):
            raise TypeError(
                f"Module.to only accepts floating dtypes (float16/32/64), got {dtype}; "
                "integer parameters could not be trained"
            )
        for t in itertools.chain(self.parameters(), self.buffers()):
            if is_floating(t.array.dtype) and t.array.dtype != dtype:
                t.array = t.array.astype(dtype)
                t._version[0] += 1
                if t.grad is not None:
                    t.grad = Tensor._make(t.grad.array.astype(dtype))
        return self

    def float(self) -> Module:
        """Floating parameters and buffers to float32 (in place)."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Floating parameters and buffers to float64 (in place), e.g. for gradient checks."""
        return self.to(np.float64)

    def half(self) -> Module:
        """Floating parameters and buffers to float16 (in place)."""
        return self.to(np.float16)

    def cpu(self) -> Module:
        """Does nothing (glassnet runs on the CPU); for code written for PyTorch."""
        return self

    # ------------------------------------------------------------------ state_dict
    def _state_entries(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Everything state_dict saves: own parameters, own persistent buffers, then children."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                yield prefix + name, b
        for name, module in self._modules.items():
            if module is not None:
                yield from module._state_entries(prefix + name + ".")

    def state_dict(
        self, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """The model's state: dotted name -> Tensor, parameters then buffers, module by module.

        Values are detached Tensors that share memory with the model (copy them, or save them
        to a file, to keep a snapshot). ``keep_vars=True`` returns the Parameters themselves.
        Non-persistent buffers are left out. Example keys: ``'fc.weight', 'fc.bias',
        'bn.running_mean'``.
        """
        out = OrderedDict() if destination is None else destination
        for key, t in self._state_entries(prefix):
            out[key] = t if keep_vars else t.detach()
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers, all or nothing.

        Everything is checked before anything is changed: if any key is missing or unexpected
        (when ``strict``), or any value has the wrong shape or is not an array (always), a
        ``StateDictError`` (a ValueError and a RuntimeError) lists every problem and the
        model is left untouched. Values are copied into the existing arrays (so an optimizer
        holding the parameters keeps working), converted to each parameter's dtype.

        Args:
            state_dict: name -> Tensor or NumPy array, as returned by ``state_dict()``.
            strict: require the keys to match exactly (default). With False, missing and
                unexpected keys are allowed and reported in the return value.
            assign: replace each parameter's array by a copy of the given one (keeping the
                checkpoint's dtype) instead of copying into it.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)`` (a named tuple of two lists).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict expects a mapping of names to tensors, got "
                f"{type(state_dict).__name__}"
            )
        expected = OrderedDict(self._state_entries())
        missing = [k for k in expected if k not in state_dict]
        unexpected = [k for k in state_dict if k not in expected]
        problems = []
        arrays = {}
        for key, target in expected.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if isinstance(value, Tensor):
                array = value.array
            elif isinstance(value, (np.ndarray, np.number, int, float)):
                array = np.asarray(value)
            else:
                problems.append(
                    f"wrong type for {key}: expected a Tensor or NumPy array, got "
                    f"{type(value).__name__}"
                )
                continue
            if array.dtype.kind not in "biuf":
                problems.append(f"wrong dtype for {key}: expected numbers, got {array.dtype}")
                continue
            if array.shape != target.array.shape:
                problems.append(
                    f"size mismatch for {key}: the state_dict has shape {_shape_text(array.shape)}"
                    f", the model has shape {_shape_text(target.array.shape)}"
                )
                continue
            arrays[key] = array
        if problems or (strict and (missing or unexpected)):
            lines = []
            if strict and missing:
                lines.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)) + ".")
            if strict and unexpected:
                lines.append(
                    "Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)) + "."
                )
            lines.extend(problems)
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n    "
                + "\n    ".join(lines)
                + "\nNothing was loaded: the model is unchanged."
            )
        with no_grad():
            for key, array in arrays.items():
                target = expected[key]
                if assign:
                    target.array = np.array(array)
                else:
                    target.array[...] = array
                target._version[0] += 1
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ hooks
    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; returning non-None replaces ``args``.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may return
        ``(args, kwargs)``. ``prepend=True`` runs it before the hooks already registered.
        """
        return _add_hook(self._forward_pre_hooks, (hook, with_kwargs), prepend)

    def register_forward_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; non-None replaces the output.

        ``args`` are the positional arguments forward received. With ``with_kwargs=True`` the
        hook is ``hook(module, args, kwargs, output)``.
        """
        return _add_hook(self._forward_hooks, (hook, with_kwargs), prepend)

    def register_full_backward_hook(
        self, hook: Callable, *, prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in backward (see the module docstring).

        ``grad_output``: dL/d(each Tensor output). ``grad_input``: dL/d(each positional
        argument), None for arguments that are not Tensors requiring grad. Returning a tuple
        of the same length replaces ``grad_input``.
        """
        return _add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, *, prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the output gradients of a call are known.

        Returning a tuple of the same length replaces ``grad_output`` (what flows into the
        module's backward).
        """
        return _add_hook(self._backward_pre_hooks, hook, prepend)

    # ------------------------------------------------------------------ training in one call
    # Set by glassnet.train when it loads: nn sits below train and never imports it.
    _fit_function: Callable | None = None

    def fit(self, data: Any, **kwargs: Any) -> Any:
        """Train this module in one call: the same as ``glassnet.fit(self, data, **kwargs)``.

        Returns the ``History`` (per-epoch loss and metrics). See ``glassnet.fit`` for the
        arguments (loss, optimizer, epochs, batch_size, validation data, callbacks, seed, ...).
        """
        if Module._fit_function is None:
            raise RuntimeError("Module.fit needs glassnet.train; run `import glassnet` first")
        return Module._fit_function(self, data, **kwargs)

    # ------------------------------------------------------------------ summary and printing
    def summary(
        self, input: Any = None, *, dtype: Any = None, print_fn: Callable | None = print
    ) -> Any:
        """Print (and return) a table of layers, output shapes and parameter counts.

        Args:
            input: an input shape such as ``(1, 784)`` (a random float input is made; zeros for
                integer dtypes), a list of shapes for several inputs, a Tensor, or a tuple of
                Tensors. None lists the layers without running the model.
            dtype: dtype of the made-up input (default float32).
            print_fn: where the table goes (default ``print``); None prints nothing.

        Returns:
            A ``ModelSummary``: ``str(s)`` is the table; ``s.total_params``,
            ``s.trainable_params``, ``s.non_trainable_params`` and ``s.rows`` hold the numbers.

        The forward pass runs under ``no_grad`` in evaluation mode and restores every
        module's mode afterwards, so it changes nothing (not even BatchNorm statistics, nor
        the global random generator).
        """
        from .summary import summarize

        return summarize(self, input, dtype=dtype, print_fn=print_fn)

    def extra_repr(self) -> str:
        """The text inside this module's repr parentheses, e.g. ``in_features=4, bias=True``."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def _indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _remove(name: str, *stores: dict) -> None:
    for store in stores:
        if name in store:
            del store[name]
