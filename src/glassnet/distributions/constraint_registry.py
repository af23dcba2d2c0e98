"""biject_to and transform_to: from a constraint to a transform that carries unconstrained reals into its set.

Optimizers move parameters freely over the reals; a parameter that must stay in a set (a
positive scale, a probability vector) is kept as an unconstrained u and used as
``transform_to(constraint)(u)``. The two registries differ in what they promise:

    biject_to(c)     a bijection onto c, with a log |det J|: for densities over u
                     (HMC, variational inference), e.g. simplex -> StickBreakingTransform
    transform_to(c)  any onto map, maybe not one-to-one: for optimization,
                     e.g. simplex -> SoftmaxTransform, positive_definite -> L L^T

Both are keyed by the constraint's type: ``biject_to.register(MyConstraint)(factory)`` (or as a
decorator), where ``factory(constraint)`` returns the transform; an instance such as
``constraints.positive`` registers its type.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Number
from typing import Any

from . import constraints, transforms

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]


class ConstraintRegistry:
    """A table from constraint types to factories ``constraint -> Transform``."""

    def __init__(self) -> None:
        self._registry: dict[type, Callable] = {}

    def register(self, constraint: Any, factory: Callable | None = None) -> Any:
        """Register ``factory`` for the type of ``constraint`` (a Constraint subclass or an
        instance); without ``factory``, a decorator that registers the function it wraps."""
        if factory is None:
            return lambda f: self.register(constraint, f)
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not (isinstance(constraint, type) and issubclass(constraint, constraints.Constraint)):
            raise TypeError(
                "ConstraintRegistry.register: expected a Constraint subclass or instance, got "
                f"{constraint!r}"
            )
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint: Any) -> transforms.Transform:
        """The transform for ``constraint``: NotImplementedError if its type is not registered."""
        try:
            factory = self._registry[type(constraint)]
        except KeyError:
            raise NotImplementedError(
                f"Cannot transform {type(constraint).__name__} constraints"
            ) from None
        return factory(constraint)


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _both(*keys: Any) -> Callable:
    """Register one factory in both registries for each key."""

    def decorate(factory: Callable) -> Callable:
        for key in keys:
            biject_to.register(key, factory)
            transform_to.register(key, factory)
        return factory

    return decorate


@_both(constraints.real)
def _to_real(constraint: Any) -> transforms.Transform:
    """real: the identity"""
    return transforms.identity_transform


@_both(constraints.greater_than, constraints.greater_than_eq)
def _to_greater_than(constraint: Any) -> transforms.Transform:
    """x > lower: y = lower + exp(u) (``positive`` and ``nonnegative`` are the lower = 0 cases)"""
    return transforms.ComposeTransform(
        [transforms.ExpTransform(), transforms.AffineTransform(constraint.lower_bound, 1)]
    )


@_both(constraints.less_than)
def _to_less_than(constraint: Any) -> transforms.Transform:
    """x < upper: y = upper - exp(u)"""
    return transforms.ComposeTransform(
        [transforms.ExpTransform(), transforms.AffineTransform(constraint.upper_bound, -1)]
    )


@_both(constraints.interval, constraints.half_open_interval)
def _to_interval(constraint: Any) -> transforms.Transform:
    """lower <= x <= upper: y = lower + (upper - lower) sigmoid(u) (sigmoid alone for [0, 1])"""
    lower, upper = constraint.lower_bound, constraint.upper_bound
    if isinstance(lower, Number) and isinstance(upper, Number) and lower == 0 and upper == 1:
        return transforms.SigmoidTransform()
    return transforms.ComposeTransform(
        [transforms.SigmoidTransform(), transforms.AffineTransform(lower, upper - lower)]
    )


@biject_to.register(constraints.simplex)
def _biject_to_simplex(constraint: Any) -> transforms.Transform:
    """simplex (bijectively): stick-breaking from K - 1 reals"""
    return transforms.StickBreakingTransform()


@transform_to.register(constraints.simplex)
def _transform_to_simplex(constraint: Any) -> transforms.Transform:
    """simplex (onto): softmax of K reals"""
    return transforms.SoftmaxTransform()


@transform_to.register(constraints.lower_cholesky)
def _transform_to_lower_cholesky(constraint: Any) -> transforms.Transform:
    """lower_cholesky: tril(u, -1) + diag(exp(diag u))"""
    return transforms.LowerCholeskyTransform()


@transform_to.register(constraints.positive_definite)
@transform_to.register(constraints.positive_semidefinite)
def _transform_to_positive_definite(constraint: Any) -> transforms.Transform:
    """positive (semi)definite: L L^T with L from LowerCholeskyTransform"""
    return transforms.PositiveDefiniteTransform()


@_both(constraints.corr_cholesky)
def _to_corr_cholesky(constraint: Any) -> transforms.Transform:
    """corr_cholesky: tanh and stick-breaking on the squares of each row"""
    return transforms.CorrCholeskyTransform()


def _register_nested(registry: ConstraintRegistry) -> None:
    """The constraints built from others, whose transforms are built from the parts' transforms
    found in the same ``registry`` (so biject_to of a cat of simplexes stays bijective)."""

    @registry.register(constraints.independent)
    @registry.register(constraints.real_vector)  # its own subclass of independent here
    def _to_independent(constraint: Any) -> transforms.Transform:
        """independent(c, n): c's transform with n more event axes"""
        return transforms.IndependentTransform(
            registry(constraint.base_constraint), constraint.reinterpreted_batch_ndims
        )

    @registry.register(constraints.cat)
    def _to_cat(constraint: Any) -> transforms.Transform:
        """cat([c_1, ...], dim, lengths): each piece by its own constraint's transform"""
        return transforms.CatTransform(
            [registry(c) for c in constraint.cseq], constraint.dim, constraint.lengths
        )

    @registry.register(constraints.stack)
    def _to_stack(constraint: Any) -> transforms.Transform:
        """stack([c_1, ...], dim): each slice by its own constraint's transform"""
        return transforms.StackTransform([registry(c) for c in constraint.cseq], constraint.dim)


_register_nested(biject_to)
_register_nested(transform_to)
