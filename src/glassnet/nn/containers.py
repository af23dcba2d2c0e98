"""Containers: Sequential (a chain of layers); ModuleList/Dict, ParameterList/Dict (registered sets).

Putting layers in a plain Python list hides them from ``parameters()``, ``state_dict()`` and
``train()``; these containers register every member as a submodule (named ``"0"``, ``"1"``,
... or by key), so the model sees them.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from .module import Module, _indent
from .parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _check_module(module: Any, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where} takes Modules, got {type(module).__name__}")
    return module


def _index(idx: Any, length: int, where: str) -> int:
    """A Python index (negative counts from the end) turned into a position in range."""
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(
            f"{where} indices must be integers or slices, got {type(idx).__name__}"
        ) from None
    if not -length <= i < length:
        raise IndexError(f"{where} index {i} is out of range for {length} modules")
    return i + length if i < 0 else i


def _store_numbered(store: dict[str, Module], items: list[Module]) -> None:
    """Refill ``store`` with ``items`` named "0", "1", ... in order.

    Inserting or deleting in the middle of a list shifts every later position, and the names
    must keep matching the positions (``model[2]`` is the module named "2"), so the whole
    store is rebuilt rather than patched.
    """
    store.clear()
    for i, module in enumerate(items):
        store[str(i)] = module


class Sequential(Module):
    """A chain of modules: ``forward(x)`` feeds ``x`` through each in turn.

    Args:
        *args: modules in order (named "0", "1", ...), or a single ``OrderedDict`` of
            name -> module (those names are used).

    Example::

        model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
        model[0]          # the first Linear
        model[:2]         # a Sequential of the first two (same module objects)
        len(model)        # 3
        y = model(x)      # model[2](model[1](model[0](x)))
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], Mapping):
            for name, module in args[0].items():
                self.add_module(name, _check_module(module, "Sequential"))
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), _check_module(module, "Sequential"))

    def forward(self, input: Any) -> Any:  # noqa: A002 - PyTorch's argument name
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self), "Sequential")]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self), "Sequential")]
        self._modules[key] = _check_module(module, "Sequential")

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        targets = (
            keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys), "Sequential")]]
        )
        for key in targets:
            del self._modules[key]
        self._renumber()

    def _renumber(self) -> None:
        # Keep the "0", "1", ... names contiguous (as PyTorch does); custom names are kept.
        items = list(self._modules.items())
        self._modules.clear()
        for i, (key, module) in enumerate(items):
            self._modules[str(i) if key.isdigit() else key] = module

    def append(self, module: Module) -> Sequential:
        """Add a module at the end (named by its position)."""
        self.add_module(str(len(self)), _check_module(module, "Sequential.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Add several modules at the end."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert a module before position ``index`` (positions after it shift by one)."""
        _check_module(module, "Sequential.insert")
        n = len(self)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert index {index} is out of range for {n} modules")
        index = index + n if index < 0 else index
        items = list(self._modules.values())
        items.insert(index, module)
        _store_numbered(self._modules, items)
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index``."""
        module = self[index]
        del self[index]
        return module

    def __add__(self, other: Sequential) -> Sequential:
        """A new Sequential of this one's modules, then ``other``'s (the modules are shared)."""
        if not isinstance(other, Sequential):
            return NotImplemented
        return Sequential(*self, *other)

    def __mul__(self, times: int) -> Sequential:
        """A new Sequential with the modules repeated ``times`` times (shared, not copied)."""
        if not isinstance(times, int) or isinstance(times, bool) or times <= 0:
            raise ValueError(
                f"Sequential can only be repeated a positive int of times, got {times!r}"
            )
        return Sequential(*(list(self) * times))

    __rmul__ = __mul__


class _NumberedList(Module):
    """The list protocol shared by ModuleList and ParameterList: members named "0", "1", ...

    As with ``_NamedDict`` below, the members live in one of Module's own stores
    (``_modules`` or ``_parameters``), named by position; reading and iterating are the same
    on either, so they are written once here. Adding and replacing members stay in each
    subclass, since a module and a parameter are checked and registered differently.
    """

    _kind = ""  # the class name shown in error messages, set by each subclass

    def _store(self) -> dict[str, Any]:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._store())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._store().values())

    def __getitem__(self, idx: int | slice) -> Any:
        store = self._store()
        if isinstance(idx, slice):
            return type(self)(list(store.values())[idx])
        return store[str(_index(idx, len(self), self._kind))]


