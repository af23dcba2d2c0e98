"""Structural layers that compute nothing: Identity (pass through), Flatten and Unflatten (reshape)."""

from __future__ import annotations

from typing import Any

from ..ops import api
from ..tensor import Tensor
from .module import Module

__all__ = ["Identity", "Flatten", "Unflatten"]


class Identity(Module):
    """Return the input unchanged (a placeholder, e.g. to switch off a layer of a model).

    Any constructor arguments are accepted and ignored, as in PyTorch.

    Example::

        >>> model.fc = nn.Identity()     # turn a classifier into a feature extractor
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


def _normalize_dim(dim: int, ndim: int) -> int | None:
    return dim + ndim if -ndim <= dim < 0 else dim if 0 <= dim < ndim else None


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one (by default: everything but the batch).

    Args:
        start_dim: first dimension to merge (default 1, keeping the batch dimension).
        end_dim: last dimension to merge (default -1).

    Shape: input (N, *dims) -> output (N, prod(dims)) with the defaults; in general
    (*before, d_start, ..., d_end, *after) -> (*before, d_start * ... * d_end, *after).

    Example::

        >>> nn.Flatten()(glassnet.zeros(32, 1, 28, 28)).shape
        (32, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            self.check_input_shape(input, ("*",))
        ndim = max(input.ndim, 1)
        start = _normalize_dim(self.start_dim, ndim)
        end = _normalize_dim(self.end_dim, ndim)
        if start is None or end is None or start > end:
            raise self.input_error(
                f"with dimensions {self.start_dim} to {self.end_dim} (start_dim <= end_dim)",
                input.shape,
            )
        return api.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into the shape ``unflattened_size`` (the inverse of Flatten).

    Args:
        dim: the dimension to split.
        unflattened_size: its new shape; the product must equal the size of ``dim`` (one
            entry may be -1, inferred).

    Shape: (*before, prod(unflattened_size), *after) -> (*before, *unflattened_size, *after).

    Example::

        >>> nn.Unflatten(1, (1, 28, 28))(glassnet.zeros(32, 784)).shape
        (32, 1, 28, 28)
    """

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if isinstance(unflattened_size, int) or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in unflattened_size
        ):
            raise TypeError(
                f"Unflatten: unflattened_size must be a tuple or list of ints, got "
                f"{unflattened_size!r}"
            )
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            self.check_input_shape(input, ("*",))
        axis = _normalize_dim(self.dim, input.ndim)
        sizes = self.unflattened_size
        if axis is None:
            raise self.input_error(f"with a dimension {self.dim} to unflatten", input.shape)
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        n = input.shape[axis]
        fits = n == known if -1 not in sizes else known > 0 and n % known == 0
        if not fits:
            size = str(known) if -1 not in sizes else f"a multiple of {known}"
            raise self.input_error(
                f"whose dimension {self.dim} has size {size} (to unflatten into {sizes})",
                input.shape,
            )
        return api.unflatten(input, self.dim, sizes)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
