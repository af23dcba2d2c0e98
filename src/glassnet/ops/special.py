"""Special functions with their derivatives: erfinv, lgamma, digamma, polygamma and zeta (no SciPy).

Each is computed in float64 from its documented mathematics and cast back to the input's
dtype (integers become float32, as in PyTorch):

* erfinv: a rational-log initial guess (Winitzki's, about 2e-3 relative error) refined by
  Newton steps on ``math.erf`` (on ``math.erfc`` for |x| > 0.5, where 1 - |x| is exact and
  erf would lose the digits that matter near +-1).
* lgamma: ``math.lgamma`` elementwise, log|Gamma(x)|, +inf at the poles 0, -1, -2, ...
* digamma psi(x) = d lgamma / dx and trigamma psi'(x): the recurrences psi(x) = psi(x + 1) -
  1/x and psi'(x) = psi'(x + 1) + 1/x**2 move x above 10, where the asymptotic series in the
  Bernoulli numbers is accurate to ~1e-16; negative x use the reflection formulas.
* Hurwitz zeta(s, q) = sum_k (q + k)**-s: the first terms summed until q + k > 9, the rest by
  the Euler-Maclaurin formula (an integral, half a term and twelve Bernoulli corrections).
* polygamma(n, x) = d**n psi / dx**n = (-1)**(n + 1) n! zeta(n + 1, x) for n >= 1.
* mvlgamma(x, p), the multivariate log-gamma: p(p - 1)/4 ln(pi) + sum_j lgamma(x + (1 - j)/2).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..autograd import Op, as_tensor, is_tensor
from . import api as A

# api.py re-exports these three by name; the later ones (polygamma, zeta, mvlgamma) reach
# glassnet.* through __init__.py and glassnet.special.
__all__ = ["digamma", "erfinv", "lgamma"]

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_SHIFT_TO = 10.0  # above this the asymptotic series below are accurate to double precision
# B_2k / (2k) for k = 1..7: psi(x) ~ ln x - 1/(2x) - sum_k B_2k / (2k x**2k)
_PSI_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
# B_2k for k = 1..7: psi'(x) ~ 1/x + 1/(2 x**2) + sum_k B_2k / x**(2k + 1)
_TRIGAMMA_SERIES = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def float_operands(a: Any, b: Any) -> tuple:
    """Two operands as floating tensors of one dtype, PyTorch's way: integers become float32, a
    Python number takes the other operand's dtype, two float tensors meet at the wider one."""
    if not is_tensor(a) and not is_tensor(b):
        a = A._float(a)
    if not is_tensor(a):
        b = A._float(b)
        return as_tensor(a, b.array.dtype), b
    a = A._float(a)
    if not is_tensor(b):
        return a, as_tensor(b, a.array.dtype)
    b = A._float(b)
    if a.array.dtype != b.array.dtype:
        wider = np.promote_types(a.array.dtype, b.array.dtype)
        a, b = a.to(wider), b.to(wider)
    return a, b


# The float64 evaluation shared by the special functions here and in bessel.py, error_functions.py.
def _floats(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _on_flat_arrays(function: Any) -> Any:
    """``function`` of float64 arrays applied to the flattened input and reshaped back, so that
    its boolean-mask assignments also work for 0-d input."""

    @functools.wraps(function)
    def elementwise(x: Any, *args: Any) -> np.ndarray:
        x = _floats(x)
        return np.asarray(function(x.reshape(-1), *args)).reshape(x.shape)

    return elementwise


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
            (1 - s) - np.asarray(_erfc(y), np.float64),  # erf(y) - s written with erfc
            np.asarray(_erf(y), np.float64) - s,
        )
        y = y - residual / (slope * np.exp(-y * y))
    y = np.where(inside, y, np.where(a == 1, np.inf, np.nan))
    return np.copysign(y, x)


def lgamma_array(x: np.ndarray) -> np.ndarray:
    """ln|Gamma(x)|, +inf at 0 and the negative integers."""
    x = _floats(x)
    # C-ordered, so that result (a view of out) is written through: empty_like of a broadcast
    # view takes another layout, and its reshape(-1) would be a copy.
    out = np.empty(x.shape, x.dtype)
    flat, result = x.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat):
        if np.isnan(v):
            result[i] = np.nan
        elif np.isinf(v):
            result[i] = np.inf  # lgamma(+-inf) = +inf
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
    """psi(x) = Gamma'(x) / Gamma(x); -inf at 0 and +inf at -0 (as PyTorch), NaN at the
    negative integers."""
    x = _floats(x)
    out = np.full_like(x, np.nan)
    finite = np.isfinite(x)
    out[x == np.inf] = np.inf
    pole = finite & (x <= 0) & (x == np.floor(x))
    zero = x == 0
    out[zero] = np.where(np.signbit(x[zero]), np.inf, -np.inf)  # the limits from either side
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
        (x,) = self.inputs
        return (g * Polygamma(2)(x),)


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


# ---------------------------------------------------------------------- Hurwitz zeta, polygamma

# B_2j / (2j)! for j = 1..12, the Euler-Maclaurin coefficients of the zeta tail below.
_BERNOULLI_2J = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
                 43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730)  # fmt: skip
