"""Lengths and angles between vectors as functions: F.normalize, F.cosine_similarity, F.pairwise_distance.

Each is written with Tensor ops, so its gradient is the chain rule through them:

* ``normalize``: v / max(||v||_p, eps), every vector scaled to length 1 (eps keeps a zero
  vector at zero instead of dividing by 0);
* ``cosine_similarity``: the cosine of the angle between x1 and x2,
  sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)), 1 for the same direction, -1 opposite;
* ``pairwise_distance``: ||x1 - x2 + eps||_p along the last axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ShapeError
from ...ops import api
from ...tensor import Tensor, as_tensor
from ._args import shape_text

__all__ = ["cosine_similarity", "normalize", "pairwise_distance"]


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
