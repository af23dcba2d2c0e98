"""Regularized incomplete gamma and beta functions, and the implicit reparameterization gradients
of Gamma and Beta draws built on them (NumPy, float64; used by gamma.py, beta.py, dirichlet.py).

The CDF of Gamma(a, 1) is the regularized lower incomplete gamma function P(a, x); the CDF of
Beta(a, b) is the regularized incomplete beta function I_x(a, b). Both are computed in log form
(so the far tails neither underflow nor lose their digits) by the classical expansions
(Numerical Recipes, ch. 6.2 and 6.4):

    P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))        (x < a + 1)
    Q(a, x) = 1 - P = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))
    I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * 1 / (1 + d_1 / (1 + d_2 / (1 + ...)))
                                                  (x < (a + 1) / (a + b + 2); else 1 - I_1-x(b, a))

Implicit reparameterization (Figurnov et al. 2018): a draw x = F^-1(u; a) with u held fixed
moves with the parameter as

    dx/da = -(dF(x; a)/da) / p(x; a)

The derivative of F in its shape parameter has no closed form; it is taken here by a central
difference of log F (or of log(1 - F), whichever is the small tail, so no digits cancel), with
a step of 1e-5 relative to a: the error is ~1e-10 relative, far below float32's resolution.
"""

from __future__ import annotations

import numpy as np

from ..ops.special import lgamma_array as _lgamma_any

_TINY = 1e-300  # keeps the continued fractions' denominators (and logs) away from 0
_MAX_TERMS = 100_000  # a cap only: the expansions converge in O(sqrt(max(a, x))) terms
_TOL = 1e-16


def lgamma_array(x: np.ndarray) -> np.ndarray:
    """ln Gamma(x) (of a contiguous copy: see _special.py)."""
    return _lgamma_any(np.ascontiguousarray(x))


def _log_gamma_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log P(a, x) by the series (accurate for x < a + 1)."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    n = 0
    while n < _MAX_TERMS:
        n += 1
        term = term * x / (a + n)
        total = total + term
        if np.all(term <= _TOL * total):
            break
    with np.errstate(divide="ignore"):
        return a * np.log(x) - x - lgamma_array(a + 1) + np.log(total)


def _lentz(coefficient, shape: tuple) -> np.ndarray:
    """The continued fraction 1 / (1 + c_1 / (1 + c_2 / (1 + ...))) by Lentz's method, with
    ``coefficient(m)`` giving c_m (an array): h_m = h_{m-1} C_m D_m with the ratios
    C_m = 1 + c_m / C_{m-1} and D_m = 1 / (1 + c_m D_{m-1}), kept away from 0."""
    c = np.ones(shape)
    d = 1.0 / _nonzero(1.0 + coefficient(1))
    h = d.copy()
    for m in range(2, _MAX_TERMS):
        cm = coefficient(m)
        d = 1.0 / _nonzero(1.0 + cm * d)
        c = _nonzero(1.0 + cm / c)
        delta = c * d
        h = h * delta
        if np.all(np.abs(delta - 1.0) <= 1e-15):
            break
    return h


def _nonzero(v: np.ndarray) -> np.ndarray:
    return np.where(np.abs(v) < _TINY, _TINY, v)


def _log_gamma_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log Q(a, x) by the continued fraction (accurate for x >= a + 1), in Lentz's form:
    Q = x^a e^-x / Gamma(a) * 1 / (b_0 - 1 (1 - a) / (b_1 - 2 (2 - a) / (b_2 - ...))),
    b_i = x + 2 i + 1 - a."""
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / _TINY)
    d = 1.0 / b
    h = d.copy()
    i = 0
    while i < _MAX_TERMS:
        i += 1
        an = -i * (i - a)
        b = b + 2.0
        d = 1.0 / _nonzero(an * d + b)
        c = _nonzero(b + an / c)
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) <= 1e-15):
            break
    return a * np.log(x) - x - lgamma_array(a) + np.log(h)


def log_gamma_tails(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log P(a, x), lower): log of the smaller tail of Gamma(a, 1) at x, and a mask that is
    True where that tail is the lower one P (else it is the upper one, Q = 1 - P)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    lower = x < a + 1
    x_safe = np.maximum(x, _TINY)
    out = np.empty(a.shape)
    if lower.any():
        out[lower] = _log_gamma_series(a[lower], x_safe[lower])
    if (~lower).any():
        out[~lower] = _log_gamma_fraction(a[~lower], x_safe[~lower])
    return out, lower


def gamma_cdf(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x), the CDF of Gamma(a, 1) at x (0 for x <= 0)."""
    log_tail, lower = log_gamma_tails(a, x)
    tail = np.exp(log_tail)
    return np.where(np.asarray(x) <= 0, 0.0, np.where(lower, tail, 1.0 - tail))


