"""Rounding and the division family: floor, ceil, round, trunc, frac, remainder, fmod, div(rounding_mode).

A rounding function is a staircase: flat between the steps, so its derivative is 0 almost
everywhere (PyTorch returns exactly that, and keeps the result in the graph). The remainders are
the distance to the step below: a - floor(a / b) * b has slope 1 in a and -floor(a / b) in b.
Integer tensors keep their dtype (rounding them changes nothing).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from . import api as A


class _Staircase(Op):
    """Shared by the rounding ops: dL/dx = 0 for every input (flat steps)."""

    def backward(self, g):
        return tuple(g * 0.0 if isinstance(x, type(g)) else None for x in self.inputs)


class Floor(_Staircase):
    """y = the largest integer <= x;   dL/dx = 0"""

    def forward(self, x):
        return np.floor(x)


class Ceil(_Staircase):
    """y = the smallest integer >= x;   dL/dx = 0"""

    def forward(self, x):
        return np.ceil(x)


class Trunc(_Staircase):
    """y = x with its fraction cut off (towards 0);   dL/dx = 0"""

    def forward(self, x):
        return np.trunc(x)


class Round(_Staircase):
    """y = x rounded to ``decimals`` places (halves to even, as PyTorch);   dL/dx = 0"""

    def __init__(self, decimals: int = 0):
        self.decimals = decimals

    def forward(self, x):
        return np.round(x, self.decimals)


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """An integer tensor divided by zero: PyTorch's RuntimeError, and Python's ZeroDivisionError."""


def _refuse_integer_zero(a, b, op: str) -> None:
    """Integers have no inf or nan for x // 0, x % 0 (NumPy returns 0 with a warning); PyTorch
    refuses, and so do we rather than return a made-up 0."""
    a, b = np.asarray(a), np.asarray(b)
    if b.dtype.kind in "biu" and a.dtype.kind in "biu" and a.size and not b.all():
        raise IntegerDivisionByZero(f"{op}: integer division by zero (the divisor has a 0)")


class DivRounded(_Staircase):
    """y = a / b rounded down ('floor') or towards 0 ('trunc');   dL/da = dL/db = 0"""

    def __init__(self, rounding_mode: str = "floor"):
        self.rounding_mode = rounding_mode

    def forward(self, a, b):
        _refuse_integer_zero(a, b, "div" if self.rounding_mode == "trunc" else "floor_divide")
        floor = np.floor_divide(a, b)  # Python's a // b, as torch.floor_divide
        if self.rounding_mode == "floor":
            return floor
        # Towards zero: one step up from floor where the signs differ and it does not divide.
        inexact = np.not_equal(np.remainder(a, b), 0) & (np.less(a, 0) != np.less(b, 0))
        return floor + inexact.astype(floor.dtype)


class Remainder(Op):
    """y = a - floor(a / b) * b (the sign of b, as Python's %);   dL/da = g,   dL/db = -g * floor(a / b)"""

    def forward(self, a, b):
        _refuse_integer_zero(a, b, "remainder")
        return np.remainder(a, b)

    def backward(self, g):
        a, b = (x.array if hasattr(x, "array") else x for x in self.inputs)
        # floor(a / b) is a staircase: as a factor of g it is a constant (its derivative is 0).
        return g, -g * wrap(np.asarray(np.floor_divide(a, b), dtype=g.array.dtype))


class Fmod(Op):
    """y = a - trunc(a / b) * b (the sign of a, as C's fmod);   dL/da = g,   dL/db = -g * trunc(a / b)"""

    def forward(self, a, b):
        _refuse_integer_zero(a, b, "fmod")
        return np.fmod(a, b)

    def backward(self, g):
        a, b = (x.array if hasattr(x, "array") else x for x in self.inputs)
        quotient = DivRounded("trunc").forward(a, b)
        return g, -g * wrap(np.asarray(quotient, dtype=g.array.dtype))


# ---------------------------------------------------------------------- function forms


def _rounded(op, x):
    x = A._t(x)
    return x.clone() if x.array.dtype.kind in "biu" else op(x)


def floor(x):
    """The largest integer <= x, elementwise (gradient 0)."""
    return _rounded(Floor(), x)


def ceil(x):
    """The smallest integer >= x, elementwise (gradient 0)."""
    return _rounded(Ceil(), x)


def trunc(x):
    """x rounded towards 0, elementwise (gradient 0)."""
    return _rounded(Trunc(), x)


fix = trunc


def round(x, decimals: int = 0):  # noqa: A001 - PyTorch's name
    """x rounded to ``decimals`` decimal places, halves to even (gradient 0)."""
    return _rounded(Round(decimals), x)


def frac(x):
    """The fractional part x - trunc(x), with the sign of x (dL/dx = g)."""
    x = A._t(x)
    return x - trunc(x)


def _pair(a, b, name: str):
    a, b = A._promote(A._t(a), b)
    A.refuse_bool_pair(name, a, b)  # PyTorch has no //, % or fmod of two bools
    return a, A._t(b) if not isinstance(b, (bool, int, float)) else b


def remainder(input, other):  # noqa: A002 - PyTorch's argument name
    """input - floor(input / other) * other: the remainder with the sign of ``other`` (Python's %)."""
    return Remainder()(*_pair(input, other, "remainder"))


def fmod(input, other):  # noqa: A002
    """input - trunc(input / other) * other: the remainder with the sign of ``input`` (C's fmod)."""
    return Fmod()(*_pair(input, other, "fmod"))


def floor_divide(input, other):  # noqa: A002
    """input // other, rounded down (Python's //); integers stay integers. Gradient 0."""
    return DivRounded("floor")(*_pair(input, other, "floor_divide"))


def div(input, other, *, rounding_mode: str | None = None):  # noqa: A002
    """input / other; ``rounding_mode`` 'floor' or 'trunc' rounds the quotient (gradient 0).

    Without a rounding mode integers divide into float32, as PyTorch's true division.
    """
    if rounding_mode is None:
        return A._t(input) / other
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(
            f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}"
        )
    return DivRounded(rounding_mode)(*_pair(input, other, "div"))


divide = div


def true_divide(input, other):  # noqa: A002
    """input / other without rounding (integers divide into float32)."""
    return div(input, other)
