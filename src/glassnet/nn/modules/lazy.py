"""PyTorch's torch.nn.modules.lazy: LazyModuleMixin, the mixin of modules whose parameters take their shape from the first input.

glassnet's own lazy layers (``nn.LazyLinear``, ``nn.LazyConv2d``, ... in ``glassnet.nn.linear``
and ``glassnet.nn.lazy``) are built on their own machinery; ``isinstance(layer,
LazyModuleMixin)`` is true for them until their first call turns them into the ordinary layer
(then it is false, as in PyTorch).

A script's own lazy module follows PyTorch's protocol: a parameter that has no shape yet is an
``nn.parameter.UninitializedParameter()`` (given its shape by ``materialize``) or, glassnet's
own convention, a Parameter with a 0-sized axis (``nn.Parameter(glassnet.empty(0))``)::

    class LazyScale(LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(glassnet.empty(0))
        def initialize_parameters(self, x):
            self.scale = nn.Parameter(glassnet.ones(x.shape[-1]))
        def forward(self, x):
            return x * self.scale

Before the first forward pass, ``initialize_parameters(*args)`` is called with the pass's
positional arguments; afterwards no parameter or buffer may be left 0-sized, and the module
becomes ``cls_to_become`` if that is set.
"""

from __future__ import annotations

from typing import Any

from .. import lazy as _lazy
from .. import linear as _linear
from ._kinds import KindOf

__all__ = ["LazyModuleMixin"]


def _infer_parameters(module: Any, args: tuple) -> None:
    """Forward pre-hook of a lazy module: shape the parameters from the first call's inputs."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        left = [n for n, t in module._lazy_members() if _unshaped(t)]
        raise RuntimeError(
            f"{type(module).__name__}: initialize_parameters() left {', '.join(left)} without "
            "a shape (a 0-sized axis); it must give every parameter and buffer its shape"
        )
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _unshaped(t: Any) -> bool:
    return t is not None and 0 in tuple(t.shape)


class LazyModuleMixin(metaclass=KindOf):
    """Put before ``nn.Module`` (or a layer) in the bases of a module with lazy parameters.

    The subclass implements ``initialize_parameters(*args)``; ``cls_to_become`` (default None)
    is the class the module takes once its parameters have their shapes.
    """

    # Counted as lazy modules: glassnet's own lazy layers before their first call.
    _glassnet_kind = (_lazy._LazyMixin, _linear.LazyLinear)

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def _lazy_members(self) -> list[tuple[str, Any]]:
        return [*self.named_parameters(), *self.named_buffers()]

    def has_uninitialized_params(self) -> bool:
        """True while some parameter or buffer of this module has a 0-sized axis."""
        return any(_unshaped(t) for _, t in self._lazy_members())

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Give the parameters their shapes from the first inputs (the subclass writes this)."""
        raise NotImplementedError(
            f"{type(self).__name__}: a LazyModuleMixin module must define "
            "initialize_parameters(*inputs)"
        )
