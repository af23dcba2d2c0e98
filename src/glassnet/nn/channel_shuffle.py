"""nn.ChannelShuffle: F.channel_shuffle as a layer (no parameters)."""

from __future__ import annotations

from ..tensor import Tensor
from .errors import call_function_form
from .functional import channel_shuffling as F
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Interleave the channels of g groups: y[:, i * g + j] = x[:, j * k + i], C = g * k.

    Placed after a grouped convolution (ShuffleNet), it lets the next grouped convolution see
    every group. No parameters; the gradient moves every value back (see ``F.channel_shuffle``).

    Args:
        groups: g, the number of channel groups.

    Shape: input (N, C, *) with C divisible by g; output the same shape.

    Example::

        >>> nn.ChannelShuffle(2)(glassnet.arange(4.0).reshape(1, 4, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return call_function_form(self, F.channel_shuffle, input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