class ModuleList(_NumberedList):
    """A list of modules that the parent model can see (their parameters are registered).

    Use it for a variable number of layers that ``forward`` walks itself::

        self.blocks = ModuleList([Block() for _ in range(4)])
        ...
        for block in self.blocks:
            x = block(x)

    It has no ``forward`` of its own. Supports indexing, slicing (a new ModuleList of the
    same modules), ``len``, iteration, ``append``, ``extend``, ``insert``, ``pop``, ``del``
    and ``+=``.
    """

    _kind = "ModuleList"

    def _child_lines(self) -> list[str]:
        """Runs of identical members shown once, as PyTorch prints them: ``(0-2): 3 x Linear(...)``."""
        lines, members = [], list(self._modules.items())
        start = 0
        while start < len(members):
            text = repr(members[start][1])
            end = start + 1
            while end < len(members) and repr(members[end][1]) == text:
                end += 1
            first, last = members[start][0], members[end - 1][0]
            label = f"({first}): " if end - start == 1 else f"({first}-{last}): {end - start} x "
            lines.append(label + _indent(text, 2))
            start = end
        return lines

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _store(self) -> dict[str, Any]:
        return self._modules

    def __setitem__(self, idx: int, module: Module) -> None:
        key = str(_index(idx, len(self), "ModuleList"))
        self._modules[key] = _check_module(module, "ModuleList")

    def __delitem__(self, idx: int | slice) -> None:
        items = list(self._modules.values())
        if isinstance(idx, slice):
            del items[idx]
        else:
            del items[_index(idx, len(items), "ModuleList")]
        _store_numbered(self._modules, items)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return type(self)(list(self) + list(other))

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end."""
        self.add_module(str(len(self)), _check_module(module, "ModuleList.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add several modules at the end."""
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("ModuleList.extend takes an iterable of Modules, got a single Module")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position ``index``."""
        _check_module(module, "ModuleList.insert")
        items = list(self._modules.values())
        items.insert(index, module)
        _store_numbered(self._modules, items)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index``."""
        module = self[index]
        del self[index]
        return module


