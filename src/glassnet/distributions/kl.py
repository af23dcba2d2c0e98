"""KL divergence KL(p || q) = E_p[log p(x) - log q(x)] between two distributions of one family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..nn import functional as F
from ..ops import api
from ..ops.api import lgamma
from ..ops.cholesky import solve_triangular
from ..tensor import Tensor
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .independent import Independent
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["kl_divergence", "register_kl"]


def _normal(p: Normal, q: Normal) -> Tensor:
    """log(sq / sp) + (sp**2 + (mp - mq)**2) / (2 sq**2) - 1/2"""
    ratio = (p.scale / q.scale) ** 2
    return 0.5 * (ratio + ((p.loc - q.loc) / q.scale) ** 2 - 1 - ratio.log())


def _categorical(p: Categorical, q: Categorical) -> Tensor:
    """sum_k p_k (log p_k - log q_k), with 0 log 0 = 0"""
    terms = p.probs * (p.logits - q.logits)
    return terms.masked_fill(p.probs == 0, 0.0).sum(-1)


def _bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    """p log(p / q) + (1 - p) log((1 - p) / (1 - q)), from the logits"""
    return F.binary_cross_entropy_with_logits(q.logits, p.probs, reduction="none") - p.entropy()


def _exponential(p: Exponential, q: Exponential) -> Tensor:
    """log(lp / lq) + lq / lp - 1 (l the rates)"""
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


def _gamma(p: Gamma, q: Gamma) -> Tensor:
    """aq log(bp / bq) + lgamma(aq) - lgamma(ap) + (ap - aq) psi(ap) + (bq - bp) ap / bp"""
    ap, bp, aq, bq = p.concentration, p.rate, q.concentration, q.rate
    return (
        aq * (bp / bq).log() + lgamma(aq) - lgamma(ap)
        + (ap - aq) * api.digamma(ap) + (bq - bp) * ap / bp
    )  # fmt: skip


def _beta(p: Beta, q: Beta) -> Tensor:
    """log B(aq, bq) - log B(ap, bp) + (ap - aq) psi(ap) + (bp - bq) psi(bp)
    + (aq + bq - ap - bp) psi(ap + bp)"""
    ap, bp, aq, bq = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    return (
        q._log_beta() - p._log_beta() + (ap - aq) * api.digamma(ap) + (bp - bq) * api.digamma(bp)
        + (aq + bq - ap - bp) * api.digamma(ap + bp)
    )  # fmt: skip


def _dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    """lgamma(Ap) - lgamma(Aq) - sum_i (lgamma(ap_i) - lgamma(aq_i))
    + sum_i (ap_i - aq_i) (psi(ap_i) - psi(Ap)),   A = sum_i a_i"""
    ap, aq = p.concentration, q.concentration
    sp, sq = ap.sum(-1), aq.sum(-1)
    return (
        lgamma(sp) - lgamma(sq) - (lgamma(ap) - lgamma(aq)).sum(-1)
        + ((ap - aq) * (api.digamma(ap) - api.digamma(sp).unsqueeze(-1))).sum(-1)
    )  # fmt: skip


def _laplace(p: Laplace, q: Laplace) -> Tensor:
    """log(bq / bp) + |mp - mq| / bq + (bp / bq) exp(-|mp - mq| / bp) - 1"""
    ratio = p.scale / q.scale
    gap = (p.loc - q.loc).abs()
    return -ratio.log() + gap / q.scale + ratio * (-gap / p.scale).exp() - 1


def _poisson(p: Poisson, q: Poisson) -> Tensor:
    """lp log(lp / lq) - (lp - lq)"""
    return p.rate.xlogy(p.rate) - p.rate.xlogy(q.rate) - (p.rate - q.rate)


def _multivariate_normal(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    """1/2 (tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - n + log det Sq - log det Sp), with
    tr(Sq^-1 Sp) = ||Lq^-1 Lp||_F**2 and the quadratic form ||Lq^-1 (mq - mp)||**2"""
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence: MultivariateNormals of different sizes {p.event_shape} and {q.event_shape}"
        )
    n = p.event_shape[0]
    shape = tuple(np.broadcast_shapes(p.batch_shape, q.batch_shape))
    lp = p._unbroadcasted_scale_tril.expand(shape + (n, n))
    lq = q._unbroadcasted_scale_tril.expand(shape + (n, n))
    half_log_det = lq.diagonal(dim1=-2, dim2=-1).log().sum(-1) - lp.diagonal(
        dim1=-2, dim2=-1
    ).log().sum(-1)
    trace = (solve_triangular(lq, lp, upper=False) ** 2).sum((-2, -1))
    d = (q.loc - p.loc).expand(shape + (n,)).unsqueeze(-1)
    quad = (solve_triangular(lq, d, upper=False) ** 2).sum((-2, -1))
    return half_log_det + 0.5 * (trace + quad - n)


def _independent(p: Independent, q: Independent) -> Tensor:
    """the base KL summed over the reinterpreted axes"""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence of Independents with different reinterpreted_batch_ndims "
            f"({p.reinterpreted_batch_ndims} and {q.reinterpreted_batch_ndims})"
        )
    kl = kl_divergence(p.base_dist, q.base_dist)
    n = p.reinterpreted_batch_ndims
    return kl.sum(tuple(range(-n, 0))) if n else kl


def _one_hot_categorical(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    """the categorical KL of the classes"""
    return _categorical(p._categorical, q._categorical)


def _binomial(p: Binomial, q: Binomial) -> Tensor:
    """n (p log(p / q) + (1 - p) log((1 - p) / (1 - q))), for one total_count"""
    if (p.total_count.numpy() != q.total_count.numpy()).any():
        raise NotImplementedError("kl_divergence of Binomials with different total_count")
    bern = F.binary_cross_entropy_with_logits(q.logits, p.probs, reduction="none")
    bern = bern - F.binary_cross_entropy_with_logits(p.logits, p.probs, reduction="none")
    return p.total_count * bern


def _geometric(p: Geometric, q: Geometric) -> Tensor:
    """-H(p) - E_p[k] log(1 - q) - log q = -H(p) - log(1 - q) / p - logit(q)"""
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


def _gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    """log(bq / bp) + (mp - mq) / bq + g bp / bq + exp((mq - mp) / bq) Gamma(1 + bp / bq) - 1 - g,
    g Euler's constant (b the scales, m the locations)"""
    ct1 = p.scale / q.scale
    ct2 = q.loc / q.scale
    ct3 = p.loc / q.scale
    t1 = -ct1.log() - ct2 + ct3
    t2 = ct1 * 0.57721566490153286061
    t3 = (ct2 + lgamma(1 + ct1) - ct3).exp()
    return t1 + t2 + t3 - (1 + 0.57721566490153286061)


