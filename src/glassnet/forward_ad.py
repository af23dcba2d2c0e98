"""glassnet.autograd.forward_ad, PyTorch's torch.autograd.forward_ad: forward-mode derivatives with dual tensors.

What it gives. Inside a ``dual_level()``, ``make_dual(x, t)`` pairs a tensor x (the *primal*)
with a *tangent* t of the same shape, a direction in which x moves. Any computation
y = f(x, ...) may then be run with the dual tensor in place of x (glassnet ops, nn modules,
``glassnet.func.functional_call``), and ``unpack_dual(y)`` returns the pair (primal, tangent)
of y: y's value, and the directional derivative

    J t = d/de f(x + e t) at e = 0,        (J t)_k = sum_j dy_k/dx_j * t_j,

summed over every dual input when there are several (J_1 t_1 + J_2 t_2 + ...). When the
level ends, every tangent made in it is forgotten.

How glassnet computes it. PyTorch carries a tangent beside every value while the forward
pass runs: each op has a forward-derivative (JVP) rule, and y's tangent is ready when y is.
glassnet's ops have backward (vector-Jacobian) rules only, so here the tangent is worked out
when it is asked for, from the graph the forward pass recorded, with two backward passes:

1. With u a dummy tensor of y's shape (zeros; its value does not matter), one backward pass
   from y with the weights u gives, for each dual input x_i, the vector-Jacobian product
   g_i(u) = J_i^T u. It is recorded (``create_graph=True``), so it is a function of u.
2. g_i(u) is linear in u, so s(u) = sum_i <g_i(u), t_i> = sum_i <u, J_i t_i> = <u, J t>,
   and its gradient with respect to u is exactly J t: a second backward pass, through the
   graph of the first one.

Why two passes, and what they cost. A backward pass applies J^T (to u), never J. But the
recorded map u -> J^T u is itself a linear function, with matrix J^T, and a backward pass
through it with the weights t applies the transpose of that matrix: (J^T)^T t = J t. The
second pass walks a graph about as large as the first (each recorded backward rule is a few
ops), so ``unpack_dual`` costs roughly two to three backward passes of f, where PyTorch's
forward mode costs about one extra forward pass and ``unpack_dual`` is free; and each call
pays again (unpacking several outputs of one computation repeats the work). The result is
exact, not a finite difference (``tests/test_forward_ad.py`` checks it against PyTorch and
central differences). ``glassnet.autograd.functional.jvp`` and ``glassnet.func.jvp`` use the
same trick; both passes here call the former's helper ``autograd_functional._grads``.

Where it differs from PyTorch's real forward mode:

* An op's backward rule must itself be differentiable (``create_graph=True``); for an op whose
  backward is not (an ``autograd.Function`` whose backward leaves the Tensor world),
  ``unpack_dual`` fails with a one-line error where PyTorch succeeds. An ``autograd.Function``
  that defines ``jvp`` and no ``backward`` is the exception: called on dual tensors, it returns
  duals whose tangents its own ``jvp`` gives (``function.py``), as in PyTorch.
* The tangent exists only through the recorded graph: a computation under ``no_grad`` gives
  no tangent (PyTorch's forward mode ignores ``no_grad``; ``unpack_dual`` called under
  ``no_grad`` on a tensor without a graph warns once per level), and a ``backward()`` that frees the
  graph (without ``retain_graph=True``) before ``unpack_dual`` is reported as an error.
* A dual tensor is a node of the reverse-mode graph, so it and every result computed from it
  say ``requires_grad=True`` (PyTorch's say False unless the primal requires grad); the dual
  is a copy of the primal, not a view of its memory, and its repr does not show the tangent.
  An in-place change of the dual (``d.mul_(2)``) gives it the new tangent 2 t as a new tensor
  (PyTorch scales the tangent tensor given to ``make_dual`` in place).

The reverse-mode side is as PyTorch's: a dual made from a primal that requires grad stays
differentiable with respect to it, and ``unpack_dual``'s primal and tangent are
differentiable with respect to ordinary tensors that require grad (the tangent also with
respect to a tangent that requires grad). The primal carries no tangent itself (it is a
copy behind a node the tangent computation treats as a constant, ``_Primal``), so it may be
made a dual again. Results that depend only on dual inputs whose primals need no gradient
come back detached, as PyTorch's.

Example (the derivative of sin at x in direction t is cos(x) t)::

    from glassnet.autograd import forward_ad as fwAD   # under `glassnet run`, PyTorch's import
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        y, jt = fwAD.unpack_dual(d.sin())      # y = sin(x), jt = cos(x) * t
"""

