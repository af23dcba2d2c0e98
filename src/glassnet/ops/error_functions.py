"""The error-function family and the normal distribution's functions: erfc, erfcx, ndtr, ndtri, log_ndtr.

Each is computed in float64 and cast back to the input's dtype (integers become float32):

* erfc(x) = 1 - erf(x) = 2/sqrt(pi) int_x^inf e**(-t**2) dt, from Python's ``math.erfc``,
  which keeps its relative precision far into the tail where 1 - erf(x) would be 0.
* erfcx(x) = e**(x**2) erfc(x), the scaled complement (about 1 / (x sqrt(pi)) for large x):
  for x < 3 the product itself; above, the continued fraction
  erfcx(x) = 1/sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))),
  evaluated from the 60th level up, where e**(x**2) would overflow and erfc underflow.
* ndtr(x) = Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2, the standard normal CDF.
* log_ndtr(x) = ln Phi(x): log1p(-erfc(x / sqrt 2) / 2) for x > -1, and
  ln(erfcx(-x / sqrt 2) / 2) - x**2 / 2 below, so that ln Phi(-40) = -804.6 is not ln 0.
* ndtri(p) = Phi^-1(p), the normal quantile: Acklam's rational approximation (relative error
  about 1e-9) refined by two of Halley's steps on ndtr.

Derivatives: erfc' = -2/sqrt(pi) e**(-x**2);  erfcx' = 2x erfcx(x) - 2/sqrt(pi);
Phi' = phi(x) = e**(-x**2/2) / sqrt(2 pi);  (ln Phi)' = phi / Phi = sqrt(2/pi) / erfcx(-x/sqrt 2);
(Phi^-1)'(p) = 1 / phi(Phi^-1(p)) = sqrt(2 pi) e**(y**2 / 2).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Op
from . import api as A
from .special import _floats, _on_flat_arrays

__all__ = ["erfc", "erfcx", "log_ndtr", "ndtr", "ndtri"]

_erfc = np.frompyfunc(math.erfc, 1, 1)
_SQRT_2 = math.sqrt(2.0)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_CONTINUED_FRACTION_FROM = 3.0
_CONTINUED_FRACTION_DEPTH = 60  # at x = 3 the fraction has settled to 1e-16 well before this

# Acklam's coefficients for the normal quantile (central part a/b, tails c/d).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)  # fmt: skip
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_ACKLAM_LOW = 0.02425  # below this (and above 1 - this) the tail formula


def _polynomial(coefficients: tuple, t: np.ndarray) -> np.ndarray:
    """c_0 t**(n-1) + ... + c_(n-1), by Horner's rule."""
    total = np.zeros_like(t)
    for c in coefficients:
        total = total * t + c
    return total


@_on_flat_arrays
def erfc_array(x: np.ndarray) -> np.ndarray:
    """1 - erf(x), to full relative precision in the tail (erfc(10) = 2.1e-45)."""
    x = _floats(x)
    return _erfc(x).astype(np.float64) if x.size else x.copy()


@_on_flat_arrays
def erfcx_array(x: np.ndarray) -> np.ndarray:
    """e**(x**2) erfc(x): the product below 3, the continued fraction above (+inf for x below
    about -26.6, where e**(x**2) overflows; 0 at +inf)."""
    x = _floats(x)
    out = np.empty_like(x)
    near = ~(x >= _CONTINUED_FRACTION_FROM)  # NaN goes here and stays NaN
    with np.errstate(over="ignore", invalid="ignore"):
        out[near] = np.exp(x[near] ** 2) * erfc_array(x[near])
    out[x == -np.inf] = np.inf
    far = x >= _CONTINUED_FRACTION_FROM
    xf = x[far]
    level = xf.copy()
    for k in range(_CONTINUED_FRACTION_DEPTH, 0, -1):
        level = xf + (k / 2) / level
    with np.errstate(divide="ignore"):
        out[far] = 1 / (math.sqrt(math.pi) * level)  # 1 / inf = 0 at x = +inf
    return out


@_on_flat_arrays
def ndtr_array(x: np.ndarray) -> np.ndarray:
    """Phi(x) = erfc(-x / sqrt 2) / 2."""
    return 0.5 * erfc_array(-_floats(x) / _SQRT_2)


@_on_flat_arrays
def log_ndtr_array(x: np.ndarray) -> np.ndarray:
    """ln Phi(x), finite down to x = -1e150 or so (where -x**2/2 overflows)."""
    x = _floats(x)
    out = np.empty_like(x)
    upper = ~(x < -1)  # NaN goes here and stays NaN
    out[upper] = np.log1p(-0.5 * erfc_array(x[upper] / _SQRT_2))
    lower = x < -1
    xl = x[lower]
    with np.errstate(over="ignore", divide="ignore"):
        out[lower] = np.log(0.5 * erfcx_array(-xl / _SQRT_2)) - xl * xl / 2
    return out


