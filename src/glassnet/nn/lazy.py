"""Lazy layers: LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d (the input size read from the first input).

A lazy layer is built without knowing how many channels (features) its input has: its
parameters start with a 0-sized axis where that number goes. The first call reads it from
the input, gives every parameter and buffer its shape in place (so an optimizer made before
the call still holds the same Parameter objects), draws the initial values as the ordinary
layer does, and turns the layer into that ordinary layer (``Conv2d``, ``BatchNorm1d``...):
its class changes, as in PyTorch, so ``type(layer)``, ``repr`` and ``state_dict`` are then
exactly those of a layer built with the number given. (``nn.LazyLinear`` is the same idea,
in nn/linear.py.)

    >>> conv = nn.LazyConv2d(16, 3)
    >>> conv.weight.shape
    (16, 0, 3, 3)
    >>> y = conv(glassnet.randn(8, 3, 32, 32))
    >>> type(conv).__name__, conv.in_channels, conv.weight.shape
    ('Conv2d', 3, (16, 3, 3, 3))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .functional.conv import SPATIAL_NAMES
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)

__all__ = [
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]


def _reshape_in_place(t: Tensor, shape: tuple, fill: float | None = None) -> None:
    """Give the Parameter or buffer ``t`` a new array of ``shape`` (its dtype kept), in place."""
    dtype = t.array.dtype
    with no_grad():
        t.array = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
        t._version[0] += 1


class _LazyMixin:
    """What every lazy layer shares: the first call materializes, then the class changes.

    Subclasses set ``cls_to_become`` (the ordinary layer) and implement ``_in_size(input)``
    (check the input, return the number read from it), ``_uninitialized()`` and
    ``_materialize(size)`` (shape the parameters and buffers for it).
    """

    cls_to_become: type

    def has_uninitialized_params(self) -> bool:
        """True until the first input has given the parameters their shape."""
        return self._uninitialized()

    def initialize_parameters(self, input: Tensor) -> None:
        """Read the input size from ``input``, shape and draw the parameters, become the
        ordinary layer (``cls_to_become``). Does nothing once the layer is materialized."""
        if not self._uninitialized():
            return
        self._materialize(self._in_size(input))
        self.reset_parameters()
        self.__class__ = self.cls_to_become

    def reset_parameters(self) -> None:
        if not self._uninitialized():  # nothing to draw until the input gives the shape
            self.cls_to_become.reset_parameters(self)

    def forward(self, input: Tensor, *args: Any, **kwargs: Any) -> Any:
        ordinary = self.cls_to_become  # read now: after the first call the class is that one
        self.initialize_parameters(input)
        return ordinary.forward(self, input, *args, **kwargs)


# ----------------------------------------------------------------------------------------------
# Convolutions: in_channels from the channel axis of the first input
# ----------------------------------------------------------------------------------------------


class _LazyConv(_LazyMixin):
    """A convolution whose ``in_channels`` is 0 until the first input gives it.

    The weight is (out_channels, 0, *kernel) ((0, out_channels/groups, *kernel) for a
    transposed one) until then; ``groups`` must divide the channel count that arrives.
    """

    def _make_lazy(self) -> None:
        """Called at the end of __init__ (built with in_channels = groups): set the 0 size."""
        self.in_channels = 0
        shape = list(self.weight.shape)
        shape[1 if not self._transposed else 0] = 0
        _reshape_in_place(self.weight, tuple(shape))

    def _uninitialized(self) -> bool:
        return self.in_channels == 0

    def _in_size(self, input: Tensor) -> int:
        names = SPATIAL_NAMES[self._nd]
        self.check_input_shape(input, ("N", "C_in", *names), ("C_in", *names))
        channels = int(input.shape[-self._nd - 1])
        if channels == 0 or channels % self.groups:
            raise self.layer_error(
                f"the input has {channels} channels (input shape {tuple(input.shape)}), which "
                f"must be a positive multiple of groups ({self.groups})",
                ValueError,
            )
        return channels

    def _materialize(self, channels: int) -> None:
        self.in_channels = channels
        kernel = tuple(self.kernel_size)
        if self._transposed:
            shape = (channels, self.out_channels // self.groups) + kernel
        else:
            shape = (self.out_channels, channels // self.groups) + kernel
        _reshape_in_place(self.weight, shape)


def _lazy_conv_class(base: type, nd: int) -> type:
    """LazyConv{nd}d: ``base``'s arguments without in_channels (PyTorch's order)."""

    class LazyConv(_LazyConv, base):
        cls_to_become = base

        def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                     padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                     padding_mode: str = "zeros", device: Any = None,
                     dtype: Any = None) -> None:  # fmt: skip
            base.__init__(self, groups, out_channels, kernel_size, stride, padding, dilation,
                          groups, bias, padding_mode, device, dtype)  # fmt: skip
            self._make_lazy()

    name = f"LazyConv{nd}d"
    LazyConv.__name__ = LazyConv.__qualname__ = name
    LazyConv.__doc__ = f"""A {base.__name__} whose ``in_channels`` is read from its first input.

    Arguments as in ``{base.__name__}`` without ``in_channels``. Until the first call the weight
    is ({"out_channels, 0, " + ", ".join("k" * nd)}) and ``in_channels`` is 0; the call shapes and
    draws the weight (as {base.__name__} does) and the layer becomes a {base.__name__}.

    Example: ``nn.{name}(8, 3)`` followed by any input with C_in channels.
    """
    return LazyConv


def _lazy_conv_transpose_class(base: type, nd: int) -> type:
    """LazyConvTranspose{nd}d: ``base``'s arguments without in_channels (PyTorch's order)."""

    class LazyConvTranspose(_LazyConv, base):
        cls_to_become = base

        def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                     device: Any = None, dtype: Any = None) -> None:  # fmt: skip
            base.__init__(self, groups, out_channels, kernel_size, stride, padding,
                          output_padding, groups, bias, dilation, padding_mode, device,
                          dtype)  # fmt: skip
            self._make_lazy()

    name = f"LazyConvTranspose{nd}d"
    LazyConvTranspose.__name__ = LazyConvTranspose.__qualname__ = name
    LazyConvTranspose.__doc__ = f"""A {base.__name__} whose ``in_channels`` is read from its first input.

    Arguments as in ``{base.__name__}`` without ``in_channels``. Until the first call the weight
    is (0, out_channels/groups, {", ".join("k" * nd)}); the call shapes and draws it and the
    layer becomes a {base.__name__}. ``forward(input, output_size=...)`` works as there.
    """
    return LazyConvTranspose


LazyConv1d = _lazy_conv_class(Conv1d, 1)
LazyConv2d = _lazy_conv_class(Conv2d, 2)
LazyConv3d = _lazy_conv_class(Conv3d, 3)
LazyConvTranspose1d = _lazy_conv_transpose_class(ConvTranspose1d, 1)
LazyConvTranspose2d = _lazy_conv_transpose_class(ConvTranspose2d, 2)
LazyConvTranspose3d = _lazy_conv_transpose_class(ConvTranspose3d, 3)


# ----------------------------------------------------------------------------------------------
# Normalization: num_features from the channel axis of the first input
# ----------------------------------------------------------------------------------------------


class _LazyNorm(_LazyMixin):
    """A batch or instance norm whose ``num_features`` is 0 until the first input gives it.

    ``weight``, ``bias``, ``running_mean`` and ``running_var`` (those that exist) have shape
    (0,) until then; ``num_batches_tracked`` is an ordinary counter from the start.
    Subclasses set ``_patterns``: the input shapes accepted, with "C" for the channels.
    """

    _lazy_patterns: tuple = ()

    def _make_lazy(self) -> None:
        self.num_features = 0
        for t in (self.weight, self.bias, self.running_mean, self.running_var):
            if t is not None:
                _reshape_in_place(t, (0,))

    def _uninitialized(self) -> bool:
        return self.num_features == 0

    def _in_size(self, input: Tensor) -> int:
        self.check_input_shape(input, *self._lazy_patterns)
        # The channel axis: 1, or 0 for an unbatched instance-norm input (C, *positions).
        unbatched = isinstance(self, _InstanceNormLazy) and input.ndim == 1 + self._spatial
        channels = int(input.shape[0 if unbatched else 1])
        if channels == 0:
            raise self.input_error("at least one channel", input.shape)
        return channels

    def _materialize(self, channels: int) -> None:
        self.num_features = channels
        for t, fill in ((self.weight, 1.0), (self.bias, 0.0), (self.running_mean, 0.0),
                        (self.running_var, 1.0)):  # fmt: skip
            if t is not None:
                _reshape_in_place(t, (channels,), fill)


class _InstanceNormLazy(_LazyNorm):
    """Marks the lazy instance norms (whose unbatched input has its channels first)."""


def _lazy_norm_class(base: type, name: str, patterns: tuple, instance: bool) -> type:
    """Lazy``base``: base's arguments without num_features. PyTorch's lazy instance norms
    default to affine=True and track_running_stats=True, unlike InstanceNorm itself."""
    mixin = _InstanceNormLazy if instance else _LazyNorm

    class LazyNorm(mixin, base):
        cls_to_become = base
        _lazy_patterns = patterns

        def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                     track_running_stats: bool = True, device: Any = None, dtype: Any = None,
                     *, bias: bool = True) -> None:  # fmt: skip
            base.__init__(self, 1, eps, momentum, affine, track_running_stats, device, dtype,
                          bias=bias)  # fmt: skip
            self._make_lazy()

    LazyNorm.__name__ = LazyNorm.__qualname__ = name
    LazyNorm.__doc__ = f"""A {base.__name__} whose ``num_features`` is read from its first input.

    Arguments as in ``{base.__name__}`` without ``num_features`` (defaults: affine=True,
    track_running_stats=True, as PyTorch's). Until the first call the weight, bias and
    running statistics have shape (0,); the call gives them shape (C,) with their initial
    values (1, 0, 0, 1) and the layer becomes a {base.__name__}.
    """
    return LazyNorm


LazyBatchNorm1d = _lazy_norm_class(
    BatchNorm1d, "LazyBatchNorm1d", (("N", "C"), ("N", "C", "L")), False
)
LazyBatchNorm2d = _lazy_norm_class(BatchNorm2d, "LazyBatchNorm2d", (("N", "C", "H", "W"),), False)
LazyBatchNorm3d = _lazy_norm_class(
    BatchNorm3d, "LazyBatchNorm3d", (("N", "C", "D", "H", "W"),), False
)
LazyInstanceNorm1d = _lazy_norm_class(
    InstanceNorm1d, "LazyInstanceNorm1d", (("N", "C", "L"), ("C", "L")), True
)
LazyInstanceNorm2d = _lazy_norm_class(
    InstanceNorm2d, "LazyInstanceNorm2d", (("N", "C", "H", "W"), ("C", "H", "W")), True
)
LazyInstanceNorm3d = _lazy_norm_class(
    InstanceNorm3d,
    "LazyInstanceNorm3d",
    (("N", "C", "D", "H", "W"), ("C", "D", "H", "W")),
    True,
)
