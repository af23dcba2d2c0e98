"""The geometric distribution: the number of failures before the first success."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import wrap
from ..nn import functional as F
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, as_float, float_params

__all__ = ["Geometric", "binary_probs_logits"]


def binary_probs_logits(probs: Any, logits: Any, who: str) -> tuple[Tensor, Tensor]:
    """(p, log(p / (1 - p))) from one of ``probs`` or ``logits`` (the other left None), as
    Bernoulli does: probs are clamped by the dtype's eps before the log so logits stay finite."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{who}: give either probs or logits, not both and not neither")
    if probs is not None:
        (p,) = float_params(probs)
        eps = float(np.finfo(p.dtype).eps)
        clamped = p.clamp(eps, 1 - eps)
        return p, clamped.log() - (-clamped).log1p()
    (lg,) = float_params(logits)
    return lg.sigmoid(), lg


class Geometric(Distribution):
    r"""P(k) = (1 - p)^k p for k = 0, 1, 2, ..., from ``probs`` (p in (0, 1]) or ``logits``.

        log P(k) = k log(1 - p) + log p
        entropy = -(p log p + (1 - p) log(1 - p)) / p   (the Bernoulli entropy over p)
        mean = 1 / p - 1;   variance = (1 / p - 1) / p;   mode = 0

    Draws are floor(log u / log(1 - p)), u uniform in (0, 1): floats holding whole numbers.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: Any = None) -> None:
        self.probs, self.logits = binary_probs_logits(probs, logits, "Geometric")
        self._given = "probs" if probs is not None else "logits"
        super().__init__(self.probs.shape, validate_args=validate_args)

    def _validate_parameters(self) -> None:
        if self._given == "probs":
            p = self.probs.detach().numpy()
            if not ((p > 0) & (p <= 1)).all():
                raise ValueError(
                    f"Geometric: expected probs in (0, 1], found invalid values such as "
                    f"{p[~((p > 0) & (p <= 1))][:3].tolist()}"
                )
        elif np.isnan(self.logits.detach().numpy()).any():
            raise ValueError("Geometric: expected real logits, found NaN")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        p = self.probs.detach().expand(shape).numpy().astype(np.float64)
        u = np.maximum(default_generator().random(shape), np.finfo(np.float64).tiny)
        with np.errstate(divide="ignore"):
            k = np.floor(np.log(u) / np.log1p(-p))
        return wrap(k.astype(self.probs.dtype))

    def log_prob(self, value: Any) -> Tensor:
        k = self._value(as_float(value, self.probs))
        p = self.probs
        # p = 1 and k = 0: 0 * log(0) must be 0 (PyTorch zeroes p there).
        p_safe = p.masked_fill((p == 1) & (k == 0), 0.0) if (p.numpy() == 1).any() else p
        return k * (-p_safe).log1p() + p.log()

    def entropy(self) -> Tensor:
        return (
            F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")
            / self.probs
        )

    @property
    def mean(self) -> Tensor:
        return self.probs.reciprocal() - 1

    @property
    def mode(self) -> Tensor:
        return self.probs * 0

    @property
    def variance(self) -> Tensor:
        return (self.probs.reciprocal() - 1) / self.probs
