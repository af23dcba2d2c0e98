r"""The older, hook-based spectral norm: ``weight_orig`` with buffers ``weight_u``, ``weight_v``.

``spectral_norm(module)`` renames the parameter ``weight`` to ``weight_orig`` and, before
each forward, sets the plain attribute

.. math:: W = W_{orig} / \sigma, \qquad \sigma = u^\top W_{orig} v

after (in training mode) ``n_power_iterations`` power-method steps
:math:`v \leftarrow W^\top u / \|W^\top u\|,\ u \leftarrow W v / \|W v\|` on the buffers.
``nn.utils.parametrizations.spectral_norm`` is the newer form (note that it updates u
before v and starts with 15 steps; this one does neither, as in PyTorch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import no_grad, wrap
from ...creation import randn
from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter
from .parametrizations import (
    _check_power_iterations,
    _hooked_parameter,
    _normalized,
    _output_dim,
    _remove_hook,
    _sigma,
    _weight_to_matrix,
)

__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name> = <name>_orig / sigma``."""

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        self.name = name
        self.dim = dim
        _check_power_iterations(n_power_iterations)
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """(d0, d1, ...) -> (d_dim, product of the others)."""
        return _weight_to_matrix(weight, self.dim)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            w = weight_mat.array
            for _ in range(self.n_power_iterations):
                v.array[...] = _normalized(w.T @ u.array, self.eps)
                u.array[...] = _normalized(w @ v.array, self.eps)
            u._version[0] += 1
            v._version[0] += 1
        return weight / _sigma(weight_mat, u, v)

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(
        module: Module, name: str, n_power_iterations: int, dim: int, eps: float
    ) -> SpectralNorm:
        weight = _hooked_parameter(module, name, SpectralNorm, "spectral_norm")
        if weight.ndim and not -weight.ndim <= dim < weight.ndim:
            raise IndexError(
                f"spectral_norm: dim must be in [{-weight.ndim}, {weight.ndim - 1}], got {dim}"
            )
        fn = SpectralNorm(name, n_power_iterations, dim % max(weight.ndim, 1), eps)
        h, w = fn.reshape_weight_to_matrix(weight).shape
        u = _normalized(randn(h, dtype=weight.dtype).array, eps)
        v = _normalized(randn(w, dtype=weight.dtype).array, eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        # A plain attribute until the first forward recomputes it (PyTorch stores weight.data).
        setattr(module, name, weight.detach())
        module.register_buffer(name + "_u", wrap(np.asarray(u, dtype=weight.dtype)))
        module.register_buffer(name + "_v", wrap(np.asarray(v, dtype=weight.dtype)))
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Spectral normalisation with a hook (``<name>_orig``, buffers ``<name>_u``, ``<name>_v``).

    Args:
        module: the layer.
        name: the parameter (default ``"weight"``).
        n_power_iterations: power-method steps per forward in training mode (default 1).
        eps: the smallest norm divided by when normalising u and v.
        dim: the dim of output units (default 0; 1 for ConvTranspose layers).
    """
    SpectralNorm.apply(module, name, n_power_iterations, _output_dim(module, dim), eps)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``spectral_norm``: ``<name>`` is a plain parameter holding ``W_orig / sigma``."""
    return _remove_hook(module, name, SpectralNorm, "spectral_norm")
