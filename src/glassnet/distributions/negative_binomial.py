"""The negative binomial distribution: the number of successes before ``total_count`` failures."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import wrap
from ..nn import functional as F
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params
from .geometric import binary_probs_logits

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Distribution):
    r"""P(k) = C(k + r - 1, k) p^k (1 - p)^r for k = 0, 1, 2, ...: the successes counted before
    the r-th failure, each trial a success with probability p. r = ``total_count`` (> 0, need not
    be whole), p = ``probs`` in [0, 1) or given by ``logits`` = log(p / (1 - p)).

        log P(k) = lgamma(k + r) - lgamma(k + 1) - lgamma(r) + r log(1 - p) + k log p
                 (log p = logsigmoid(logits), log(1 - p) = logsigmoid(-logits): stable)
        mean = r p / (1 - p);   variance = mean / (1 - p);   mode = floor((r - 1) p / (1 - p))+

    Draws are a gamma-Poisson mixture: lam ~ Gamma(r, scale p / (1 - p)), then k ~ Poisson(lam)
    (floats holding whole numbers, no gradient).
    """

    arg_constraints = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: Any = None) -> None:  # fmt: skip
        p, lg = binary_probs_logits(probs, logits, "NegativeBinomial")
        self._given = "probs" if probs is not None else "logits"
        self.total_count, self.probs, self.logits = float_params(total_count, p, lg)
        super().__init__(self.probs.shape, validate_args=validate_args)

    def _validate_parameters(self) -> None:
        """Checks total_count and the one of probs / logits that was given (the other is derived,
        and sigmoid of a large logit rounds to 1, outside [0, 1), without being an error)."""
        for name in ("total_count", self._given):
            value = self.__dict__[name].detach()
            ok = self.arg_constraints[name].check(value).numpy()
            if not ok.all():
                raise ValueError(
                    f"NegativeBinomial: expected parameter {name} to satisfy "
                    f"{self.arg_constraints[name]!r}, but found invalid values such as "
                    f"{value.numpy()[~ok][:3].tolist()}"
                )

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        r = self.total_count.detach().expand(shape).numpy().astype(np.float64)
        p = self.probs.detach().expand(shape).numpy().astype(np.float64)
        gen = default_generator()
        lam = gen.gamma(r, p / (1 - p))
        return wrap(gen.poisson(lam).astype(self.probs.dtype))

    def log_prob(self, value: Any) -> Tensor:
        k = self._value(as_float(value, self.probs))
        r = self.total_count
        unnormalized = r * F.logsigmoid(-self.logits) + k * F.logsigmoid(self.logits)
        log_norm = lgamma(r + k) - lgamma(k + 1) - lgamma(r)
        # r = 0 is the point mass at k = 0: lgamma(0) is inf there, and the coefficient is 1.
        log_norm = log_norm.masked_fill((r + k) == 0, 0.0)
        return unnormalized + log_norm

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (1 - self.probs)

    @property
    def param_shape(self) -> tuple:
        """The shape of the probs (and logits) parameter."""
        return tuple(self.probs.shape)
