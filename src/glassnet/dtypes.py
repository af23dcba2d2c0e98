"""Data types: the names glassnet exports (float32, int64, ...) and PyTorch's rules for picking one."""

from __future__ import annotations

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

# PyTorch-style aliases.
half = float16
float = float32  # noqa: A001 - glassnet.float mirrors torch.float
double = float64
long = int64
int = int32  # noqa: A001 - glassnet.int mirrors torch.int

_NAMES = {
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
    "int8": int8,
    "int16": int16,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "uint8": uint8,
    "bool": bool_,
}


def to_dtype(dtype) -> np.dtype:
    """Turn a dtype given as a glassnet/NumPy dtype, a Python type or a name into a np.dtype.

    Raises TypeError naming what was given when it is not a dtype glassnet knows.
    """
    if dtype is None:
        raise TypeError("expected a dtype, got None")
    if isinstance(dtype, str):
        key = dtype.removeprefix("glassnet.").removeprefix("torch.")
        if key in _NAMES:
            return _NAMES[key]
        raise TypeError(f"unknown dtype name {dtype!r}; expected one of {sorted(_NAMES)}")
    if dtype is builtins_float:
        return float32
    if dtype is builtins_int:
        return int64
    if dtype is builtins_bool:
        return bool_
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as glassnet.float32, got {dtype!r}") from None


def is_floating(dtype: np.dtype) -> bool:
    """True for float16/32/64: the only dtypes that may carry gradients."""
    return dtype.kind == "f"


def default_dtype_for(array: np.ndarray) -> np.dtype:
    """The dtype PyTorch gives data built from Python objects: floats -> float32, ints -> int64."""
    kind = array.dtype.kind
    if kind == "f":
        return float32
    if kind in "iu":
        return int64
    if kind == "b":
        return bool_
    raise TypeError(
        f"cannot make a tensor from data of dtype {array.dtype}; expected numbers or booleans"
    )


import builtins as _builtins  # noqa: E402 - after the aliases that shadow float/int

builtins_float = _builtins.float
builtins_int = _builtins.int
builtins_bool = _builtins.bool
