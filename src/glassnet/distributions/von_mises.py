"""The von Mises distribution VonMises(loc, concentration): the "normal distribution" of angles."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import wrap
from ..ops.bessel import i0e, i1e
from ..random import default_generator
from ..tensor import Tensor
from . import constraints
from .distribution import _CentredAtLoc, as_float, float_params

__all__ = ["VonMises"]


def _log_i0(k: Tensor) -> Tensor:
    """log I_0(k) = log(e^-k I_0(k)) + k for k > 0: the scaled Bessel function never overflows
    (I_0 itself passes float64's range near k = 713, the concentrations of sharp angles)."""
    return i0e(k).log() + k


def best_fisher_angles(kappa: np.ndarray, rng: Any) -> np.ndarray:
    """Angles theta in [-pi, pi] from VonMises(0, kappa), one per element of ``kappa`` (float64),
    by Best and Fisher's (1979) rejection method.

    It proposes from a wrapped Cauchy that lies above the von Mises density everywhere:

        tau = 1 + sqrt(1 + 4 kappa**2),   rho = (tau - sqrt(2 tau)) / (2 kappa),
        r = (1 + rho**2) / (2 rho)
        z = cos(pi u1),   f = (1 + r z) / (r + z),   c = kappa (r - f)
        accept when c (2 - c) > u2  or  log(c / u2) + 1 >= c;   theta = +-acos(f) (u3 picks the sign)

    Every element keeps drawing until it is accepted (at least ~66% are, for every kappa).
    For kappa below 1e-5 rho underflows; r = 1 / kappa + kappa is its expansion there.
    """
    kappa = np.asarray(kappa, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = 1 + np.sqrt(1 + 4 * kappa**2)
        rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
        r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho**2) / (2 * rho))
    theta = np.empty(kappa.shape)
    todo = np.ones(kappa.shape, dtype=bool)
    while todo.any():
        k, rr = kappa[todo], r[todo]
        u1, u2, u3 = (rng.random(k.shape) for _ in range(3))
        z = np.cos(np.pi * u1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(np.isinf(rr), z, (1 + rr * z) / (rr + z))
            c = k * (rr - f)
            accept = (c * (2 - c) > u2) | (np.log(c / u2) + 1 >= c)
        angle = np.sign(u3 - 0.5) * np.arccos(np.clip(f, -1.0, 1.0))
        idx = np.flatnonzero(todo)
        theta.flat[idx[accept]] = angle[accept]
        todo.flat[idx[accept]] = False
    return theta


class VonMises(_CentredAtLoc):
    r"""p(x) = exp(kappa cos(x - loc)) / (2 pi I_0(kappa)) for an angle x, loc = ``loc`` (the
    mean direction), kappa = ``concentration`` (> 0: 0 is uniform on the circle, large kappa
    approaches N(loc, 1 / kappa)). I_0 is the modified Bessel function of order 0.

        log p(x) = kappa cos(x - loc) - log(2 pi) - log I_0(kappa)
        mean = mode = loc;   variance = 1 - I_1(kappa) / I_0(kappa)   (the circular variance)

    Draws (no gradient) come from Best and Fisher's rejection sampler on glassnet's generator,
    shifted by loc and wrapped into [-pi, pi).
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real

    def __init__(self, loc: Any, concentration: Any, validate_args: Any = None) -> None:
        self.loc, self.concentration = float_params(loc, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        kappa = self.concentration.detach().expand(shape).numpy()
        loc = self.loc.detach().expand(shape).numpy().astype(np.float64)
        theta = best_fisher_angles(kappa, default_generator())
        wrapped = np.mod(theta + loc + np.pi, 2 * np.pi) - np.pi
        return wrap(wrapped.astype(self.loc.dtype))

    def log_prob(self, value: Any) -> Tensor:
        x = self._value(as_float(value, self.loc))
        k = self.concentration
        return k * (x - self.loc).cos() - math.log(2 * math.pi) - _log_i0(k)

    @property
    def variance(self) -> Tensor:
        k = self.concentration
        return 1 - i1e(k) / i0e(k)
