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

Where the rest lives
--------------------
* ``nn/errors.py``: the stack of running modules (``call_stack()``), layer labels and the one
  helper layers raise bad-input errors through. In ``forward``, write
  ``self.check_input_shape(x, ("*", self.in_features))`` (raises
  ``ShapeError: encoder.fc2 (Linear): expected input of shape (*, 784), got (32, 100)``),
  ``raise self.input_error(expected, got_shape)`` or ``raise self.layer_error(message)``.
* ``nn/hooks.py``: hook handles, global forward hooks, and how backward hooks see the
  gradients of one call (``register_full_backward_hook``).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import no_grad, wrap
from ..device import check_device, split_to_arguments
from ..device import device as device_class
from ..dtypes import is_floating, to_dtype
from ..errors import DTypeError, MemberNameError, ShapeError
from ..tensor import Tensor
from .errors import (
    annotate,
    call_stack,
    call_state,
    layer_error,
    layer_label,
    pattern_text,
    shape_matches,
)
from .functional._args import not_a_tensor_message, shape_text
from .hooks import (
    RemovableHandle,
    add_hook,
    call_with_hooks,
    global_forward_hooks,
    global_forward_pre_hooks,
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from .member_paths import MemberPathMethods
from .parameter import Buffer, Parameter
from .state_hooks import (
    SAVE_HOOKS,
    IncompatibleKeys,
    StateDictError,
    StateDictHookMethods,
    has_state_hooks,
    run_load_post_hooks,
    run_load_pre_hooks,
    state_dict_with_hooks,
)

if TYPE_CHECKING:  # annotations only: summary.py imports this file
    from .summary import ModelSummary

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
# Module
# ----------------------------------------------------------------------------------------------


def _values(named: Iterator[tuple[str, Any]]) -> Iterator[Any]:
    """The values of ``(name, value)`` pairs: ``parameters()`` is ``named_parameters()`` unnamed."""
    for _, value in named:
        yield value


class Module(StateDictHookMethods, MemberPathMethods):
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
        stack = call_state.stack
        stack.append(self)
        try:
            if (
                self._forward_pre_hooks
                or self._forward_hooks
                or self._backward_hooks
                or self._backward_pre_hooks
                or global_forward_pre_hooks
                or global_forward_hooks
            ):
                return call_with_hooks(self, args, kwargs)
            return self.forward(*args, **kwargs)
        except Exception as error:
            annotate(error, self)
            raise
        finally:
            stack.pop()
            if not stack:
                call_state.names = None  # paths are cached per outermost call

    # ------------------------------------------------------------------ layer labels, input checks
    def layer_label(self) -> str:
        """How errors name this layer: ``"encoder.fc2 (Linear)"`` in a model, else ``"Linear"``."""
        return layer_label(self)

    def layer_error(self, message: str, kind: type[Exception] = ShapeError) -> Exception:
        """Build (not raise) ``kind("<layer label>: <message>")``: the one way to report bad input.

        ``kind`` is ``ShapeError`` (default) for a shape that does not fit, ``DTypeError`` for
        a dtype, ``TypeError`` for a value that is not a Tensor, ``ValueError`` for any other
        bad value. Example: ``raise self.layer_error("expected hx to be a tuple", TypeError)``.
        """
        return layer_error(self, message, kind)

    def input_error(self, expected: str, got: Any, what: str = "input") -> ShapeError:
        """Build (not raise) the error for a wrong input shape, naming this layer.

        Args:
            expected: the expected shape as text, e.g. ``"(*, 784)"`` or ``"(N, 3, H, W)"``.
            got: the shape received (a tuple, or the Tensor itself).
            what: what the argument is called in the message (``"input"``, ``"target"``...).

        Returns:
            A ``glassnet.errors.ShapeError`` (a ValueError and a RuntimeError). Example::

            raise self.input_error("(N, C, H, W)", x.shape)
            # ShapeError: features.0 (Conv2d): expected input of shape (N, C, H, W), got (3, 32)
        """
        shape = tuple(got.shape) if hasattr(got, "shape") else tuple(got)
        return layer_error(self, f"expected {what} of shape {expected}, got {shape_text(shape)}")

    def dtype_error(self, what: str, got: Any, expected: Any) -> DTypeError:
        """Build (not raise) the error for an input whose dtype is not the parameters' dtype."""
        hint = "x.float()" if np.dtype(expected) == np.float32 else f"x.to({expected})"
        return layer_error(
            self,
            f"expected {what} of dtype {expected} (the dtype of the weights), got {got}; "
            f"convert it ({hint}) or the model (model.double() / model.float())",
            DTypeError,
        )

    def check_input_shape(self, x: Any, *patterns: tuple, what: str = "input") -> None:
        """Raise unless ``x`` is a Tensor whose shape matches one of ``patterns``.

        In a pattern an int must match exactly, a name (``"N"``, ``"H"``) or None matches any
        one dimension, and one ``"*"`` matches any number of dimensions (zero included).
        ``check_input_shape(x, ("*", 784))`` accepts (784,), (32, 784), (8, 4, 784);
        ``check_input_shape(x, ("N", 3, "H", "W"), (3, "H", "W"))`` accepts batched or
        single images with 3 channels.

        Raises:
            TypeError: ``x`` is not a glassnet Tensor.
            ShapeError: the shape matches no pattern (a ValueError and a RuntimeError; the
                message names the layer).
        """
        if not isinstance(x, Tensor):
            raise layer_error(self, not_a_tensor_message(x, what), TypeError)
        shape = x.array.shape
        for pattern in patterns:
            if shape_matches(shape, pattern):
                return
        raise self.input_error(" or ".join(pattern_text(p) for p in patterns), shape, what)

    # ------------------------------------------------------------------ registration
    def _check_new_name(self, kind: str, name: Any, store_name: str) -> None:
        # The store is looked up here, after the check that __init__ has made it.
        if store_name not in self.__dict__:
            raise self._before_init(f"register a {kind}")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name must be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise MemberNameError(f"{kind} name must be non-empty and contain no '.', got {name!r}")
        if hasattr(self, name) and name not in self.__dict__[store_name]:
            raise ValueError(f"cannot register {kind} {name!r}: attribute {name!r} already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: a declared but absent parameter, such as a missing bias)."""
        self._check_new_name("parameter", name, "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise _wrong_member(param, "_parameters", name, "; wrap it: Parameter(tensor)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: a Tensor that belongs to the module's state but is not learned.

        Args:
            name: attribute name (then ``self.<name>`` reads it).
            tensor: the value, or None.
            persistent: whether ``state_dict()`` includes it (False for caches that can be
                recomputed, e.g. a causal mask).
        """
        self._check_new_name("buffer", name, "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise _wrong_member(tensor, "_buffers", name)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (same as ``setattr(self, name, module)``)."""
        self._check_new_name("module", name, "_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        # In PyTorch's order: a Parameter; a name that is a parameter already; a Module; a name
        # that is a submodule already; an nn.Buffer or a name that is a buffer already; anything
        # else is a plain attribute.
        if isinstance(value, Parameter):
            self._free_name(name, "_parameters", "assign parameters")
            self.register_parameter(name, value)
            return
        if self._reassign_member(name, value, "_parameters"):
            return
        if isinstance(value, Module):
            self._free_name(name, "_modules", "assign a submodule")[name] = value
            return
        if self._reassign_member(name, value, "_modules"):
            return
        if isinstance(value, Buffer):  # nn.Buffer(t, persistent=...): a buffer by assignment
            self.register_buffer(name, value, value.persistent)
            return
        if self._reassign_member(name, value, "_buffers"):
            return
        object.__setattr__(self, name, value)

    def _reassign_member(self, name: str, value: Any, store_name: str) -> bool:
        """If ``name`` is a member in ``store_name`` already, give it ``value`` (which must be of
        the store's kind, or None) and say True; else change nothing and say False."""
        store = self.__dict__.get(store_name)
        if store is None or name not in store:
            return False
        if value is not None and not isinstance(value, _MEMBER_KINDS[store_name]):
            raise _wrong_member(value, store_name, name)
        store[name] = value
        return True

    def _free_name(self, name: str, store_name: str, doing: str) -> dict:
        """The store ``store_name`` that ``name`` goes to, after taking ``name`` out of the others
        (an attribute, a buffer, a parameter or a submodule of that name is replaced)."""
        if store_name not in self.__dict__:
            raise self._before_init(doing)
        others = [self.__dict__[key] for key in _MEMBER_KINDS if key != store_name]
        _remove(name, self.__dict__, *others)
        self._non_persistent_buffers.discard(name)
        return self.__dict__[store_name]

    def _before_init(self, doing: str) -> AttributeError:
        return AttributeError(
            f"cannot {doing} before Module.__init__() has run: call "
            f"super().__init__() first in {type(self).__name__}.__init__"
        )

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
        return _values(self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names (each module once)."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Direct submodules."""
        return _values(self.named_children())

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
        return _values(self.named_parameters(recurse=recurse))

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs, persistent or not."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers (persistent or not)."""
        return _values(self.named_buffers(recurse=recurse))

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
                p.grad = wrap(np.zeros_like(p.array))
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

        ``to("meta")`` is accepted too and leaves the module as it is: PyTorch's meta device
        holds shapes without numbers, and scripts move a copy of a model there to use it as a
        skeleton for ``functional_call`` (model ensembles), which gives it weights anyway.
        """
        if _names_meta(args, kwargs):
            return self
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
                    t.grad = wrap(t.grad.array.astype(dtype))
        return self

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """PyTorch's ``module.compile()`` (compile in place): glassnet runs every module as
        written, so the module stays as it is (the arguments are checked as ``glassnet.compile``
        checks them)."""
        from ..torch_switches import compile as compile_model

        compile_model(self, *args, **kwargs)

    def to_empty(self, *, device: Any = None, recurse: bool = True) -> Module:
        """PyTorch gives a module built on the meta device fresh, uninitialised memory on
        ``device``; a glassnet module always has its numbers, so after checking the device
        this returns the module unchanged (set the weights yourself, as after PyTorch's)."""
        if not _names_meta((device,), {}):
            check_device(device)
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

    def cuda(self, device: Any = None) -> Module:
        """Refused in one line (DeviceError), as ``model.to("cuda")``: glassnet has no GPU."""
        return self.to(f"cuda:{device}" if isinstance(device, int) else device or "cuda")

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
        if has_state_hooks(self, SAVE_HOOKS):
            return state_dict_with_hooks(self, out, prefix, keep_vars)
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
        state_dict, *reported = run_load_pre_hooks(self, state_dict)  # a copy the hooks may edit
        expected = OrderedDict(self._state_entries())
        missing = [k for k in expected if k not in state_dict] + reported[0]
        unexpected = [k for k in state_dict if k not in expected] + reported[1]
        problems = list(reported[2])
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
                    f"size mismatch for {key}: the state_dict has shape {shape_text(array.shape)}"
                    f", the model has shape {shape_text(target.array.shape)}"
                )
                continue
            arrays[key] = array
        # Load post-hooks may forgive missing or unexpected keys, so they are asked first.
        keys = IncompatibleKeys(missing, unexpected)
        if not problems and strict and (missing or unexpected) and run_load_post_hooks(self, keys):
            missing, unexpected = keys.missing_keys, keys.unexpected_keys
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
        if not (strict and (missing or unexpected)):  # else the post-hooks ran above
            run_load_post_hooks(self, keys)
        return keys

    # ------------------------------------------------------------------ hooks
    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; returning non-None replaces ``args``.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may return
        ``(args, kwargs)``. ``prepend=True`` runs it before the hooks already registered.
        """
        return add_hook(self._forward_pre_hooks, (hook, with_kwargs), prepend)

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; non-None replaces the output.

        ``args`` are the positional arguments forward received. With ``with_kwargs=True`` the
        hook is ``hook(module, args, kwargs, output)``. With ``always_call=True`` it also runs
        (with output None) when forward raises.
        """
        handle = add_hook(self._forward_hooks, (hook, with_kwargs), prepend)
        if always_call:
            self.__dict__.setdefault("_forward_hooks_always_called", set()).add(handle.id)
        return handle

    def register_full_backward_hook(
        self, hook: Callable, *, prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in backward (see the module docstring).

        ``grad_output``: dL/d(each Tensor output). ``grad_input``: dL/d(each positional
        argument), None for arguments that are not Tensors requiring grad. Returning a tuple
        of the same length replaces ``grad_input``.
        """
        return add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, *, prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the output gradients of a call are known.

        Returning a tuple of the same length replaces ``grad_output`` (what flows into the
        module's backward).
        """
        return add_hook(self._backward_pre_hooks, hook, prepend)

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
    ) -> ModelSummary:
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
        child_lines = self._child_lines()
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def _child_lines(self) -> list[str]:
        """One ``(name): repr`` entry per child module, for ``__repr__``."""
        return [f"({name}): " + _indent(repr(m), 2) for name, m in self._modules.items()]


def _indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


# Where a Module keeps its members: the kind of value each store holds, and how messages call
# a member of each store and what they say may be given instead.
_MEMBER_KINDS = {"_parameters": Parameter, "_modules": Module, "_buffers": Tensor}
_MEMBER_WORDS = {
    "_parameters": ("parameter", "glassnet.nn.Parameter"),
    "_modules": ("child module", "Module"),
    "_buffers": ("buffer", "glassnet Tensor"),
}


def _wrong_member(value: Any, store_name: str, name: str, advice: str = "") -> TypeError:
    """The error for a value of the wrong kind given as a parameter, child module or buffer."""
    what, expected = _MEMBER_WORDS[store_name]
    return TypeError(
        f"cannot assign a {type(value).__name__} as {what} {name!r} "
        f"({expected} or None expected){advice}"
    )


def _remove(name: str, *stores: dict) -> None:
    for store in stores:
        if name in store:
            del store[name]


def _names_meta(args: tuple, kwargs: dict) -> bool:
    """Whether a ``to(...)`` call names PyTorch's meta device (a string or a device object)."""
    for where in (*args, kwargs.get("device")):
        if isinstance(where, (str, device_class)) and str(where).partition(":")[0] == "meta":
            return True
    return False
