"""Independent: reinterpret some batch axes of a distribution as event axes (sum their log_prob)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import constraints
from .distribution import Distribution

__all__ = ["Independent"]


def _sum_rightmost(x: Tensor, n: int) -> Tensor:
    """x summed over its last n axes (x itself for n = 0)."""
    return x.sum(tuple(range(-n, 0))) if n > 0 else x


class Independent(Distribution):
    r"""The joint of independent ``base_distribution`` draws over its last
    ``reinterpreted_batch_ndims`` batch axes, treated as one event:

        batch_shape = base.batch_shape[:-n];   event_shape = base.batch_shape[-n:] + base.event_shape
        log p(x) = sum over those n axes of base.log_prob(x);   entropy likewise

    Example: ``Independent(Normal(mu, sigma), 1)`` with mu of shape (B, D) is a diagonal
    Gaussian over D-vectors, batch (B,), whose log_prob is one number per row.
    """

    arg_constraints: dict = {}

    def __init__(self, base_distribution: Distribution, reinterpreted_batch_ndims: int,
                 validate_args: Any = None) -> None:  # fmt: skip
        n = reinterpreted_batch_ndims
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(
                f"Independent: reinterpreted_batch_ndims must be an int >= 0, got {n!r}"
            )
        shape = base_distribution.batch_shape + base_distribution.event_shape
        if n > len(base_distribution.batch_shape):
            raise ValueError(
                f"Independent: expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape) "
                f"= {len(base_distribution.batch_shape)}, got {n}"
            )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        cut = len(shape) - len(base_distribution.event_shape) - n
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self) -> bool:  # type: ignore[override]
        return False if self.reinterpreted_batch_ndims > 0 else self.base_dist.has_enumerate_support

    @property
    def support(self) -> Any:  # type: ignore[override]
        base = self.base_dist.support
        if base is None:
            return None
        return (
            constraints.independent(base, self.reinterpreted_batch_ndims)
            if self.reinterpreted_batch_ndims
            else base
        )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Independent:
        batch_shape = tuple(batch_shape)
        event = self.event_shape[: self.reinterpreted_batch_ndims]
        base = self.base_dist.expand(batch_shape + event)
        return Independent(base, self.reinterpreted_batch_ndims, validate_args=False)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Any) -> Tensor:
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        if self.reinterpreted_batch_ndims > 0:
            raise NotImplementedError(
                "Independent.enumerate_support: the support is a product (too large)"
            )
        return self.base_dist.enumerate_support(expand=expand)

    @property
    def mean(self) -> Tensor:
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
