"""The base of every distribution (shapes, sample vs rsample, what a subclass must give) and the bases families share."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor, as_tensor
from . import constraints

__all__ = ["Distribution", "as_float", "float_params"]


def float_params(*values: Any) -> list[Tensor]:
    """The parameters as floating tensors (integers become float32), broadcast to one shape.

    A Python number takes the dtype of the floating tensors beside it (as in PyTorch), so
    ``Gamma(2.5, rate64)`` computes in float64 throughout.
    """
    tensors = [as_tensor(v) for v in values]
    given = [
        t.dtype for v, t in zip(values, tensors) if isinstance(v, Tensor) and t.dtype.kind == "f"
    ]
    if given:
        wide = np.result_type(*given)
        tensors = [
            t.to(wide) if isinstance(v, (int, float)) and not isinstance(v, bool) else t
            for v, t in zip(values, tensors)
        ]
    tensors = [t if t.dtype.kind == "f" else t.float() for t in tensors]
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return [t if t.shape == shape else t.expand(shape) for t in tensors]


def as_float(value: Any, like: Tensor) -> Tensor:
    """``value`` as a Tensor, of ``like``'s dtype when it is not floating (counts, labels)."""
    v = as_tensor(value)
    return v if v.dtype.kind == "f" else v.to(like.dtype)


class Distribution:
    """A probability distribution over tensors of ``batch_shape + event_shape``.

    ``batch_shape`` is how many independent distributions there are (one per element of the
    parameters); ``event_shape`` the shape of one draw of one of them (() for a number).
    Subclasses give ``rsample`` (a draw that gradients flow through) or ``sample``, and
    ``log_prob``, ``entropy``, ``mean`` and ``variance``.
    """

    has_rsample = False
    has_enumerate_support = False
    # name -> constraints.Constraint of each parameter, and the set the values live in; the
    # subclasses that declare them get checked parameters and values (validate_args).
    arg_constraints: dict = {}
    support: Any = None
    _validate_default = True  # PyTorch validates unless told not to (set_default_validate_args)

    def __init__(self, batch_shape: tuple = (), event_shape: tuple = (),
                 validate_args: Any = None) -> None:  # fmt: skip
        self.batch_shape = tuple(batch_shape)
        self.event_shape = tuple(event_shape)
        self._validate_args = (
            self._validate_default if validate_args is None else bool(validate_args)
        )
        if self._validate_args:
            self._validate_parameters()

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions check their parameters and values when not told (default True)."""
        Distribution._validate_default = bool(value)

    def _validate_parameters(self) -> None:
        """One clear ValueError for the first parameter outside its constraint."""
        for name, constraint in self.arg_constraints.items():
            value = self.__dict__.get(name)
            if not isinstance(value, Tensor) or not hasattr(constraint, "check"):
                continue
            try:
                ok = constraint.check(value.detach()).numpy()
            except ValueError:  # a dependent constraint: nothing to check on its own
                continue
            if not ok.all():
                bad = value.detach().numpy()
                if constraint.event_dim == 0:
                    bad = bad[~np.broadcast_to(ok, bad.shape)]
                raise ValueError(
                    f"{type(self).__name__}: expected parameter {name} (of shape "
                    f"{tuple(value.shape)}) to satisfy {constraint!r}, but found invalid values "
                    f"such as {np.ravel(bad)[:3].tolist()}"
                )

    def _validate_sample(self, value: Tensor) -> None:
        """With validate_args: a ValueError if ``value`` lies outside ``support``."""
        if not self._validate_args or self.support is None or not hasattr(self.support, "check"):
            return
        ok = self.support.check(value.detach()).numpy()
        if not ok.all():
            found = value.detach().numpy()
            if self.support.event_dim == 0:
                found = found[~np.broadcast_to(ok, found.shape)]
            raise ValueError(
                f"{type(self).__name__}.log_prob: expected values in the support "
                f"{self.support!r}, but found invalid values such as "
                f"{np.ravel(found)[:3].tolist()}"
            )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution repeated to ``batch_shape`` (a view: no parameters copied).

        Every parameter tensor has the shape batch_shape + (its event axes), so each is
        expanded on its leading axes; gradients flow back to the original parameters.
        """
        new_batch = tuple(batch_shape)
        try:
            np.broadcast_shapes(self.batch_shape, new_batch)
        except ValueError:
            raise ValueError(
                f"{type(self).__name__}.expand: cannot expand batch_shape {self.batch_shape} "
                f"to {new_batch}"
            ) from None
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        k = len(self.batch_shape)
        for name, value in self.__dict__.items():
            if (
                isinstance(value, Tensor)
                and value.shape[:k] == self.batch_shape
                and value.ndim >= k
            ):
                new.__dict__[name] = value.expand(new_batch + tuple(value.shape[k:]))
        new.batch_shape = new_batch
        return new

    def log_prob(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no log_prob")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no entropy")

    def cdf(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no cdf")

    def icdf(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no icdf")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a finite discrete support, along a new leading axis (subclasses with
        ``has_enumerate_support``)."""
        raise NotImplementedError(f"{type(self).__name__} has no enumerate_support")

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    def perplexity(self) -> Tensor:
        """exp(entropy)"""
        return self.entropy().exp()

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no mode")

    def _extended_shape(self, sample_shape: Any = ()) -> tuple:
        """sample_shape + batch_shape + event_shape: the shape of ``sample(sample_shape)``."""
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return tuple(sample_shape) + self.batch_shape + self.event_shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape).detach()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sample")

    @property
    def stddev(self) -> Tensor:
        """The standard deviation, sqrt(variance)."""
        return self.variance.sqrt()

    def _value(self, value: Any) -> Tensor:
        """``value`` as a Tensor (checked against ``support`` when the subclass declares one)."""
        value = as_tensor(value)
        if self.support is not None:
            self._validate_sample(value)
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self.batch_shape})"


class _LocationScale(Distribution):
    """A location-scale family on the real line: p(x) = f((x - loc) / scale) / scale for a fixed
    standard density f, one distribution per element of ``loc`` and ``scale`` (broadcast together).

    The subclasses (Cauchy, Gumbel, Laplace) share the parameters, their constraints (loc real,
    scale > 0), the support and the mode (f peaks at 0, so x peaks at loc); each writes its own
    f: rsample, log_prob, entropy, cdf, icdf and the moments.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: Any = None) -> None:
        self.loc, self.scale = float_params(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mode(self) -> Tensor:
        return self.loc


class _CentredAtLoc(Distribution):
    """A family symmetric about ``loc`` with its one peak there, so mean = mode = loc.

    The subclasses (Normal, MultivariateNormal, LowRankMultivariateNormal, and VonMises, whose
    circular mean is loc) keep ``loc`` as an attribute and write everything else themselves.
    """

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc


class _UnitIntervalPair(Distribution):
    """A family on (0, 1) with two shape parameters a = ``concentration1`` and
    b = ``concentration0``, both > 0, broadcast together: one distribution per element.

    The subclasses (Beta, Kumaraswamy) share the parameters, their constraints, the support
    and a reparameterized sample; each writes its own density, draw and moments.
    """

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: Any = None) -> None:
        self.concentration1, self.concentration0 = float_params(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)


