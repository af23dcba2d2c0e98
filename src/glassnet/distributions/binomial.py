"""The binomial distribution: successes in total_count independent Bernoulli(p) trials."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import wrap
from ..nn import functional as F
from ..ops import api
from ..ops.api import lgamma
from ..random import default_generator
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import Distribution, as_float, float_params
from .geometric import binary_probs_logits

__all__ = ["Binomial"]


class Binomial(Distribution):
    r"""P(k) = C(n, k) p^k (1 - p)^(n - k), k = 0..n, n = ``total_count`` (a number or tensor),
    p from ``probs`` or ``logits`` (l = log(p / (1 - p))).

        log P(k) = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k l - n softplus(l)
                   (since log p = l - softplus(l) and log(1 - p) = -softplus(l))
        mean = n p;   variance = n p (1 - p);   mode = min(floor((n + 1) p), n)
        entropy = -sum_k P(k) log P(k) over k = 0..max n

    Draws are floats holding whole numbers, with no gradient.
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}  # fmt: skip
    has_enumerate_support = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: Any = None) -> None:  # fmt: skip
        p, lg = binary_probs_logits(probs, logits, "Binomial")
        n = as_float(total_count, p)
        self.total_count, p, lg = float_params(n.to(p.dtype), p, lg)
        self.probs, self.logits = p, lg
        super().__init__(self.total_count.shape, validate_args=validate_args)

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints.integer_interval(0, self.total_count)

    def _value(self, value: Any) -> Tensor:
        k = as_float(value, self.probs)
        if self._validate_args:
            ok = ((k == k.floor()) & (k >= 0) & (k <= self.total_count)).numpy()
            if not ok.all():
                bad = np.broadcast_to(k.detach().numpy(), ok.shape)[~ok]
                raise ValueError(
                    "Binomial.log_prob: expected whole numbers between 0 and total_count, "
                    f"found invalid values such as {bad[:3].tolist()}"
                )
        return k

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        n = self.total_count.detach().expand(shape).numpy().astype(np.int64)
        p = self.probs.detach().expand(shape).numpy().astype(np.float64)
        return wrap(default_generator().binomial(n, p).astype(self.probs.dtype))

    def log_prob(self, value: Any) -> Tensor:
        k = self._value(value)
        n, lg = self.total_count, self.logits
        log_choose = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
        return log_choose + k * lg - n * F.softplus(lg)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0, 1, ..., total_count as shape (n + 1,) + (1,) * len(batch_shape) (all the counts
        must be equal), expanded over the batch when ``expand``."""
        n = self.total_count.numpy()
        if n.size and not (n == n.flat[0]).all():
            raise NotImplementedError(
                "Binomial.enumerate_support needs one total_count for the whole batch"
            )
        top = int(n.flat[0]) if n.size else 0
        values = as_tensor(
            np.arange(top + 1, dtype=self.probs.dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        )
        return values.expand((top + 1,) + self.batch_shape) if expand else values

    def entropy(self) -> Tensor:
        top = int(self.total_count.numpy().max()) if self.total_count.numel() else 0
        k = as_tensor(
            np.arange(top + 1, dtype=self.probs.dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        )
        n, lg = self.total_count, self.logits
        inside = k <= n
        k_in = api.where(inside, k, n)  # a harmless count where k > n; masked out below
        log_p = (
            lgamma(n + 1) - lgamma(k_in + 1) - lgamma(n - k_in + 1) + k_in * lg - n * F.softplus(lg)
        )
        return -(api.where(inside, log_p.exp() * log_p, log_p * 0)).sum(0)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return api.minimum(((self.total_count + 1) * self.probs).floor(), self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    @property
    def param_shape(self) -> tuple:
        """The shape of the probs (and logits) parameter."""
        return tuple(self.probs.shape)
