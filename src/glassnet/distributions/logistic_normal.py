"""The logistic-normal distribution: a Gaussian vector mapped onto the probability simplex."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, float_params
from .independent import Independent
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    r"""Y = stick_breaking(X), X ~ N(loc, diag(scale**2)) over vectors of length K - 1; Y is a
    probability vector of length K (event_shape (K,)). ``loc`` and ``scale`` (> 0) broadcast
    together; their last axis is K - 1 (a number is one such vector, K = 2).

        log p(y) = sum_i log N(x_i; loc_i, scale_i) - log |det J(x)|,   x = stick_breaking^-1(y)

    (the change of variables, with J the stick-breaking Jacobian: see StickBreakingTransform).
    A prior over mixture weights or topic proportions that, unlike a Dirichlet, can carry
    correlations and has ``rsample``: the Gaussian draw pushed through the transform.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex  # type: ignore[assignment]
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, loc: Any, scale: Any, validate_args: Any = None) -> None:
        loc, scale = float_params(loc, scale)
        if loc.ndim == 0:
            loc, scale = loc.expand((1,)), scale.expand((1,))
        self.loc, self.scale = loc, scale
        # Checked as LogisticNormal's parameters before the Normal inside sees them.
        Distribution.__init__(self, loc.shape[:-1], validate_args=validate_args)
        base = Independent(Normal(loc, scale, validate_args=False), 1)
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogisticNormal:
        shape = tuple(batch_shape) + self.loc.shape[-1:]
        return LogisticNormal(self.loc.expand(shape), self.scale.expand(shape), validate_args=False)

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError("LogisticNormal has no closed-form mean (as in PyTorch)")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError("LogisticNormal has no closed-form variance (as in PyTorch)")
