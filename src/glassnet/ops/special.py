"""Special functions with their derivatives: erfinv, lgamma, digamma and trigamma (no SciPy).

Each is computed in float64 from its documented mathematics and cast back to the input's
dtype (integers become float32, as in PyTorch):

* erfinv: a rational-log initial guess (Winitzki's, about 2e-3 relative error) refined by
  Newton steps on ``math.erf`` (on ``math.erfc`` for |x| > 0.5, where 1 - |x| is exact and
  erf would lose the digits that matter near +-1).
* lgamma: ``math.lgamma`` elementwise, log|Gamma(x)|, +inf at the poles 0, -1, -2, ...
* digamma psi(x) = d lgamma / dx and trigamma psi'(x): the recurrences psi(x) = psi(x + 1) -
  1/x and psi'(x) = psi'(x + 1) + 1/x**2 move x above 10, where the asymptotic series in the
  Bernoulli numbers is accurate to ~1e-16; negative x use the reflection formulas.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Op
from . import api as A

__all__ = ["digamma", "erfinv", "lgamma"]

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_SHIFT_TO = 10.0  # above this the asymptotic series below are accurate to double precision
# B_2k / (2k) for k = 1..7: psi(x) ~ ln x - 1/(2x) - sum_k B_2k / (2k x**2k)
_PSI_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
# B_2k for k = 1..7: psi'(x) ~ 1/x + 1/(2 x**2) + sum_k B_2k / x**(2k + 1)
_TRIGAMMA_SERIES = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _floats(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def erfinv_array(x: np.ndarray) -> np.ndarray:
    """y with erf(y) = x for x in (-1, 1); +-inf at +-1, NaN outside [-1, 1]."""
    x = _floats(x)
    a = np.abs(x)
    inside = a < 1
    s = np.where(inside, a, 0.0)
    log_term = np.log1p(-s * s)  # ln(1 - x**2)
    k = 0.147
    first = 2 / (math.pi * k) + log_term / 2
    y = np.sqrt(np.sqrt(first * first - log_term / k) - first)
    slope = 2 / math.sqrt(math.pi)
    tail = s > 0.5
    for _ in range(6):  # quadratic convergence: 2e-3 -> below 1e-15 in four steps
        residual = np.where(
            tail,
            (1 - s) - _erfc(y).astype(np.float64),  # erf(y) - s written with erfc
            _erf(y).astype(np.float64) - s,
        )
        y = y - residual / (slope * np.exp(-y * y))
    y = np.where(inside, y, np.where(a == 1, np.inf, np.nan))
    return np.copysign(y, x)


def lgamma_array(x: np.ndarray) -> np.ndarray:
    """ln|Gamma(x)|, +inf at 0 and the negative integers."""
    x = _floats(x)
    out = np.empty_like(x)
    flat, result = x.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat):
        if np.isnan(v):
            result[i] = np.nan
        elif v <= 0 and v == math.floor(v):
            result[i] = np.inf  # a pole of Gamma (math.lgamma raises there)
        else:
            result[i] = math.lgamma(v)
    return out


def _series(x: np.ndarray, coefficients: tuple, first_power: int) -> np.ndarray:
    """sum_k c_k / x**(first_power + 2k), by Horner's rule in 1/x**2."""
    inverse_square = 1 / (x * x)
    total = np.zeros_like(x)
    for c in reversed(coefficients):
        total = total * inverse_square + c
    return total * inverse_square / x ** (first_power - 2)


def _shifted(x: np.ndarray, term: Any) -> tuple:
    """x moved above _SHIFT_TO by steps of 1, and the sum of term(x) over the steps taken."""
    x = x.copy()
    total = np.zeros_like(x)
    low = x < _SHIFT_TO
    while low.any():
        total[low] += term(x[low])
        x[low] += 1
        low = x < _SHIFT_TO
    return x, total


