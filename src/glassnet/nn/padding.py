"""Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad; 1d, 2d and 3d): F.pad as modules.

Each layer stores its padding, always as a tuple of (before, after) pairs listed from the last
axis back, as ``F.pad`` takes it: (left, right) for the 1d layers, (left, right, top, bottom)
for the 2d ones, (left, right, top, bottom, front, back) for the 3d ones; an int means the same amount on every side. The forward pass is ``F.pad``
with the layer's mode (the formulas, and the gradient of each mode, are documented there).
Negative amounts crop, as in PyTorch.

Input shapes follow PyTorch: the constant (zero) layers pad the last one or two axes of any
tensor that has them; the reflection, replication and circular layers take (N, C, W) or
(C, W) for 1d, (N, C, H, W) or (C, H, W) for 2d and (N, C, D, H, W) or (C, D, H, W) for 3d.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .errors import call_function_form
from .functional._args import int_tuple
from .functional.padding import pad
from .module import Module

__all__ = [
    "ZeroPad1d",
    "ZeroPad2d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "CircularPad1d",
    "CircularPad2d",
    "ZeroPad3d",
    "ConstantPad3d",
    "ReflectionPad3d",
    "ReplicationPad3d",
    "CircularPad3d",
]


class _PadNd(Module):
    """Shared by the padding layers: the padding tuple, the input check and the F.pad call.

    Subclasses set ``_spatial`` (1, 2 or 3 padded axes) and ``_mode`` (an F.pad mode).
    """

    _spatial: int = 1
    _mode: str = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        # (left, right), (left, right, top, bottom) or (..., front, back); negative entries crop.
        self.padding = int_tuple(padding, 2 * self._spatial, "padding", type(self).__name__, None)

    def _patterns(self) -> tuple:
        positions = ("D", "H", "W")[-self._spatial :]
        if self._mode == "constant":  # any tensor with the padded axes
            return (("*", *positions),)
        return (("N", "C", *positions), ("C", *positions))

    def _value(self) -> float | None:
        return None

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, *self._patterns())
        return call_function_form(self, pad, input, self.padding, self._mode, self._value())

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Shared by the constant and zero padding layers: the fill ``value``."""

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def _value(self) -> float | None:
        return self.value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd:
    """Shared by ZeroPad1d/2d/3d, placed before their ConstantPad class: the value 0, not taken
    as an argument and not shown in the repr."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)  # the ConstantPad class that follows in the MRO

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last axis with a constant: (left, right) values of ``value`` added.

    ``y[..., i] = x[..., i - left]`` inside, ``value`` outside;   dL/dx = g with the padding cut
    off (the constant gets no gradient).

    Args:
        padding: int (both sides) or (left, right); negative amounts crop.
        value: the fill value.

    Shape: input (*, W); output (*, W + left + right).

    Example: ``nn.ConstantPad1d((1, 2), 3.5)(glassnet.ones(1, 2))`` is
    [[3.5, 1, 1, 3.5, 3.5]].
    """


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two axes with a constant: (left, right, top, bottom) of ``value``.

    Args:
        padding: int (all four sides) or (left, right, top, bottom); negative amounts crop.
        value: the fill value.

    Shape: input (*, H, W); output (*, H + top + bottom, W + left + right).

    Example: ``nn.ConstantPad2d((1, 1, 2, 0), -1.0)(images)``.
    """

    _spatial = 2


class ZeroPad1d(_ZeroPadNd, ConstantPad1d):
    """Pad the last axis with zeros: ConstantPad1d with value 0.

    Args:
        padding: int (both sides) or (left, right); negative amounts crop.

    Shape: input (*, W); output (*, W + left + right).

    Example: ``nn.ZeroPad1d(2)(glassnet.ones(3, 4)).shape`` is (3, 8).
    """


class ZeroPad2d(_ZeroPadNd, ConstantPad2d):
    """Pad the last two axes with zeros: ConstantPad2d with value 0.

    Args:
        padding: int (all four sides) or (left, right, top, bottom); negative amounts crop.

    Shape: input (*, H, W); output (*, H + top + bottom, W + left + right).

    Example: ``nn.ZeroPad2d((1, 1, 2, 0))(glassnet.ones(1, 1, 3, 3)).shape`` is (1, 1, 5, 5).
    """


class ReflectionPad1d(_PadNd):
    """Pad the last axis with its mirror image about the edge element (not repeating it).

    [a b c d] padded by (2, 1) -> [c b | a b c d | c];   dL/dx adds each output's gradient
    into the element it was copied from. Each amount must be smaller than the width.

    Args:
        padding: int (both sides) or (left, right).

    Shape: input (N, C, W) or (C, W); output width W + left + right.

    Example: ``nn.ReflectionPad1d(2)(signals)`` before a convolution, instead of zeros.
    """

    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two axes (height and width) by reflection about the edge rows and columns.

    Args:
        padding: int (all four sides) or (left, right, top, bottom), each smaller than the
            axis it pads.

    Shape: input (N, C, H, W) or (C, H, W); output (*, H + top + bottom, W + left + right).

    Example: ``nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(3, 8, 3))`` keeps the size.
    """

    _spatial = 2
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last axis by repeating its edge element: [a b c d] by (2, 1) -> [a a | a b c d | d].

    dL/dx: the edge elements collect the gradients of all their copies.

    Args:
        padding: int (both sides) or (left, right).

    Shape: input (N, C, W) or (C, W); output width W + left + right.

    Example: ``nn.ReplicationPad1d((3, 0))(series)``.
    """

    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two axes by repeating the edge rows and columns (corners repeat the corner).

    Args:
        padding: int (all four sides) or (left, right, top, bottom).

    Shape: input (N, C, H, W) or (C, H, W); output (*, H + top + bottom, W + left + right).

    Example: ``nn.ReplicationPad2d(1)(images)``.
    """

    _spatial = 2
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """Pad the last axis by wrapping around: [a b c d] by (2, 1) -> [c d | a b c d | a].

    For periodic signals; dL/dx adds each output's gradient into the element it copies.
    Each amount may be at most the width (one wrap).

    Args:
        padding: int (both sides) or (left, right).

    Shape: input (N, C, W) or (C, W); output width W + left + right.

    Example: ``nn.CircularPad1d(1)(angles_over_time)``.
    """

    _mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last two axes by wrapping around (a torus: the top continues the bottom).

    Args:
        padding: int (all four sides) or (left, right, top, bottom).

    Shape: input (N, C, H, W) or (C, H, W); output (*, H + top + bottom, W + left + right).

    Example: ``nn.CircularPad2d(1)(periodic_field)``.
    """

    _spatial = 2
    _mode = "circular"


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three axes with a constant: (left, right, top, bottom, front, back) of ``value``.

    Args:
        padding: int (all six sides) or (left, right, top, bottom, front, back); negative
            amounts crop.
        value: the fill value.

    Shape: input (*, D, H, W); output (*, D + front + back, H + top + bottom, W + left + right).

    Example: ``nn.ConstantPad3d((1, 1, 0, 0, 2, 2), 0.5)(volumes)``.
    """

    _spatial = 3


