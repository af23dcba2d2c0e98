"""``torch.gradient``: the slope of sampled values along each dimension, by finite differences.

Given samples f_0, f_1, ..., f_{n-1} of a function at coordinates x_0 < x_1 < ... (evenly
spaced by ``spacing``, or given as a tensor per dimension), the slope at an inner point uses
its two neighbours. With h_l = x_i - x_{i-1} and h_r = x_{i+1} - x_i, fitting a parabola
through the three points and taking its slope at x_i gives

    f'(x_i) ~ (h_l^2 f_{i+1} - h_r^2 f_{i-1} + (h_r^2 - h_l^2) f_i) / (h_l h_r (h_l + h_r)),

which for an even step h is the central difference (f_{i+1} - f_{i-1}) / 2h. At the two ends
there is one neighbour only: ``edge_order=1`` takes the one-sided difference
(f_1 - f_0) / (x_1 - x_0); ``edge_order=2`` fits the parabola through the first (last) three
points instead, which for an even step is (-3 f_0 + 4 f_1 - f_2) / 2h.

Each result is a weighted sum of the samples, written with differentiable ops, so its gradient
with respect to the samples is the same weights (the slope of a sum is the sum of slopes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import as_tensor, is_tensor
from ..errors import ShapeError, ValueRangeError
from .shape import cat


def gradient(
    input: Any,  # noqa: A002 - PyTorch's name
    *,
    spacing: Any = 1,
    dim: int | list[int] | tuple[int, ...] | None = None,
    edge_order: int = 1,
) -> tuple:
    """The estimated slope of ``input`` along each of ``dim`` (all dimensions when None).

    Args:
        input: the sampled values, any shape; integer samples give float32 slopes.
        spacing: the distance between samples: one number for every dimension, one number
            per dimension, or one 1-D tensor of coordinates per dimension.
        dim: a dimension or a list of them.
        edge_order: 1 or 2, the order of the one-sided differences at the ends.

    Returns:
        a tuple with one tensor of ``input``'s shape per dimension in ``dim``.
    """
    f = as_tensor(input)
    if f.array.dtype.kind != "f":
        f = f.float()
    if edge_order not in (1, 2):
        raise ValueRangeError(f"gradient: edge_order must be 1 or 2, got {edge_order!r}")
    dims = list(range(f.ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [d % f.ndim if f.ndim else d for d in dims]
    spacings = _spacing_per_dim(spacing, len(dims))
    return tuple(
        _slope_along(f, d, _coordinates(step, f.shape[d], d), edge_order)
        for d, step in zip(dims, spacings)
    )


def _spacing_per_dim(spacing: Any, count: int) -> list:
    """``spacing`` as one entry (a number or a coordinate tensor) for each dimension."""
    if isinstance(spacing, (int, float)) or (is_tensor(spacing) and spacing.ndim == 0):
        return [float(spacing)] * count
    entries = list(spacing)
    if len(entries) == 1 and count != 1 and not is_tensor(entries[0]):
        return [float(entries[0])] * count
    if len(entries) != count:
        raise ShapeError(
            f"gradient: expected spacing to be one number or one entry per dimension "
            f"({count}), got {len(entries)} entries"
        )
    return entries


def _coordinates(step: Any, n: int, d: int) -> np.ndarray:
    """The sample positions along one dimension of size ``n``: a given 1-D tensor, or 0, h, 2h..."""
    if is_tensor(step) or isinstance(step, (list, tuple, np.ndarray)):
        positions = np.asarray(as_tensor(step).array, dtype=np.float64)
        if positions.shape != (n,):
            raise ShapeError(
                f"gradient: expected the coordinates of dimension {d} to have shape ({n},), "
                f"got {positions.shape}"
            )
        return positions
    return np.arange(n, dtype=np.float64) * float(step)


def _slope_along(f: Any, d: int, x: np.ndarray, edge_order: int) -> Any:
    """The finite-difference slope of ``f`` along dimension ``d`` at coordinates ``x``."""
    n = f.shape[d]
    if n < edge_order + 1:
        raise ShapeError(
            f"gradient: expected each dimension to have at least edge_order + 1 = "
            f"{edge_order + 1} samples, got {n} along dimension {d}"
        )

    def part(start: int, stop: int | None) -> Any:  # f[..., start:stop, ...] along d
        return f[(slice(None),) * d + (slice(start, stop),)]

    def along(weights: np.ndarray) -> np.ndarray:  # weights shaped to broadcast along d
        return weights.astype(f.array.dtype).reshape((-1,) + (1,) * (f.ndim - d - 1))

    h = np.diff(x)  # h[i] = x[i+1] - x[i]
    pieces = []
    if edge_order == 1:
        pieces.append((part(1, 2) - part(0, 1)) / float(h[0]))
    else:
        h1, h2 = float(h[0]), float(h[1])
        pieces.append(
            part(0, 1) * (-(2 * h1 + h2) / (h1 * (h1 + h2)))
            + part(1, 2) * ((h1 + h2) / (h1 * h2))
            + part(2, 3) * (-h1 / (h2 * (h1 + h2)))
        )
    if n > 2:
        left, right = h[:-1], h[1:]  # h_l and h_r of each inner point
        denominator = left * right * (left + right)
        pieces.append(
            part(2, None) * along(left**2 / denominator)
            - part(0, n - 2) * along(right**2 / denominator)
            + part(1, n - 1) * along((right**2 - left**2) / denominator)
        )
    if edge_order == 1:
        pieces.append((part(n - 1, n) - part(n - 2, n - 1)) / float(h[-1]))
    else:
        h1, h2 = float(h[-2]), float(h[-1])
        pieces.append(
            part(n - 3, n - 2) * (h2 / (h1 * (h1 + h2)))
            + part(n - 2, n - 1) * (-(h1 + h2) / (h1 * h2))
            + part(n - 1, n) * ((2 * h2 + h1) / (h2 * (h1 + h2)))
        )
    return cat(pieces, dim=d)
