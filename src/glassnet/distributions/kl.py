"""KL divergence KL(p || q) = E_p[log p(x) - log q(x)] between two distributions of one family."""

from __future__ import annotations

from ..nn import functional as F
from ..tensor import Tensor
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .normal import Normal

__all__ = ["kl_divergence"]


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


_RULES = {(Normal, Normal): _normal, (Categorical, Categorical): _categorical,
          (Bernoulli, Bernoulli): _bernoulli}  # fmt: skip


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), per batch element, for two distributions of the same kind."""
    rule = _RULES.get((type(p), type(q)))
    if rule is None:
        raise NotImplementedError(
            f"kl_divergence of {type(p).__name__} and {type(q).__name__} is not implemented "
            f"(glassnet has it for {', '.join(a.__name__ for a, _ in _RULES)} pairs)"
        )
    return rule(p, q)
