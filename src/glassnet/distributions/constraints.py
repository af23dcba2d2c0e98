"""Constraints: the sets a distribution's parameters and values live in (``constraints.positive``).

A constraint answers one question, ``check(value)``: a boolean Tensor saying, per event, whether
``value`` lies in the set. Distributions name theirs in ``arg_constraints`` (the parameters) and
``support`` (the values); with ``validate_args`` on, a parameter outside its set is an error.
``event_dim`` is how many rightmost axes make up one element of the set (1 for a simplex: the
check is over the whole probability vector).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import api
from ..tensor import Tensor, as_tensor

__all__ = [
    "Constraint", "boolean", "cat", "corr_cholesky", "dependent", "dependent_property", "greater_than", "greater_than_eq",
    "half_open_interval", "independent", "integer_interval", "interval", "less_than",
    "lower_cholesky", "lower_triangular", "multinomial", "nonnegative", "nonnegative_integer",
    "one_hot", "positive", "positive_definite", "positive_integer", "positive_semidefinite",
    "real", "real_vector", "simplex", "square", "stack", "symmetric", "unit_interval",
]  # fmt: skip


def _t(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else as_tensor(value)


def _is_integer(x: Tensor) -> Tensor:
    return (x == x.floor()) & x.isfinite() if x.dtype.kind == "f" else x == x


class Constraint:
    """A set of values: ``check(value)`` gives True per event inside it."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}()"


class _Dependent(Constraint):
    """A placeholder for sets that depend on other parameters (no check possible by itself)."""

    def __init__(self, *, is_discrete: bool = False, event_dim: int = 0) -> None:
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __call__(self, fn: Any = None, *, is_discrete: bool = False, event_dim: int = 0) -> Any:
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim) if fn is None else fn

    def check(self, value: Any) -> Tensor:
        raise ValueError("a dependent constraint cannot be checked on its own")


class _Real(Constraint):
    """x is a real number (finite or infinite, not NaN): x == x"""

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return x == x


class _Boolean(Constraint):
    """x in {0, 1}"""

    is_discrete = True

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return (x == 0) | (x == 1)


