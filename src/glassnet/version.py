"""``torch.version``: the version of glassnet and of the (absent) GPU toolkits, as PyTorch names them.

Scripts print ``torch.version.cuda`` or branch on it (``if torch.version.cuda:``); glassnet runs
on NumPy on the CPU, so every GPU toolkit's version is None. ``__version__`` is glassnet's own
(kept in one place, ``glassnet._version``).
"""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]

#: The CUDA toolkit glassnet was built with: none (it computes with NumPy on the CPU).
cuda: str | None = None
#: ROCm's HIP, Intel's XPU toolkit: none either.
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
#: False: glassnet is plain Python, with no debug build of native code.
debug = False
#: The commit PyTorch records here; glassnet is installed from source without one.
git_version = "unknown"
