"""Hooks on modules: handles, global forward hooks, the forward-hook call, backward-hook plumbing.

Forward hooks
-------------
``module.register_forward_pre_hook(hook)`` calls ``hook(module, args)`` before ``forward``
(returning non-None replaces ``args``); ``register_forward_hook(hook)`` calls
``hook(module, args, output)`` after it (returning non-None replaces the output).
``register_module_forward_pre_hook`` / ``register_module_forward_hook`` do the same for
*every* module (for tools and tracers); global hooks run before a module's own. Every
``register_*`` returns a ``RemovableHandle``. ``call_with_hooks`` is what ``Module.__call__``
runs when any hook is registered.

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import Op, is_grad_enabled
from ..tensor import Tensor

if TYPE_CHECKING:  # annotations only: module.py imports this file
    from .module import Module

__all__ = [
    "RemovableHandle",
    "add_hook",
    "global_forward_pre_hooks",
    "global_forward_hooks",
    "call_with_hooks",
    "register_module_forward_pre_hook",
    "register_module_forward_hook",
]

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


def add_hook(hooks: dict, value: Any, prepend: bool = False) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = value
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks.update([items[-1]] + items[:-1])
    return handle


# Hooks every module runs (register_module_forward_*_hook); Module.__call__ reads them directly.
global_forward_pre_hooks: dict[int, Callable] = {}
global_forward_hooks: dict[int, Callable] = {}


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, args)`` before the forward of *every* module (tools, tracers).

    Global hooks run before a module's own hooks; returning non-None replaces ``args``.
    """
    return add_hook(global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, args, output)`` after the forward of *every* module (tools, tracers).

    Global hooks run before a module's own hooks; returning non-None replaces the output.
    """
    return add_hook(global_forward_hooks, hook)


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
        return (_PlaceInZeros(self.start, self.stop, self.total, self.flat_dtype)(g),)


class _PlaceInZeros(Op):
    """y = zeros(total) with y[start:stop] = ravel(x) (the adjoint of _Slice);   dL/dx = reshape(g[start:stop], x.shape)"""

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


def call_with_hooks(module: Module, args: tuple, kwargs: dict) -> Any:
    """Run ``module.forward(*args, **kwargs)`` with the forward hooks and backward-hook wiring.

    Order: global pre-hooks, the module's pre-hooks, (inputs joined for backward hooks),
    ``forward``, global forward hooks, the module's forward hooks, (outputs joined).
    """
    for hook in list(global_forward_pre_hooks.values()):
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    for hook, with_kwargs in list(module._forward_pre_hooks.values()):
        if with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise ValueError(
                        "a forward pre-hook registered with_kwargs=True must return None or "
                        f"a tuple (args, kwargs), got {type(result).__name__}"
                    )
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    backward_call = None
    if (module._backward_hooks or module._backward_pre_hooks) and is_grad_enabled():
        backward_call = _BackwardHookCall(module, len(args))
        args = backward_call.wrap_inputs(args)
    try:
        output = module.forward(*args, **kwargs)
    except Exception:
        _run_always_called_hooks(module, args, kwargs)
        raise
    for hook in list(global_forward_hooks.values()):
        result = hook(module, args, output)
        if result is not None:
            output = result
    for hook, with_kwargs in list(module._forward_hooks.values()):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    if backward_call is not None:
        output = backward_call.wrap_outputs(output)
    return output


def _run_always_called_hooks(module: Module, args: tuple, kwargs: dict) -> None:
    """After forward raised: the forward hooks registered with ``always_call=True`` still run,
    with None as the output (for clean-up such as closing a trace); their results are ignored
    and the error goes on."""
    always = module.__dict__.get("_forward_hooks_always_called", ())
    for key, (hook, with_kwargs) in list(module._forward_hooks.items()):
        if key in always:
            if with_kwargs:
                hook(module, args, kwargs, None)
            else:
                hook(module, args, None)
