"""All of a model's parameters as one flat vector, and back: parameters_to_vector, vector_to_parameters.

Used to treat a model as a point in R^n (line searches, weight averaging, counting): the
parameters' values in order, each flattened, one after another.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...tensor import Tensor, as_tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor: every parameter flattened, in order (differentiable, as a concatenation)."""
    from ...ops.shape import cat

    return cat([as_tensor(p).reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Write ``vec``'s numbers back into the parameters, in order (the inverse of the above)."""
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"vector_to_parameters expects a 1-D Tensor, got {_describe(vec)}")
    parameters = list(parameters)
    needed = sum(p.numel() for p in parameters)
    if vec.numel() != needed:
        raise ValueError(
            f"vector_to_parameters: the parameters hold {needed} numbers, the vector {vec.numel()}"
        )
    start = 0
    for p in parameters:
        piece = vec.array[start : start + p.numel()].reshape(p.shape)
        np.copyto(p.array, piece, casting="same_kind")
        p._version[0] += 1  # changed in place
        start += p.numel()


def _describe(x: object) -> str:
    return f"a tensor of shape {tuple(x.shape)}" if isinstance(x, Tensor) else type(x).__name__
