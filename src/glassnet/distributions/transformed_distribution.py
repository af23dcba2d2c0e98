"""TransformedDistribution: a base distribution pushed through invertible transforms, y = f(x)."""

from __future__ import annotations

from typing import Any

from ..autograd import no_grad
from ..tensor import Tensor, as_tensor
from . import constraints
from .distribution import Distribution
from .transforms import Transform

__all__ = ["TransformedDistribution"]


def _sum_rightmost(x: Any, n: int) -> Any:
    return x.sum(tuple(range(-n, 0))) if n > 0 and isinstance(x, Tensor) else x


class TransformedDistribution(Distribution):
    r"""Y = f_n(...f_1(X)), X ~ ``base_distribution``, for a transform or a list of them.

        log p(y) = log p_X(x) - sum_i log |det J_i|,   x = f^-1(y) (undone one part at a time)
        cdf(y) = cdf_X(f^-1(y)) for an increasing f (1 - that for a decreasing one)

    ``rsample`` pushes the base's reparameterized draw through the transforms (so gradients
    reach both the base's parameters and the transforms'). Example, a squashed Gaussian policy:
    ``TransformedDistribution(Normal(mu, sigma), [TanhTransform(cache_size=1)])``.
    """

    arg_constraints: dict = {}

    def __init__(self, base_distribution: Distribution, transforms: Any,
                 validate_args: Any = None) -> None:  # fmt: skip
        if isinstance(transforms, Transform):
            transforms = [transforms]
        if not isinstance(transforms, (list, tuple)) or not all(
            isinstance(t, Transform) for t in transforms
        ):
            raise ValueError(
                "TransformedDistribution: transforms must be a Transform or a list of Transforms, "
                f"got {transforms!r}"
            )
        self.base_dist = base_distribution
        self.transforms = list(transforms)
        shape = base_distribution.batch_shape + base_distribution.event_shape
        event_dim = len(base_distribution.event_shape)
        for t in self.transforms:
            event_dim = max(event_dim, t.codomain.event_dim)
            shape = t.forward_shape(shape)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def support(self) -> Any:  # type: ignore[override]
        if not self.transforms:
            return self.base_dist.support
        codomain = self.transforms[-1].codomain
        extra = len(self.event_shape) - codomain.event_dim
        return constraints.independent(codomain, extra) if extra > 0 else codomain

    def expand(self, batch_shape: Any, _instance: Any = None) -> TransformedDistribution:
        batch_shape = tuple(batch_shape)
        base_event = len(self.base_dist.event_shape)
        extra = len(self.event_shape) - base_event
        base_batch = batch_shape + self.event_shape[:extra] if extra > 0 else batch_shape
        return type(self)._from_parts(self.base_dist.expand(base_batch), self.transforms)

    @classmethod
    def _from_parts(cls, base: Distribution, transforms: list) -> TransformedDistribution:
        new = TransformedDistribution.__new__(TransformedDistribution)
        TransformedDistribution.__init__(new, base, transforms, validate_args=False)
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def log_prob(self, value: Any) -> Tensor:
        y = as_tensor(value)
        if self._validate_args and self.support is not None:
            self._validate_sample(y)
        event_dim = len(self.event_shape)
        log_prob: Any = 0.0
        for t in reversed(self.transforms):
            x = t.inv(y)
            event_dim += t.domain.event_dim - t.codomain.event_dim
            log_prob = log_prob - _sum_rightmost(
                t.log_abs_det_jacobian(x, y), event_dim - t.domain.event_dim
            )
            y = x
        base = self.base_dist.log_prob(y)
        return log_prob + _sum_rightmost(base, event_dim - len(self.base_dist.event_shape))

    def _monotone_sign(self) -> int:
        sign = 1
        for t in self.transforms:
            sign *= t.sign
        return sign

    def cdf(self, value: Any) -> Tensor:
        y = as_tensor(value)
        for t in reversed(self.transforms):
            y = t.inv(y)
        c = self.base_dist.cdf(y)
        return c if self._monotone_sign() == 1 else 1 - c

    def icdf(self, value: Any) -> Tensor:
        q = as_tensor(value)
        q = q if self._monotone_sign() == 1 else 1 - q
        x = self.base_dist.icdf(q)
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return f"TransformedDistribution({self.base_dist!r}, {self.transforms!r})"
