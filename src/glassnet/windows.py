"""Window functions for spectral analysis: hann, hamming, blackman, bartlett and kaiser windows.

Each makes a 1-D tensor of ``window_length`` weights w_n, n = 0 .. N - 1, that rise from the
ends to the middle. With ``periodic=True`` (PyTorch's default, for use with a DFT) the window
is the symmetric one of length N + 1 with its last point dropped. In the formulas M is N - 1
for a symmetric window and N for a periodic one:

* hann:     w_n = 0.5 - 0.5 cos(2 pi n / M)
* hamming:  w_n = alpha - beta cos(2 pi n / M)  (alpha = 0.54, beta = 0.46)
* blackman: w_n = 0.42 - 0.5 cos(2 pi n / M) + 0.08 cos(4 pi n / M)
* bartlett: w_n = 1 - |2n / M - 1|  (a triangle)
* kaiser:   w_n = I_0(beta sqrt(1 - (2n / M - 1)**2)) / I_0(beta)  (I_0 the Bessel function)

A window of length 1 is [1.] and of length 0 is empty, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .autograd import wrap
from .device import device as _device
from .dtypes import is_floating, to_dtype
from .ops.bessel import modified_bessel

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "kaiser_window"]


def _window(name: str, length: int, periodic: bool, formula: Any, dtype: Any, device: Any,
            requires_grad: bool) -> Any:  # fmt: skip
    """The tensor of ``formula(n, M)`` for n = 0 .. length - 1, after the common checks."""
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"{name}: window_length must be a non-negative integer, got {length!r}")
    dtype = to_dtype(dtype) if dtype is not None else np.dtype(np.float32)
    if not is_floating(dtype):
        raise TypeError(f"{name}: expected a floating dtype, got {dtype}")
    if device is not None:
        _device(device)  # a device glassnet lacks raises its clear error
    if length <= 1:
        values = np.ones(length)
    else:
        m = length if periodic else length - 1
        values = formula(np.arange(length, dtype=np.float64), m)
    out = wrap(values.astype(dtype))
    return out.requires_grad_(True) if requires_grad else out


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Any:  # fmt: skip
    """The Hann window 0.5 - 0.5 cos(2 pi n / M) (M = N for periodic, N - 1 symmetric)."""

    def formula(n, m):
        return 0.5 - 0.5 * np.cos(2 * math.pi * n / m)

    return _window("hann_window", window_length, periodic, formula, dtype, device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Any:  # fmt: skip
    """The Hamming window alpha - beta cos(2 pi n / M)."""

    def formula(n, m):
        return alpha - beta * np.cos(2 * math.pi * n / m)

    return _window("hamming_window", window_length, periodic, formula, dtype, device,
                   requires_grad)  # fmt: skip


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, requires_grad: bool = False) -> Any:  # fmt: skip
    """The Blackman window 0.42 - 0.5 cos(2 pi n / M) + 0.08 cos(4 pi n / M)."""

    def formula(n, m):
        return 0.42 - 0.5 * np.cos(2 * math.pi * n / m) + 0.08 * np.cos(4 * math.pi * n / m)

    return _window("blackman_window", window_length, periodic, formula, dtype, device,
                   requires_grad)  # fmt: skip


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, requires_grad: bool = False) -> Any:  # fmt: skip
    """The Bartlett (triangular) window 1 - |2n / M - 1|."""

    def formula(n, m):
        return 1 - np.abs(2 * n / m - 1)

    return _window("bartlett_window", window_length, periodic, formula, dtype, device,
                   requires_grad)  # fmt: skip


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Any:  # fmt: skip
    """The Kaiser window I_0(beta sqrt(1 - (2n / M - 1)**2)) / I_0(beta); larger beta makes
    it narrower."""

    def formula(n, m):
        inside = np.clip(1 - (2 * n / m - 1) ** 2, 0, None)
        return modified_bessel(beta * np.sqrt(inside), 0) / modified_bessel(np.float64(beta), 0)

    return _window("kaiser_window", window_length, periodic, formula, dtype, device,
                   requires_grad)  # fmt: skip
