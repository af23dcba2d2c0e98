"""Views made while their base needed no gradient, and how they join the graph once it does.

``v = buf[1:3]`` (or ``buf.view(2, 2)``, ``buf.t()``) of a tensor that needs no gradient is not
recorded: no node in the graph says that v shows buf's elements. Two kinds of in-place change
bring gradients in later, and each must reach the other tensor, as in PyTorch:

* a change of v (``v.copy_(h)``) changes buf's elements too, so buf needs a node: the view
  notes its base and the op that made it (``viewed_base``), and ``tensor._viewed_base`` reads
  that note to give buf its ``ViewWrite`` node;
* a change of buf (``buf.copy_(h)``) gives v h's numbers, so v must depend on h: buf keeps a
  weak set of its unrecorded views, and once buf has a node, ``record`` makes each of them the
  same view of it, recorded. (A view that *was* recorded follows later changes of its base
  through ``autograd.current_node``.)
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import autograd

#: The attributes these notes take on tensors (pickling and deep copies leave them out).
NOTES = frozenset({"_view_of", "_unrecorded_views"})


def note(view: Any, base: Any, op: autograd.Op) -> None:
    """Note that ``view = op(base)``, made while the graph records, shares base's memory but
    has no node in the graph (base needs no gradient)."""
    view._view_of = (base, op)
    # Weak references, so that a view nobody holds any more is not kept alive: a plain list
    # (a WeakSet costs twice as much per view), cleared of dead ones each time its length
    # reaches a power of two, so a base indexed in a long loop does not grow without end.
    refs = getattr(base, "_unrecorded_views", None)
    if refs is None:
        base._unrecorded_views = [weakref.ref(view)]
        return
    refs.append(weakref.ref(view))
    n = len(refs)
    if n >= 64 and n & (n - 1) == 0:
        refs[:] = [ref for ref in refs if ref() is not None]


def viewed_base(t: Any) -> tuple[Any, autograd.Op] | None:
    """``(base, op)`` when t was noted as ``op(base)`` and still shows base's memory, else None
    (``base.data = other`` gives base other memory, and then t is no longer its view)."""
    noted = getattr(t, "_view_of", None)
    if noted is None or not np.may_share_memory(noted[0].array, t.array):
        return None
    return noted


def record(base: Any) -> None:
    """Once base has a node in the graph, record each of its unrecorded views as that view of
    it (their numbers are base's already: only their history is new), then their own views."""
    refs = getattr(base, "_unrecorded_views", None)
    if refs is None:
        return
    del base._unrecorded_views  # recorded now: later changes reach them through their nodes
    for ref in refs:
        view = ref()
        noted = None if view is None else viewed_base(view)
        if noted is None or view.requires_grad or noted[0] is not base:
            continue
        recorded = noted[1].fresh_copy()(base)
        view.grad_fn, view.requires_grad = recorded.grad_fn, True
        recorded.grad_fn.out_version = view._version
        record(view)
