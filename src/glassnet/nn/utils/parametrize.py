"""Parametrizations: make ``module.weight`` a function of other tensors, computed on each access.

``register_parametrization(module, "weight", P)`` turns a plain parameter into

.. math::

    \text{module.weight} = P_k(\\dots P_2(P_1(\text{original})))

where ``original`` (a Parameter, or a buffer if the tensor was a buffer) is what the
optimizer now learns. The gradient reaches ``original`` through the ordinary autograd graph
of each ``P_i.forward``: nothing here has a backward rule of its own.

How it works (PyTorch's design, kept so that scripts and checkpoints carry over):

* the tensor moves to ``module.parametrizations.<name>.original``: ``parametrizations`` is a
  ``ModuleDict`` of ``ParametrizationList``\\ s, so ``state_dict()`` keys become
  ``"parametrizations.weight.original"``;
* the module's class is swapped for a one-off subclass ``Parametrized<Class>`` that carries a
  ``property`` named ``weight``: reading it runs the parametrizations, assigning to it runs
  their ``right_inverse`` (so ``module.weight = W`` stores ``original = P^-1(W)``);
* if the first parametrization's ``right_inverse`` returns several tensors (weight norm:
  ``(g, v)``), they are stored as ``original0``, ``original1``, ... and its ``forward``
  takes them all.

``cached()`` computes each parametrized tensor once inside a block (an RNN step loop).
``remove_parametrizations`` puts a plain parameter back, with the parametrized value
(``leave_parametrized=True``) or the original one, and restores the class when none is left.
"""

from __future__ import annotations

import collections.abc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ...autograd import no_grad
from ...tensor import Tensor
from ..containers import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "transfer_parametrizations_and_params",
    "type_before_parametrizations",
]

