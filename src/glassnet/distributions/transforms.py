"""Transforms: invertible maps y = f(x) with the log |det| of their Jacobian, for TransformedDistribution.

A distribution of x pushed through y = f(x) has the density (change of variables)

    log p_Y(y) = log p_X(f^-1(y)) - log |det df/dx| at x = f^-1(y)

so a transform gives its forward map ``t(x)``, its inverse ``t.inv(y)`` and
``t.log_abs_det_jacobian(x, y)``. Elementwise transforms (all here but ComposeTransform with
event-level parts) have a diagonal Jacobian: the log |det| is a per-element log |f'(x)|.
The transforms that combine others (IndependentTransform, ReshapeTransform, CatTransform,
StackTransform) live in combined_transforms.py, those onto matrices (LowerCholeskyTransform,
PositiveDefiniteTransform, CorrCholeskyTransform) in matrix_transforms.py; both are re-exported
here, PyTorch's one module of transforms.

With ``cache_size=1`` (PyTorch's option) a transform remembers its last (x, y): ``inv(y)`` of
that very y returns x itself instead of recomputing it, so the log_prob of a tanh-squashed draw
never takes atanh(+-1) (the SAC policy's case).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..nn import functional as F
from ..ops import api
from ..tensor import Tensor, as_tensor
from . import constraints

__all__ = [
    "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
    "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform",
    "LowerCholeskyTransform", "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform",
    "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StackTransform",
    "StickBreakingTransform", "TanhTransform", "Transform", "identity_transform",
]  # fmt: skip


def _same_value(a: Any, b: Any) -> bool:
    """Whether two transform parameters (numbers or tensors) hold equal values everywhere."""
    if a is b:
        return True
    x = np.asarray(a.detach().numpy() if isinstance(a, Tensor) else a)
    y = np.asarray(b.detach().numpy() if isinstance(b, Tensor) else b)
    try:
        return bool(np.all(x == y))
    except ValueError:  # shapes that do not broadcast
        return False


class Transform:
    """An invertible map y = f(x): ``__call__``, ``inv`` (itself a Transform) and
    ``log_abs_det_jacobian(x, y)``; ``domain`` and ``codomain`` are the constraints of x and y,
    ``sign`` is +1 for an increasing map and -1 for a decreasing one (elementwise ones)."""

    bijective = True
    domain: Any = constraints.real
    codomain: Any = constraints.real
    sign = 1
    #: The parameters that make two transforms of one kind equal, as PyTorch's ``==``
    #: (``()``: any two of the kind are; ``("loc", "scale")``: those values everywhere).
    #: None keeps Python's identity, for the kinds that say nothing.
    _equal_by: tuple[str, ...] | None = None

    def __eq__(self, other: object) -> bool:
        if self._equal_by is None:
            return self is other
        return isinstance(other, type(self)) and all(
            _same_value(getattr(self, name), getattr(other, name)) for name in self._equal_by
        )

    # Hashes stay by identity, as before equality was added: no set or dict is keyed by them.
    __hash__ = object.__hash__

    def __init__(self, cache_size: int = 0) -> None:
        if cache_size not in (0, 1):
            raise ValueError(f"Transform: cache_size must be 0 or 1, got {cache_size!r}")
        self._cache_size = cache_size
        self._cached: tuple | None = None

    @property
    def event_dim(self) -> int:
        return self.domain.event_dim

    @property
    def inv(self) -> Transform:
        return _InverseTransform(self)

    def with_cache(self, cache_size: int = 1) -> Transform:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._cache_size, new._cached = cache_size, None
        return new

    def __call__(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if self._cache_size and self._cached is not None and self._cached[0] is x:
            return self._cached[1]
        y = self._call(x)
        if self._cache_size:
            self._cached = (x, y)
        return y

    def _inv_call(self, y: Tensor) -> Tensor:
        if self._cache_size and self._cached is not None and self._cached[1] is y:
            return self._cached[0]
        x = self._inverse(y)
        if self._cache_size:
            self._cached = (x, y)
        return x

    def _call(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _inverse(self, y: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no log_abs_det_jacobian")

    def forward_shape(self, shape: tuple) -> tuple:
        return tuple(shape)

    def inverse_shape(self, shape: tuple) -> tuple:
        return tuple(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """f^-1, with log |det d f^-1 / dy| = -log |det df/dx|"""

    def __init__(self, transform: Transform) -> None:
        super().__init__(transform._cache_size)
        self._inv = transform

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return self._inv.codomain

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return self._inv.domain

    @property
    def sign(self) -> int:  # type: ignore[override]
        return self._inv.sign

    @property
    def inv(self) -> Transform:
        return self._inv

    def __call__(self, x: Any) -> Tensor:
        return self._inv._inv_call(as_tensor(x))

    def _inv_call(self, y: Tensor) -> Tensor:
        return self._inv(y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return -self._inv.log_abs_det_jacobian(y, x)

    def __repr__(self) -> str:
        return f"{self._inv!r}.inv"


class ComposeTransform(Transform):
    """f_n(...f_2(f_1(x))): log |det| is the sum of the parts' (each at its own input)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComposeTransform) and list(self.parts) == list(other.parts)

    __hash__ = Transform.__hash__

    def __init__(self, parts: list, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.parts = [p.with_cache(cache_size) if cache_size else p for p in parts]

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return self.parts[0].domain if self.parts else constraints.real

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return self.parts[-1].codomain if self.parts else constraints.real

    @property
    def sign(self) -> int:  # type: ignore[override]
        s = 1
        for p in self.parts:
            s *= p.sign
        return s

    def _call(self, x: Tensor) -> Tensor:
        for p in self.parts:
            x = p(x)
        return x

    def _inverse(self, y: Tensor) -> Tensor:
        for p in reversed(self.parts):
            y = p.inv(y)
        return y

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        total: Any = 0.0
        for p in self.parts:
            nxt = p(x)
            total = total + p.log_abs_det_jacobian(x, nxt)
            x = nxt
        return total if isinstance(total, Tensor) else as_tensor(x) * 0

    def __repr__(self) -> str:
        return f"ComposeTransform({self.parts!r})"


identity_transform = ComposeTransform([])


class ExpTransform(Transform):
    """y = exp(x);   log |dy/dx| = x"""

    _equal_by = ()

    codomain = constraints.positive

    def _call(self, x: Tensor) -> Tensor:
        return x.exp()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return as_tensor(x)


class AffineTransform(Transform):
    """y = loc + scale x;   log |dy/dx| = log |scale| (summed over ``event_dim`` axes)"""

    _equal_by = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.loc, self.scale = loc, scale
        self._event_dim = event_dim

    @property
    def event_dim(self) -> int:
        return self._event_dim

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return (
            constraints.independent(constraints.real, self._event_dim)
            if self._event_dim
            else constraints.real
        )

    codomain = domain  # type: ignore[assignment]

    @property
    def sign(self) -> int:  # type: ignore[override]
        s = self.scale.numpy() if isinstance(self.scale, Tensor) else np.asarray(self.scale)
        if (s > 0).all():
            return 1
        if (s < 0).all():
            return -1
        raise NotImplementedError("AffineTransform.sign: scale has mixed signs")

    def _call(self, x: Tensor) -> Tensor:
        return self.loc + self.scale * x

    def _inverse(self, y: Tensor) -> Tensor:
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        scale = (
            self.scale
            if isinstance(self.scale, Tensor)
            else as_tensor(np.asarray(self.scale, dtype=x.dtype))
        )
        result = scale.abs().log() + x * 0  # broadcast to x's shape
        if self._event_dim:
            result = result.sum(tuple(range(-self._event_dim, 0)))
        return result


class SigmoidTransform(Transform):
    """y = sigmoid(x);   log |dy/dx| = log y (1 - y) = -softplus(-x) - softplus(x)"""

    _equal_by = ()

    codomain = constraints.unit_interval

    def _call(self, x: Tensor) -> Tensor:
        info = np.finfo(x.dtype)
        return x.sigmoid().clamp(info.tiny, 1 - info.eps)

    def _inverse(self, y: Tensor) -> Tensor:
        info = np.finfo(y.dtype)
        y = y.clamp(info.tiny, 1 - info.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        return -F.softplus(-x) - F.softplus(x)


class TanhTransform(Transform):
    """y = tanh(x);   log |dy/dx| = log(1 - tanh(x)**2) = 2 (log 2 - x - softplus(-2 x))

    (the second form stays finite for large |x|, where 1 - tanh**2 rounds to 0)."""

    _equal_by = ()

    codomain = constraints.interval(-1.0, 1.0)

    def _call(self, x: Tensor) -> Tensor:
        return x.tanh()

    def _inverse(self, y: Tensor) -> Tensor:
        eps = float(np.finfo(y.dtype).eps)
        return api.atanh(y.clamp(-1 + eps, 1 - eps))

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        return 2.0 * (math.log(2.0) - x - F.softplus(-2.0 * x))


class SoftplusTransform(Transform):
    """y = log(1 + exp(x));   log |dy/dx| = log sigmoid(x) = -softplus(-x)"""

    _equal_by = ()

    codomain = constraints.positive

    def _call(self, x: Tensor) -> Tensor:
        return F.softplus(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return y + (-(-y).expm1()).log()  # log(exp(y) - 1), without overflow

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return -F.softplus(-as_tensor(x))


class PowerTransform(Transform):
    """y = x**exponent (x > 0);   log |dy/dx| = log |exponent y / x|"""

    _equal_by = ("exponent",)

    domain = constraints.positive
    codomain = constraints.positive

    def __init__(self, exponent: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.exponent = exponent

    @property
    def sign(self) -> int:  # type: ignore[override]
        e = (
            self.exponent.numpy()
            if isinstance(self.exponent, Tensor)
            else np.asarray(self.exponent)
        )
        return 1 if (e > 0).all() else -1

    def _call(self, x: Tensor) -> Tensor:
        return x.pow(self.exponent)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x, y = as_tensor(x), as_tensor(y)
        return (self.exponent * y / x).abs().log()


class StickBreakingTransform(Transform):
    r"""A vector x of length K - 1 to a probability vector y of length K (the simplex), by
    breaking a unit stick: piece i takes the fraction z_i of what is left,

        z_i = sigmoid(x_i - log(K - 1 - i)),   y_i = z_i prod_{j<i} (1 - z_j),   y_K = prod_j (1 - z_j)

    (the shift log(K - 1 - i) makes x = 0 the uniform vector y = 1/K). Inverse:
    x_i = log y_i - log(1 - y_1 - ... - y_i) + log(K - 1 - i). The Jacobian of the first K - 1
    outputs is triangular with diagonal dy_i/dx_i = y_i (1 - z_i), so

        log |det J| = sum_i (log y_i + log sigmoid(-x'_i)),   x'_i = x_i - log(K - 1 - i)
    """

    _equal_by = ()

    domain = constraints.real_vector
    codomain = constraints.simplex

    @staticmethod
    def _log_offset(k_minus_1: int, like: Tensor) -> Tensor:
        """log(K - 1 - i) for i = 0 .. K - 2: log(K - 1), ..., log(1)."""
        return as_tensor(np.log(np.arange(k_minus_1, 0, -1, dtype=like.dtype)))

    def _call(self, x: Tensor) -> Tensor:
        z = (x - self._log_offset(x.shape[-1], x)).sigmoid()
        left = (1 - z).cumprod(-1)  # the stick left after each piece
        return api.pad(z, (0, 1), value=1.0) * api.pad(left, (1, 0), value=1.0)

    def _inverse(self, y: Tensor) -> Tensor:
        pieces = y[..., :-1]
        left = (1 - pieces.cumsum(-1)).clamp(min=float(np.finfo(y.dtype).tiny))
        return pieces.log() - left.log() + self._log_offset(pieces.shape[-1], y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x, y = as_tensor(x), as_tensor(y)
        shifted = x - self._log_offset(x.shape[-1], x)
        return (y[..., :-1].log() + F.logsigmoid(-shifted)).sum(-1)

    def forward_shape(self, shape: tuple) -> tuple:
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape: tuple) -> tuple:
        return tuple(shape[:-1]) + (shape[-1] - 1,)


def _no_sign(self: Transform) -> int:
    raise NotImplementedError(f"{type(self).__name__}.sign: the map is not monotone")


class AbsTransform(Transform):
    """y = |x|, not invertible: ``inv(y)`` gives the positive root y (the branch x >= 0), and
    there is no log |det| (the map folds the line in two)."""

    _equal_by = ()

    bijective = False
    codomain = constraints.positive
    sign = property(_no_sign)  # type: ignore[assignment]

    def _call(self, x: Tensor) -> Tensor:
        return x.abs()

    def _inverse(self, y: Tensor) -> Tensor:
        return y


class SoftmaxTransform(Transform):
    """y = softmax(x) = exp(x_i) / sum_j exp(x_j) over the last axis, onto the simplex.

    Not one-to-one (x and x + c give one y), so there is no log |det|; ``inv(y)`` = log y,
    the one preimage whose exponentials sum to 1. (biject_to(simplex) is StickBreakingTransform.)
    """

    _equal_by = ()

    bijective = False
    domain = constraints.real_vector
    codomain = constraints.simplex
    sign = property(_no_sign)  # type: ignore[assignment]

    def _call(self, x: Tensor) -> Tensor:
        return api.softmax(x, -1)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def forward_shape(self, shape: tuple) -> tuple:
        if len(shape) < 1:
            raise ValueError("SoftmaxTransform: expected at least one axis (the vector), got ()")
        return tuple(shape)

    inverse_shape = forward_shape


class CumulativeDistributionTransform(Transform):
    """y = F(x), the CDF of ``distribution`` (an increasing map of its support onto [0, 1]).

        inv(y) = F^-1(y) (the distribution's icdf);   log |dy/dx| = log p(x)

    (the derivative of a CDF is the density). Pushing X ~ ``distribution`` through it gives the
    uniform on [0, 1]; its inverse turns uniforms into draws (a copula's margins).
    """

    codomain = constraints.unit_interval
    sign = 1

    def __init__(self, distribution: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> Any:  # type: ignore[override]
        # A family that declares no support (Normal keeps its log_prob free of the check) is
        # one on the real line.
        support = self.distribution.support
        return constraints.real if support is None else support

    def _call(self, x: Tensor) -> Tensor:
        return self.distribution.cdf(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return self.distribution.log_prob(x)

    def __repr__(self) -> str:
        return f"CumulativeDistributionTransform({self.distribution!r})"


# Imported last: these modules subclass Transform (defined above) and use the transforms here.
from .combined_transforms import (  # noqa: E402
    CatTransform,
    IndependentTransform,
    ReshapeTransform,
    StackTransform,
)
from .matrix_transforms import (  # noqa: E402
    CorrCholeskyTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
)
