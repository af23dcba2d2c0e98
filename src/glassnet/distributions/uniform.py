"""The continuous uniform distribution on [low, high)."""

from __future__ import annotations

from typing import Any

from ..creation import rand
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import Distribution, float_params

__all__ = ["Uniform"]


class Uniform(Distribution):
    r"""Every value in [low, high) equally likely: density 1 / (high - low) there, 0 outside.

        log p(x) = -log(high - low) for low <= x < high (else -inf);   entropy = log(high - low)
        mean = (low + high) / 2;   variance = (high - low)**2 / 12

    ``rsample`` is low + (high - low) u with u uniform in [0, 1).
        cdf(x) = clamp((x - low) / (high - low), 0, 1);   icdf(u) = low + u (high - low)
        mode: none (every value is a mode), so nan

    The support is the closed interval [low, high] (as PyTorch's, though the density at
    ``high`` itself is 0).
    """

    has_rsample = True

    @property
    def arg_constraints(self) -> dict:  # type: ignore[override]
        # low < high, stated each way round so either parameter is named when it fails
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints.interval(self.low, self.high)

    def __init__(self, low: Any, high: Any, validate_args: Any = None) -> None:
        self.low, self.high = float_params(low, high)
        low, high = self.low.detach().numpy(), self.high.detach().numpy()
        bad = ~(low < high)
        if bad.any():
            raise ValueError(
                f"Uniform: low must be below high, got low={low[bad][:3].tolist()} and "
                f"high={high[bad][:3].tolist()}"
            )
        super().__init__(self.low.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = rand(self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + (self.high - self.low) * u

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        inside = ((x >= self.low) & (x < self.high)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: Any) -> Tensor:
        x = self._value(value)
        return ((x - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value: Any) -> Tensor:
        return self.low + as_tensor(value) * (self.high - self.low)

    @property
    def mode(self) -> Tensor:
        return self.low.detach() * float("nan")

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()

    @property
    def mean(self) -> Tensor:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12
