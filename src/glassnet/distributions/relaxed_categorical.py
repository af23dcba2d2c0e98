"""The relaxed one-hot categorical (Concrete / Gumbel-softmax) distribution over the simplex."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..ops import api
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["RelaxedOneHotCategorical"]


class RelaxedOneHotCategorical(Distribution):
    r"""Draws x = softmax((logits + g) / T) on the simplex, g_k independent Gumbel(0, 1) noise,
    T = ``temperature`` (> 0): the Gumbel-softmax trick; as T -> 0 the draws become one-hot
    Categorical(logits) draws (Maddison et al. 2017, Jang et al. 2017). event_shape is (K,).

        log p(x) = lgamma(K) + (K - 1) log T + sum_k s_k - K logsumexp_k(s_k) - sum_k log x_k,
        s_k = logits_k - T log x_k

    (the density of y = log x, with the change of variables x = exp(y), as PyTorch computes it).
    ``rsample`` is differentiable in the logits and the temperature.
    """

    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: Any = None) -> None:  # fmt: skip
        self._categorical = Categorical(probs=probs, logits=logits)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        self.temperature = as_tensor(temperature).to(self.probs.dtype)
        super().__init__(
            self._categorical.batch_shape, self.probs.shape[-1:], validate_args=validate_args
        )

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        info = np.finfo(self.probs.dtype)
        u = np.clip(default_generator().random(shape), info.tiny, 1 - info.eps)
        gumbel = wrap((-np.log(-np.log(u))).astype(self.probs.dtype))
        scores = (self.logits + gumbel) / self.temperature
        return api.softmax(scores, -1).clamp(min=info.tiny)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        k = self.event_shape[0]
        y = x.log()
        t = self.temperature
        s = self.logits - t * y
        log_density_y = (
            math.lgamma(k) + (k - 1) * t.log()
            + (s - api.logsumexp(s, -1, keepdim=True)).sum(-1)
        )  # fmt: skip
        return log_density_y - y.sum(-1)
