"""Tensor factories: glassnet.tensor, zeros/ones/full/empty/arange/linspace/eye and the random ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import float32, int64, to_dtype
from .random import default_generator
from .tensor import Tensor


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Make a new tensor (always a copy) from a number, nested lists, an array or a tensor.

    Python floats become float32, ints int64 and bools bool, as in PyTorch; NumPy arrays keep
    their dtype. Example: ``glassnet.tensor([[1, 2], [3, 4]])`` is a 2x2 int64 tensor.
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"sizes must be non-negative integers, got {size}")
    return tuple(int(n) for n in size)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given shape (float32 unless dtype is given)."""
    return _new(np.zeros(_shape(size), to_dtype(dtype or float32)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given shape."""
    return _new(np.ones(_shape(size), to_dtype(dtype or float32)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape whose values are not set (whatever was in memory)."""
    return _new(np.empty(_shape(size), to_dtype(dtype or float32)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape filled with ``fill_value`` (dtype follows the value)."""
    if dtype is None:
        dtype = np.asarray(fill_value).dtype
        dtype = {"f": float32, "i": int64, "u": int64}.get(dtype.kind, dtype)
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    return _new(np.full(_shape(size), fill_value, to_dtype(dtype)), requires_grad)


def zeros_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def full_like(x: Tensor, fill_value: Any, dtype: Any = None) -> Tensor:
    return full(x.shape, fill_value, dtype=dtype or x.dtype)


def empty_like(x: Tensor, dtype: Any = None) -> Tensor:
    return empty(x.shape, dtype=dtype or x.dtype)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, end): int64 if all arguments are integers, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if all_int else float32
    return _new(np.arange(start, end, step).astype(to_dtype(dtype)), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from start to end inclusive."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _new(np.linspace(start, end, steps).astype(to_dtype(dtype or float32)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (ones on the diagonal)."""
    return _new(np.eye(n, m, dtype=to_dtype(dtype or float32)), requires_grad)


def rand(
    *size: Any,
    dtype: Any = None,
    generator: np.random.Generator | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform random numbers in [0, 1) (from glassnet's seeded generator)."""
    rng = generator or default_generator()
    return _new(rng.random(_shape(size)).astype(to_dtype(dtype or float32)), requires_grad)


def randn(
    *size: Any,
    dtype: Any = None,
    generator: np.random.Generator | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal random numbers (mean 0, variance 1)."""
    rng = generator or default_generator()
    return _new(rng.standard_normal(_shape(size)).astype(to_dtype(dtype or float32)), requires_grad)


def randint(
    low: int,
    high: int | None = None,
    size: Any = (),
    dtype: Any = None,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Random integers in [low, high) (``randint(high, size)`` starts at 0)."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    rng = generator or default_generator()
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    return Tensor._make(rng.integers(low, high, _shape(size)).astype(to_dtype(dtype or int64)))


def randn_like(x: Tensor, dtype: Any = None) -> Tensor:
    return randn(x.shape, dtype=dtype or x.dtype)


def rand_like(x: Tensor, dtype: Any = None) -> Tensor:
    return rand(x.shape, dtype=dtype or x.dtype)


def randperm(n: int, generator: np.random.Generator | None = None) -> Tensor:
    """A random ordering of 0..n-1 (int64)."""
    rng = generator or default_generator()
    return Tensor._make(rng.permutation(n).astype(np.int64))
