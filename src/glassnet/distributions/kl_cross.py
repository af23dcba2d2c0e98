"""KL divergences between distributions of different families (and Cauchy, TransformedDistribution):
the mixed pairs PyTorch registers, each a closed form registered into kl.py's table.

Every continuous rule is KL(p || q) = -H(p) - E_p[log q(x)], with E_p[log q(x)] written from
the few expectations of p it needs (E x, Var x, E log x, E log(1 - x), E exp(-x / s), E |x - m|):

    q Normal(m, s):       -E log q = log(sqrt(2 pi) s) + (Var x + (E x - m)**2) / (2 s**2)
    q Exponential(r):     -E log q = -log r + r E x
    q Gamma(a, r):        -E log q = lgamma(a) - a log r - (a - 1) E log x + r E x
    q Beta(a, b):         -E log q = log B(a, b) - (a - 1) E log x - (b - 1) E log(1 - x)
    q Uniform(l, h):      -E log q = log(h - l)
    q Gumbel(m, s):       -E log q = log s + (E x - m) / s + e^(m / s) E e^(-x / s)
    q Laplace(m, b):      -E log q = log(2 b) + E |x - m| / b

Where p has mass outside q's support the divergence is +inf. Each rule's derivative in the
parameters is the derivative of its formula (Tensor ops throughout).
"""

from __future__ import annotations

import math
from typing import Any

from ..ops.api import digamma, lgamma
from ..tensor import Tensor
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .cauchy import Cauchy
from .exponential import Exponential
from .gamma import Gamma
from .gumbel import Gumbel
from .kl import _infinite, _to_exponential, _to_normal, kl_divergence, register_kl
from .laplace import Laplace
from .normal import Normal
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .uniform import Uniform

__all__: list = []

_EULER = 0.5772156649015329  # Euler-Mascheroni constant: E log x = -gamma for x ~ Exponential(1)
_INF = float("inf")


# --- the expectations of p each rule needs -----------------------------------------------


def _mean_log(p: Any) -> Tensor:
    """E_p[log x] (p on x > 0 or [0, 1]):
    Beta(a, b): digamma(a) - digamma(a + b);   Exponential(r): -gamma - log r;
    Gamma(a, r): digamma(a) - log r;   Uniform(l, h): (h log h - l log l) / (h - l) - 1"""
    if isinstance(p, Beta):
        a, b = p.concentration1, p.concentration0
        return digamma(a) - digamma(a + b)
    if isinstance(p, Exponential):
        return -_EULER - p.rate.log()
    if isinstance(p, Gamma):
        return digamma(p.concentration) - p.rate.log()
    width = p.high - p.low  # Uniform
    return (p.high.xlogy(p.high) - p.low.xlogy(p.low)) / width - 1


def _mean_log1m(p: Any) -> Tensor:
    """E_p[log(1 - x)]: Beta(a, b): digamma(b) - digamma(a + b); Uniform(l, h): the E log of
    Uniform(1 - h, 1 - l)"""
    if isinstance(p, Beta):
        a, b = p.concentration1, p.concentration0
        return digamma(b) - digamma(a + b)
    lo, hi = 1 - p.high, 1 - p.low
    return (hi.xlogy(hi) - lo.xlogy(lo)) / (hi - lo) - 1


def _mean_exp_neg(p: Any, s: Tensor) -> Tensor:
    """E_p[exp(-x / s)], the moment generating function at -1/s:
    Exponential(r): r / (r + 1/s);   Gamma(a, r): (1 + 1 / (s r))**-a;
    Normal(m, sd): exp(-m / s + sd**2 / (2 s**2));   Uniform(l, h): s (e^(-l/s) - e^(-h/s)) / (h - l)"""
    if isinstance(p, Exponential):
        return p.rate / (p.rate + 1 / s)
    if isinstance(p, Gamma):
        return (1 + 1 / (s * p.rate)) ** (-p.concentration)
    if isinstance(p, Normal):
        return (-p.loc / s + p.scale**2 / (2 * s**2)).exp()
    return s * ((-p.low / s).exp() - (-p.high / s).exp()) / (p.high - p.low)  # Uniform


# --- the rules ---------------------------------------------------------------------------


