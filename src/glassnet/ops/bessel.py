"""Bessel functions with their derivatives: i0, i1 (and their scaled i0e, i1e), bessel_j0, bessel_j1.

Computed in float64 from series and cast back to the input's dtype (integers become float32):

* The modified Bessel functions I_nu, nu = 0 or 1, from the power series
  I_nu(x) = (x/2)**nu sum_k (x**2/4)**k / (k! (k + nu)!) (all terms positive: no cancellation)
  for |x| <= 20, and above from the asymptotic series
  I_nu(x) e**-x ~ 1/sqrt(2 pi x) sum_k (-1)**k a_k(nu) / x**k, with
  a_k(nu) = (4nu**2 - 1**2)(4nu**2 - 3**2)...(4nu**2 - (2k - 1)**2) / (k! 8**k),
  whose smallest term there is below 1e-16. I_0 is even, I_1 odd.
* The Bessel functions of the first kind J_0, J_1: the power series
  J_nu(x) = (x/2)**nu sum_k (-1)**k (x**2/4)**k / (k! (k + nu)!) for |x| <= 5; Miller's backward
  recurrence J_(k-1) = (2k/x) J_k - J_(k+1), normalised by J_0 + 2 sum_k J_2k = 1, up to 25
  (the alternating series would cancel away the digits there); Hankel's asymptotic form
  J_nu(x) = sqrt(2/(pi x)) (P cos chi - Q sin chi), chi = x - (nu/2 + 1/4) pi, above.

Derivatives: I_0' = I_1, I_1' = I_0 - I_1/x, J_0' = -J_1, J_1' = J_0 - J_1/x (1/2 at x = 0 for
both of the latter); for the scaled ones d/dx (e**-|x| I_nu) = e**-|x| I_nu' - sign(x) e**-|x| I_nu.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Op, wrap
from . import api as A
from .special import _floats, _on_flat_arrays

__all__ = ["bessel_j0", "bessel_j1", "i0", "i0e", "i1", "i1e"]

_SERIES_UP_TO = 20.0  # I_nu: power series up to here, asymptotic series beyond
_J_SERIES_UP_TO = 5.0  # J_nu: power series up to here,
_J_MILLER_UP_TO = 25.0  # Miller's recurrence up to here, Hankel's asymptotic form beyond
_MILLER_START = 80  # J_80(25) ~ 1e-30: starting the recurrence there loses nothing
_ASYMPTOTIC_TERMS = 40


def _power_series(z: np.ndarray, nu: int, alternating: bool) -> np.ndarray:
    """(z/2)**nu sum_k (+-1)**k (z**2/4)**k / (k! (k + nu)!), summed until terms stop mattering."""
    quarter_square = z * z / 4
    term = (z / 2) ** nu / math.factorial(nu)
    total = term.copy()
    sign = -1.0 if alternating else 1.0
    for k in range(1, 200):
        term = term * (sign * quarter_square / (k * (k + nu)))
        total += term
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            break
    return total


def _hankel_terms(z: np.ndarray, nu: int) -> list:
    """The terms a_k(nu) / z**k of the asymptotic series, k = 0, 1, ..., each array."""
    terms = [np.ones_like(z)]
    for k in range(1, _ASYMPTOTIC_TERMS):
        factor = (4 * nu * nu - (2 * k - 1) ** 2) / (8 * k * z)
        terms.append(terms[-1] * factor)
    return terms


@_on_flat_arrays
def scaled_modified_bessel(x: np.ndarray, nu: int) -> np.ndarray:
    """e**-|x| I_nu(x) for nu = 0, 1 (i0e, i1e)."""
    x = _floats(x)
    z = np.abs(x)
    out = np.empty_like(z)
    small = z <= _SERIES_UP_TO
    out[small] = _power_series(z[small], nu, alternating=False) * np.exp(-z[small])
    big = ~small & np.isfinite(z)
    if big.any():
        zb = z[big]
        terms = _hankel_terms(zb, nu)
        series = sum(t * (-1) ** k for k, t in enumerate(terms))
        out[big] = series / np.sqrt(2 * math.pi * zb)
    out[z == np.inf] = 0.0
    out[np.isnan(z)] = np.nan
    return _odd(out, x) if nu == 1 else out


def _odd(value_at_abs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(x) = -f(|x|) for x < 0: an odd function from its values at |x|."""
    return np.where(x < 0, -value_at_abs, value_at_abs)


@_on_flat_arrays
def modified_bessel(x: np.ndarray, nu: int) -> np.ndarray:
    """I_nu(x) for nu = 0, 1 (i0, i1): the scaled value times e**|x| (+-inf past |x| ~ 713)."""
    x = _floats(x)
    with np.errstate(over="ignore", invalid="ignore"):
        out = scaled_modified_bessel(x, nu) * np.exp(np.abs(x))
    infinite = np.isinf(x)
    out[infinite] = np.inf if nu == 0 else x[infinite]
    return out