def _log_normal(p: LogNormal, q: LogNormal) -> Tensor:
    """the KL of the normals of log x (KL is unchanged by the same invertible map)"""
    return _normal(p.base_dist, q.base_dist)


def _uniform(p: Uniform, q: Uniform) -> Tensor:
    """log((hq - lq) / (hp - lp)) if [lp, hp] lies inside [lq, hq], else inf"""
    kl = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low) | (q.high < p.high)
    return kl.masked_fill(outside, float("inf"))


_RULES = {(Normal, Normal): _normal, (Categorical, Categorical): _categorical,
          (Bernoulli, Bernoulli): _bernoulli}  # fmt: skip
_RULES.update({
    (Exponential, Exponential): _exponential, (Gamma, Gamma): _gamma, (Beta, Beta): _beta,
    (Dirichlet, Dirichlet): _dirichlet, (Laplace, Laplace): _laplace, (Poisson, Poisson): _poisson,
    (MultivariateNormal, MultivariateNormal): _multivariate_normal,
    (Independent, Independent): _independent,
    (OneHotCategorical, OneHotCategorical): _one_hot_categorical,
    (Binomial, Binomial): _binomial, (Geometric, Geometric): _geometric, (Gumbel, Gumbel): _gumbel,
    (LogNormal, LogNormal): _log_normal, (Uniform, Uniform): _uniform,
})  # fmt: skip


def register_kl(type_p: type, type_q: type) -> Callable[[Any], Any]:
    """Decorator adding a rule: ``@register_kl(P, Q) def kl(p, q): ...`` (as PyTorch's)."""

    def decorate(fn: Any) -> Any:
        _RULES[(type_p, type_q)] = fn
        return fn

    return decorate


def _find_rule(tp: type, tq: type) -> Any:
    """The rule for (tp, tq), else the one for the nearest registered base classes (a Chi2 is a
    Gamma, a straight-through one-hot categorical is a OneHotCategorical)."""
    rule = _RULES.get((tp, tq))
    if rule is not None:
        return rule
    for bp in tp.__mro__:
        for bq in tq.__mro__:
            if (bp, bq) in _RULES:
                return _RULES[(bp, bq)]
    return None


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), per batch element, for two distributions of the same kind."""
    rule = _find_rule(type(p), type(q))
    if rule is None:
        raise NotImplementedError(
            f"kl_divergence of {type(p).__name__} and {type(q).__name__} is not implemented "
            f"(glassnet has it for {', '.join(a.__name__ for a, _ in _RULES)} pairs)"
        )
    return rule(p, q)
