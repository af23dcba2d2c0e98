"""functional_call: run a module with some parameters and buffers replaced by given tensors.

``functional_call(model, {"fc.weight": w}, (x,))`` computes ``model(x)`` as if ``model.fc.weight``
were ``w``, then puts everything back. The given tensors enter the graph as they are, so the
output is differentiable with respect to them: this is how a model is used as a function of
its weights (meta-learning, per-example gradients, ``glassnet.func.grad``).

The swap writes the given tensors straight into the modules' ``_parameters`` / ``_buffers``
stores (they need not be Parameters) and restores the originals in a ``finally``, even if
the forward raises. Names that are not members yet are set as plain attributes for the
call. Tied tensors (one Parameter under two names) follow each other unless
``tie_weights=False``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ...tensor import Tensor
from ..module import Module

__all__ = ["functional_call"]  # the real one, without the warning: _functional_call

_MISSING = object()


def _untie(module: Module, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` with every name tied to a given one (the same tensor object) added to it."""
    members = dict(module.named_parameters(remove_duplicate=False))
    members.update(module.named_buffers(remove_duplicate=False))
    names_of: dict[int, list[str]] = {}
    for name, tensor in members.items():
        names_of.setdefault(id(tensor), []).append(name)
    result = dict(given)
    for names in names_of.values():
        if len(names) < 2:
            continue
        supplied = [name for name in names if name in given]
        if not supplied:
            continue
        if len({id(given[name]) for name in supplied}) > 1:
            raise ValueError(
                f"functional_call got several values for the tied keys {sorted(names)}; pass "
                "one of them, or use tie_weights=False"
            )
        for name in names:
            result.setdefault(name, given[supplied[0]])
    return result


def _swap(module: Module, dotted: str, value: Any) -> Any:
    """Put ``value`` under the dotted name (``_MISSING``: take it away); return what was there."""
    path, _, name = dotted.rpartition(".")
    owner = module.get_submodule(path) if path else module
    for store_name in ("_parameters", "_buffers"):
        store = owner.__dict__[store_name]
        if name in store:
            old = store[name]
            if value is _MISSING:
                del store[name]
            else:
                store[name] = value
            return old
    old = owner.__dict__.get(name, _MISSING)
    if value is _MISSING:
        owner.__dict__.pop(name, None)
    else:
        object.__setattr__(owner, name, value)
    return old


@contextmanager
def _reparametrize_module(
    module: Module,
    parameters_and_buffers: Mapping[str, Any],
    tie_weights: bool = False,
    strict: bool = False,
) -> Iterator[None]:
    """Within the block, ``module``'s members named in ``parameters_and_buffers`` are the given
    tensors."""
    given = dict(parameters_and_buffers)
    if tie_weights:
        given = _untie(module, given)
    if strict:
        members = {name for name, _ in module.named_parameters(remove_duplicate=False)}
        members |= {name for name, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(members - set(given))
        unexpected = sorted(set(given) - members)
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append("unexpected key(s): " + ", ".join(map(repr, unexpected)))
            if missing:
                parts.append("missing key(s): " + ", ".join(map(repr, missing)))
            raise RuntimeError(
                f"error(s) in reparametrizing for {type(module).__name__}: " + "; ".join(parts)
            )
    for name, value in given.items():
        if not isinstance(value, Tensor):
            raise TypeError(
                f"functional_call: the value for {name!r} must be a Tensor, got "
                f"{type(value).__name__}"
            )
    originals: list[tuple[str, Any]] = []
    try:
        for name, value in given.items():
            originals.append((name, _swap(module, name, value)))
        yield
    finally:
        for name, old in reversed(originals):
            _swap(module, name, old)


def _functional_call(
    module: Module,
    parameter_and_buffer_dicts: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with the named parameters and buffers replaced for the call.

    Args:
        module: the model.
        parameter_and_buffer_dicts: ``{dotted name: Tensor}`` (as in ``state_dict``), or a
            tuple of such dicts (their keys must not overlap).
        args: the positional arguments (a single non-tuple value is one argument).
        kwargs: the keyword arguments.
        tie_weights: tensors shared under several names take the value given for any of them.
        strict: require exactly the module's parameter and buffer names.

    Returns:
        What the module returns; differentiable with respect to the given tensors.

    Example::

        params = {k: v.detach().requires_grad_() for k, v in model.named_parameters()}
        loss = functional_call(model, params, (x,)).sum()
        grads = glassnet.autograd.grad(loss, list(params.values()))
    """
    if not isinstance(module, Module):
        raise TypeError(f"functional_call expects a Module, got {type(module).__name__}")
    if isinstance(parameter_and_buffer_dicts, Mapping):
        merged = dict(parameter_and_buffer_dicts)
    elif isinstance(parameter_and_buffer_dicts, Sequence) and all(
        isinstance(d, Mapping) for d in parameter_and_buffer_dicts
    ):
        merged = {}
        for d in parameter_and_buffer_dicts:
            for key, value in d.items():
                if key in merged:
                    raise ValueError(
                        f"functional_call: {key!r} appears in several dictionaries, so which "
                        "value to use is ambiguous"
                    )
                merged[key] = value
    else:
        raise TypeError(
            "functional_call expects a dict of tensors or a tuple of dicts, got "
            f"{type(parameter_and_buffer_dicts).__name__}"
        )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    kwargs = {} if kwargs is None else kwargs
    with _reparametrize_module(module, merged, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(
    module: Module,
    parameters_and_buffers: Mapping[str, Any],
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """The older name of ``glassnet.func.functional_call`` (same arguments); warns FutureWarning."""
    warnings.warn(
        "nn.utils.stateless.functional_call is deprecated; use func.functional_call, a "
        "drop-in replacement",
        FutureWarning,
        stacklevel=2,
    )
    return _functional_call(
        module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict
    )