class _NamedDict(Module):
    """The dict protocol shared by ModuleDict and ParameterDict (keys are member names).

    The members live in one of the stores every Module already keeps (``_modules`` for
    ModuleDict, ``_parameters`` for ParameterDict), so ``parameters()``, ``state_dict()`` and
    ``train()`` see them with no extra bookkeeping. Reading, deleting and iterating work the
    same on either store, so they are written once here; each subclass names its store and
    says how a member is added (``__setitem__``), since a module and a parameter are checked
    and registered differently.
    """

    _kind = ""  # the class name shown in error messages, set by each subclass

    def _store(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        store = self._store()
        if key not in store:
            raise KeyError(f"{self._kind} has no key {key!r}; keys are {list(store)}")
        return store[key]

    def __delitem__(self, key: str) -> None:
        store = self._store()
        if key not in store:
            raise KeyError(f"{self._kind} has no key {key!r}")
        del store[key]

    def __len__(self) -> int:
        return len(self._store())

    def __iter__(self) -> Iterator[str]:
        return iter(self._store())

    def __contains__(self, key: object) -> bool:
        return key in self._store()

    def keys(self) -> Iterable[str]:
        return self._store().keys()

    def values(self) -> Iterable[Any]:
        return self._store().values()

    def get(self, key: str, default: Any = None) -> Any:
        """The entry under ``key``, or ``default`` when there is none."""
        return self._store().get(key, default)

    def pop(self, key: str) -> Any:
        """Remove and return the entry under ``key``."""
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        """Remove all entries."""
        self._store().clear()

    def items(self) -> Iterable[tuple[str, Any]]:
        return self._store().items()


class ModuleDict(_NamedDict):
    """A dict of named modules that the parent model can see (keys become submodule names).

    Example::

        self.heads = ModuleDict({"class": Linear(64, 10), "box": Linear(64, 4)})
        ...
        outputs = {name: head(x) for name, head in self.heads.items()}

    Supports ``d[key]``, ``d[key] = module``, ``del d[key]``, ``in``, ``len``, iteration over
    keys, ``keys()``, ``values()``, ``items()``, ``update()``, ``pop()`` and ``clear()``.
    Insertion order is kept. It has no ``forward`` of its own.
    """

    _kind = "ModuleDict"

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _store(self) -> dict[str, Any]:
        return self._modules

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict"))

    def update(self, modules: Mapping[str, Module] | Iterable) -> None:
        """Add or replace entries from a mapping or from ``(key, module)`` pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for j, pair in enumerate(pairs):
            if isinstance(modules, Mapping):
                key, module = pair
            else:
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise TypeError(
                        f"ModuleDict.update: element {j} should be a (key, module) pair, got "
                        f"{type(pair).__name__}"
                    )
                key, module = pair
            self[key] = module


def _as_parameter(value: Any, where: str) -> Parameter:
    """Parameters are stored as they are; other Tensors and arrays are wrapped (as in PyTorch)."""
    if isinstance(value, Parameter):
        return value
    from ..tensor import Tensor

    if isinstance(value, (Tensor, np.ndarray)):
        return Parameter(value)
    raise TypeError(f"{where} takes Parameters (or Tensors to wrap), got {type(value).__name__}")


def _parameter_line(name: Any, p: Parameter) -> str:
    """One line of a ParameterList/ParameterDict repr: the name, dtype and size, not the values."""
    return f"({name}): Parameter containing: [{p.dtype} of size {tuple(p.shape)}]"


class ParameterList(_NumberedList):
    """A list of parameters registered under the names "0", "1", ... (e.g. one per head).

    Tensors and arrays given to it are wrapped in ``Parameter``. Supports indexing, ``len``,
    iteration, ``append`` and ``extend``.
    """

    _kind = "ParameterList"

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _store(self) -> dict[str, Any]:
        return self._parameters

    def __setitem__(self, idx: int, value: Any) -> None:
        key = str(_index(idx, len(self), "ParameterList"))
        self._parameters[key] = _as_parameter(value, "ParameterList")

    def append(self, value: Any) -> ParameterList:
        """Add a parameter at the end."""
        self.register_parameter(str(len(self)), _as_parameter(value, "ParameterList.append"))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add several parameters at the end."""
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(i, p) for i, p in enumerate(self))


class ParameterDict(_NamedDict):
    """A dict of named parameters (keys become parameter names); insertion order is kept.

    Tensors and arrays given to it are wrapped in ``Parameter``. Supports ``d[key]``,
    ``d[key] = value``, ``del d[key]``, ``in``, ``len``, iteration over keys, ``keys()``,
    ``values()``, ``items()`` and ``update()``.
    """

    _kind = "ParameterDict"

    def __init__(self, values: Mapping[str, Any] | Iterable | None = None) -> None:
        super().__init__()
        if values is not None:
            self.update(values)

    def _store(self) -> dict[str, Any]:
        return self._parameters

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def update(self, values: Mapping[str, Any] | Iterable) -> None:
        """Add or replace entries from a mapping or from ``(key, value)`` pairs.

        A plain dict's entries are added in sorted key order, as PyTorch does (an OrderedDict,
        a ParameterDict or a list of pairs keeps its order).
        """
        if isinstance(values, (OrderedDict, ParameterDict)):
            pairs = list(values.items())
        elif isinstance(values, Mapping):
            pairs = sorted(values.items())
        else:
            pairs = values
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(k, p) for k, p in self.items())
