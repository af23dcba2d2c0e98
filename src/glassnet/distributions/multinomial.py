"""The multinomial distribution: counts per class of total_count categorical draws."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .categorical import Categorical
from .distribution import Distribution, as_float

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    r"""P(x) = n! / prod_i x_i! * prod_i p_i^x_i for counts x (sum x_i = n = ``total_count``, an
    int) over K classes, p from ``probs`` or ``logits`` on the last axis (event_shape (K,)).

        log P(x) = lgamma(n + 1) - sum_i lgamma(x_i + 1) + sum_i x_i log p_i
        mean = n p;   variance = n p (1 - p)
        entropy = n H(p) - lgamma(n + 1) + sum_i sum_{k=1..n} Binomial(n, p_i)(k) lgamma(k + 1)

    Draws are floats holding whole numbers, with no gradient.
    """

    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }

    def __init__(self, total_count: int = 1, probs: Any = None, logits: Any = None,
                 validate_args: Any = None) -> None:  # fmt: skip
        if isinstance(total_count, bool) or not isinstance(total_count, (int, np.integer)):
            raise TypeError(f"Multinomial: total_count must be an int, got {total_count!r}")
        if total_count < 0:
            raise ValueError(f"Multinomial: total_count must be >= 0, got {total_count}")
        self.total_count = int(total_count)
        self._categorical = Categorical(probs=probs, logits=logits)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        super().__init__(
            self._categorical.batch_shape, self.probs.shape[-1:], validate_args=validate_args
        )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        new = super().expand(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        return new

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints.multinomial(self.total_count)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        p = self.probs.detach().expand(shape).numpy().astype(np.float64)
        p = p / p.sum(-1, keepdims=True)
        counts = default_generator().multinomial(self.total_count, p)
        return wrap(counts.astype(self.probs.dtype))

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.probs))
        return lgamma(x.sum(-1) + 1) - lgamma(x + 1).sum(-1) + (x * self.logits).sum(-1)

    def entropy(self) -> Tensor:
        n = self.total_count
        # Each count x_i alone is Binomial(n, p_i); E[lgamma(x_i + 1)] sums over its k = 1..n.
        k = as_tensor(
            np.arange(1, n + 1, dtype=self.probs.dtype).reshape((-1,) + (1,) * self.probs.ndim)
        )
        p, log_p = self.probs, self.logits  # the logits are normalized: log p
        log_binomial = (
            math.lgamma(n + 1)
            - lgamma(k + 1)
            - lgamma(n - k + 1)
            + k * log_p
            + (n - k) * (-p).log1p()
        )
        expected_lgamma = (log_binomial.exp() * lgamma(k + 1)).sum(0).sum(-1)
        return n * self._categorical.entropy() - math.lgamma(n + 1) + expected_lgamma

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    @property
    def param_shape(self) -> tuple:
        """The shape of the probs (and logits) parameter."""
        return tuple(self.probs.shape)