from __future__ import annotations

import contextlib
import warnings
import weakref
from typing import Any, NamedTuple

import numpy as np

from .autograd import FREED, Op, Tensor, current_node, enable_grad, is_grad_enabled, wrap
from .autograd_functional import _grads
from .errors import ShapeError

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the value and the tangent (None when the tensor does not
    depend on any dual tensor of the level)."""

    primal: Tensor
    tangent: Tensor | None


class _MakeDual(Op):
    """y = x (a dual tensor's primal, as a node of the graph);   dL/dx = g"""

    # The node is what the level remembers: unpack_dual differentiates with respect to it.
    # Its name starts with "_" so that it stays out of the op registry (it is no public op).

    def forward(self, x):
        return x.copy()  # a copy: an in-place change of the dual must not touch the primal

    def backward(self, g):
        return (g,)

    def saved_inputs(self):
        return ()

    def __repr__(self) -> str:
        return "<MakeDualBackward>"


class _Primal(Op):
    """y = x (unpack_dual's primal: x's value and reverse-mode history, without its tangent);
    dL/dx = g"""

    # A result that depends on ordinary tensors requiring grad must stay differentiable with
    # respect to them, yet carry no tangent: the walk for duals stops at this node, and while
    # a tangent is being computed its backward passes nothing, so that the primal counts as
    # a constant of the forward-mode derivative.

    def forward(self, x):
        return x.copy()  # a copy: an in-place change of the primal must not touch x

    def backward(self, g):
        return (None,) if _tangent_pass else (g,)

    def saved_inputs(self):
        return ()

    def __repr__(self) -> str:
        return "<PrimalBackward>"


_tangent_pass = False  # True during unpack_dual's first backward pass (see _Primal)


class _Dual(NamedTuple):
    """One dual tensor of a level: its node (weakly held), its tangent, its shape and dtype, and
    whether its primal is an ordinary tensor that requires grad (else a hidden leaf)."""

    node: weakref.ref
    tangent: Tensor
    shape: tuple
    dtype: np.dtype
    ordinary: bool


class _Level:
    """The active dual level: its number and its dual tensors, by the id of their nodes."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.duals: dict[int, _Dual] = {}
        self.warned = False  # the no_grad warning of unpack_dual, once per level

    def forget(self, key: int) -> None:
        self.duals.pop(key, None)


_level: _Level | None = None  # glassnet, like PyTorch, has at most one level at a time

# A hidden leaf stands in for a primal that needs no gradient (so that the graph has somewhere
# to start); this attribute marks it, so that a result depending only on such leaves is known
# to need no gradient itself.
_HIDDEN = "_forward_ad_hidden_leaf"


def enter_dual_level() -> int:
    """Start a level for dual tensors and return its number (0: levels do not nest)."""
    global _level
    if _level is not None:
        raise RuntimeError(
            f"enter_dual_level: dual level {_level.index} is still active; forward-mode levels "
            "do not nest (exit it first)"
        )
    _level = _Level(0)
    return _level.index


def exit_dual_level(*, level: int | None = None) -> None:
    """End the active level: every tangent made in it is forgotten (``unpack_dual`` of its
    tensors gives tangent None from now on)."""
    global _level
    if _level is None:
        raise RuntimeError("exit_dual_level: no dual level is active")
    if level is not None and level != _level.index:
        raise RuntimeError(
            f"exit_dual_level: level {level} is not the active dual level {_level.index}; only "
            "the last level entered can be exited"
        )
    _level.duals.clear()
    _level = None


class dual_level(contextlib.ContextDecorator):
    """Context manager (or function decorator) for a dual level: ``with dual_level():`` enters
    one and exits it at the end of the block, forgetting the tangents made in it; the ``as``
    target is the level's number."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()


def _active_level(level: int | None, who: str) -> _Level | None:
    """The level a call is about: the active one, checked against ``level`` if given."""
    if level is not None and (_level is None or level != _level.index):
        active = "none is" if _level is None else f"the active one is {_level.index}"
        raise RuntimeError(f"{who}: level {level} is not an active dual level ({active})")
    return _level


def _require_tensor(x: Any, what: str, who: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a Tensor as the {what}, got {type(x).__name__}")


def _float_kind(x: Tensor, what: str) -> None:
    if x.array.dtype.kind not in "fc":
        raise ValueError(
            f"make_dual: expected the {what} to be a floating-point tensor, got dtype {x.dtype}"
        )


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A dual tensor: ``tensor``'s value carrying ``tangent``, the direction of the derivative.

    Args:
        tensor: the primal, a floating-point tensor of shape S.
        tangent: a floating-point tensor of the same shape S (no broadcasting), kept as given:
            ``unpack_dual`` of the dual returns this very tensor.
        level: the dual level (default: the active one; there must be one).

    Every result computed from the dual carries the tangent J t, read with ``unpack_dual``.
    If ``tensor`` requires grad, the dual is differentiable with respect to it (dL/dx = dL/dd).
    """
    _require_tensor(tensor, "primal", "make_dual")
    _require_tensor(tangent, "tangent", "make_dual")
    if _level is None and level is None:
        raise RuntimeError(
            "make_dual: no dual level is active; create dual tensors inside "
            "`with forward_ad.dual_level():` (or after enter_dual_level())"
        )
    active = _active_level(level, "make_dual")
    _float_kind(tensor, "primal")
    _float_kind(tangent, "tangent")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise ShapeError(
            f"make_dual: the tangent must have the primal's shape {tuple(tensor.shape)}, got "
            f"shape {tuple(tangent.shape)}"
        )
    if tensor.requires_grad and _reached_duals(tensor, active, "make_dual")[0]:
        raise RuntimeError(
            f"make_dual: the primal already has a tangent at dual level {active.index} (it is, "
            "or was computed from, a dual tensor of this level); make the dual from a tensor "
            "without one, e.g. unpack_dual(t).primal"
        )
    ordinary = tensor.requires_grad
    if ordinary:
        source = tensor
    else:  # a leaf of our own gives the graph a start; the user's tensor stays as it was
        source = wrap(tensor.array, requires_grad=True)
        setattr(source, _HIDDEN, True)
    with enable_grad():  # the dual is a graph node even when made under no_grad
        dual = _MakeDual()(source)
    node = dual.grad_fn
    key = id(node)
    # Held weakly: once nothing computed from the dual is alive, its entry goes away, so a
    # loop making many duals in one level does not keep every tangent until the level ends.
    ref = weakref.ref(node, lambda _, key=key, lv=active: lv.forget(key))
    active.duals[key] = _Dual(ref, tangent, tuple(tensor.shape), tensor.array.dtype, ordinary)
    return dual


def _reached_duals(y: Tensor, level: _Level, who: str) -> tuple[list[_Dual], bool]:
    """The level's dual tensors that y was computed from, and whether y also depends on an
    ordinary tensor that requires grad (a leaf that is not one of our hidden ones).

    An iterative walk over y's recorded graph (a 10,000-op chain needs no recursion). It does
    not go behind the primal of an earlier ``unpack_dual`` (a ``_Primal`` node), which has no
    tangent; and a node freed by an earlier backward pass hides what lies behind it, so it
    raises rather than return a tangent that could be wrong.
    """
    root = current_node(y)
    if root is None:  # a leaf: an ordinary tensor that requires grad
        return [], not getattr(y, _HIDDEN, False)
    found, ordinary = [], False
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        if isinstance(node, _Primal):
            ordinary = True  # made only for results that depend on ordinary tensors
            continue
        if node.parents is FREED:
            raise RuntimeError(
                f"{who}: part of the graph from this tensor back to its inputs was freed by a "
                "backward pass, so glassnet cannot work out its tangent; call unpack_dual "
                "before backward(), or use backward(retain_graph=True)"
            )
        dual = level.duals.get(id(node))
        if dual is not None and dual.node() is node:
            found.append(dual)
        for parent in node.parents:
            if isinstance(parent, Op):
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
            elif isinstance(parent, Tensor) and not getattr(parent, _HIDDEN, False):
                ordinary = True
    return found, ordinary


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor``: its value, and J t, its derivative in the direction
    of the level's tangents (None if it depends on no dual tensor of the level).

    For a dual tensor itself the tangent is the one given to ``make_dual``; for y computed from
    duals x_i with tangents t_i it is sum_i J_i t_i, of y's shape, found with two backward
    passes (see the module docstring). The primal has ``tensor``'s value and no tangent; it is
    differentiable with respect to the ordinary tensors requiring grad that ``tensor`` depends
    on, and detached when there are none. A tensor that depends on no dual of the level (or
    a call with no level active) comes back as it is, with tangent None.
    """
    _require_tensor(tensor, "dual tensor", "unpack_dual")
    if level is not None and level < 0:  # PyTorch's number for "no level"
        return UnpackedDualTensor(tensor, None)
    active = _active_level(level, "unpack_dual")
    if active is None or not active.duals:
        return UnpackedDualTensor(tensor, None)
    if not tensor.requires_grad:
        if not is_grad_enabled() and not active.warned:
            active.warned = True
            warnings.warn(
                "unpack_dual under no_grad: glassnet finds tangents through the recorded graph, "
                "and results computed under no_grad have none, so their tangent is None "
                "(PyTorch's forward mode ignores no_grad); compute them with grad mode on",
                stacklevel=2,
            )
        return UnpackedDualTensor(tensor, None)
    duals, ordinary = _reached_duals(tensor, active, "unpack_dual")
    if not duals:
        return UnpackedDualTensor(tensor, None)
    primal = _Primal()(tensor) if ordinary else tensor.detach()
    if len(duals) == 1 and duals[0].node() is current_node(tensor):
        return UnpackedDualTensor(primal, duals[0].tangent)  # the dual itself: t as given
    return UnpackedDualTensor(primal, _tangent(tensor, duals, ordinary))


def _tangent(y: Tensor, duals: list[_Dual], ordinary: bool) -> Tensor:
    """J t for y: the gradient with respect to u of sum_i <J_i^T u, t_i>."""
    # A tensor handle on each dual's node (its value is never read: grad keys the gradient by
    # the node and uses only the shape), since the dual tensor itself may have moved on to a
    # newer node after an in-place change.
    anchors = tuple(
        wrap(np.broadcast_to(np.zeros((), d.dtype), d.shape), requires_grad=True, grad_fn=d.node())
        for d in duals
    )
    # The tangent stays in the graph when something it depends on needs a gradient.
    keep_graph = ordinary or any(d.tangent.requires_grad for d in duals)
    global _tangent_pass
    try:
        with enable_grad():
            u = wrap(np.zeros(y.shape, y.array.dtype), requires_grad=True)
            _tangent_pass = True
            try:
                back = _grads((y,), anchors, (u,), True)  # g_i = J_i^T u, a function of u
            finally:
                _tangent_pass = False
            total = sum((g * d.tangent).sum() for g, d in zip(back, duals))
            (jt,) = _grads((total,), (u,), (wrap(np.ones((), total.array.dtype)),), keep_graph)
    except NotImplementedError as error:
        raise RuntimeError(
            f"unpack_dual: glassnet finds tangents by differentiating a backward pass, and an "
            f"op on the way has no differentiable backward ({error})"
        ) from None
    return jt if keep_graph else jt.detach()
