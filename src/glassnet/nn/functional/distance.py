"""Lengths and angles between vectors as functions: F.normalize, F.cosine_similarity, F.pairwise_distance.

Each is written with Tensor ops, so its gradient is the chain rule through them:

* ``normalize``: v / max(||v||_p, eps), every vector scaled to length 1 (eps keeps a zero
  vector at zero instead of dividing by 0);
* ``cosine_similarity``: the cosine of the angle between x1 and x2,
  sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)), 1 for the same direction, -1 opposite;
* ``pairwise_distance``: ||x1 - x2 + eps||_p along the last axis;
* ``pdist``: ||x_i - x_j||_p for every pair of rows i < j of one matrix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...ops import api
from ...ops.reduce import NormRoot
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text

__all__ = ["cosine_similarity", "normalize", "pairwise_distance", "pdist"]


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input`` with each vector along ``dim`` divided by its p-norm (at least ``eps``).

    Shape: any; the output has the input's shape.
    """
    x = as_tensor(input)
    return x / api.norm(x, p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along ``dim`` (they broadcast together).

    Shape: x1 and x2 broadcast to one shape; the output has it without ``dim``.
    """
    a, b = _pair("cosine_similarity", x1, x2)
    ndim = max(a.ndim, b.ndim, 1)
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"cosine_similarity: dim {dim} is out of range for inputs with {ndim} dimensions "
            f"(expected {-ndim} to {ndim - 1})"
        )
    a_unit = a / api.norm(a, 2, dim, keepdim=True).clamp(min=eps)
    b_unit = b / api.norm(b, 2, dim, keepdim=True).clamp(min=eps)
    return (a_unit * b_unit).sum(dim)


def pairwise_distance(
    x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The p-norm distance ||x1 - x2 + eps||_p between rows (along the last axis).

    Shape: x1 and x2 (N, D) or (D,), broadcasting; the output (N,) (or (N, 1) with keepdim).
    """
    a, b = _pair("pairwise_distance", x1, x2)
    return api.norm(a - b + eps, p, -1, keepdim=keepdim)


def pdist(input: Any, p: float = 2.0) -> Tensor:
    """The p-norm distances between all pairs of rows: d = ||x_i - x_j||_p for i < j.

    The pairs come in the order (0, 1), (0, 2), ..., (0, N-1), (1, 2), ..., (N-2, N-1): the
    upper triangle (without the diagonal) of the N x N distance matrix, row by row.

        dd/dx_i = sign(x_i - x_j) |x_i - x_j|**(p-1) / d**(p-1),   dd/dx_j = -dd/dx_i

    As in PyTorch, a pair at distance 0, and for p < 1 a coordinate where the two rows agree,
    gets gradient 0 instead of 0/0 or inf; p = 0 counts the coordinates that differ
    (gradient 0); p = inf is the largest |difference|, and every coordinate tied for it gets
    its sign as gradient.

    Args:
        input: (N, M), floating: N points in M dimensions.
        p: the order of the norm, >= 0 (default 2).

    Shape: output (N (N - 1) / 2,).

    Example::

        >>> F.pdist(glassnet.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        tensor([5.0000, 1.0000, 4.2426])
    """
    name = "pdist"
    x = floating_tensor(input, name)
    if x.ndim != 2:
        raise ShapeError(f"{name}: expected input of shape (N, M), got {shape_text(x.shape)}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0:
        raise ValueError(f"{name}: p must be a non-negative number, got {p!r}")
    first, second = np.triu_indices(x.shape[0], 1)
    diff = x[first] - x[second]  # (pairs, M)
    same = diff.array == 0
    # |diff| with the coordinates where the rows agree taken as constants: their derivative
    # (0 for p >= 1, 0 * inf for p < 1) is 0 in PyTorch, and no power below sees a 0.
    size = api.where(same, wrap(np.ones_like(diff.array)), api.abs(diff))
    if p == 0:
        return wrap((~same).sum(-1).astype(x.array.dtype)) + (diff * 0.0).sum(-1)
    if p == math.inf:
        # The largest |diff|: its value, plus (|diff| - its value) at the tied coordinates,
        # which is 0 but has their signs as derivative.
        size = api.where(same, wrap(np.zeros_like(diff.array)), size)
        largest = size.array.max(-1, initial=0.0)
        ties = (size.array == largest[:, None]) & (largest[:, None] > 0)
        moving = (size - wrap(size.array)) * wrap(ties.astype(size.array.dtype))
        return wrap(largest) + moving.sum(-1)
    powered = api.where(same, wrap(np.zeros_like(diff.array)), size**p)
    total = powered.sum(-1)
    if p == 1:
        return total
    return NormRoot(p)(total)  # total ** (1 / p), with gradient 0 at a distance of 0


def _pair(name: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    """x1 and x2 as Tensors, checked to broadcast together (the error names the function)."""
    a, b = as_tensor(x1), as_tensor(x2)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(
            f"{name}: expected x1 and x2 of shapes that broadcast together, got "
            f"{shape_text(a.shape)} and {shape_text(b.shape)}"
        ) from None
    return a, b
