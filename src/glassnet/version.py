"""``torch.version``: the version of glassnet and of the (absent) GPU toolkits, as PyTorch names them.

Scripts print ``torch.version.cuda`` or branch on it (``if torch.version.cuda:``); glassnet runs
on NumPy on the CPU, so every GPU toolkit's version is None. ``__version__`` is glassnet's own
(kept in one place, ``glassnet._version``), as a ``VersionString``: a str that compares as a
version, with strings and tuples alike (``__version__ >= "0.1"``, ``>= (0, 1)``), as PyTorch's
``TorchVersion`` does. Under ``glassnet run`` the alias shows scripts ``TORCH_API_VERSION``
instead (``torch_alias.py``), so that their version checks take the branches of the PyTorch
whose API glassnet follows.
"""

from __future__ import annotations

import re
from typing import Any

from ._version import __version__ as _plain_version

#: The PyTorch release whose API glassnet follows (its parity tests run against it).
TORCH_API_VERSION = "2.13.0"


class VersionString(str):
    """A version such as ``"2.13.0+glassnet.0.1.0"``: a str whose comparisons (``<``, ``>=``,
    and ``==`` with a tuple) go by its release numbers, not by letters (so "2.13" > "2.9")."""

    @staticmethod
    def _release(value: Any) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return tuple(int(v) for v in value)
        match = re.match(r"\s*v?(\d+(?:\.\d+)*)", str(value))
        if match is None:
            raise TypeError(
                f"cannot compare version {str.__str__(value)!r}: expected a version such as '2.1' or (2, 1)"
            )
        return tuple(int(v) for v in match.group(1).split("."))

    def _compare(self, other: Any) -> int:
        mine, theirs = self._release(self), self._release(other)
        width = max(len(mine), len(theirs))
        mine, theirs = mine + (0,) * (width - len(mine)), theirs + (0,) * (width - len(theirs))
        return (mine > theirs) - (mine < theirs)

    def __lt__(self, other: Any) -> bool:
        return self._compare(other) < 0

    def __le__(self, other: Any) -> bool:
        return self._compare(other) <= 0

    def __gt__(self, other: Any) -> bool:
        return self._compare(other) > 0

    def __ge__(self, other: Any) -> bool:
        return self._compare(other) >= 0

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, tuple):
            return self._compare(other) == 0
        return str.__eq__(self, other)

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


__version__ = VersionString(_plain_version)

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