@_on_flat_arrays
def bessel_first_kind(x: np.ndarray, nu: int) -> np.ndarray:
    """J_nu(x) for nu = 0, 1 (bessel_j0, bessel_j1)."""
    x = _floats(x)
    z = np.abs(x)
    out = np.zeros_like(z)  # J_nu(+-inf) = 0
    out[np.isnan(z)] = np.nan
    series = z <= _J_SERIES_UP_TO
    out[series] = _power_series(z[series], nu, alternating=True)
    miller = (z > _J_SERIES_UP_TO) & (z <= _J_MILLER_UP_TO)
    if miller.any():
        zm = z[miller]
        after, current = np.zeros_like(zm), np.full_like(zm, 1e-30)  # J_(N+1), J_N (unscaled)
        norm = np.zeros_like(zm)  # J_0 + 2 sum J_2k, in the same unknown scale
        j1 = None
        for k in range(_MILLER_START, 0, -1):
            before = (2 * k / zm) * current - after  # J_(k-1)
            after, current = current, before
            if k - 1 == 1:
                j1 = current.copy()
            if (k - 1) % 2 == 0 and k - 1 > 0:
                norm += 2 * current
        norm += current  # J_0
        out[miller] = (current if nu == 0 else j1) / norm
    hankel = (z > _J_MILLER_UP_TO) & np.isfinite(z)
    if hankel.any():
        zh = z[hankel]
        terms = _hankel_terms(zh, nu)
        p = sum(t * (-1) ** (k // 2) for k, t in enumerate(terms) if k % 2 == 0)
        q = sum(t * (-1) ** (k // 2) for k, t in enumerate(terms) if k % 2 == 1)
        chi = zh - (nu / 2 + 0.25) * math.pi
        out[hankel] = np.sqrt(2 / (math.pi * zh)) * (p * np.cos(chi) - q * np.sin(chi))
    return _odd(out, x) if nu == 1 else out


def _derivative_of_order_one(order_zero: Any, order_one: Any, x: Any) -> Any:
    """f_0 - f_1 / x, the derivative of I_1 (with I's) or J_1 (with J's): 1/2 at x = 0."""
    zero = x.array == 0
    safe = A.where(wrap(zero), 1.0, x) if zero.any() else x
    value = order_zero - order_one / safe
    return A.where(wrap(zero), 0.5, value) if zero.any() else value


class I0(Op):
    """y = I_0(x), the modified Bessel function of order 0;   dL/dx = g I_1(x)"""

    def forward(self, x):
        return modified_bessel(x, 0).astype(x.dtype, copy=False)

    def backward(self, g):
        return (g * I1()(self.inputs[0]),)


class I1(Op):
    """y = I_1(x);   dL/dx = g (I_0(x) - I_1(x) / x), g/2 at x = 0"""

    def forward(self, x):
        self.out_data = modified_bessel(x, 1).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        return (g * _derivative_of_order_one(I0()(x), self.output(), x),)


class I0e(Op):
    """y = e**-|x| I_0(x);   dL/dx = g (i1e(x) - sign(x) i0e(x))"""

    def forward(self, x):
        self.out_data = scaled_modified_bessel(x, 0).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        return (g * (I1e()(x) - x.sign() * self.output()),)


class I1e(Op):
    """y = e**-|x| I_1(x);   dL/dx = g (i0e(x) - i1e(x) (sign(x) + 1/x)), g/2 at x = 0"""

    def forward(self, x):
        self.out_data = scaled_modified_bessel(x, 1).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        y = self.output()
        return (g * (_derivative_of_order_one(I0e()(x), y, x) - x.sign() * y),)


class BesselJ0(Op):
    """y = J_0(x), the Bessel function of the first kind of order 0;   dL/dx = -g J_1(x)"""

    def forward(self, x):
        return bessel_first_kind(x, 0).astype(x.dtype, copy=False)

    def backward(self, g):
        return (-g * BesselJ1()(self.inputs[0]),)


class BesselJ1(Op):
    """y = J_1(x);   dL/dx = g (J_0(x) - J_1(x) / x), g/2 at x = 0"""

    def forward(self, x):
        self.out_data = bessel_first_kind(x, 1).astype(x.dtype, copy=False)
        return self.out_data

    def backward(self, g):
        x = self.inputs[0]
        return (g * _derivative_of_order_one(BesselJ0()(x), self.output(), x),)


def i0(input: Any) -> Any:  # noqa: A002
    """I_0(x) = sum_k (x**2/4)**k / (k!)**2, the modified Bessel function of the first kind of
    order 0 (even, I_0(0) = 1, grows like e**|x| / sqrt(2 pi |x|));   dL/dx = g I_1(x)."""
    return I0()(A._float(input))


def i0e(input: Any) -> Any:  # noqa: A002
    """e**-|x| I_0(x), I_0 scaled so it does not overflow;   dL/dx = g (i1e(x) - sign(x) i0e(x))."""
    return I0e()(A._float(input))


def i1(input: Any) -> Any:  # noqa: A002
    """I_1(x) = (x/2) sum_k (x**2/4)**k / (k! (k + 1)!) (odd);   dL/dx = g (I_0(x) - I_1(x)/x)."""
    return I1()(A._float(input))


def i1e(input: Any) -> Any:  # noqa: A002
    """e**-|x| I_1(x);   dL/dx = g (i0e(x) - i1e(x) (sign(x) + 1/x)) (g/2 at 0)."""
    return I1e()(A._float(input))


def bessel_j0(input: Any) -> Any:  # noqa: A002
    """J_0(x) = sum_k (-1)**k (x**2/4)**k / (k!)**2, the Bessel function of the first kind of
    order 0;   dL/dx = -g J_1(x)."""
    return BesselJ0()(A._float(input))


def bessel_j1(input: Any) -> Any:  # noqa: A002
    """J_1(x) = (x/2) sum_k (-1)**k (x**2/4)**k / (k! (k + 1)!);   dL/dx = g (J_0(x) - J_1(x)/x)."""
    return BesselJ1()(A._float(input))
