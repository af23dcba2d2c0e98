"""``skip_init``: PyTorch's way of making a module without spending time on its initial weights."""

from __future__ import annotations

from typing import Any

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """``module_cls(*args, **kwargs)`` whose weights the caller will set itself.

    PyTorch builds the module on its "meta" device (shapes, no numbers) and then gives it
    uninitialised memory, so the constructor's random initialisation costs nothing. glassnet
    has no meta device: it builds the module as usual. Either way the caller must set every
    weight before use; here they merely happen to hold the constructor's initial values.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise TypeError(f"skip_init: expected an nn.Module class, got {module_cls!r}")
    kwargs.pop("device", None)  # PyTorch requires the class to accept device=; glassnet's CPU
    return module_cls(*args, **kwargs)
