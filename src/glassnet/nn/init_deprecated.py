"""PyTorch's deprecated ``nn.init`` names without the trailing underscore (``init.uniform``, ...).

Each old name calls its in-place ``_`` form unchanged and first warns, as PyTorch does, with a
``FutureWarning`` pointing the caller to the new name: ``nn.init.uniform`` ->
``nn.init.uniform_``. ``nn/init.py`` imports them at its end so that ``nn.init.uniform`` exists.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from . import init as _init

_DEPRECATED = (
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
)  # fmt: skip


def _deprecated_form(new: Callable[..., Any]) -> Callable[..., Any]:
    """The old name of ``new`` (its name without the last ``_``): warn, then call ``new``."""
    old_name = new.__name__[:-1]

    @functools.wraps(new)
    def deprecated(*args: Any, **kwargs: Any) -> Any:
        # stacklevel=2: the warning names the caller's line, not this wrapper.
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new.__name__}`.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = old_name
    deprecated.__doc__ = (
        f"{old_name}(...): deprecated; warns and calls ``nn.init.{new.__name__}`` (see there)."
    )
    return deprecated


uniform = _deprecated_form(_init.uniform_)
normal = _deprecated_form(_init.normal_)
constant = _deprecated_form(_init.constant_)
eye = _deprecated_form(_init.eye_)
dirac = _deprecated_form(_init.dirac_)
xavier_uniform = _deprecated_form(_init.xavier_uniform_)
xavier_normal = _deprecated_form(_init.xavier_normal_)
kaiming_uniform = _deprecated_form(_init.kaiming_uniform_)
kaiming_normal = _deprecated_form(_init.kaiming_normal_)
orthogonal = _deprecated_form(_init.orthogonal_)
sparse = _deprecated_form(_init.sparse_)

__all__ = list(_DEPRECATED)
