"""PyTorch's torch.nn.modules.container: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

All are glassnet's own (``glassnet.nn.containers``). PyTorch's long-deprecated ``Container``
is not given.
"""

from __future__ import annotations

from ..containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from ..module import _indent as _addindent  # noqa: F401

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