def digamma_array(x: np.ndarray) -> np.ndarray:
    """psi(x) = Gamma'(x) / Gamma(x); -inf at 0 (as PyTorch), NaN at the negative integers."""
    x = _floats(x)
    out = np.full_like(x, np.nan)
    finite = np.isfinite(x)
    out[x == np.inf] = np.inf
    pole = finite & (x <= 0) & (x == np.floor(x))
    out[x == 0] = -np.inf
    negative = finite & (x < 0) & ~pole
    positive = finite & (x > 0)
    # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
    z = np.where(negative, 1 - x, np.where(positive, x, 1.0))
    z, steps = _shifted(z, lambda v: -1 / v)
    value = np.log(z) - 0.5 / z - _series(z, _PSI_SERIES, 2) + steps
    reflected = value - math.pi / np.tan(math.pi * np.where(negative, x, 0.5))
    out[positive] = value[positive]
    out[negative] = reflected[negative]
    return out


def trigamma_array(x: np.ndarray) -> np.ndarray:
    """psi'(x) = sum_n 1 / (x + n)**2; +inf at the poles 0, -1, -2, ..."""
    x = _floats(x)
    out = np.full_like(x, np.nan)
    finite = np.isfinite(x)
    out[x == np.inf] = 0.0
    pole = finite & (x <= 0) & (x == np.floor(x))
    out[pole] = np.inf
    negative = finite & (x < 0) & ~pole
    positive = finite & (x > 0)
    # reflection: psi'(x) = pi**2 / sin(pi x)**2 - psi'(1 - x)
    z = np.where(negative, 1 - x, np.where(positive, x, 1.0))
    z, steps = _shifted(z, lambda v: 1 / (v * v))
    value = 1 / z + 0.5 / (z * z) + _series(z, _TRIGAMMA_SERIES, 3) + steps
    reflected = (math.pi / np.sin(math.pi * np.where(negative, x, 0.5))) ** 2 - value
    out[positive] = value[positive]
    out[negative] = reflected[negative]
    return out


class Erfinv(Op):
    """y = erfinv(x);   dL/dx = g sqrt(pi)/2 exp(y**2)"""

    def forward(self, x):
        self.out_data = erfinv_array(x).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        y = self.output()
        return (g * ((y * y).exp() * (math.sqrt(math.pi) / 2)),)


class Lgamma(Op):
    """y = ln|Gamma(x)|;   dL/dx = g digamma(x)"""

    def forward(self, x):
        return lgamma_array(x).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.inputs
        return (g * Digamma()(x),)


class Digamma(Op):
    """y = psi(x);   dL/dx = g psi'(x) (trigamma, polygamma(1, x))"""

    def forward(self, x):
        return digamma_array(x).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.inputs
        return (g * Trigamma()(x),)


class Trigamma(Op):
    """y = psi'(x), the derivative of digamma (its own derivative is not implemented)."""

    def forward(self, x):
        return trigamma_array(x).astype(x.dtype, copy=False)

    def backward(self, g):
        raise RuntimeError("the derivative of trigamma (polygamma(2, x)) is not implemented")


def erfinv(input: Any) -> Any:  # noqa: A002
    """The inverse error function: y with erf(y) = x, x in [-1, 1] (NaN outside, +-inf at +-1).

    dL/dx = g sqrt(pi)/2 exp(erfinv(x)**2). Integer input becomes float32.
    """
    return Erfinv()(A._float(input))


def lgamma(input: Any) -> Any:  # noqa: A002
    """y = ln|Gamma(x)| (+inf at 0, -1, -2, ...);   dL/dx = g digamma(x)."""
    return Lgamma()(A._float(input))


def digamma(input: Any) -> Any:  # noqa: A002
    """psi(x) = d/dx ln Gamma(x) (-inf at 0, NaN at the negative integers, as PyTorch);
    dL/dx = g polygamma(1, x), the trigamma function sum_n 1 / (x + n)**2."""
    return Digamma()(A._float(input))
