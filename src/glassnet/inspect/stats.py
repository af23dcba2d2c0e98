"""Value statistics: the few numbers that describe an array (mean, spread, range, zeros, NaNs).

Every inspection tool (trace, why, diagnostics, the report) describes tensors the same way, so
the same numbers mean the same thing everywhere: this file computes them once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["Stats", "describe", "format_number", "shape_text"]


@dataclass(frozen=True)
class Stats:
    """What an array holds, in a few numbers.

    Attributes:
        shape, dtype: as the array's.
        mean, std, min, max: over the finite elements (nan when there are none).
        zeros: the fraction of elements that are exactly 0 (dead ReLU units show up here).
        nans, infs: how many elements are NaN, and how many are +-Inf.
    """

    shape: tuple
    dtype: str
    mean: float
    std: float
    min: float
    max: float
    zeros: float
    nans: int
    infs: int

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def finite(self) -> bool:
        return self.nans == 0 and self.infs == 0

    def as_dict(self) -> dict:
        return asdict(self)

    def brief(self) -> str:
        """One line: the value itself for a single number, else mean/std/range."""
        if self.size == 1 and self.finite:
            return format_number(self.mean)
        text = (
            f"mean {format_number(self.mean)}, std {format_number(self.std)}, "
            f"range [{format_number(self.min)}, {format_number(self.max)}]"
        )
        if self.zeros:
            text += f", {self.zeros:.0%} zeros"
        if self.nans:
            text += f", {self.nans} NaN"
        if self.infs:
            text += f", {self.infs} Inf"
        return text


def describe(value: Any) -> Stats:
    """The Stats of a Tensor, NumPy array or number.

    Example::

        >>> describe(np.array([0.0, 1.0, np.nan])).nans
        1
    """
    array = value.array if hasattr(value, "array") else np.asarray(value)
    kind = array.dtype.kind
    if kind == "b":
        array = array.astype(np.float64)
    elif kind not in "fiuc":
        raise TypeError(f"cannot describe an array of dtype {array.dtype}")
    shape = tuple(array.shape)
    if array.size == 0:
        nan = float("nan")
        return Stats(shape, str(array.dtype), nan, nan, nan, nan, 0.0, 0, 0)
    flat = array.reshape(-1)
    if kind == "f":
        nans = int(np.isnan(flat).sum())
        infs = int(np.isinf(flat).sum())
        finite = flat[np.isfinite(flat)] if nans or infs else flat
    else:
        nans = infs = 0
        finite = flat
    if finite.size:
        as64 = finite.astype(np.float64, copy=False)
        mean, std = float(as64.mean()), float(as64.std())
        low, high = float(as64.min()), float(as64.max())
    else:
        mean = std = low = high = float("nan")
    zeros = float(np.count_nonzero(flat == 0) / flat.size)
    return Stats(shape, str(value.dtype if hasattr(value, "dtype") else array.dtype), mean, std,
                 low, high, zeros, nans, infs)  # fmt: skip


def format_number(x: float) -> str:
    """A number as a learner would write it: 9 not 9.0000, 0.125, 1.5e-07."""
    if x != x:  # nan
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    if 1e-4 <= abs(x) < 1e6:
        return f"{x:.4g}" if abs(x) >= 1 else f"{x:.4f}".rstrip("0")
    return f"{x:.3g}"


def shape_text(shape: tuple) -> str:
    """(32, 784) as text; a 0-d shape is ``()``."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
