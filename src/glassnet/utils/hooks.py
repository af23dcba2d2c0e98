"""PyTorch's torch.utils.hooks: RemovableHandle and the hook helpers scripts import from there.

``RemovableHandle`` is glassnet's own handle from ``glassnet.nn.hooks`` (the object every
``register_*_hook`` returns), not a copy, so ``isinstance(model.register_forward_hook(f),
RemovableHandle)`` holds and a handle built by a script, ``RemovableHandle(hooks)`` with
``hooks[handle.id] = hook``, removes its entry from that dict as PyTorch's does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..nn.hooks import RemovableHandle

__all__ = ["RemovableHandle", "unserializable_hook"]

_Hook = TypeVar("_Hook", bound=Callable)


def unserializable_hook(f: _Hook) -> _Hook:
    """Mark the hook ``f`` as one that is not saved with its tensor, and return it unchanged.

    A decorator: PyTorch reads the mark (``f.__torch_unserializable__ = True``) to skip its
    warning about hooks lost when a tensor is pickled. glassnet never pickles hooks with a
    tensor, so the mark only keeps scripts that use the decorator working.
    """
    f.__torch_unserializable__ = True  # type: ignore[attr-defined]
    return f
