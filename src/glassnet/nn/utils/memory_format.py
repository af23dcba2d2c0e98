"""``nn.utils.convert_conv2d_weight_memory_format`` / ``convert_conv3d_weight_memory_format``.

In PyTorch these re-store the weights of every (transposed) convolution in a module tree in
another memory order (``channels_last``: the channels of one pixel side by side), which helps
some GPU kernels. glassnet keeps one memory order (see ``glassnet/layouts.py``), so the weights
are left as they are; what remains is PyTorch's contract: the format is checked as PyTorch
checks it (a ``memory_format`` object; ``channels_last`` only for 4-D weights,
``channels_last_3d`` only for 5-D ones; ``preserve_format`` refused) on each convolution met,
and the module itself is returned.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ...errors import ValueRangeError
from ...layouts import channels_last, channels_last_3d, memory_format, preserve_format
from ..conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from ..module import Module

_M = TypeVar("_M", bound=Module)

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _check_weight_format(weight: Any, format: Any, who: str) -> None:
    """Refuse, in PyTorch's words, a format this weight could not be stored in."""
    if not isinstance(format, memory_format):
        raise TypeError(
            f"{who}: memory_format must be a glassnet.memory_format (such as "
            f"glassnet.channels_last), got {type(format).__name__} {format!r}"
        )
    if format is preserve_format:
        raise ValueRangeError(f"{who}: unsupported memory format preserve_format for a weight")
    for special, rank in ((channels_last, 4), (channels_last_3d, 5)):
        if format is special and weight.ndim != rank:
            raise ValueRangeError(
                f"{who}: required rank {rank} tensor to use {format.name} format, "
                f"got a weight of rank {weight.ndim}"
            )


def _convert(module: Module, format: Any, kinds: tuple, who: str) -> None:
    # Every module of the tree, the root included, as PyTorch's recursion over children.
    for sub in module.modules():
        if isinstance(sub, kinds):
            _check_weight_format(sub.weight, format, who)


def convert_conv2d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """Give the weights of every ``Conv2d`` / ``ConvTranspose2d`` in ``module`` ``memory_format``.

    glassnet stores every tensor in one order, so nothing moves; the format is checked
    (``channels_last`` or ``contiguous_format`` for these 4-D weights) and ``module`` is returned.
    """
    _convert(
        module, memory_format, (Conv2d, ConvTranspose2d), "convert_conv2d_weight_memory_format"
    )
    return module


def convert_conv3d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """Give the weights of every ``Conv3d`` / ``ConvTranspose3d`` in ``module`` ``memory_format``.

    glassnet stores every tensor in one order, so nothing moves; the format is checked
    (``channels_last_3d`` or ``contiguous_format`` for these 5-D weights) and ``module`` is
    returned.
    """
    _convert(
        module, memory_format, (Conv3d, ConvTranspose3d), "convert_conv3d_weight_memory_format"
    )
    return module
