"""State-dict hooks (run around ``state_dict()`` / ``load_state_dict()``) and load_state_dict's result and error types.

PyTorch lets a module change what it saves and how it reads a checkpoint, for instance to
rename an old key (``'w'`` -> ``'weight'``) before loading or to add an entry when saving.
Four kinds of hook, each kept in a dict on the module under PyTorch's attribute name:

* ``register_state_dict_pre_hook(hook)``: ``hook(module, prefix, keep_vars)`` before the
  module saves its own entries;
* ``register_state_dict_post_hook(hook)``: ``hook(module, state_dict, prefix, local_metadata)``
  after the module and its children have saved (it may change ``state_dict`` in place);
  the older ``_register_state_dict_hook`` may instead return a new dict;
* ``register_load_state_dict_pre_hook(hook)``: ``hook(module, state_dict, prefix,
  local_metadata, strict, missing_keys, unexpected_keys, error_msgs)`` before anything is
  loaded; it sees (and may edit) a copy of the checkpoint;
* ``register_load_state_dict_post_hook(hook)``: ``hook(module, incompatible_keys)`` after
  loading; it may remove keys from the two lists (a strict load then succeeds).

The walks below go through the tree as ``state_dict`` does: a module's own parameters and
persistent buffers under its dotted prefix, then each child under ``prefix + name + "."``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from .hooks import RemovableHandle, add_hook

__all__ = [
    "IncompatibleKeys",
    "LoadHookResult",
    "StateDictError",
    "StateDictHookMethods",
    "has_state_hooks",
    "run_load_post_hooks",
    "run_load_pre_hooks",
    "state_dict_with_hooks",
]


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


SAVE_HOOKS = ("_state_dict_pre_hooks", "_state_dict_hooks")


def _store(module: Any, name: str) -> dict:
    # Made on first use, so modules without hooks carry no extra dicts.
    return module.__dict__.setdefault(name, {})


def _metadata(module: Any) -> dict:
    """PyTorch's per-module ``local_metadata``: the layout version of the module's class."""
    return {"version": getattr(type(module), "_version", 1)}


class StateDictHookMethods:
    """The hook registration methods of ``Module`` that concern its saved state."""

    @property
    def _non_persistent_buffers_set(self) -> set:
        """PyTorch's name of the set of buffer names ``state_dict`` leaves out."""
        return self._non_persistent_buffers

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before this module saves its entries."""
        return add_hook(_store(self, "_state_dict_pre_hooks"), hook)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after this module (and its
        children) saved; the hook edits ``state_dict`` in place and returns None."""
        return add_hook(_store(self, "_state_dict_hooks"), (hook, True))

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        """The older post hook: like ``register_state_dict_post_hook``, but a dict it returns
        replaces the state_dict built so far."""
        return add_hook(_store(self, "_state_dict_hooks"), (hook, False))

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before loading (see the module docstring)."""
        return add_hook(_store(self, "_load_state_dict_pre_hooks"), (hook, True))

    def _register_load_state_dict_pre_hook(
        self, hook: Callable, with_module: bool = False
    ) -> RemovableHandle:
        """The older load pre-hook: called without the module unless ``with_module=True``."""
        return add_hook(_store(self, "_load_state_dict_pre_hooks"), (hook, with_module))

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` after loading; it may edit the two lists."""
        return add_hook(_store(self, "_load_state_dict_post_hooks"), hook)


def _walk(module: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(prefix, module)`` for the module and everything below, as state_dict visits them."""
    yield prefix, module
    for name, child in module._modules.items():
        if child is not None:
            yield from _walk(child, prefix + name + ".")


def has_state_hooks(module: Any, names: tuple[str, ...]) -> bool:
    """Whether any module of the tree has a hook in one of the stores ``names``."""
    return any(m.__dict__.get(name) for _, m in _walk(module) for name in names)


def state_dict_with_hooks(module: Any, destination: dict, prefix: str, keep_vars: bool) -> dict:
    """``module.state_dict(...)`` with its save hooks run, module by module."""
    for hook in list(module.__dict__.get("_state_dict_pre_hooks", {}).values()):
        hook(module, prefix, keep_vars)
    for name, p in module._parameters.items():
        if p is not None:
            destination[prefix + name] = p if keep_vars else p.detach()
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent_buffers:
            destination[prefix + name] = b if keep_vars else b.detach()
    for name, child in module._modules.items():
        if child is not None:
            destination = state_dict_with_hooks(child, destination, prefix + name + ".", keep_vars)
    for hook, public in list(module.__dict__.get("_state_dict_hooks", {}).values()):
        result = hook(module, destination, prefix, _metadata(module))
        if result is not None:
            if public:
                raise RuntimeError(
                    "a state_dict post hook must change the state_dict in place and return "
                    f"None, got {type(result).__name__}"
                )
            destination = result
    return destination


class LoadHookResult(NamedTuple):
    """What the load pre-hooks leave: the (copied) checkpoint and what they reported."""

    state_dict: OrderedDict
    missing_keys: list
    unexpected_keys: list
    error_msgs: list


def run_load_pre_hooks(module: Any, state_dict: Mapping[str, Any]) -> LoadHookResult:
    """Copy ``state_dict`` (the caller's stays as it was), run every load pre-hook on it, and
    let the modules fill in what an older checkpoint lacked (``complete_old_checkpoint``)."""
    copied = OrderedDict(state_dict)
    missing: list = []
    unexpected: list = []
    errors: list = []
    for prefix, m in _walk(module):
        for hook, with_module in list(m.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
            # PyTorch passes strict=True here whatever the caller asked; so does glassnet.
            rest = (copied, prefix, _metadata(m), True, missing, unexpected, errors)
            if with_module:
                hook(m, *rest)
            else:
                hook(*rest)
    complete_old_checkpoint(module, copied, getattr(state_dict, "_metadata", None))
    return LoadHookResult(copied, missing, unexpected, errors)


def complete_old_checkpoint(module: Any, state_dict: dict, metadata: Mapping | None) -> None:
    """Let each module that knows older layouts of its state fill in what they lacked.

    PyTorch modules do this in ``_load_from_state_dict`` from the checkpoint's per-module
    ``version`` (``state_dict._metadata``; None when the dict carries none); in glassnet a
    module opts in with ``_complete_old_state_dict(state_dict, prefix, version)``.
    """
    for prefix, m in _walk(module):
        complete = getattr(m, "_complete_old_state_dict", None)
        if complete is not None:
            local = metadata.get(prefix[:-1], {}) if metadata is not None else {}
            complete(state_dict, prefix, local.get("version"))


def run_load_post_hooks(module: Any, keys: Any) -> bool:
    """Run every load post-hook with ``keys``; say whether there was any."""
    ran = False
    for _, m in _walk(module):
        for hook in list(m.__dict__.get("_load_state_dict_post_hooks", {}).values()):
            result = hook(m, keys)
            if result is not None:
                raise RuntimeError(
                    "a load_state_dict post hook must return None (it may edit the "
                    f"missing_keys and unexpected_keys lists), got {type(result).__name__}"
                )
            ran = True
    return ran
