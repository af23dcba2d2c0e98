"""PyTorch's torch.nn.modules.conv: Conv1d/2d/3d, ConvTranspose1d/2d/3d, their lazy forms, and the bases _ConvNd / _ConvTransposeNd in PyTorch's form.

The layers are glassnet's own (``glassnet.nn.conv``, ``glassnet.nn.lazy``). The bases are
here because PyTorch's ``_ConvNd`` is built by its subclasses with a longer, positional
argument list than glassnet's, ``(in_channels, out_channels, kernel_size, stride, padding,
dilation, transposed, output_padding, groups, bias, padding_mode, device=None, dtype=None)``,
with every size already a tuple (``_pair(3)``); a script's layer written on it::

    class StdConv2d(_ConvNd):
        def __init__(self, c_in, c_out, k):
            super().__init__(c_in, c_out, _pair(k), _pair(1), _pair(k // 2), _pair(1),
                             False, _pair(0), 1, True, "zeros")
        def forward(self, x):
            w = (self.weight - self.weight.mean((1, 2, 3), keepdim=True))
            return F.conv2d(x, w, self.bias, self.stride, self.padding, self.dilation, self.groups)

gets glassnet's weight and bias (shapes, PyTorch's initialization) and attributes. Both
bases also count glassnet's own convolutions: ``isinstance(nn.Conv2d(1, 2, 3), _ConvNd)``.
"""

from __future__ import annotations

from typing import Any

from .. import conv as _conv
from ..conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..functional._args import int_tuple
from ..lazy import (
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
)
from ._kinds import KindOf

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
]


class _ConvNd(_conv._ConvNd, metaclass=KindOf):
    """PyTorch's convolution base: weight, bias and settings from PyTorch's full argument list.

    Args:
        in_channels, out_channels: channel counts (each divisible by ``groups``).
        kernel_size, stride, dilation: tuples with one int per spatial axis; their length is
            the number of spatial axes (1, 2 or 3).
        padding: a tuple like ``kernel_size``, or 'valid' / 'same'.
        transposed: a transposed convolution (weight (in, out / groups, *kernel)) or not
            (weight (out, in / groups, *kernel)).
        output_padding: a tuple like ``kernel_size`` (transposed only; zeros otherwise).
        groups, bias, padding_mode, device, dtype: as in ``nn.Conv2d``.

    No ``forward``: the subclass writes it (PyTorch's base has none either).
    ``_reversed_padding_repeated_twice`` is the padding as ``F.pad`` takes it (last axis
    first, (before, after) for each), for a forward that pads with ``padding_mode`` itself.
    """

    _glassnet_kind = _conv._ConvNd

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: tuple[int, ...],
        stride: tuple[int, ...],
        padding: str | tuple[int, ...],
        dilation: tuple[int, ...],
        transposed: bool,
        output_padding: tuple[int, ...],
        groups: int,
        bias: bool,
        padding_mode: str,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        who = type(self).__name__
        if not isinstance(kernel_size, (tuple, list)) or not 1 <= len(kernel_size) <= 3:
            raise TypeError(
                f"{who}: expected kernel_size as a tuple of 1 to 3 ints (one per spatial axis, "
                f"e.g. _pair(3)), got {kernel_size!r}"
            )
        # glassnet's base reads the number of axes and the kind from these two attributes
        # (class attributes of its own layers; this one base serves every dimension).
        self._nd = len(kernel_size)
        self._transposed = bool(transposed)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)  # fmt: skip
        self.transposed = bool(transposed)
        if self._transposed:
            self.output_padding = int_tuple(
                output_padding, self._nd, "output_padding", who, minimum=0
            )
        pairs = [self._pads[2 * axis : 2 * axis + 2] for axis in range(self._nd)]
        self._reversed_padding_repeated_twice = [p for pair in reversed(pairs) for p in pair]


class _ConvTransposeNd(_ConvNd):
    """PyTorch's base of the transposed convolutions: ``_ConvNd`` with ``transposed=True``.

    Counts glassnet's own transposed convolutions (``nn.ConvTranspose2d``) as its instances.
    """

    _glassnet_kind = _conv._ConvTranspose