class _GreaterThan(Constraint):
    """x > lower_bound"""

    def __init__(self, lower_bound: float) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        return _t(value) > self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _GreaterThanEq(_GreaterThan):
    """x >= lower_bound"""

    def check(self, value: Any) -> Tensor:
        return _t(value) >= self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThanEq(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    """x < upper_bound"""

    def __init__(self, upper_bound: float) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        return _t(value) < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    """lower_bound <= x <= upper_bound"""

    def __init__(self, lower_bound: float, upper_bound: float) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return (x >= self.lower_bound) & (x <= self.upper_bound)

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _HalfOpenInterval(_Interval):
    """lower_bound <= x < upper_bound"""

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return (x >= self.lower_bound) & (x < self.upper_bound)


class _IntegerInterval(_Interval):
    """x an integer with lower_bound <= x <= upper_bound"""

    is_discrete = True

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return _is_integer(x) & (x >= self.lower_bound) & (x <= self.upper_bound)


class _IntegerGreaterThanEq(_GreaterThanEq):
    """x an integer with x >= lower_bound"""

    is_discrete = True

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return _is_integer(x) & (x >= self.lower_bound)

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _Independent(Constraint):
    """A base constraint over the last ``reinterpreted_batch_ndims`` axes together: all of them
    must pass."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value: Any) -> Tensor:
        ok = self.base_constraint.check(value)
        for _ in range(self.reinterpreted_batch_ndims):
            ok = ok.all(-1)
        return ok

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _Simplex(Constraint):
    """x_i >= 0 and sum_i x_i = 1 (within 1e-6) along the last axis"""

    event_dim = 1

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return (x >= 0).all(-1) & ((x.sum(-1) - 1).abs() < 1e-6)


class _OneHot(Constraint):
    """x a vector of zeros with one 1 along the last axis"""

    is_discrete = True
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return ((x == 0) | (x == 1)).all(-1) & (x.sum(-1) == 1)


class _Multinomial(Constraint):
    """x a vector of non-negative integer counts summing to at most upper_bound"""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: int) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return (_is_integer(x) & (x >= 0)).all(-1) & (x.sum(-1) <= self.upper_bound)


class _RealVector(_Independent):
    """every element of the last axis is real"""

    def __init__(self) -> None:
        super().__init__(_Real(), 1)

    def __repr__(self) -> str:
        return "IndependentConstraint(Real(), 1)"


class _LowerTriangular(Constraint):
    """a square matrix with zeros above the diagonal"""

    event_dim = 2

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return (x.tril() == x).all(-1).all(-1)


class _LowerCholesky(_LowerTriangular):
    """a lower-triangular matrix with a positive diagonal (a Cholesky factor)"""

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return super().check(x) & (x.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


class _PositiveDefinite(Constraint):
    """a symmetric matrix with every eigenvalue > 0 (semidefinite: >= 0)"""

    event_dim = 2
    strict = True

    def check(self, value: Any) -> Tensor:
        a = _t(value).numpy()
        symmetric = np.isclose(a, np.swapaxes(a, -1, -2), atol=1e-6).all(axis=(-2, -1))
        # eigvalsh reads only one triangle; asymmetric matrices are out regardless.
        eig = np.linalg.eigvalsh(a).min(axis=-1)
        ok = symmetric & ((eig > 0) if self.strict else (eig >= 0))
        return as_tensor(ok)


class _PositiveSemidefinite(_PositiveDefinite):
    strict = False


class _CorrCholesky(_LowerCholesky):
    """the Cholesky factor L of a correlation matrix: lower-triangular, positive diagonal, and
    every row of unit length (so L L^T has ones on its diagonal), within 10 n eps"""

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        tol = float(np.finfo(x.dtype).eps) * x.shape[-1] * 10
        row_norm = (x.detach() ** 2).sum(-1).sqrt()
        return super().check(x) & ((row_norm - 1).abs() <= tol).all(-1)


class _Square(Constraint):
    """a square matrix (any entries): the last two axes have one length"""

    event_dim = 2

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        ok = x.ndim >= 2 and x.shape[-2] == x.shape[-1]
        return as_tensor(np.full(tuple(x.shape[:-2]), ok))


class _Symmetric(_Square):
    """a square matrix equal to its transpose (within 1e-6)"""

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        square = super().check(x)
        if not square.numpy().all():
            return square
        return ((x - x.mT).abs() <= 1e-6).all(-1).all(-1)


class _OfParts(Constraint):
    """What cat and stack share: a list of constraints, one per part of an axis ``dim``."""

    def __init__(self, cseq: Any, dim: int, who: str) -> None:
        self.cseq = list(cseq)
        if not all(isinstance(c, Constraint) for c in self.cseq):
            raise ValueError(f"constraints.{who}: every entry of cseq must be a Constraint")
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)


class _Cat(_OfParts):
    """pieces of one axis ``dim``, each in its own constraint: the first ``lengths[0]`` entries
    in ``cseq[0]``, the next ``lengths[1]`` in ``cseq[1]``, ... (the check is concatenated back)"""

    def __init__(self, cseq: Any, dim: int = 0, lengths: Any = None) -> None:
        super().__init__(cseq, dim, "cat")
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(
                f"constraints.cat: expected {len(self.cseq)} lengths (one per constraint), got "
                f"{len(self.lengths)}"
            )

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        checks, start = [], 0
        for c, length in zip(self.cseq, self.lengths):
            checks.append(c.check(x.narrow(self.dim, start, length)))
            start += length
        return api.cat(checks, self.dim)


class _Stack(_OfParts):
    """slices of one axis ``dim``: slice i (``value.select(dim, i)``) in ``cseq[i]``"""

    def __init__(self, cseq: Any, dim: int = 0) -> None:
        super().__init__(cseq, dim, "stack")

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        dim = max(c.event_dim for c in self.cseq)
        # A negative stacking axis inside the event makes that axis part of it too.
        return dim + 1 if self.dim + dim < 0 else dim

    def check(self, value: Any) -> Tensor:
        x = _t(value)
        return api.stack(
            [c.check(x.select(self.dim, i)) for i, c in enumerate(self.cseq)], self.dim
        )


dependent = _Dependent()
dependent_property = dependent
boolean = _Boolean()
real = _Real()
real_vector = _RealVector()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
nonnegative_integer = _IntegerGreaterThanEq(0)
positive_integer = _IntegerGreaterThanEq(1)
independent = _Independent
simplex = _Simplex()
one_hot = _OneHot()
multinomial = _Multinomial
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
positive_semidefinite = _PositiveSemidefinite()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
cat = _Cat
stack = _Stack