def gamma_log_pdf(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log p(x; a) = (a - 1) log x - x - lgamma(a) for Gamma(a, 1)."""
    return (a - 1) * np.log(x) - x - lgamma_array(a)


def gamma_dcdf_da(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dP(a, x)/da by a central difference of the log of the small tail."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    x = np.maximum(x, _TINY)
    log_tail, lower, d_log = _tail_and_log_derivative(log_gamma_tails, a, x)
    d_tail = np.exp(log_tail) * d_log
    return np.where(lower, d_tail, -d_tail)


def gamma_sample_grad(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/da of a draw x ~ Gamma(a, 1) held at fixed CDF value: -(dP/da) / p(x; a), computed as
    -+ exp(log tail - log p) d(log tail)/da so that nothing underflows."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    x = np.maximum(x, _TINY)
    log_tail, lower, d_log = _tail_and_log_derivative(log_gamma_tails, a, x)
    ratio = np.exp(log_tail - gamma_log_pdf(a, x)) * d_log
    return np.where(lower, -ratio, ratio)


def _tail_and_log_derivative(tails, a: np.ndarray, x: np.ndarray) -> tuple:
    """(log tail, lower, d(log tail)/da) at (a, x) for ``tails(a, x) -> (log tail, lower)``.

    The derivative is a central difference with step h = 1e-5 a,
    (log T(a + h) - log T(a - h)) / 2h, taken on the tail chosen at a on both sides.
    """
    h = 1e-5 * a
    log_tail, lower = tails(a, x)
    d_log = (_same_tail(tails, (a + h, x), lower) - _same_tail(tails, (a - h, x), lower)) / (2 * h)
    return log_tail, lower, d_log


def _same_tail(fn, args: tuple, lower: np.ndarray) -> np.ndarray:
    """log of the tail that ``lower`` names, from ``fn(*args)`` which picks its own tail: where
    the choice differs (the step crossed the branch line), log(1 - exp(t)) turns one into the
    other (both tails are near 1/2 there, so nothing is lost)."""
    log_tail, lower_here = fn(*args)
    switched = lower_here != lower
    if switched.any():
        log_tail = np.where(switched, np.log(-np.expm1(np.minimum(log_tail, -1e-300))), log_tail)
    return log_tail


# ---------------------------------------------------------------------- incomplete beta


def _log_beta_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log I_x(a, b) by the continued fraction (accurate for x < (a + 1) / (a + b + 2))."""
    x = np.maximum(x, _TINY)

    def coefficient(m_index: int) -> np.ndarray:
        # d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
        # d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m))
        m = m_index // 2
        if m_index % 2:
            return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))

    cf = _lentz(coefficient, x.shape)
    log_beta = lgamma_array(a) + lgamma_array(b) - lgamma_array(a + b)
    return a * np.log(x) + b * np.log1p(-x) - log_beta - np.log(a) + np.log(cf)


def log_beta_tails(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log of the smaller tail of Beta(a, b) at x, lower): lower is True where the tail is
    I_x(a, b) itself, False where it is 1 - I_x(a, b) = I_{1-x}(b, a)."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    lower = x < (a + 1) / (a + b + 2)
    out = np.empty(a.shape)
    if lower.any():
        out[lower] = _log_beta_fraction(a[lower], b[lower], x[lower])
    if (~lower).any():
        out[~lower] = _log_beta_fraction(b[~lower], a[~lower], 1.0 - x[~lower])
    return out, lower


def beta_log_pdf(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (
        (a - 1) * np.log(x) + (b - 1) * np.log1p(-x)
        - (lgamma_array(a) + lgamma_array(b) - lgamma_array(a + b))
    )  # fmt: skip


def beta_sample_grad_a(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/da of a draw x ~ Beta(a, b) at fixed CDF value: -(dI_x(a, b)/da) / p(x; a, b)."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    eps = np.finfo(np.float64).eps
    x = np.clip(x, _TINY, 1 - eps)

    def tails(a_, x_):
        return log_beta_tails(a_, b, x_)

    log_tail, lower, d_log = _tail_and_log_derivative(tails, a, x)
    ratio = np.exp(log_tail - beta_log_pdf(a, b, x)) * d_log
    return np.where(lower, -ratio, ratio)
