"""Argument helpers shared by nn and nn.functional: shape text, int tuples, tensor checks, edge padding.

Every layer and function reads its arguments through these, so the same mistake gets the same
exception type and the same words everywhere:

* a value that is not an int (or a sequence of ints) where one is needed: ``TypeError``;
* the right kind of value with a wrong length or size: ``ValueError``;
* an input of the wrong shape: ``glassnet.errors.ShapeError`` (a ValueError and a
  RuntimeError, so PyTorch-style ``except RuntimeError`` catches it too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import DTypeError
from ...tensor import Tensor

__all__ = [
    "shape_text",
    "int_tuple",
    "floating_tensor",
    "not_a_tensor_message",
    "edge_source_index",
    "check_output_padding",
]


def shape_text(shape: tuple) -> str:
    """A shape as Python prints a tuple: ``(32, 100)``, ``(5,)``, ``()``."""
    shape = tuple(shape)
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def int_tuple(value: Any, n: int, name: str, fn: str, minimum: int | None = 1) -> tuple:
    """An n-tuple of ints from one int (repeated) or a sequence of n ints.

    Args:
        value: what the caller passed, e.g. ``3`` or ``(3, 5)``.
        n: how many ints are needed (the number of spatial axes).
        name: the argument's name in the message (``"stride"``).
        fn: who is asking (a function name or a layer label), the message's first word.
        minimum: every entry must be at least this (default 1; None: no bound).

    Raises:
        TypeError: ``value`` is not an int or a sequence of ints.
        ValueError: the sequence does not hold ``n`` ints, or an entry is below ``minimum``.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        result = (int(value),) * n
    else:
        try:
            result = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{fn}: {name} must be an int or a tuple of {n} ints, got {value!r}"
            ) from None
        if len(result) != n:
            raise ValueError(f"{fn}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if minimum is not None and any(v < minimum for v in result):
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {value!r}")
    return result


def not_a_tensor_message(x: Any, what: str = "input") -> str:
    """``"expected input to be a glassnet Tensor, got ndarray (wrap it with ...)"``."""
    hint = " (wrap it with glassnet.tensor(...))" if isinstance(x, (np.ndarray, list)) else ""
    return f"expected {what} to be a glassnet Tensor, got {type(x).__name__}{hint}"


def floating_tensor(x: Any, fn: str, what: str = "input") -> Tensor:
    """Return ``x`` if it is a floating-point Tensor, else raise a TypeError saying what it is."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {not_a_tensor_message(x, what)}")
    if x.array.dtype.kind != "f":
        raise DTypeError(f"{fn}: expected a floating {what}, got dtype {x.dtype}")
    return x


def edge_source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of an axis padded by (before, after), the input position it copies.

    ``mode`` is 'replicate' (repeat the edge: clip to [0, size-1]), 'circular' (wrap around:
    position mod size) or 'reflect' (mirror about the first and last element without
    repeating them: the positions run 0, 1, ..., size-1, size-2, ..., 1, 0, 1, ... with
    period 2*(size-1)). Padding becomes indexing with these positions, so the gradient of a
    padded position flows back to the element it was copied from.
    """
    position = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(position, 0, size - 1)
    if mode == "circular":
        return position % size
    period = 2 * (size - 1)
    if period == 0:  # one element: every position copies it
        return np.zeros_like(position)
    position = np.abs(position) % period
    return np.where(position >= size, period - position, position)


def check_output_padding(
    fn: str, output_padding: tuple, stride: tuple, dilation: tuple, given: tuple
) -> None:
    """Raise unless each output_padding is smaller than its stride or its dilation.

    A transposed convolution's output_padding picks one of the ``stride`` output sizes that
    the forward convolution maps to the same input size; a value that large would add rows
    no input reaches. ``given`` holds the caller's (output_padding, stride, dilation) as they
    wrote them, for the message.
    """
    for extra, s, d in zip(output_padding, stride, dilation):
        if extra >= s and extra >= d:
            raise ValueError(
                f"{fn}: output_padding must be smaller than either stride or dilation, got "
                f"output_padding={given[0]!r}, stride={given[1]!r}, dilation={given[2]!r}"
            )
