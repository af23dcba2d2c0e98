r"""The older, hook-based weight norm: ``weight_g`` and ``weight_v`` parameters and a forward pre-hook.

``weight_norm(module)`` replaces the parameter ``weight`` by ``weight_g`` (:math:`g`) and
``weight_v`` (:math:`V`) and recomputes the plain attribute :math:`W = g V / \|V\|` before each
forward. ``nn.utils.parametrizations.weight_norm`` is the newer form of the same maths (and
the one PyTorch recommends); this one is kept for scripts and checkpoints that use
``weight_g`` / ``weight_v``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter
from .parametrizations import _hooked_parameter, _remove_hook, norm_except_dim

__all__ = ["WeightNorm", "remove_weight_norm", "weight_norm"]


class WeightNorm:
    """The forward pre-hook that sets ``module.<name> = g * v / ||v||`` from ``<name>_g, <name>_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, self.dim))

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        weight = _hooked_parameter(module, name, WeightNorm, "weight_norm")
        fn = WeightNorm(name, dim)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    r"""Weight normalisation with a hook: :math:`W = g V / \|V\|` from parameters ``<name>_g``, ``<name>_v``.

    Deprecated in PyTorch (a FutureWarning here too) in favour of
    ``nn.utils.parametrizations.weight_norm``; ``remove_weight_norm`` undoes it.

    Args:
        module: the layer.
        name: the parameter (default ``"weight"``).
        dim: the dim that keeps one norm per index (default 0); None: the whole tensor.
    """
    warnings.warn(
        "nn.utils.weight_norm is deprecated in favor of nn.utils.parametrizations.weight_norm",
        FutureWarning,
        stacklevel=2,
    )
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``weight_norm``: ``<name>`` is a plain parameter again, holding ``g v / ||v||``."""
    return _remove_hook(module, name, WeightNorm, "weight_norm")