# The cache of cached(): (id(module), tensor name) -> the value computed in this block.
# A depth counter, so that nested cached() blocks clear it only when the outermost one ends.
_cache_depth = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Inside this block each parametrized tensor is computed once and then reused.

    Useful when a forward reads the same parametrized weight many times (the recurrent weight
    of an RNN over a sequence): the parametrization runs once, and the graph holds one copy.
    The values are forgotten when the (outermost) block ends.

    Example::

        with parametrize.cached():
            out = model(x)
    """
    global _cache_depth, _cache
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, value: Tensor) -> None:
    """A Parameter stays a parameter; any other Tensor becomes a buffer (as it came in)."""
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_values(dest: Tensor, src: Tensor) -> None:
    """Make ``dest`` hold ``src``'s numbers (sharing memory, like ``Tensor.set_``), keeping ``dest``
    itself: an optimizer that holds the Parameter object keeps working."""
    dest.array = src.array
    dest._version[0] += 1


def _type_name(x: Any) -> str:
    return type(x).__name__


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, with the tensor(s) they start from.

    ``module.parametrizations[name]`` is one of these: entry 0 is applied to ``original``
    (or to ``original0, original1, ...``), each later entry to the previous result.
    Built by ``register_parametrization``; not meant to be made by hand.

    Args:
        modules: the parametrizations (at least one).
        original: the Parameter or buffer being parametrized.
        unsafe: skip the check that the parametrized tensor keeps ``original``'s shape and dtype.
    """

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules, got none")
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = tuple(original.shape), original.dtype
        # The starting value: right_inverse of each parametrization, last one first (one
        # without right_inverse, or whose right_inverse raises NotImplementedError, counts
        # as the identity).
        with no_grad():
            new = original
            for parametrization in reversed(list(self)):
                if hasattr(parametrization, "right_inverse"):
                    try:
                        new = parametrization.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, collections.abc.Sequence)):
            raise ValueError(
                "'right_inverse' must return a Tensor or a sequence of Tensors (list, tuple...), "
                f"got {_type_name(new)}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if new.dtype != original.dtype:
                raise ValueError(
                    "when 'right_inverse' returns one tensor it may not change the dtype: "
                    f"original has dtype {original.dtype}, right_inverse(original) has {new.dtype}"
                )
            with no_grad():
                _set_values(original, new)
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, part in enumerate(new):
                if not isinstance(part, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a Tensor or a sequence of Tensors, got "
                        f"element {i} of type {_type_name(part)}"
                    )
                if isinstance(original, Parameter):
                    part = Parameter(part, original.requires_grad)
                part.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{i}", part)
        if not self.unsafe:
            z = self()
            _check_result(z, shape, dtype, "the unparametrized tensor")

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` as the parametrized tensor: ``original = P_1^-1(...P_k^-1(value))``.

        This is what ``module.weight = value`` runs. Every parametrization must then have a
        ``right_inverse``.
        """
        with no_grad():
            for parametrization in reversed(list(self)):
                if not hasattr(parametrization, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {_type_name(parametrization)} does not implement "
                        "right_inverse, so the parametrized tensor cannot be assigned to"
                    )
                value = parametrization.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(
                        f"'right_inverse' should return a Tensor, got {_type_name(value)}"
                    )
                if value.dtype != self.original.dtype:
                    raise ValueError(
                        f"the tensor returned by 'right_inverse' has dtype {value.dtype} while "
                        f"'original' has dtype {self.original.dtype}"
                    )
                _set_values(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ValueError(
                    f"'right_inverse' must return a sequence of Tensors, got {_type_name(value)}"
                )
            if len(value) != self.ntensors:
                raise ValueError(
                    f"'right_inverse' must return a sequence of {self.ntensors} Tensors, got "
                    f"{len(value)}"
                )
            for i, tensor in enumerate(value):
                original_i = getattr(self, f"original{i}")
                if not isinstance(tensor, Tensor):
                    raise ValueError(
                        f"'right_inverse' must return Tensors, got element {i} of type "
                        f"{_type_name(tensor)}"
                    )
                if tensor.dtype != original_i.dtype:
                    raise ValueError(
                        f"tensor {i} returned by 'right_inverse' has dtype {tensor.dtype} while "
                        f"'original{i}' has dtype {original_i.dtype}"
                    )
                _set_values(original_i, tensor)

    def forward(self) -> Tensor:
        """The parametrized tensor: ``P_k(... P_1(original))``."""
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for parametrization in list(self)[1:]:
            x = parametrization(x)
        return x


def _check_result(z: Any, shape: tuple, dtype: Any, before: str) -> None:
    """A safe parametrization returns a Tensor of the shape and dtype it was given."""
    if not isinstance(z, Tensor):
        raise ValueError(f"a parametrization must return a Tensor, got {_type_name(z)}")
    if z.dtype != dtype:
        raise ValueError(
            f"registering a parametrization may not change the dtype of the tensor unless "
            f"unsafe=True: {before} has dtype {dtype}, the parametrized one {z.dtype}"
        )
    if tuple(z.shape) != shape:
        raise ValueError(
            f"registering a parametrization may not change the shape of the tensor unless "
            f"unsafe=True: {before} has shape {shape}, the parametrized one {tuple(z.shape)}"
        )


def _inject_new_class(module: Module) -> None:
    """Give ``module`` a class of its own, ``Parametrized<Class>``, to hang properties on.

    A property lives on a class; a one-off subclass keeps other instances of the layer
    untouched. ``remove_parametrizations`` swaps the original class back.
    """
    cls = module.__class__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})


def _inject_property(module: Module, tensor_name: str) -> None:
    """Add the property ``tensor_name`` to the module's (already swapped) class."""
    if hasattr(module, tensor_name):
        raise RuntimeError(f"module already has an attribute named {tensor_name!r}")

    def get_parametrized(self: Module) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_depth:
            return parametrization()
        key = (id(self), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` (a Module), from now on.

    The first parametrization of a tensor moves it to
    ``module.parametrizations[tensor_name].original``, after passing it through
    ``parametrization.right_inverse`` if there is one (so that the parametrized tensor starts
    at the value the tensor had). If ``right_inverse`` returns a tuple, its parts become
    ``original0``, ``original1``, ... and ``parametrization.forward`` takes them all. A second
    parametrization of the same tensor is applied to the output of the first.

    Args:
        module: the module that holds the tensor.
        tensor_name: the name of a parameter or buffer of ``module`` (or of a tensor that is
            parametrized already).
        parametrization: a Module whose ``forward(X)`` returns the parametrized tensor;
            optionally with ``right_inverse(Y)`` returning an ``X`` with ``forward(X) = Y``.
        unsafe: allow the parametrization to change the shape or dtype (no check is run).

    Returns:
        ``module`` (its class is now ``Parametrized<Class>``).

    Example::

        class Symmetric(nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

        layer = nn.Linear(3, 3)
        register_parametrization(layer, "weight", Symmetric())
        layer.weight          # symmetric, computed from layer.parametrizations.weight.original
    """
    if not isinstance(module, Module):
        raise TypeError(f"register_parametrization expects a Module, got {_type_name(module)}")
    if not isinstance(parametrization, Module):
        raise TypeError(
            f"register_parametrization: the parametrization must be a Module, got "
            f"{_type_name(parametrization)}"
        )
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        # A further parametrization: check that it maps tensors like module.<name> to such
        # tensors (and its right_inverse too); right_inverse is not applied now.
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            _check_result(x, tuple(y.shape), y.dtype, f"module.{tensor_name}")
            if hasattr(parametrization, "right_inverse"):
                try:
                    z = parametrization.right_inverse(x)
                except NotImplementedError:
                    pass
                else:
                    if not isinstance(z, Tensor):
                        raise ValueError(
                            "parametrization.right_inverse must return a Tensor, got "
                            f"{_type_name(z)}"
                        )
                    if z.dtype != y.dtype or tuple(z.shape) != tuple(y.shape):
                        raise ValueError(
                            "parametrization.right_inverse must return a Tensor of the shape "
                            f"and dtype of module.{tensor_name} ({tuple(y.shape)}, {y.dtype}) "
                            f"unless unsafe=True, got ({tuple(z.shape)}, {z.dtype})"
                        )
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        if not isinstance(original, Tensor):
            raise ValueError(
                f"register_parametrization: {tensor_name!r} of {_type_name(module)} is None; "
                "only a Tensor can be parametrized"
            )
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(
            f"module {_type_name(module)} has no parameter, buffer or parametrized tensor "
            f"named {tensor_name!r}"
        )
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has any parametrization, or one on ``tensor_name`` if it is given."""
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Undo ``register_parametrization``: ``module.<tensor_name>`` becomes a plain tensor again.

    Args:
        module: the parametrized module.
        tensor_name: the parametrized tensor.
        leave_parametrized: keep the current parametrized value (True, default) or go back to
            ``original`` (False; only possible when there is one original tensor). The
            Parameter object ``original`` is kept (given the new values), so an optimizer
            holding it keeps working.

    Returns:
        ``module``; once no parametrization is left its class is the original one again.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"module {_type_name(module)} has no parametrization on {tensor_name!r}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
                _set_values(original, value)
    elif leave_parametrized:
        value = getattr(module, tensor_name)
        original = Parameter(value.detach()) if value.requires_grad else value.detach()
    else:
        raise ValueError(
            "cannot leave unparametrized (leave_parametrized=False) a tensor that is "
            "parametrized by a sequence of tensors (original0, original1, ...)"
        )
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization (its class if it has none)."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(
    from_module: Module, to_module: Module, tensor_name: str | None = None
) -> Module:
    """Register on ``to_module`` the parametrizations of ``from_module`` (of ``tensor_name``, or all),
    with the original tensors' values copied over. Does nothing if ``from_module`` has none."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        source = from_module.parametrizations[name]
        if not hasattr(to_module, name):
            # A placeholder of the original's shape, so that the parametrization can be added.
            to_module.register_parameter(name, Parameter(getattr(from_module, name).detach()))
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        with no_grad():
            if source.is_tensor:
                target.original.array = source.original.array.copy()
            else:
                for i in range(source.ntensors):
                    getattr(target, f"original{i}").array = getattr(
                        source, f"original{i}"
                    ).array.copy()
    return to_module
