"""The relaxed Bernoulli (binary Concrete) distribution: a differentiable stand-in for 0/1 draws."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import wrap
from ..nn import functional as F
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import Distribution, float_params
from .geometric import binary_probs_logits

__all__ = ["RelaxedBernoulli"]


class RelaxedBernoulli(Distribution):
    r"""Draws x = sigmoid((l + log u - log(1 - u)) / T) in (0, 1), u uniform, l = ``logits`` (or
    from ``probs``), T = ``temperature`` (> 0); as T -> 0 the draws become Bernoulli(sigmoid(l)).
    (Maddison et al. 2017, Jang et al. 2017.)

        log p(x) = log T + d - 2 softplus(d) - log x - log(1 - x),   d = l - T logit(x)

    (the logistic density of y = logit(x) = (l + logistic noise) / T, with the change of
    variables x = sigmoid(y)). ``rsample`` is differentiable in the logits and the temperature.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: Any = None) -> None:  # fmt: skip
        p, lg = binary_probs_logits(probs, logits, "RelaxedBernoulli")
        self.temperature = as_tensor(temperature).to(p.dtype)
        self.probs, self.logits = float_params(p, lg)
        super().__init__(self.probs.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        info = np.finfo(self.probs.dtype)
        u = np.clip(default_generator().random(shape), info.eps, 1 - info.eps)
        noise = wrap((np.log(u) - np.log1p(-u)).astype(self.probs.dtype))  # logistic noise
        return ((self.logits + noise) / self.temperature).sigmoid().clamp(info.tiny, 1 - info.eps)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        t = self.temperature
        d = self.logits - t * (x.log() - (-x).log1p())
        return t.log() + d - 2 * F.softplus(d) - x.log() - (-x).log1p()
