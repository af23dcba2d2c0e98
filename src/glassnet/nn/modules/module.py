"""PyTorch's torch.nn.modules.module: Module and the global forward hooks (register_module_forward_hook, ...).

All are glassnet's own (``glassnet.nn.module``); ``_IncompatibleKeys`` is the
``(missing_keys, unexpected_keys)`` pair ``load_state_dict`` returns and ``_addindent`` the
helper that indents a child's multi-line repr.
"""

from __future__ import annotations

from ..module import IncompatibleKeys as _IncompatibleKeys  # noqa: F401
from ..module import (
    Module,
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from ..module import _indent as _addindent  # noqa: F401

__all__ = [
    "Module",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
]
