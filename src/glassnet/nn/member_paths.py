"""Finding a module's members by dotted path: get_submodule, get_parameter, get_buffer.

``model.get_parameter("encoder.fc2.weight")`` walks ``encoder`` -> ``fc2`` through the
submodules and then reads the parameter ``weight``; the path is the name ``named_parameters``
gives. A part of the path that does not exist is reported with the part of the path walked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: module.py imports this file
    from ..tensor import Tensor
    from .module import Module
    from .parameter import Parameter

__all__ = ["MemberPathMethods"]


class MemberPathMethods:
    """The dotted-path lookups of ``Module``."""

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path (``model.get_submodule("encoder.fc2")``); "" is self."""
        module = self
        if target == "":
            return module
        walked = []
        for part in target.split("."):
            child = module._modules.get(part)  # _modules holds only Modules (or None)
            if child is None:
                where = ".".join(walked) or type(self).__name__
                raise AttributeError(f"{where} has no submodule {part!r} (looking for {target!r})")
            module = child
            walked.append(part)
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``model.get_parameter("encoder.fc2.weight")``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters or module._parameters[name] is None:
            raise AttributeError(f"{module_path or type(self).__name__} has no parameter {name!r}")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path (``model.get_buffer("bn1.running_mean")``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers or module._buffers[name] is None:
            raise AttributeError(f"{module_path or type(self).__name__} has no buffer {name!r}")
        return module._buffers[name]
