"""PyTorch's framework-level names that scripts touch: dtype and layout objects, build flags, interop threads, symbolic-int helpers, ...

(Filled in by the framework-names work; re-exported by ``glassnet`` through ``__all__``.)
"""

from __future__ import annotations

__all__: list[str] = []