class _FoldedAtZero(Distribution):
    """|X| for X symmetric about 0 with scale ``scale`` (> 0), one per element: values x >= 0,
    with the peak folded onto 0, so mode = 0.

    The subclasses (HalfCauchy, HalfNormal) share the parameter, its constraint, the support,
    a reparameterized sample and the mode; each writes its own density, draw and moments, and
    names its unfolded X (``_unfolded``: module and class, as ``("normal", "Normal")``).
    PyTorch builds them as TransformedDistributions; glassnet computes them directly but gives
    the same view of them: ``base_dist`` (X) and ``transforms`` ([AbsTransform()]).
    """

    _unfolded: tuple[str, str]

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: Any = None) -> None:
        (self.scale,) = float_params(scale)
        super().__init__(self.scale.shape, validate_args=validate_args)

    @property
    def mode(self) -> Tensor:
        return self.scale * 0

    @property
    def base_dist(self) -> Distribution:
        """X = the unfolded distribution, centred at 0 with this scale."""
        import importlib

        from ..creation import zeros_like

        module, name = self._unfolded  # imported here: those modules import this one
        family = getattr(importlib.import_module(f".{module}", __package__), name)
        return family(zeros_like(self.scale), self.scale, validate_args=False)

    @property
    def transforms(self) -> list:
        """[AbsTransform()]: x = |z|."""
        from .transforms import AbsTransform

        return [AbsTransform()]
