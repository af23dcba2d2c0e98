"""The regularized incomplete gamma functions igamma P(a, x) and igammac Q(a, x) = 1 - P(a, x), with their x-derivative.

    P(a, x) = (1 / Gamma(a)) integral_0^x t**(a - 1) e**-t dt        (a >= 0, x >= 0)
    Q(a, x) = (1 / Gamma(a)) integral_x^inf t**(a - 1) e**-t dt = 1 - P(a, x)

    dP/dx = x**(a - 1) e**-x / Gamma(a),   dQ/dx = -dP/dx

P is the CDF of a Gamma(a, 1) variable (and of a chi-square with 2a degrees of freedom at 2x).
As in PyTorch, only x is differentiated: the derivative in a needs the derivative of the
integrand's exponent (a Meijer G-function) and is refused when a requires grad.

Evaluation (float64, no SciPy), the two classic expansions around the prefactor
f = x**a e**-x / Gamma(a):

* x < a + 1: the series P = f sum_{n >= 0} x**n / (a (a + 1) ... (a + n)), whose terms fall
  fast once n passes x;
* x >= a + 1: Q as the continued fraction
  Q = f / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))),
  evaluated with Lentz's method.

Each side computes the one of P and Q it converges to, and the other is 1 minus it. Edge
values follow PyTorch: a or x negative or NaN gives NaN; P(0, x > 0) = 1; P(a, 0) = 0;
P(a, inf) = 1; P(inf, x finite) = 0. The derivative at x = 0 is its limit (1 for a = 1, 0 for
a > 1, inf for a < 1), where PyTorch's formula takes 0 * log 0 and gives NaN for a = 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..autograd import Op
from ..errors import DTypeError
from . import api as A
from .special import float_operands, lgamma, lgamma_array
from .torch_formulas import xlogy

__all__ = ["igamma", "igammac"]

_EPS = 1e-16  # relative size of the last term kept
_MAX_TERMS = 10_000  # the series needs about sqrt(a) terms near x = a; a cap for huge a
_TINY = 1e-300  # Lentz's method replaces a zero denominator by this


def _rounds(shape: tuple) -> Iterator[tuple[int, np.ndarray]]:
    """The rounds n = 1, 2, ... of an expansion evaluated elementwise, each with the mask of the
    elements still converging.

    The caller clears the elements that have converged (``active &= ...``, in place: the mask
    it is given is the one checked here); the rounds stop when none is left, or after
    ``_MAX_TERMS``.
    """
    active = np.ones(shape, bool)
    n = 0
    while active.any() and n < _MAX_TERMS:
        n += 1
        yield n, active


def _lower_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_{n >= 0} x**n / (a (a + 1) ... (a + n)), for x < a + 1 (so the ratios x / (a + n) < 1)."""
    term = 1.0 / a
    total = term.copy()
    for n, active in _rounds(a.shape):
        term = np.where(active, term * x / (a + n), 0.0)
        total += term
        active &= np.abs(term) > np.abs(total) * _EPS
    return total


def _upper_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q / f as a continued fraction (Lentz's method), for x >= a + 1."""
    b = x + 1.0 - a
    c = np.full(a.shape, 1.0 / _TINY)
    d = 1.0 / b
    h = d.copy()
    for i, active in _rounds(a.shape):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        step = d * c
        h = np.where(active, h * step, h)
        active &= np.abs(step - 1.0) > _EPS
    return h


def lower_regularized(a: Any, x: Any, upper: bool = False) -> np.ndarray:
    """P(a, x) (or Q(a, x) with ``upper=True``) elementwise on arrays, broadcast together."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    a, x = a.reshape(-1), x.reshape(-1)
    p = np.full(a.shape, np.nan)
    # The edges, as PyTorch gives them.
    p[(a == 0) & (x > 0)] = 1.0
    p[(a > 0) & (x == 0)] = 0.0
    p[(a >= 0) & (x == np.inf) & (a < np.inf)] = 1.0
    p[(a == np.inf) & (x >= 0) & (x < np.inf)] = 0.0
    q = 1.0 - p
    regular = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    if regular.any():
        ar, xr = a[regular], x[regular]
        prefactor = np.exp(ar * np.log(xr) - xr - lgamma_array(ar))  # x**a e**-x / Gamma(a)
        series = xr < ar + 1
        pr, qr = np.empty(ar.shape), np.empty(ar.shape)
        s, f = series, ~series
        # Each side computes directly the one it converges to; the other is 1 minus it.
        pr[s] = np.clip(prefactor[s] * _lower_series(ar[s], xr[s]), 0.0, 1.0)
        qr[s] = 1.0 - pr[s]
        qr[f] = np.clip(prefactor[f] * _upper_fraction(ar[f], xr[f]), 0.0, 1.0)
        pr[f] = 1.0 - qr[f]
        p[regular], q[regular] = pr, qr
    return q if upper else p


class IncompleteGamma(Op):
    """y = P(a, x) (or Q(a, x) = 1 - P);   dL/dx = +-g x**(a - 1) e**-x / Gamma(a), none for a"""

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def forward(self, a, x):
        dtype = np.result_type(a, x)
        shape = np.broadcast_shapes(np.shape(a), np.shape(x))
        return lower_regularized(a, x, self.upper).reshape(shape).astype(dtype, copy=False)

    def backward(self, g):
        a, x = self.inputs
        name = "igammac" if self.upper else "igamma"
        if self.needs_input_grad[0]:
            raise NotImplementedError(
                f"{name}: the derivative with respect to a (the first argument) is not "
                "implemented, as in PyTorch; only x can require grad"
            )
        density = A.exp(xlogy(a - 1, x) - x - lgamma(a))  # x**(a - 1) e**-x / Gamma(a)
        return None, (-g if self.upper else g) * density


def _operands(name: str, input: Any, other: Any) -> tuple:  # noqa: A002
    for value, role in ((input, "input (a)"), (other, "other (x)")):
        dtype = getattr(getattr(value, "array", None), "dtype", None)
        if dtype is not None and dtype.kind != "f":
            raise DTypeError(f"{name}: expected a floating tensor as {role}, got dtype {dtype}")
    return float_operands(input, other)


def igamma(input: Any, other: Any) -> Any:  # noqa: A002
    """P(a, x), the regularized lower incomplete gamma function, a = input, x = other
    (broadcast together; floating tensors only, as in PyTorch). dL/dx = g x**(a-1) e**-x / Gamma(a)."""
    return IncompleteGamma(False)(*_operands("igamma", input, other))


def igammac(input: Any, other: Any) -> Any:  # noqa: A002
    """Q(a, x) = 1 - P(a, x), the regularized upper incomplete gamma function
    (see ``igamma``). dL/dx = -g x**(a-1) e**-x / Gamma(a)."""
    return IncompleteGamma(True)(*_operands("igammac", input, other))