_ZETA_TAIL = tuple(b / math.factorial(2 * j) for j, b in enumerate(_BERNOULLI_2J, start=1))
_ZETA_DIRECT_TERMS = 9  # terms summed directly before the tail formula takes over (at q + N > 9)


def zeta_array(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hurwitz zeta(s, q) = sum_{k >= 0} (q + k)**-s, for s > 1 (as PyTorch: +inf at s = 1 and
    at q = 0, -1, -2, ...; NaN for s < 1 and for q < 0 with a fractional s).

    With a = q + N once N >= 9 terms are summed and a > 9, Euler-Maclaurin gives the rest:
    sum_{k >= N} (q + k)**-s = a**(1 - s)/(s - 1) + a**-s / 2
    + sum_j B_2j/(2j)! s (s + 1) ... (s + 2j - 2) a**(-s - 2j + 1), accurate to ~1e-16.
    """
    s, q = np.broadcast_arrays(_floats(s), _floats(q))
    out = np.full(s.shape, np.nan)
    pole = (s == 1) | ((s > 1) & (q <= 0) & (q == np.floor(q)))
    out[pole] = np.inf
    fractional_power_of_negative = (q < 0) & (s != np.floor(s))
    work = (s > 1) & np.isfinite(s) & np.isfinite(q) & ~pole & ~fractional_power_of_negative
    if not work.any():
        return out
    s_, a = s[work], q[work].copy()
    total = a**-s_
    count = np.zeros(a.shape)
    more = (count < _ZETA_DIRECT_TERMS) | (a <= _ZETA_DIRECT_TERMS)
    while more.any():  # the direct terms, until every a is past 9 (negative q take longer)
        a[more] += 1
        count[more] += 1
        total[more] += a[more] ** -s_[more]
        more = (count < _ZETA_DIRECT_TERMS) | (a <= _ZETA_DIRECT_TERMS)
    # total holds the terms up to and including a = q + N; the tail formula counts half of it
    total += a ** (1 - s_) / (s_ - 1) - 0.5 * a**-s_
    rising, power = s_.copy(), a ** (-s_ - 1)
    for j, coefficient in enumerate(_ZETA_TAIL, start=1):
        total += coefficient * rising * power
        rising = rising * (s_ + 2 * j - 1) * (s_ + 2 * j)
        power = power / (a * a)
    out[work] = total
    return out


def polygamma_array(n: int, x: np.ndarray) -> np.ndarray:
    """psi^(n)(x), the n-th derivative of digamma: digamma for n = 0, trigamma for n = 1, and
    (-1)**(n + 1) n! zeta(n + 1, x) above."""
    if n == 0:
        return digamma_array(x)
    if n == 1:
        return trigamma_array(x)
    sign = -1.0 if n % 2 == 0 else 1.0
    return sign * math.factorial(n) * zeta_array(np.float64(n + 1), x)


class Polygamma(Op):
    """y = psi^(n)(x) = d**n/dx**n digamma(x);   dL/dx = g psi^(n + 1)(x)"""

    def __init__(self, n: int) -> None:
        self.n = n

    def forward(self, x):
        return polygamma_array(self.n, x).astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.inputs
        return (g * Polygamma(self.n + 1)(x),)


class Zeta(Op):
    """y = zeta(s, q) = sum_k (q + k)**-s;   dL/dq = -g s zeta(s + 1, q) (none for s, as PyTorch)"""

    def forward(self, s, q):
        dtype = np.result_type(s, q)
        return zeta_array(s, q).astype(dtype, copy=False)

    def backward(self, g):
        s, q = self.inputs
        if self.needs_input_grad[0]:
            raise RuntimeError("zeta: the derivative with respect to s (the exponent) is not "
                               "implemented (as in PyTorch); only q can require grad")  # fmt: skip
        return None, -g * s * Zeta()(s + 1, q)


def polygamma(n: int, input: Any) -> Any:  # noqa: A002
    """psi^(n)(x), the n-th derivative of digamma (n = 0 is digamma itself);
    dL/dx = g psi^(n + 1)(x). For n >= 1: (-1)**(n + 1) n! sum_k 1 / (x + k)**(n + 1)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative integer, got {n!r}")
    return Polygamma(int(n))(A._float(input))


def zeta(input: Any, other: Any) -> Any:  # noqa: A002
    """The Hurwitz zeta function zeta(x, q) = sum_{k >= 0} 1 / (q + k)**x (x > 1; the Riemann
    zeta at q = 1); dL/dq = -g x zeta(x + 1, q). Numbers and tensors broadcast together."""
    return Zeta()(*float_operands(input, other))


def mvlgamma(input: Any, p: int) -> Any:  # noqa: A002
    """The multivariate log-gamma ln Gamma_p(x) = p(p - 1)/4 ln(pi) + sum_{j=1..p}
    lgamma(x + (1 - j)/2), for x > (p - 1)/2;   dL/dx = g sum_j digamma(x + (1 - j)/2)."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ValueError(f"mvlgamma: p must be an integer >= 1, got {p!r}")
    x = A._float(input)
    if x.array.size and not np.all(x.array > (p - 1) / 2):
        raise ValueError(f"mvlgamma: all elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    total = lgamma(x)
    for j in range(2, p + 1):
        total = total + lgamma(x + (1 - j) / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)