@register_kl(Cauchy, Cauchy)
def _cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    """log(((sp + sq)**2 + (mp - mq)**2) / (4 sp sq))   (Chyzak and Nielsen 2019)"""
    return (((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2) / (4 * p.scale * q.scale)).log()


@register_kl(Bernoulli, Poisson)
def _bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    """-H(p) - E_p[x log r - r - log x!] = -H(p) - p log r + r   (log x! = 0 for x in {0, 1})"""
    return -p.entropy() - p.probs * q.rate.log() + q.rate


def _to_gamma(p: Any, q: Gamma) -> Tensor:
    """-H(p) + lgamma(a) - a log r - (a - 1) E log x + r E x"""
    a, r = q.concentration, q.rate
    return -p.entropy() + lgamma(a) - a * r.log() - (a - 1) * _mean_log(p) + r * p.mean


def _to_beta(p: Any, q: Beta) -> Tensor:
    """-H(p) + log B(a, b) - (a - 1) E log x - (b - 1) E log(1 - x)"""
    a, b = q.concentration1, q.concentration0
    log_beta = lgamma(a) + lgamma(b) - lgamma(a + b)
    return -p.entropy() + log_beta - (a - 1) * _mean_log(p) - (b - 1) * _mean_log1m(p)


def _to_gumbel(p: Any, q: Gumbel) -> Tensor:
    """-H(p) + log s + (E x - m) / s + e^(m / s) E e^(-x / s)"""
    m, s = q.loc, q.scale
    return -p.entropy() + s.log() + (p.mean - m) / s + (m / s).exp() * _mean_exp_neg(p, s)


def _to_uniform(p: Any, q: Uniform) -> Tensor:
    """-H(p) + log(h - l)"""
    return -p.entropy() + (q.high - q.low).log()


for _p in (Beta, Exponential, Gamma, Gumbel, Laplace, Uniform):
    register_kl(_p, Normal)(_to_normal)
register_kl(Beta, Exponential)(_to_exponential)
register_kl(Gamma, Exponential)(_to_exponential)
register_kl(Beta, Gamma)(_to_gamma)
register_kl(Exponential, Gamma)(_to_gamma)
register_kl(Exponential, Gumbel)(_to_gumbel)
register_kl(Gamma, Gumbel)(_to_gumbel)
register_kl(Normal, Gumbel)(_to_gumbel)


@register_kl(Beta, Uniform)
def _beta_uniform(p: Beta, q: Uniform) -> Tensor:
    """-H(p) + log(h - l), inf unless [l, h] covers [0, 1]"""
    return _to_uniform(p, q).masked_fill((q.low > 0) | (q.high < 1), _INF)


@register_kl(Uniform, Beta)
def _uniform_beta(p: Uniform, q: Beta) -> Tensor:
    """_to_beta, inf unless [l, h] lies inside [0, 1]"""
    return _to_beta(p, q).masked_fill((p.low < 0) | (p.high > 1), _INF)


@register_kl(Uniform, Exponential)
def _uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    """-H(p) - log r + r (l + h) / 2, inf where l < 0"""
    return _to_exponential(p, q).masked_fill(p.low < 0, _INF)


@register_kl(Uniform, Gamma)
def _uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    """_to_gamma, inf where l < 0"""
    return _to_gamma(p, q).masked_fill(p.low < 0, _INF)


@register_kl(Uniform, Gumbel)
def _uniform_gumbel(p: Uniform, q: Gumbel) -> Tensor:
    """_to_gumbel with E e^(-x/s) = s (e^(-l/s) - e^(-h/s)) / (h - l)"""
    return _to_gumbel(p, q)


@register_kl(Normal, Laplace)
def _normal_laplace(p: Normal, q: Laplace) -> Tensor:
    """-H(p) + log(2 b) + E|x - m| / b, with x - m ~ Normal(d, sd), d = mu - m:
    E|x - m| = sd sqrt(2 / pi) exp(-d**2 / (2 sd**2)) + d erf(d / (sd sqrt 2))"""
    d, sd = p.loc - q.loc, p.scale
    abs_mean = (
        sd * math.sqrt(2 / math.pi) * (-(d**2) / (2 * sd**2)).exp()
        + d * (d / (sd * math.sqrt(2))).erf()
    )
    return -p.entropy() + (2 * q.scale).log() + abs_mean / q.scale


@register_kl(TransformedDistribution, TransformedDistribution)
def _transformed(p: TransformedDistribution, q: TransformedDistribution) -> Tensor:
    """KL(base_p || base_q) when both push their bases through equal transforms (a bijection
    leaves the KL unchanged); no closed form otherwise."""
    if list(p.transforms) != list(q.transforms) or p.event_shape != q.event_shape:
        raise NotImplementedError(
            "kl_divergence of two TransformedDistributions needs equal transforms and event "
            f"shapes, got {p.transforms} and {q.transforms}"
        )
    return kl_divergence(p.base_dist, q.base_dist)


# p has mass where q's density is 0: the divergence is infinite.
for _pair in [
    (Poisson, Bernoulli),
    (Poisson, Binomial),
    (Exponential, Beta),
    (Exponential, Uniform),
    (Gamma, Beta),
    (Gamma, Uniform),
    (Gumbel, Beta),
    (Gumbel, Exponential),
    (Gumbel, Gamma),
    (Gumbel, Uniform),
    (Laplace, Beta),
    (Laplace, Exponential),
    (Laplace, Gamma),
    (Laplace, Uniform),
    (Normal, Beta),
    (Normal, Exponential),
    (Normal, Gamma),
    (Normal, Uniform),
]:
    register_kl(*_pair)(_infinite)
