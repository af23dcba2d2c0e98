"""``nn.CrossMapLRN2d``: PyTorch's legacy cross-channel response normalization, window included.

The maths is that of ``nn.LocalResponseNorm``,

    b_c = a_c * (k + alpha / size * sum_{j in W(c)} a_j**2) ** (-beta),

but the window W(c) is the one PyTorch's legacy layer really sums over, which is not the
centred window of ``F.local_response_norm``. PyTorch builds the sums as a running total
(add the channel entering the window, drop the one leaving it) translated from 1-based Lua
code, so channel 0 is never dropped. With P = (size - 1) // 2 + 1 and C channels:

    W(c) = {0} u [max(0, c - P + 1) if c > P else 0,  min(c + P - 1, C - 1)]

(for size 5 and c = 4: channels 0 and 2..6, where LocalResponseNorm sums 2..6). The two agree
on the first P channels (so everywhere when C <= P) and differ beyond. glassnet writes W as a C x C matrix of 0s and 1s and the
sum as one product with it, so the values are PyTorch's.

Derivative: with s_c = k + alpha / size * sum_j W_cj a_j**2,

    dL/da_j = g_j s_j**(-beta) - 2 alpha beta / size * a_j * sum_c W_cj g_c a_c s_c**(-beta - 1),

which glassnet gets from the Tensor ops of the formula. PyTorch's hand-written backward is not
this derivative of its own forward (its window in backward is shifted by one channel and its
``gradcheck`` fails; for size 1 it raises), so gradients agree with PyTorch's only where the
windows coincide (e.g. one channel); glassnet's pass ``gradcheck``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import wrap
from ..errors import ShapeError
from ..ops.einsum import einsum
from ..tensor import Tensor, as_tensor
from .functional._args import shape_text
from .module import Module

__all__ = ["CrossMapLRN2d"]


def cross_map_window(channels: int, size: int) -> np.ndarray:
    """W as a (channels, channels) 0/1 matrix: W[c, j] = 1 when channel j's square enters s_c.

    Example: ``cross_map_window(5, 3)`` (P = 2): rows c = 0..4 sum channels {0,1}, {0,1,2},
    {0..3}, {0,2,3,4}, {0,3,4}.
    """
    reach = (size - 1) // 2 + 1  # P: the window spans P - 1 channels on either side
    window = np.zeros((channels, channels))
    for c in range(channels):
        first = c - reach + 1 if c > reach else 0
        last = min(c + reach - 1, channels - 1)
        window[c, first : last + 1] = 1.0
        window[c, 0] = 1.0  # the running total never drops channel 0 (see the module docstring)
    return window


class CrossMapLRN2d(Module):
    """Legacy local response normalization across the channels of an (N, C, H, W) input.

    b_c = a_c * (k + alpha / size * sum_{j in W(c)} a_j**2) ** (-beta), W(c) the window of
    PyTorch's legacy layer (see the module docstring; it is LocalResponseNorm's on the
    first (size - 1) // 2 + 1 channels). No parameters.

    Args:
        size: the number of channels the window is meant to span (a positive int).
        alpha, beta, k: as in the formula (defaults 1e-4, 0.75, 1).

    Shape: input and output (N, C, H, W).

    Example: ``nn.CrossMapLRN2d(3)(glassnet.randn(2, 4, 5, 5))``.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"CrossMapLRN2d: size must be a positive int, got {size!r}")
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        x = as_tensor(input)
        if x.ndim != 4:
            raise ShapeError(
                f"CrossMapLRN2d: Expected input to be 4D, got {x.ndim}D instead "
                f"(shape {shape_text(x.shape)})"
            )
        if x.dtype.kind != "f":
            raise TypeError(f"CrossMapLRN2d: expected a floating input, got {x.dtype}")
        window = wrap(cross_map_window(x.shape[1], self.size).astype(x.dtype))
        sums = einsum("cj,njhw->nchw", window, x * x)
        return x * (sums * (self.alpha / self.size) + self.k) ** (-self.beta)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
