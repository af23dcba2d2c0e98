"""Resizing images and sequences as a function: F.interpolate (nearest, linear, bilinear, bicubic).

For each output position i along an axis of input size n and output size m, a source
coordinate is chosen (scale = n / m, or 1 / scale_factor when that is given):

* nearest: src = floor(i * scale), the input value there;
* linear / bilinear, align_corners=False: src = (i + 1/2) scale - 1/2 (clamped at 0), a blend
  of the two neighbours floor(src) and floor(src) + 1 with weights 1 - t and t, t = src - floor;
* align_corners=True: src = i (n - 1) / (m - 1), so the corner values stay where they are.
* bicubic: src as for bilinear but not clamped at 0; with k = floor(src) and t = src - k, the
  four neighbours k-1, k, k+1, k+2 (each clamped into 0..n-1, so the border pixel repeats) are
  summed with the cubic convolution weights (Keys, 1981, with a = -0.75 as PyTorch):

      W(d) = (a + 2)|d|^3 - (a + 3)|d|^2 + 1          for |d| <= 1
      W(d) = a|d|^3 - 5a|d|^2 + 8a|d| - 4a            for 1 < |d| < 2
      weights W(t + 1), W(t), W(1 - t), W(2 - t)       (they sum to 1)

Bilinear does the linear blend along the height, then along the width; bicubic likewise its
four-tap sum (the 4 x 4 kernel is the product of the two axes' weights). Everything is indexing
and weighted sums of Tensor ops, so gradients flow back to the input (each input value gets
the weights it was used with).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...tensor import Tensor, as_tensor

__all__ = ["interpolate"]

_SPATIAL = {"nearest": None, "linear": 1, "bilinear": 2, "bicubic": 2}
_CUBIC_A = -0.75  # the cubic convolution kernel's free parameter, PyTorch's choice


def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the trailing spatial axes of ``input`` (N, C, L) or (N, C, H, W).

    Args:
        size: the output's spatial size (an int or one per axis), or
        scale_factor: how much larger (a number or one per axis); give one of the two.
        mode: "nearest" (default), "linear" (for (N, C, L)), "bilinear" or "bicubic" (for
            (N, C, H, W)).
        align_corners: for linear, bilinear and bicubic, map the corner pixels onto each other.
        antialias: only False (the default) is supported.
    """
    x = as_tensor(input)
    if mode not in _SPATIAL:
        raise NotImplementedError(
            f"interpolate: mode {mode!r} is not implemented in glassnet yet "
            "(nearest, linear, bilinear and bicubic are)"
        )
    if antialias:
        raise NotImplementedError(
            f"interpolate: antialias=True is not implemented in glassnet (mode {mode!r}); "
            "use antialias=False"
        )
    spatial = x.ndim - 2
    if spatial < 1 or (_SPATIAL[mode] is not None and _SPATIAL[mode] != spatial):
        need = {1: "(N, C, L)", 2: "(N, C, H, W)"}.get(_SPATIAL[mode], "(N, C, ...)")
        raise ValueError(f"interpolate: mode {mode!r} expects input {need}, got shape {x.shape}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError(
            "interpolate: align_corners only applies to linear and bilinear modes (and bicubic)"
        )
    sizes, scales = _sizes(x.shape[2:], size, scale_factor, recompute_scale_factor)
    for axis, (n, m, scale) in enumerate(zip(x.shape[2:], sizes, scales)):
        if mode == "nearest":
            x = _take(x, 2 + axis, np.minimum(np.floor(np.arange(m) * scale), n - 1))
        elif mode == "bicubic":
            x = _cubic_sum(x, 2 + axis, *_cubic_taps(n, m, scale, bool(align_corners)))
        else:
            x = _blend(x, 2 + axis, *_neighbours(n, m, scale, bool(align_corners)))
    return x.contiguous()  # stored row after row, as PyTorch's result is


def _sizes(shape: tuple, size: Any, scale_factor: Any, recompute: bool | None) -> tuple:
    """The output sizes and, per axis, the step in input coordinates per output position."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give either size or scale_factor, not both and not neither")
    count = len(shape)
    if size is not None:
        sizes = (size,) * count if isinstance(size, int) else tuple(size)
        if len(sizes) != count:
            raise ValueError(f"interpolate: size needs {count} numbers, got {size!r}")
        return sizes, tuple(n / m for n, m in zip(shape, sizes))
    factors = (
        (scale_factor,) * count
        if not isinstance(scale_factor, (tuple, list))
        else tuple(scale_factor)
    )
    if len(factors) != count or any(f <= 0 for f in factors):
        raise ValueError(
            f"interpolate: scale_factor needs {count} positive numbers, got {scale_factor!r}"
        )
    sizes = tuple(int(math.floor(n * f)) for n, f in zip(shape, factors))
    if recompute:
        return sizes, tuple(n / m for n, m in zip(shape, sizes))
    return sizes, tuple(1.0 / f for f in factors)


def _neighbours(n: int, m: int, scale: float, align_corners: bool) -> tuple:
    """For each of m outputs: the lower neighbour, the upper one and the upper one's weight."""
    i = np.arange(m, dtype=np.float64)
    if align_corners:
        src = i * ((n - 1) / (m - 1)) if m > 1 else np.zeros(m)
    else:
        src = np.maximum((i + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(src), n - 1)
    high = np.minimum(low + 1, n - 1)
    return low, high, src - low


def _take(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    """x's positions ``index`` along ``axis`` (differentiable indexing)."""
    where = [slice(None)] * x.ndim
    where[axis] = index.astype(np.int64)
    return x[tuple(where)]


def _blend(x: Tensor, axis: int, low: np.ndarray, high: np.ndarray, t: np.ndarray) -> Tensor:
    """(1 - t) x[low] + t x[high] along ``axis``, t broadcast over the other axes."""
    shape = [1] * x.ndim
    shape[axis] = len(t)
    weight = as_tensor(t.reshape(shape).astype(x.numpy().dtype))
    return _take(x, axis, low) * (1 - weight) + _take(x, axis, high) * weight


def _cubic_weight(d: np.ndarray) -> np.ndarray:
    """W(d), the cubic convolution kernel with a = -0.75 (the formula in the module docstring)."""
    a, d = _CUBIC_A, np.abs(d)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, np.where(d < 2, far, 0.0))


def _cubic_taps(n: int, m: int, scale: float, align_corners: bool) -> tuple:
    """For each of m outputs: the 4 neighbours (4, m) (clamped into 0..n-1) and weights (4, m)."""
    i = np.arange(m, dtype=np.float64)
    if align_corners:
        src = i * ((n - 1) / (m - 1)) if m > 1 else np.zeros(m)
    else:
        src = (i + 0.5) * scale - 0.5  # not clamped at 0: the taps are clamped instead
    k = np.floor(src)
    t = src - k
    offsets = np.arange(-1, 3)[:, None]  # k-1, k, k+1, k+2
    index = np.clip(k + offsets, 0, n - 1)
    return index, _cubic_weight(t - offsets)  # distances t+1, t, 1-t, 2-t


def _cubic_sum(x: Tensor, axis: int, index: np.ndarray, weights: np.ndarray) -> Tensor:
    """sum over the 4 taps j of weights[j] * x[index[j]] along ``axis``."""
    shape = [1] * x.ndim
    shape[axis] = index.shape[1]
    dtype = x.numpy().dtype
    out = None
    for j in range(4):
        term = _take(x, axis, index[j]) * as_tensor(weights[j].reshape(shape).astype(dtype))
        out = term if out is None else out + term
    return out
