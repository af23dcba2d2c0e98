"""The categorical distribution over K classes: draws are class indices 0..K-1."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import multinomial
from ..ops import api
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import Distribution

__all__ = ["Categorical"]


class Categorical(Distribution):
    r"""P(k) = probs[..., k], from ``probs`` (normalized to sum 1) or ``logits`` (log-probabilities
    up to a constant), the last axis being the K classes.

        logits = log(probs) = logits - logsumexp(logits)
        log p(k) = logits[..., k];   entropy = -sum_k probs_k logits_k

    Draws are int64 class indices of shape sample_shape + batch_shape (no gradient: use
    ``log_prob`` of a draw for a policy gradient). mode = argmax_k probs_k; the mean and
    variance of a class label are undefined, so nan (as PyTorch gives).
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}  # fmt: skip
    has_enumerate_support = True

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints.integer_interval(0, self.num_classes - 1)

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: Any = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: give either probs or logits, not both and not neither")
        if probs is not None:
            probs = as_tensor(probs)
            if probs.ndim < 1:
                raise ValueError(
                    "Categorical: probs must have the classes on the last axis, got a tensor of "
                    f"shape {tuple(probs.shape)}"
                )
            found = probs.detach().numpy()
            if (found < 0).any():
                raise ValueError(
                    f"Categorical: probs must be non-negative, got {found[found < 0][:3].tolist()}"
                )
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = self.probs.clamp(min=np.finfo(probs.numpy().dtype).tiny).log()
        else:
            logits = as_tensor(logits)
            if logits.ndim < 1:
                raise ValueError(
                    "Categorical: logits must have the classes on the last axis, got a tensor of "
                    f"shape {tuple(logits.shape)}"
                )
            self.logits = logits - api.logsumexp(logits, -1, keepdim=True)
            self.probs = api.softmax(logits, -1)
        self.num_classes = self.probs.shape[-1]
        super().__init__(self.probs.shape[:-1], validate_args=validate_args)

    @property
    def param_shape(self) -> tuple:
        return tuple(self.probs.shape)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        new = super().expand(batch_shape)
        new.num_classes = self.num_classes
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        count = int(np.prod(shape[: len(shape) - len(self.batch_shape)], dtype=np.int64))
        rows = self.probs.detach().reshape(-1, self.num_classes)
        draws = multinomial(rows, count, replacement=True)  # (rows, count)
        return draws.T.reshape(shape)

    def log_prob(self, value: Any) -> Tensor:
        k = self._value(value).long()
        shape = np.broadcast_shapes(k.shape, self.batch_shape)
        k = k.expand(shape) if shape != k.shape else k
        logits = (
            self.logits.expand(shape + (self.num_classes,))
            if shape != self.batch_shape
            else self.logits
        )
        return logits.gather(-1, k.unsqueeze(-1)).squeeze(-1)

    def entropy(self) -> Tensor:
        # A class masked out with a logit of -inf (top-k sampling) has p = 0 and adds
        # 0 * log 0 = 0; clamping -inf to the dtype's lowest number keeps 0 * -inf from being nan.
        lowest = np.finfo(self.logits.dtype).min
        return -(self.probs * self.logits.clamp(min=lowest)).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0, 1, ..., K-1 (int64) as shape (K,) + (1,) * len(batch_shape), expanded over the
        batch when ``expand``."""
        values = np.arange(self.num_classes, dtype=np.int64)
        out = as_tensor(values.reshape((self.num_classes,) + (1,) * len(self.batch_shape)))
        return out.expand((self.num_classes,) + self.batch_shape) if expand else out

    @property
    def mode(self) -> Tensor:
        return self.probs.detach().argmax(-1)

    @property
    def mean(self) -> Tensor:
        return as_tensor(np.full(self.batch_shape, np.nan, dtype=self.probs.dtype))

    @property
    def variance(self) -> Tensor:
        return as_tensor(np.full(self.batch_shape, np.nan, dtype=self.probs.dtype))
