"""The categorical distribution with one-hot draws: a draw is a vector with a single 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import functional as F
from ..tensor import Tensor, as_tensor
from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


class OneHotCategorical(Distribution):
    r"""Categorical(probs or logits) whose draws are one-hot vectors of length K (event_shape
    (K,)) instead of class indices.

        log p(x) = logits[argmax x];   entropy = -sum_k p_k log p_k
        mean = probs;   variance = probs (1 - probs);   mode = one_hot(argmax probs)
    """

    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: Any = None) -> None:
        self._categorical = Categorical(probs=probs, logits=logits)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        batch = self._categorical.batch_shape
        super().__init__(batch, self.probs.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        new = super().expand(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        return new

    @property
    def param_shape(self) -> tuple:
        return self.probs.shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        k = self._categorical.sample(sample_shape)
        return F.one_hot(k, self.event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        return self._categorical.log_prob(x.argmax(-1))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The K one-hot vectors, shape (K,) + (1,) * len(batch_shape) + (K,)."""
        k = self.event_shape[0]
        eye = np.eye(k, dtype=self.probs.dtype).reshape((k,) + (1,) * len(self.batch_shape) + (k,))
        values = as_tensor(eye)
        return values.expand((k,) + self.batch_shape + (k,)) if expand else values

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        return F.one_hot(self.probs.argmax(-1), self.event_shape[0]).to(self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)


class OneHotCategoricalStraightThrough(OneHotCategorical):
    r"""OneHotCategorical with the straight-through gradient estimator (Bengio et al. 2013):

        rsample = x + probs - stop_gradient(probs)

    the value is the one-hot draw x, the gradient is that of probs.
    """

    has_rsample = True

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        x = self.sample(sample_shape)
        return x + (self.probs - self.probs.detach())