@_on_flat_arrays
def ndtri_array(p: np.ndarray) -> np.ndarray:
    """Phi^-1(p) for p in [0, 1]: -inf at 0, +inf at 1, NaN outside."""
    p = _floats(p)
    out = np.full_like(p, np.nan)
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    inside = (p > 0) & (p < 1)
    q = p[inside]
    y = np.empty_like(q)
    low, high = q < _ACKLAM_LOW, q > 1 - _ACKLAM_LOW
    middle = ~low & ~high
    t = q[middle] - 0.5
    r = t * t
    y[middle] = t * _polynomial(_A, r) / (_polynomial(_B, r) * r + 1)
    for tail, sign, tail_p in ((low, 1.0, q[low]), (high, -1.0, 1 - q[high])):
        u = np.sqrt(-2 * np.log(tail_p))
        y[tail] = sign * _polynomial(_C, u) / (_polynomial(_D, u) * u + 1)
    for _ in range(2):  # Halley's steps on ndtr(y) - p: cubic convergence from 1e-9
        # the tail above 1/2 is measured from 1 (erfc(y / sqrt 2) / 2 = 1 - Phi(y)), exactly
        residual = np.where(y > 0, (1 - q) - 0.5 * erfc_array(y / _SQRT_2), ndtr_array(y) - q)
        u = residual * math.sqrt(2 * math.pi) * np.exp(y * y / 2)
        y = y - u / (1 + y * u / 2)
    out[inside] = y
    return out


class Erfc(Op):
    """y = erfc(x) = 1 - erf(x);   dL/dx = -g 2/sqrt(pi) e**(-x**2)"""

    def forward(self, x):
        return erfc_array(x).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        return (-g * _TWO_OVER_SQRT_PI * (-(x * x)).exp(),)


class Erfcx(Op):
    """y = e**(x**2) erfc(x);   dL/dx = g (2 x y - 2/sqrt(pi))"""

    def forward(self, x):
        self.out_data = erfcx_array(x).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        return (g * (2 * x * self.output() - _TWO_OVER_SQRT_PI),)


class Ndtr(Op):
    """y = Phi(x) = (1 + erf(x / sqrt 2)) / 2;   dL/dx = g e**(-x**2/2) / sqrt(2 pi)"""

    def forward(self, x):
        return ndtr_array(x).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        return (g * (-(x * x) / 2).exp() / math.sqrt(2 * math.pi),)


class LogNdtr(Op):
    """y = ln Phi(x);   dL/dx = g phi(x) / Phi(x) = g sqrt(2/pi) / erfcx(-x / sqrt 2)"""

    def forward(self, x):
        return log_ndtr_array(x).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        return (g * math.sqrt(2 / math.pi) / Erfcx()(-x / _SQRT_2),)


class Ndtri(Op):
    """y = Phi^-1(p);   dL/dp = g sqrt(2 pi) e**(y**2 / 2)"""

    def forward(self, p):
        self.out_data = ndtri_array(p).astype(p.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        y = self.output()
        return (g * math.sqrt(2 * math.pi) * (y * y / 2).exp(),)


def erfc(input: Any) -> Any:  # noqa: A002
    """The complementary error function 1 - erf(x), accurate far into the tail;
    dL/dx = -g 2/sqrt(pi) e**(-x**2)."""
    return Erfc()(A._float(input))


def erfcx(input: Any) -> Any:  # noqa: A002
    """The scaled complementary error function e**(x**2) erfc(x) (~ 1 / (x sqrt(pi)) for large
    x, without the overflow of the product);   dL/dx = g (2 x erfcx(x) - 2/sqrt(pi))."""
    return Erfcx()(A._float(input))


def ndtr(input: Any) -> Any:  # noqa: A002
    """The standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2;   dL/dx = g phi(x), the
    normal density e**(-x**2/2) / sqrt(2 pi)."""
    return Ndtr()(A._float(input))


def log_ndtr(input: Any) -> Any:  # noqa: A002
    """ln Phi(x), accurate where Phi(x) itself underflows (x < -38);
    dL/dx = g phi(x) / Phi(x)."""
    return LogNdtr()(A._float(input))


def ndtri(input: Any) -> Any:  # noqa: A002
    """The normal quantile Phi^-1(p), the x with Phi(x) = p (-inf at 0, +inf at 1, NaN
    outside [0, 1]);   dL/dp = g sqrt(2 pi) e**(x**2 / 2)."""
    return Ndtri()(A._float(input))
