"""PyTorch's torch.nn.modules.utils: _single / _pair / _triple / _quadruple / _ntuple (a size as a tuple) and consume_prefix_in_state_dict_if_present.

Scripts that write their own layers turn a size argument into one value per axis with these:
``_pair(3) == (3, 3)``, ``_pair((1, 2)) == (1, 2)``. They follow PyTorch's rule, which is
looser than glassnet's own layer-argument check (``nn.functional._args.int_tuple``, which
insists on ints and on the right length): anything iterable is turned into a tuple as it is
(``_pair((1, 2, 3)) == (1, 2, 3)``, ``_pair("ab") == ("a", "b")``), anything else is
repeated n times (``_pair(0.5) == (0.5, 0.5)``, ``_pair(None) == (None, None)``), so a size
checked later by the layer gets the layer's own error message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["consume_prefix_in_state_dict_if_present"]


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple]:
    """The function that gives an n-tuple: ``_ntuple(3)(2) == (2, 2, 2)``.

    Args:
        n: how many copies of a single value (an iterable value is kept as its own tuple).
        name: the returned function's ``__name__`` (shown in tracebacks).
    """

    def parse(x: Any) -> tuple:
        if isinstance(x, Iterable):
            return tuple(x)
        return (x,) * n

    parse.__name__ = name
    parse.__qualname__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t: Iterable[Any], n: int) -> tuple:
    """Each value of ``t``, last first, ``n`` times: ``((1, 2), 2) -> (2, 2, 1, 1)``.

    A convolution's per-axis padding (first axis first) as ``F.pad`` takes it (last axis
    first, before and after).
    """
    return tuple(v for v in reversed(tuple(t)) for _ in range(n))


def _list_with_default(out_size: Any, defaults: list[int]) -> Any:
    """An adaptive pool's output size with each None taken from the input's trailing sizes.

    ``_list_with_default([None, 4], [8, 3, 5, 7]) == [5, 4]``; an int is returned as is.

    Raises:
        ValueError: ``defaults`` (the input's shape) has no more axes than ``out_size``.
    """
    if isinstance(out_size, int):
        return out_size
    out_size = list(out_size)
    if len(defaults) <= len(out_size):
        raise ValueError(
            f"expected an input with at least {len(out_size) + 1} dimensions for output size "
            f"{out_size}, got {len(defaults)}"
        )
    tail = list(defaults)[-len(out_size) :]
    return [d if v is None else v for v, d in zip(out_size, tail)]


def consume_prefix_in_state_dict_if_present(state_dict: dict[str, Any], prefix: str) -> None:
    """Remove ``prefix`` from the front of every key of ``state_dict`` that has it, in place.

    A state dict saved from a wrapped model (``DataParallel`` / ``DistributedDataParallel``
    keep the model as ``.module``, so its keys read ``"module.fc.weight"``) then loads into
    the bare model: ``consume_prefix_in_state_dict_if_present(sd, "module.")``. Keys without the
    prefix are left alone; the renamed ones move after them, in their order (as in PyTorch). A ``_metadata`` dict on the state
    dict (per-module versions) is renamed the same way, the wrapper's own entry
    (``"module"``) becoming the root entry ``""``.
    """
    for key in [k for k in state_dict if k.startswith(prefix)]:
        state_dict[key[len(prefix) :]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if isinstance(metadata, dict):
        root = prefix[:-1] if prefix.endswith(".") else prefix
        for key in list(metadata):
            if key == root:
                metadata[""] = metadata.pop(key)
            elif key.startswith(prefix):
                metadata[key[len(prefix) :]] = metadata.pop(key)
