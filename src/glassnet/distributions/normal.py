"""The normal (Gaussian) distribution N(loc, scale**2)."""

from __future__ import annotations

import math
from typing import Any

from ..creation import randn
from ..ops import api
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, _CentredAtLoc, float_params
from .exp_family import ExponentialFamily

__all__ = ["Normal"]


class Normal(ExponentialFamily, _CentredAtLoc):
    r"""N(loc, scale**2), one per element of ``loc`` and ``scale`` (broadcast together).

        log p(x) = -(x - loc)**2 / (2 scale**2) - log(scale) - log(sqrt(2 pi))
        entropy  = 1/2 + log(sqrt(2 pi)) + log(scale)

    ``rsample`` is loc + scale * eps with eps ~ N(0, 1) drawn apart from the parameters (the
    reparameterization trick), so gradients reach loc and scale through the draw.
    """

    has_rsample = True
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc: Any, scale: Any, validate_args: Any = None) -> None:
        self.loc, self.scale = float_params(loc, scale)
        scale = self.scale.detach().numpy()
        check = Distribution._validate_default if validate_args is None else validate_args
        if check and not (scale > 0).all():
            raise ValueError(
                f"Normal: scale must be positive, got {scale[~(scale > 0)][:3].tolist()}"
            )
        super().__init__(self.loc.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + self.scale * eps

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(value)
        return (
            -((x - self.loc) ** 2) / (2 * self.scale**2)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    # As an exponential family (exp_family.py): eta = (loc / scale**2, -1 / (2 scale**2)),
    # A(eta) = -eta_1**2 / (4 eta_2) + log(pi / -eta_2) / 2, h(x) = 1
    @property
    def _natural_params(self) -> tuple:
        return (self.loc / self.scale**2, -0.5 / self.scale**2)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()

    _mean_carrier_measure = 0

    def entropy(self) -> Tensor:
        return 0.5 + math.log(math.sqrt(2 * math.pi)) + self.scale.log()

    def cdf(self, value: Any) -> Tensor:
        """P(X <= value) = (1 + erf((value - loc) / (scale sqrt 2))) / 2"""
        return 0.5 * (1 + api.erf((self._value(value) - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value: Any) -> Tensor:
        """The value x with P(X <= x) = value: loc + scale sqrt(2) erfinv(2 value - 1)"""
        return self.loc + self.scale * math.sqrt(2) * api.erfinv(2 * self._value(value) - 1)

    @property
    def variance(self) -> Tensor:
        return self.scale**2

    @property
    def stddev(self) -> Tensor:
        return self.scale
