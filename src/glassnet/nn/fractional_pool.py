"""Fractional max pooling layers: FractionalMaxPool2d and FractionalMaxPool3d (max over windows at pseudo-random, non-integer strides; see nn/functional/fractional_pooling.py)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .errors import call_function_form
from .functional._args import int_tuple
from .functional.fractional_pooling import fractional_max_pool2d, fractional_max_pool3d
from .functional.pooling import _per_axis
from .pooling import _Pool

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPool(_Pool):
    """The body of FractionalMaxPool2d and FractionalMaxPool3d: ``_nd`` spatial axes, the
    input checked as every pooling layer's is."""

    _nd: int

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        nd = self._nd
        self.kernel_size = int_tuple(kernel_size, nd, "kernel_size", who)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = (
            None if output_size is None else int_tuple(output_size, nd, "output_size", who)
        )
        self.output_ratio = None
        if output_ratio is not None:
            ratio = _per_axis(output_ratio, nd)
            if len(ratio) != nd or not all(0 < r < 1 for r in ratio):
                raise ValueError(
                    f"{who}: output_ratio must be between 0 and 1, got {output_ratio!r}"
                )
            self.output_ratio = ratio
        if output_size is None and output_ratio is None:
            raise ValueError(f"{who}: give either output_size or output_ratio, got neither")
        if output_size is not None and output_ratio is not None:
            raise ValueError(f"{who}: give only one of output_size and output_ratio, got both")

    def forward(self, input: Tensor) -> Any:
        self._check_input(input)
        function = fractional_max_pool2d if self._nd == 2 else fractional_max_pool3d
        return call_function_form(self, function, input, self.kernel_size,
                                  self.output_size, self.output_ratio, self.return_indices,
                                  self._random_samples)  # fmt: skip


class FractionalMaxPool2d(_FractionalMaxPool):
    r"""2-D fractional max pooling: shrink images by a non-integer factor (Graham, 2014).

    Each output cell is the maximum of a k_h x k_w window; the windows' starts advance by
    floor(alpha) or ceil(alpha), alpha = (H - k_h) / (Ho - 1), in a pattern drawn afresh at
    every call (one random shift per image, channel and axis), so the pooling regions vary
    from batch to batch. See ``F.fractional_max_pool2d`` for the formula.

    Args:
        kernel_size: window size, int or (kh, kw).
        output_size: (Ho, Wo) or one int; or give
        output_ratio: a number (or pair) in (0, 1): Ho = int(H * ratio).
        return_indices: also return the position h*W + w of every maximum.
        _random_samples: fixed shifts (N, C, 2) in [0, 1) (a buffer) instead of new ones at
            every call.

    Shape: input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo) or (C, Ho, Wo).

    Example::

        >>> pool = nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))
        >>> pool(glassnet.randn(20, 16, 50, 32)).shape
        (20, 16, 25, 16)
    """

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPool):
    r"""3-D fractional max pooling: shrink volumes by a non-integer factor (Graham, 2014).

    As ``FractionalMaxPool2d`` with k_d x k_h x k_w boxes and one random shift per volume,
    channel and axis (depth, height, width). See ``F.fractional_max_pool3d`` for the formula.

    Args:
        kernel_size: box size, int or (kd, kh, kw).
        output_size: (Do, Ho, Wo) or one int; or give
        output_ratio: a number (or three) in (0, 1): Do = int(D * ratio).
        return_indices: also return the position d*H*W + h*W + w of every maximum.
        _random_samples: fixed shifts (N, C, 3) in [0, 1) (a buffer) instead of new ones at
            every call.

    Shape: input (N, C, D, H, W) or (C, D, H, W); output (N, C, Do, Ho, Wo) or (C, Do, Ho, Wo).

    Example::

        >>> pool = nn.FractionalMaxPool3d(2, output_ratio=0.5)
        >>> pool(glassnet.randn(2, 4, 10, 12, 8)).shape
        (2, 4, 5, 6, 4)
    """

    _nd = 3