class ZeroPad3d(_ZeroPadNd, ConstantPad3d):
    """Pad the last three axes with zeros: ConstantPad3d with value 0.

    Args:
        padding: int (all six sides) or (left, right, top, bottom, front, back).

    Shape: input (*, D, H, W); output (*, D + front + back, H + top + bottom, W + left + right).

    Example: ``nn.ZeroPad3d(1)(glassnet.ones(1, 1, 2, 2, 2)).shape`` is (1, 1, 4, 4, 4).
    """


class ReflectionPad3d(_PadNd):
    """Pad the last three axes (depth, height, width) by reflection about the edge elements.

    Args:
        padding: int (all six sides) or (left, right, top, bottom, front, back), each
            smaller than the axis it pads.

    Shape: input (N, C, D, H, W) or (C, D, H, W); output (*, D + front + back,
    H + top + bottom, W + left + right).

    Example: ``nn.Sequential(nn.ReflectionPad3d(1), nn.Conv3d(1, 4, 3))`` keeps the size.
    """

    _spatial = 3
    _mode = "reflect"


class ReplicationPad3d(_PadNd):
    """Pad the last three axes by repeating the edge elements (faces, edges and corners).

    Args:
        padding: int (all six sides) or (left, right, top, bottom, front, back).

    Shape: input (N, C, D, H, W) or (C, D, H, W); output as for ReflectionPad3d.

    Example: ``nn.ReplicationPad3d(1)(volumes)``.
    """

    _spatial = 3
    _mode = "replicate"


class CircularPad3d(_PadNd):
    """Pad the last three axes by wrapping around (periodic in depth, height and width).

    Args:
        padding: int (all six sides) or (left, right, top, bottom, front, back), each at
            most the size of the axis it pads.

    Shape: input (N, C, D, H, W) or (C, D, H, W); output as for ReflectionPad3d.

    Example: ``nn.CircularPad3d(1)(periodic_volume)``.
    """

    _spatial = 3
    _mode = "circular"
