"""PyTorch's torch.nn.modules.padding: the padding layers (ConstantPad, ZeroPad, ReflectionPad, ReplicationPad, CircularPad; 1d/2d/3d).

All are glassnet's own (``glassnet.nn.padding``). PyTorch's private bases (``_ConstantPadNd(value)``,
``_ReflectionPadNd()``, ...) are not given: glassnet's padding base takes the padding itself
as its argument, so a subclass written for PyTorch's would be built wrongly.
"""

from __future__ import annotations

from ..padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]
