"""F.channel_shuffle: interleave the channels of grouped convolutions, by reshape and transpose.

ShuffleNet (Zhang et al., 2018) follows a grouped convolution with a shuffle so that the next
grouped convolution sees channels from every group. With C = g * k channels in g groups of k:

    y[:, i * g + j] = x[:, j * k + i]      (j < g the group, i < k the place inside it)

i.e. view the channels as a (g, k) grid, transpose it to (k, g) and flatten. Only a reshape,
a transpose and a reshape, so no new op is needed: the gradient is the same permutation of
the channels run backwards.
"""

from __future__ import annotations

import numpy as np

from ...errors import ShapeError
from ...tensor import Tensor
from ._args import not_a_tensor_message, shape_text

__all__ = ["channel_shuffle"]


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Shuffle the channels (dim 1) of (N, C, *) input from g groups: y[:, i*g + j] = x[:, j*k + i].

    Args:
        input: (N, C, *) with at least one axis after C; C divisible by ``groups``.
        groups: g, the number of groups (a positive int).

    Shape: output the input's shape.

    Example::

        >>> F.channel_shuffle(glassnet.arange(4.0).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"channel_shuffle: {not_a_tensor_message(input)}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise ValueError(f"channel_shuffle: groups must be a positive int, got {groups!r}")
    if input.ndim < 3:
        raise ShapeError(
            f"channel_shuffle: expected an input with at least 3 dimensions (N, C, *), got "
            f"shape {shape_text(input.shape)}"
        )
    n, c, *rest = input.shape
    if c % groups:
        raise ShapeError(
            f"channel_shuffle: the number of channels must be divisible by groups, got {c} "
            f"channels and groups={groups}"
        )
    grid = input.reshape(n, groups, c // groups, *rest)
    return grid.transpose(1, 2).reshape(n, c, *rest)
