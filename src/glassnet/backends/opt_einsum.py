"""glassnet.backends.opt_einsum: the contraction-order switches of ``einsum``.

PyTorch asks the ``opt_einsum`` package for the order in which to contract an einsum's
operands. glassnet's einsum (ops/einsum.py) contracts them in the order given, so these
switches are kept only for scripts that set or read them.
"""

from __future__ import annotations

import importlib.util

#: Whether PyTorch would use opt_einsum's order (no effect on glassnet's einsum).
enabled = True
#: opt_einsum's strategy name, PyTorch's default "auto" (no effect).
strategy = "auto"


def is_available() -> bool:
    """Whether the ``opt_einsum`` package is installed (glassnet does not use it)."""
    return importlib.util.find_spec("opt_einsum") is not None


def get_opt_einsum() -> object:
    """The ``opt_einsum`` module if installed, else None."""
    if not is_available():
        return None
    import opt_einsum

    return opt_einsum
