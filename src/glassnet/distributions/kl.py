"""KL divergence KL(p || q) = E_p[log p(x) - log q(x)] between two distributions of one family."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..creation import ones_like
from ..nn import functional as F
from ..ops import api
from ..ops.api import lgamma
from ..ops.cholesky import solve_triangular
from ..tensor import Tensor, as_tensor
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily, bregman_kl
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .laplace import Laplace
from .log_normal import LogNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .pareto import Pareto
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
    """n (p log(p / q) + (1 - p) log((1 - p) / (1 - q))) where the total counts are equal; inf
    where p's count is the larger (p reaches counts q cannot). No closed form where q's count is
    the larger, so that is refused."""
    n_p, n_q = p.total_count.detach().numpy(), q.total_count.detach().numpy()
    if (n_p < n_q).any():
        raise NotImplementedError(
            "kl_divergence of Binomials where q.total_count > p.total_count has no closed form, "
            f"got p.total_count={np.ravel(n_p)[:3].tolist()} and q.total_count="
            f"{np.ravel(n_q)[:3].tolist()}"
        )
    bern = F.binary_cross_entropy_with_logits(q.logits, p.probs, reduction="none")
    bern = bern - F.binary_cross_entropy_with_logits(p.logits, p.probs, reduction="none")
    return (p.total_count * bern).masked_fill(p.total_count > q.total_count, float("inf"))


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


def _half_normal(p: HalfNormal, q: HalfNormal) -> Tensor:
    """the normal KL with both locations 0: (ratio - 1 - log ratio) / 2, ratio = (sp / sq)**2"""
    ratio = (p.scale / q.scale) ** 2
    return 0.5 * (ratio - 1 - ratio.log())


def _as_dense(d: Any) -> MultivariateNormal:
    """A LowRankMultivariateNormal as the MultivariateNormal of its dense W W^T + D (the KL
    needs tr(Sq^-1 Sp), which has no shortcut cheaper than the n x n factor)."""
    if isinstance(d, LowRankMultivariateNormal):
        return MultivariateNormal(d.loc, covariance_matrix=d.covariance_matrix, validate_args=False)
    return d


def _low_rank(p: Any, q: Any) -> Tensor:
    """the multivariate normal KL, on the dense covariances"""
    return _multivariate_normal(_as_dense(p), _as_dense(q))


def _pareto(p: Pareto, q: Pareto) -> Tensor:
    """aq log(sp / sq) - log(aq / ap) + aq / ap - 1, inf where sp < sq (p has mass below q's
    support), s the scales and a the alphas"""
    ratio = q.alpha / p.alpha
    kl = q.alpha * (p.scale / q.scale).log() - ratio.log() + ratio - 1
    return kl.masked_fill(p.scale < q.scale, float("inf"))


def _shape_dtype(p: Distribution, q: Distribution) -> tuple:
    shape = tuple(np.broadcast_shapes(p.batch_shape, q.batch_shape))
    dtype = next(v.dtype for v in vars(p).values() if isinstance(v, Tensor))
    return shape, dtype


def _infinite(p: Distribution, q: Distribution) -> Tensor:
    """inf: p puts mass where q's density is 0 (e.g. a Normal against a Pareto's x >= scale)."""
    shape, dtype = _shape_dtype(p, q)
    return as_tensor(np.full(shape, np.inf, dtype=dtype))


def _cb_cross_entropy(mean: Tensor, q: ContinuousBernoulli) -> Tensor:
    """-E_p[log q(x)] for a continuous Bernoulli q, from p's mean only (log q(x) is linear in
    x): -(mean logit(lam) + log(1 - lam) + log C(lam))"""
    return -(mean * q.logits + (-q.probs).log1p() + q._log_norm())


def _to_continuous_bernoulli(p: Any, q: ContinuousBernoulli) -> Tensor:
    """-H(p) - E_p[log q(x)] (for p on [0, 1]: a Beta or another continuous Bernoulli)"""
    return -p.entropy() + _cb_cross_entropy(p.mean, q)


def _uniform_continuous_bernoulli(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    """-H(p) - E_p[log q(x)], inf where [low, high] is not inside [0, 1]"""
    kl = _to_continuous_bernoulli(p, q)
    return kl.masked_fill((p.low < 0) | (p.high > 1), float("inf"))


def _continuous_bernoulli_uniform(p: ContinuousBernoulli, q: Uniform) -> Tensor:
    """-H(p) + log(high - low), inf where [low, high] does not cover [0, 1]"""
    kl = -p.entropy() + (q.high - q.low).log()
    return kl.masked_fill((q.low > 0) | (q.high < 1), float("inf"))


def _to_exponential(p: Any, q: Exponential) -> Tensor:
    """-H(p) - E_p[log rate - rate x] = -H(p) - log rate + rate E_p[x]"""
    return -p.entropy() - q.rate.log() + q.rate * p.mean


def _to_normal(p: Any, q: Normal) -> Tensor:
    """-H(p) + log(sqrt(2 pi) sigma) + (Var_p + (E_p[x] - mu)**2) / (2 sigma**2)"""
    return (
        -p.entropy() + 0.5 * math.log(2 * math.pi) + q.scale.log()
        + (p.variance + (p.mean - q.loc) ** 2) / (2 * q.scale**2)
    )  # fmt: skip


def _finite_pareto(p: Pareto, least: float) -> tuple:
    """(p with alpha replaced by least + 1 wherever alpha <= least, that mask). The KL is set to
    inf there; computing it from a harmless alpha keeps the inf / nan of p's missing moments
    out of the gradient of the other elements (0 * inf would be nan)."""
    bad = p.alpha <= least
    safe = api.where(bad, ones_like(p.alpha) * (least + 1), p.alpha)
    return Pareto(p.scale, safe, validate_args=False), bad


def _pareto_exponential(p: Pareto, q: Exponential) -> Tensor:
    """the expression of _to_exponential, inf where alpha <= 1 (p has no mean)"""
    safe, bad = _finite_pareto(p, 1.0)
    return _to_exponential(safe, q).masked_fill(bad, float("inf"))


def _pareto_normal(p: Pareto, q: Normal) -> Tensor:
    """the expression of _to_normal, inf where alpha <= 2 (p has no variance)"""
    safe, bad = _finite_pareto(p, 2.0)
    return _to_normal(safe, q).masked_fill(bad, float("inf"))


def _pareto_gamma(p: Pareto, q: Gamma) -> Tensor:
    """-H(p) - E_p[a log b + (a - 1) log x - b x - lgamma(a)], with E_p[log x] = log s + 1/alpha
    (log(x / s) is exponential of rate alpha); inf where alpha <= 1"""
    a, b = q.concentration, q.rate
    p, bad = _finite_pareto(p, 1.0)
    mean_log = p.scale.log() + p.alpha.reciprocal()
    kl = -p.entropy() - a * b.log() - (a - 1) * mean_log + b * p.mean + lgamma(a)
    return kl.masked_fill(bad, float("inf"))


def _uniform_pareto(p: Uniform, q: Pareto) -> Tensor:
    """-H(p) - E_p[log alpha + alpha log s - (alpha + 1) log x], inf where low < s, with
    E_p[log x] = (h log h - l log l) / (h - l) - 1 over [l, h]"""
    width = p.high - p.low
    mean_log = (p.high.xlogy(p.high) - p.low.xlogy(p.low)) / width - 1
    kl = -width.log() - q.alpha.log() - q.alpha * q.scale.log() + (q.alpha + 1) * mean_log
    return kl.masked_fill(p.low < q.scale, float("inf"))


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
    (HalfNormal, HalfNormal): _half_normal, (Pareto, Pareto): _pareto,
    (LowRankMultivariateNormal, LowRankMultivariateNormal): _low_rank,
    (MultivariateNormal, LowRankMultivariateNormal): _low_rank,
    (LowRankMultivariateNormal, MultivariateNormal): _low_rank,
    (ContinuousBernoulli, ContinuousBernoulli): _to_continuous_bernoulli,
    (Beta, ContinuousBernoulli): _to_continuous_bernoulli,
    (Uniform, ContinuousBernoulli): _uniform_continuous_bernoulli,
    (ContinuousBernoulli, Uniform): _continuous_bernoulli_uniform,
    (ContinuousBernoulli, Exponential): _to_exponential,
    (ContinuousBernoulli, Normal): _to_normal,
    (Pareto, Exponential): _pareto_exponential, (Pareto, Gamma): _pareto_gamma,
    (Pareto, Normal): _pareto_normal, (Uniform, Pareto): _uniform_pareto,
})  # fmt: skip
# Pairs where p has mass outside q's support: the KL is infinite (PyTorch registers them too).
_RULES.update({
    pair: _infinite
    for pair in [
        (Beta, Pareto), (ContinuousBernoulli, Pareto), (Exponential, Pareto),
        (Exponential, ContinuousBernoulli), (Gamma, Pareto), (Gamma, ContinuousBernoulli),
        (Gumbel, Pareto), (Gumbel, ContinuousBernoulli), (Laplace, Pareto),
        (Laplace, ContinuousBernoulli), (Normal, Pareto), (Normal, ContinuousBernoulli),
        (Pareto, Uniform), (Pareto, ContinuousBernoulli), (Pareto, Beta),
    ]
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
            f"(glassnet has it for {', '.join(dict.fromkeys(a.__name__ for a, _ in _RULES))} and a "
            "few mixed pairs; see register_kl)"
        )
    return rule(p, q)


@register_kl(ExponentialFamily, ExponentialFamily)
def _exponential_family(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    """A(eta_q) - A(eta_p) - <eta_q - eta_p, grad A(eta_p)>: the fallback for two members of one
    exponential family without a closed form here (Wishart's, a user's family)."""
    if type(p) is not type(q):
        raise NotImplementedError(
            f"kl_divergence of {type(p).__name__} and {type(q).__name__} is not implemented "
            "(see register_kl)"
        )
    return bregman_kl(p, q)
