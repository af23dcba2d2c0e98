"""Whether a leaf's first gradient, a view of the gradient that just arrived, may be kept as it is.

When the backward walk hands a leaf its first gradient, ``autograd._accumulate_grad`` stores it
as ``.grad``, and later gradients are added into that array in place. A gradient that shares
memory with something else (the caller's own tensor, a saved array, another leaf's gradient)
must therefore be copied first. One common case is safe without a copy: a reshape's backward
gives the leaf a view of the gradient that arrived at the reshape, and that gradient is a
fresh array nobody else holds. Copying it would only cost a pass over memory (2 MB for a
(32, 64, 16, 16) input, every step).

How "nobody else holds it" is decided: by counting references, as PyTorch does (it keeps an
incoming gradient whose use count says nobody else has it, and clones it otherwise). Every
holder of the memory (a second view, an op or a hook that kept the gradient, the caller's
tensor) is one more reference to the array or to its Tensor, and then the gradient is copied.
``sys.getrefcount`` counts the walk's own references too; how many those are is measured
once, on a fresh array passed down a chain of calls of the same shape as the real one
(``run_backward`` -> ``_accumulate_grad`` -> ``unshared_view``), so no interpreter's own
counting convention is written in here: an interpreter that counts differently only loses
the shortcut, never the copy.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["KEEP_VIEW_MIN_SIZE", "unshared_view"]

#: The fewest numbers a view must have before ``unshared_view`` is asked about it: a smaller
#: one is simply copied (that costs less than the question).
KEEP_VIEW_MIN_SIZE = 1 << 14


class _Holder:
    """Stands for the incoming gradient's Tensor in the probe: an object with ``.array``."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def unshared_view(data: np.ndarray, incoming: Any) -> bool:
    """Whether ``data`` views ``incoming.array`` and nothing but the backward walk can reach it.

    ``incoming`` is the gradient (a Tensor) that arrived at the node whose backward produced
    ``data``. True when ``data`` is writeable and C-contiguous, ``incoming.array`` owns its
    memory, and neither that array nor ``incoming`` has a reference beyond the walk's own.
    """
    if data.base is not incoming.array or incoming.array.base is not None:
        return False
    if not (data.flags.writeable and data.flags.c_contiguous):
        return False
    return _reference_counts(data, incoming) == _unshared_counts()


def _reference_counts(view: np.ndarray, incoming: Any) -> tuple[int, int]:
    """(references to the array ``view`` views, references to ``incoming``)."""
    return sys.getrefcount(view.base), sys.getrefcount(incoming)


_UNSHARED: list[tuple[int, int]] = []  # _reference_counts when only the walk holds them


def _unshared_counts() -> tuple[int, int]:
    """``_reference_counts`` of a view of a gradient held by the walk alone (measured once).

    The probe mirrors the real calls: ``_probe_walk`` holds the gradient in a local (as
    ``run_backward`` holds ``g``), ``_probe_accumulate`` receives it and holds the view in a
    local (as ``_accumulate_grad`` does), ``_probe_check`` receives both (as ``unshared_view``).
    """
    if not _UNSHARED:
        _UNSHARED.append(_probe_walk())
    return _UNSHARED[0]


def _probe_walk() -> tuple[int, int]:
    g = _Holder(np.zeros(2))
    return _probe_accumulate(g)


def _probe_accumulate(incoming: _Holder) -> tuple[int, int]:
    data = incoming.array.reshape(2, 1)
    return _probe_check(data, incoming)


def _probe_check(data: np.ndarray, incoming: _Holder) -> tuple[int, int]:
    return _reference_counts(data, incoming)
