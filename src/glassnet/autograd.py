"""The autodiff engine: the Op base class, the registry of ops, grad mode, and the backward walk.

How it works, in one paragraph. Every differentiable computation is an ``Op``. Calling an op
runs its ``forward`` on plain NumPy arrays and wraps the result in a Tensor. When gradients are
wanted, the op object itself becomes the output's ``grad_fn``: it remembers its inputs and
which of them lead to parameters (its *parents*). ``Tensor.backward`` then walks these nodes
from the output back to the leaves in reverse topological order. At each node it calls the
op's ``backward(g)``, which turns dL/d(output) into dL/d(input) for every input (the chain
rule), sums away broadcast dimensions (once, here, never in an op) and adds the results into
the parents. Leaves (tensors created by the user with ``requires_grad=True``) collect their
total gradient in ``.grad``.

Backward rules are written with glassnet's own Tensor operations, so the backward pass can be
recorded too (``create_graph=True``) and differentiated again: that is how second derivatives
work. In the everyday first-order case the walk runs under ``no_grad`` and those operations
cost only a NumPy call and a thin wrapper.
"""

from __future__ import annotations

import copy
import functools
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import grad_views
from .errors import ShapeError
from .threads import follow_free_cores

if TYPE_CHECKING:
    from .tensor import Tensor
else:
    Tensor = None  # bound by tensor.py when it loads (tensor.py imports this module)

# ----------------------------------------------------------------------------------------------
# Grad mode
# ----------------------------------------------------------------------------------------------

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded."""
    return _grad_enabled


class _GradMode:
    """Base of no_grad / enable_grad: a context manager that is also a function decorator."""

    _mode = True

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # A copy per call, with this one's mode (``@inference_mode(False)`` records): each
            # call keeps its own previous state, so recursive and threaded calls nest.
            with copy.copy(self):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Context manager / decorator: inside it no graph is recorded (inference, optimizer steps).

    Example::

        with glassnet.no_grad():
            y = model(x)          # y.requires_grad is False, nothing is kept for backward
    """

    _mode = False


class enable_grad(_GradMode):
    """Context manager / decorator that turns recording back on inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradMode):
    """Switch recording on or off, as PyTorch's ``set_grad_enabled``: at once when called
    (``set_grad_enabled(False)``), and only until the end of the block when used as a context
    (``with set_grad_enabled(phase == "train"):``) or a decorator."""

    def __init__(self, mode: bool) -> None:
        global _grad_enabled
        self._mode = bool(mode)
        self._previous = _grad_enabled
        _grad_enabled = self._mode

    def __enter__(self) -> None:
        pass  # switched already, when made; __exit__ puts back what was there before

    def __call__(self, fn: Callable) -> Callable:
        global _grad_enabled
        _grad_enabled = self._previous  # as a decorator it switches only while fn runs
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class inference_mode(_GradMode):
    """PyTorch's ``inference_mode``: here the same as ``no_grad`` (context manager or decorator).

    ``inference_mode(False)`` records as usual. Works as ``with inference_mode():``,
    ``@inference_mode()`` and bare ``@inference_mode``.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare @inference_mode on a function
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode

    def __enter__(self) -> None:
        global _inference_mode
        super().__enter__()
        self._previous_inference, _inference_mode = _inference_mode, not self._mode

    def __exit__(self, *exc: object) -> None:
        global _inference_mode
        super().__exit__(*exc)
        _inference_mode = self._previous_inference


_inference_mode = False


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (unless an ``inference_mode(False)`` block is nested in it)."""
    return _inference_mode


# ----------------------------------------------------------------------------------------------
# Ops
# ----------------------------------------------------------------------------------------------

# How engine code reaches Tensor. tensor.py imports this module (operators need ops, ops need
# Op) and backward rules need Tensor: that circle is inherent, and it is the only one. So the
# Tensor class is bound here, once, by tensor.py when it loads (``autograd.Tensor = Tensor``),
# and every op reaches Tensor through the three helpers below, never by importing tensor.py.


def wrap(array: Any, requires_grad: bool = False, grad_fn: Any = None) -> Tensor:
    """The one way engine code turns a NumPy array into a Tensor: no copy, no checks.

    It fills the Tensor's slots itself (rather than calling ``Tensor._make``) because every op
    output and every gradient passes through here: one Python call per tensor, not two.
    """
    t = _new_object(Tensor)
    t.array = array if type(array) is np.ndarray else np.asarray(array)
    t.grad = None
    t.requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._version = [0]
    return t


_new_object = object.__new__


def is_tensor(x: Any) -> bool:
    """True if ``x`` is a glassnet Tensor (the one isinstance check ops use)."""
    return isinstance(x, Tensor)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` as a Tensor, without copying when it already is one (of that dtype).

    A Tensor passes through (converted if ``dtype`` differs), a NumPy array is wrapped
    without a copy, anything else (a number, a nested list) is converted with PyTorch's dtype
    rules by the Tensor constructor. This is also the public ``glassnet.as_tensor``.
    """
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and dtype is None:
        return Tensor._make(data)
    return Tensor._from_data(data, dtype)


#: Every Op subclass by name, filled in automatically; tests and tools enumerate it.
OP_REGISTRY: dict[str, type[Op]] = {}

# Tracer hooks (see the inspect tools): called as hook(op, inputs, output). Empty -> free.
_op_hooks: list[Callable] = []
# Called as hook(op, inputs) just before an op's forward runs (the profiler times the gap).
_op_start_hooks: list[Callable] = []
# Backward tracer hooks: called as hook(op, grad_output, input_grads) after each node's rule.
_backward_hooks: list[Callable] = []
# Called as hook(op, grad_output) just before a node's backward rule runs.
_backward_start_hooks: list[Callable] = []
# Called as hook(op, grad_output, input_grads) just after a node's backward rule has run, like
# _backward_hooks, by hooks that promise not to keep the gradients: so the walk keeps its fast
# paths, which reuse gradient buffers (the profiler reads sizes and times with them).
_backward_done_hooks: list[Callable] = []
# True while the backward walk runs, so tracers can tell forward ops from those inside rules.
_in_backward = False
# How many leaves carry post-accumulate-grad hooks (Tensor.register_post_accumulate_grad_hook);
# while it is 0 the walk does no extra work for them.
_post_accumulate_hook_count = 0
# How many gradient hooks are registered (Tensor.register_hook), on leaves and on op nodes;
# while it is 0 the walk does no extra work for them.
_grad_hook_count = 0
# Called once after a backward walk finishes without error (data-parallel training waits for
# its gradient averaging here). Each is hook() -> None.
_backward_end_hooks: list[Callable] = []
# Called as hook() after every walk that finished without error, backward() and autograd.grad
# alike (register_multi_grad_hook hands over the gradients it collected there).
_walk_end_hooks: list[Callable] = []
# The (pack, unpack) pairs of the saved_tensors_hooks blocks in force, innermost last (see
# saved_tensors.py); while it is empty recording a node does no extra work for them.
_saved_tensor_hooks: list[tuple[Callable, Callable]] = []


class HookHandle:
    """What registering a gradient hook returns: ``remove()`` takes the hook out again."""

    def __init__(self, hooks: list, counter: str, hook: Any) -> None:
        self._hooks, self._counter, self._hook = hooks, counter, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
            globals()[self._counter] -= 1


def add_hook(owner: Any, attribute: str, counter: str, hook: Any) -> HookHandle:
    """Append ``hook`` to ``owner``'s list ``attribute`` and count it in the module counter
    ``counter`` (the backward walk does no work for a kind of hook while its count is 0).

    When ``owner`` (a tensor or a node) is garbage collected with hooks still on it, they
    leave the count too, so a hook on a graph that is gone does not slow later walks.
    """
    hooks = owner.__dict__.get(attribute)
    if hooks is None:
        hooks = owner.__dict__[attribute] = []
        weakref.finalize(owner, _forget_hooks, hooks, counter)
    hooks.append(hook)
    globals()[counter] += 1
    return HookHandle(hooks, counter, hook)


def _forget_hooks(hooks: list, counter: str) -> None:
    globals()[counter] -= len(hooks)
    hooks.clear()


class NodeName(str):
    """A graph node's name. As a string it is glassnet's op name (``"Mul"``); called, as
    PyTorch's ``grad_fn.name()``, it gives the node's name as printed (``"MulBackward"``)."""

    def __new__(cls, text: str, printed: str | None = None) -> NodeName:
        made = super().__new__(cls, text)
        made.printed = f"{text}Backward" if printed is None else printed
        return made

    def __call__(self) -> str:
        return self.printed


def hooks_run_in_backward() -> bool:
    """Whether hooks are registered that run during the walk: tracers' backward hooks and
    ``Tensor.register_hook`` (shown gradients, which they may keep), and post-accumulate-grad
    hooks (which may change a parameter in place before the walk is done, as an optimizer
    stepping inside backward does)."""
    return bool(_backward_hooks) or _grad_hook_count > 0 or _post_accumulate_hook_count > 0


class Op:
    """A differentiable primitive: forward on arrays, backward as a chain-rule formula.

    Subclasses implement

    * ``forward(self, *arrays) -> ndarray``: the value, computed with NumPy on raw arrays.
      Inputs that are glassnet Tensors arrive as their ``.array``; Python numbers arrive as is.
      Keep what backward needs with ``self.save_for_backward(...)`` (read back as
      ``self.saved``), or ``self.out_data = y`` for the output (read back as ``self.output()``).
    * ``backward(self, g) -> tuple``: given ``g = dL/dy`` as a Tensor, return ``dL/dx_i`` for
      every input (a Tensor, or None where an input needs no gradient). Write it with Tensor
      operations so that it is itself differentiable. ``self.inputs`` holds the inputs as
      Tensors (numbers stay numbers); ``self.output()`` gives the output as a Tensor;
      ``self.needs_input_grad[i]`` says whether input i wants a gradient at all.
    * optionally ``saved_inputs(self)``: the positions of the inputs whose *values* backward
      reads (default: all). Only those are checked for in-place changes before backward.

    Gradients may have the broadcast shape of the output: the engine sums them back to each
    input's shape. Class attribute ``differentiable = False`` marks ops that never record
    (comparisons, argmax).
    """

    differentiable = True
    # The first line of a subclass docstring is its formula; the explainer shows it.

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            OP_REGISTRY[cls.__name__] = cls

    # The engine's bookkeeping lives in these attributes (set in __call__):
    #   inputs   - the inputs (Tensors or numbers)
    #   parents  - per input: its grad_fn node, the leaf Tensor itself, or None
    #   versions - per input: its version counter value when used (to detect in-place edits)
    #   out_version - the output's version counter (a shared one-element list)
    inputs: tuple
    parents: tuple
    versions: tuple
    out_version: list
    out_data: Any = None
    # True for the ops whose output may be a view of their first input's memory (indexing,
    # reshaping, transposing: set in ops/shape.py). Each use of such an output checks that the
    # tensor it views has not been changed in place since (``current_node``).
    makes_view = False
    # True (with ``view_source``) on the node of a view changed in place (``v.mul_(2)``): v is
    # still a view of its base, which the same check follows.
    follows_view = False
    saved: tuple = ()  # what save_for_backward kept; freed after the backward walk uses it
    _packed: list | None = None  # what saved-tensor pack hooks returned (saved_tensors.py)
    _retained: Any = None  # set by Tensor.retain_grad: a weak reference to the output
    _grad_hooks: tuple = ()  # Tensor.register_hook on the output: a list of hook(grad)

    def forward(self, *args: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, g: Tensor) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no backward rule")

    def fresh_copy(self) -> Op:
        """A new op of this kind with this one's settings (its index, shape or axes), not yet run."""
        op = object.__new__(type(self))
        op.__dict__.update((k, v) for k, v in self.__dict__.items() if k not in RECORDED_ATTRIBUTES)
        return op

    def __call__(self, *inputs: Any) -> Tensor:
        # The hottest function of the engine: every op of every forward and backward passes
        # through it. With gradients off there is no graph to note, only the arrays to unwrap.
        if _op_start_hooks:
            for hook in _op_start_hooks:
                hook(self, inputs)
        if not _grad_enabled:  # no_grad, and the ops of a first-order backward: no graph
            out = wrap(self.forward(*[x.array if isinstance(x, Tensor) else x for x in inputs]))
        else:
            out = self._forward_recorded(inputs)
        if _op_hooks:
            for hook in _op_hooks:
                hook(self, inputs, out)
        return out

    def _forward_recorded(self, inputs: tuple) -> Tensor:
        """Run forward and, when an input requires grad, make this op the output's grad_fn."""
        # One pass over the inputs collects what forward needs (the arrays) and what the graph
        # needs (per input: its parent node and its version counter).
        arrays = []
        parents = []
        versions = []
        record = False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x.array)
                versions.append(x._version[0])
                if x.requires_grad:
                    node = x.grad_fn
                    if node is not None and (node.makes_view or node.follows_view):
                        node = current_node(x)
                    parents.append(x if node is None else node)
                    record = True
                    continue
            else:
                arrays.append(x)
                versions.append(0)
            parents.append(None)
        out = wrap(self.forward(*arrays))
        if record and self.differentiable:
            if out.array.dtype.kind != "f":
                raise TypeError(
                    f"{type(self).__name__} produced a {out.array.dtype} result from inputs "
                    "that require grad; only floating results can carry gradients"
                )
            self.inputs = inputs
            self.parents = tuple(parents)
            self.versions = tuple(versions)
            self.out_version = out._version  # shared list: in-place edits of y show up
            out.requires_grad = True
            out.grad_fn = self
            if _saved_tensor_hooks:
                pack_saved(self)
        return out

    # -- helpers for backward rules --------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` (arrays, numbers, Tensors) for backward, which reads ``self.saved``.

        One name for what an op keeps, as in PyTorch's ``ctx.save_for_backward``; the engine
        drops them after the backward walk has used them (unless ``retain_graph=True``).
        """
        self.saved = values

    @property
    def needs_input_grad(self) -> tuple:
        """Per input: True if a gradient for it is wanted (it leads to a tensor requiring grad)."""
        return tuple(p is not None for p in self.parents)

    def saved_inputs(self) -> Iterable[int]:
        """Positions of the inputs whose values backward reads (by default every input).

        Before calling backward the engine checks that none of these was modified in place
        since the forward (its value would be stale) and raises if one was. An op overrides
        this when its gradient does not read some input, so that that input may change
        freely, as in PyTorch (which checks exactly the tensors an op saved): Add reads none,
        Mul(a, b) reads b only if a needs a gradient.
        """
        return range(len(self.inputs))

    def output(self) -> Tensor:
        """The op's output as a Tensor that sits in the graph (needs ``self.out_data``)."""
        return wrap(self.out_data, requires_grad=True, grad_fn=self)

    @property
    def name(self) -> NodeName:
        return NodeName(type(self).__name__)

    # PyTorch's views of what a node keeps for its backward (``y.grad_fn._saved_self``): the
    # first and second inputs, and the output for the ops that keep it.
    def _saved(self, position: int | None) -> Tensor:
        if self.parents is _FREED:
            raise RuntimeError(
                f"{self.name}: trying to access saved tensors after they have already been "
                "freed by backward(); call backward(retain_graph=True) to keep them"
            )
        if position is None:
            if self.out_data is None:
                raise AttributeError(f"{self.name} keeps no copy of its result for backward")
            return self.output()
        if position >= len(self.inputs) or not isinstance(self.inputs[position], Tensor):
            raise AttributeError(f"{self.name} has no tensor input {position} to show")
        return self.inputs[position]

    _saved_self = property(lambda self: self._saved(0), doc="The op's first input, as saved.")
    _saved_other = property(lambda self: self._saved(1), doc="The op's second input, as saved.")
    _saved_result = property(lambda self: self._saved(None), doc="The op's output, if it keeps it.")

    # The same three as PyTorch's SavedTensor objects, on which register_hooks(pack, unpack)
    # sets saved-tensor hooks for this one value (saved_tensors.py).
    def _raw_saved(self, position: int | None) -> Any:
        if self.parents is not _FREED:
            self._saved(position)  # refuses what the node does not keep
        where = "output" if position is None else "input"
        return SavedTensor(self, where, position)

    _raw_saved_self = property(lambda self: self._raw_saved(0))
    _raw_saved_other = property(lambda self: self._raw_saved(1))
    _raw_saved_result = property(lambda self: self._raw_saved(None))

    @property
    def metadata(self) -> dict:
        """A dict kept with the node for the user's own notes (PyTorch's ``grad_fn.metadata``)."""
        return self.__dict__.setdefault("_metadata", {})

    def register_prehook(self, hook: Callable) -> HookHandle:
        """Call ``hook(grad_outputs)`` before this node's backward rule runs.

        ``grad_outputs`` is a 1-tuple, dL/d(this node's output). The hook may return a
        replacement tuple; what it returns is what the rule receives. As PyTorch's.
        """

        def before_rule(g: Tensor) -> Any:
            replaced = hook((g,))
            return None if replaced is None else replaced[0]

        return add_hook(self, "_grad_hooks", "_grad_hook_count", before_rule)

    def register_hook(self, hook: Callable) -> HookHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward rule has run.

        ``grad_inputs`` holds, per input of the op (as ``next_functions`` lists them), the
        gradient the rule computed, or None for an input that needs none; ``grad_outputs`` is
        the 1-tuple the rule was given. The hook may return a replacement ``grad_inputs``.
        """
        return add_hook(self, "_node_hooks", "_grad_hook_count", hook)

    @classmethod
    def formula(cls) -> str:
        """The maths of this op: the first line of its docstring."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else cls.__name__

    @property
    def next_functions(self) -> tuple:
        """PyTorch's view of the graph from this node: per input, a pair ``(node, 0)``.

        ``node`` is the op that made the input, an ``AccumulateGrad`` for a leaf that requires
        grad (its ``variable`` is the leaf), or None for an input that needs no gradient (a
        constant); 0 is the output's number (each glassnet op has one output).

        Backward frees the graph as it goes (the nodes let go of their inputs, so that memory
        is not held by a loss kept in a list): afterwards this raises, unless that backward
        was called with ``retain_graph=True``.
        """
        if self.parents is _FREED:
            raise RuntimeError(
                f"next_functions of {self.name}: backward() has freed this part of the graph; "
                "call backward(retain_graph=True) to look at the graph afterwards"
            )
        return tuple((AccumulateGrad(p) if isinstance(p, Tensor) else p, 0) for p in self.parents)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


class GradientEdge(NamedTuple):
    """Where a gradient arrives in the graph (PyTorch's ``torch.autograd.graph.GradientEdge``):
    ``node`` is the ``grad_fn`` that made a tensor (or the ``AccumulateGrad`` of a leaf) and
    ``output_nr`` its output's number (always 0 in glassnet). ``autograd.grad`` takes edges
    as ``inputs``: it then gives the gradient reaching that node's output."""

    node: Any
    output_nr: int = 0


def _input_text(x: Any) -> str:
    return f"the edge at {x.node.name}" if isinstance(x, GradientEdge) else f"shape {x.shape}"


class AccumulateGrad:
    """The end of a path in ``next_functions``: a leaf, whose gradient is summed into ``.grad``.

    PyTorch's name for it; ``variable`` is the leaf tensor, and nothing comes after it.
    """

    next_functions: tuple = ()
    name = NodeName("AccumulateGrad", "AccumulateGrad")

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


# ----------------------------------------------------------------------------------------------
# Un-broadcasting: the one place where broadcast gradients are summed back to an input's shape
# ----------------------------------------------------------------------------------------------


def unbroadcast(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    If y = x + b with x of shape (4, 3) and b of shape (3,), then b was silently repeated
    over 4 rows, so each element of b influenced 4 outputs and dL/db sums those 4
    contributions: ``unbroadcast(g, (3,)) == g.sum(0)``.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n not in (1, m) for n, m in zip(shape, grad.shape[extra:])):
        raise ValueError(f"cannot reduce a gradient of shape {grad.shape} to shape {shape}")
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    if axes:
        grad = grad.sum(dim=axes, keepdim=True)
    if extra:
        grad = grad.reshape(shape)
    return grad


# ----------------------------------------------------------------------------------------------
# The backward walk
# ----------------------------------------------------------------------------------------------


def _topological_order(roots: Sequence[Op]) -> list[Op]:
    """Nodes reachable from ``roots`` so that every node comes before the nodes it feeds.

    Iterative depth-first search (no recursion: a 10,000-op chain is fine). Nodes are kept
    in a set by identity (an Op has no ``__eq__``), leaves and constants are skipped.
    """
    order: list[Op] = []
    seen: set[Op] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, it = stack[-1]
            for parent in it:
                if isinstance(parent, Op) and parent not in seen:
                    seen.add(parent)
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()  # outputs first
    return order


_FREED = "freed"
#: What a node's ``parents`` become once the backward walk has used and freed it.
FREED = _FREED
#: The attributes the engine sets on an op when it runs (the rest are the op's own settings).
RECORDED_ATTRIBUTES = frozenset(
    {
        "inputs",
        "parents",
        "versions",
        "out_version",
        "out_data",
        "saved",
        "_packed",
        "_retained",
        "_grad_hooks",
        "_node_hooks",
        "_metadata",
        "follows_view",
        "view_source",
    }
)


def current_node(t: Tensor) -> Op | None:
    """t's grad_fn, made again first if t is a view whose base was changed in place since.

    A view ``v = y[0]`` is recorded as "the first row of y as y was then". After ``y.mul_(2)``
    y has a new node in the graph, and v's elements, which are y's memory, hold the new
    values; so v's history must become "the first row of the new y", or gradients through v
    would skip the doubling. PyTorch replays the view the same way. The test is by identity:
    the view's node noted y's node as its parent (or, for a view changed in place itself, the
    node y had just after that change: ``view_source``), and if y's node is another one now,
    the view is recorded again on the new y (its numbers are right already: only the history
    is new). A view of a view (``y[1:][0]``) first brings its own base up to date.
    """
    node = t.grad_fn
    if node is None or not node.inputs:  # a leaf, or a node the backward walk has freed
        return node
    if node.makes_view:
        base, remake, made_from = node.inputs[0], node.fresh_copy(), node.parents[0]
    elif node.follows_view:
        base, _, remake, made_from = node.view_source
    else:
        return node
    base_node = current_node(base)
    if (base if base_node is None else base_node) is made_from or not base.requires_grad:
        return node
    if not np.may_share_memory(base.array, t.array):
        return node  # a copy (fancy indexing, reshaping a strided tensor): its history holds
    node = remake(base).grad_fn
    node.out_version = t._version
    t.grad_fn = node
    return node


def run_backward(
    outputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[int, Any] | None = None,
) -> None:
    """Propagate ``grad_outputs`` from ``outputs`` back through the graph.

    With ``capture=None`` gradients are accumulated into the ``.grad`` of leaves (and of
    tensors that called ``retain_grad``). With a ``capture`` dict (used by
    ``autograd.grad``) nothing is written to ``.grad``: the gradient reaching a tensor whose
    ``id`` (leaf) or node ``id`` (non-leaf) is a key is summed into ``capture[key]``.

    Per node the walk (1) takes the summed gradient g = dL/d(node's output), (2) checks that
    no value the rule reads was changed in place since the forward, (3) calls the rule, and
    (4) hands each input's gradient, summed back to the input's shape, to the node that made
    the input or, for a leaf, into its ``.grad``.
    """
    global _grad_enabled, _in_backward
    previous, previous_in_backward = _grad_enabled, _in_backward
    _grad_enabled = create_graph
    _in_backward = True
    try:
        grads: dict[Op, Tensor] = {}  # node -> dL/d(its output), summed over its consumers
        roots = []
        for out, g in zip(outputs, grad_outputs):
            node = current_node(out)
            if node is None:  # a leaf given directly
                _deliver_to_leaf(out, g, None, create_graph, capture)
                continue
            roots.append(node)
            grads[node] = grads[node] + g if node in grads else g
        order = _topological_order(roots)
        hooked = _grad_hook_count > 0
        # For leaves with hooks: the step after which no more gradient arrives. A leaf with
        # gradient hooks collects its gradient in `held` until then, so that its hooks see the
        # whole sum once, as in PyTorch.
        with_leaf_hooks = hooked or (_post_accumulate_hook_count and capture is None)
        last_use = _last_uses(order) if with_leaf_hooks else None
        # autograd.grad runs only the rules on a path to one of its inputs, as in PyTorch.
        beyond, freed_on_the_way = (None, None)
        if capture is not None:  # (a freed node may or may not have led to an input)
            beyond, freed_on_the_way = _beyond_the_inputs(order, capture)
        held: dict[int, Tensor] = {}  # id(leaf) -> the gradient it has been given so far
        for step, node in enumerate(order):
            if last_use is not None and step > 0 and step - 1 in last_use:
                _finish_leaves(last_use.pop(step - 1), held, create_graph, capture)
            g = grads.pop(node, None)
            if g is None:
                continue
            if hooked and node._grad_hooks:
                g = _apply_grad_hooks(node._grad_hooks, g)
            if beyond is not None and node in beyond:
                if id(node) in capture:
                    capture[id(node)] = g if capture[id(node)] is None else capture[id(node)] + g
                continue
            inputs, parents = node.inputs, node.parents
            if parents is _FREED:
                raise _walked_twice(node)
            if node._packed is None:  # packed values are the unpack hook's to vouch for
                _check_versions(node)
            if node._retained is not None:
                t = node._retained()
                if t is not None and capture is None:
                    _accumulate_grad(t, g, create_graph, g)
            if capture is not None and id(node) in capture:
                capture[id(node)] = g if capture[id(node)] is None else capture[id(node)] + g
            if _backward_start_hooks:
                for hook in _backward_start_hooks:
                    hook(node, g)
            if node._packed is None:
                input_grads = node.backward(g)
            else:
                input_grads = backward_unpacked(node, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if hooked and node.__dict__.get("_node_hooks"):
                input_grads = _apply_node_hooks(node, input_grads, g)
            if _backward_hooks:
                for hook in _backward_hooks:
                    hook(node, g, input_grads)
            if _backward_done_hooks:
                for hook in _backward_done_hooks:
                    hook(node, g, input_grads)
            for x, parent, gx in zip(inputs, parents, input_grads):
                if parent is None or gx is None:
                    continue
                if not isinstance(gx, Tensor):
                    gx = wrap(np.asarray(gx))
                if gx.array.shape != x.array.shape:
                    gx = unbroadcast(gx, x.array.shape)
                if isinstance(parent, Op):
                    if parent not in grads:
                        grads[parent] = gx
                    elif create_graph:
                        grads[parent] = grads[parent] + gx  # recorded: differentiable again
                    else:  # a new array: gx or the earlier sum may be shared with others
                        grads[parent] = wrap(grads[parent].array + gx.array)
                elif hooked and parent.__dict__.get("_grad_hooks"):
                    _hold(held, parent, gx, create_graph)
                elif capture is None:
                    _accumulate_grad(parent, gx, create_graph, g)
                else:
                    _deliver_to_leaf(parent, gx, g, create_graph, capture)
            if not retain_graph:
                node.inputs = ()
                node.parents = _FREED
                node.out_data = None
                node.saved = ()
                if node._packed is not None:
                    node._packed = None
        if last_use:
            for leaves in last_use.values():
                _finish_leaves(leaves, held, create_graph, capture)
        if freed_on_the_way is not None and any(v is None for v in capture.values()):
            raise _walked_twice(freed_on_the_way)
        if _backward_end_hooks and capture is None and not previous_in_backward:
            for hook in list(_backward_end_hooks):
                hook()
        if _walk_end_hooks:
            for hook in list(_walk_end_hooks):
                hook()
    finally:
        _grad_enabled = previous
        _in_backward = previous_in_backward


def _walked_twice(node: Op) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time (at {node.name}): its saved "
        "values were freed after the first backward. Pass retain_graph=True to the first "
        "backward() if you need to call it twice."
    )


def _beyond_the_inputs(order: list[Op], capture: dict[int, Any]) -> tuple[set[Op], Op | None]:
    """The nodes of ``order`` whose rules ``autograd.grad`` need not run: no path leads from
    them to a tensor it was asked about (keys of ``capture``: ids of leaves and of nodes).

    Walked from the leaves' end, so each node's parents are settled before the node. A node
    that backward already freed has forgotten its parents: it counts as leading nowhere (the
    walk refuses afterwards if an input then got no gradient: it may have been behind it).
    Returns the set and one such freed node that was not asked about, or None.
    """
    leading: set[Op] = set()
    beyond: set[Op] = set()
    freed = None
    for node in reversed(order):
        parents = node.parents
        if parents is _FREED:
            beyond.add(node)
            if id(node) not in capture:
                freed = node
            continue
        for p in parents:
            if p is not None and (id(p) in capture or p in leading):
                leading.add(node)
                break
        else:
            beyond.add(node)
    return beyond, freed


def _last_uses(order: list[Op]) -> dict[int, list[Tensor]]:
    """{step: leaves with hooks (post-accumulate or gradient) whose last gradient arrives at
    that step}."""
    last: dict[int, tuple[int, Tensor]] = {}
    for step, node in enumerate(order):
        for parent in node.parents if node.parents is not _FREED else ():
            if isinstance(parent, Tensor) and (
                parent.__dict__.get("_post_accumulate_hooks") or parent.__dict__.get("_grad_hooks")
            ):
                last[id(parent)] = (step, parent)
    by_step: dict[int, list[Tensor]] = {}
    for step, leaf in last.values():
        by_step.setdefault(step, []).append(leaf)
    return by_step


def _finish_leaves(
    leaves: list[Tensor], held: dict, create_graph: bool, capture: dict[int, Any] | None
) -> None:
    """The leaves' gradients are complete: run their gradient hooks on what was held and add
    the result into ``.grad`` (or into ``capture``, for ``autograd.grad``), then call their
    post-accumulate hooks (only when ``.grad`` was filled)."""
    for leaf in leaves:
        total = held.pop(id(leaf), None)
        if total is not None:
            total = _apply_grad_hooks(leaf._grad_hooks, total)
            _deliver_to_leaf(leaf, total, None, create_graph, capture)
        if capture is None:
            for hook in list(leaf.__dict__.get("_post_accumulate_hooks", ())):
                hook(leaf)


def _hold(held: dict, leaf: Tensor, gx: Tensor, create_graph: bool) -> None:
    """Add a gradient reaching a hooked leaf to what it has been given so far in this walk."""
    key = id(leaf)
    if key not in held:
        held[key] = gx
    elif create_graph:
        held[key] = held[key] + gx
    else:
        held[key] = wrap(held[key].array + gx.array)


def _apply_node_hooks(node: Op, input_grads: tuple, g: Tensor) -> tuple:
    """``grad_fn.register_hook`` hooks in turn: each sees the input gradients (None where an
    input needs none) and the output gradient, and may return replacement input gradients."""
    grads = tuple(None if p is None else gx for p, gx in zip(node.parents, input_grads))
    for hook in list(node._node_hooks):
        replaced = hook(grads, (g,))
        if replaced is None:
            continue
        replaced = tuple(replaced) if isinstance(replaced, (tuple, list)) else (replaced,)
        if len(replaced) != len(grads):
            raise RuntimeError(
                f"a hook on {node.name()} returned {len(replaced)} gradients; expected "
                f"{len(grads)}, one per input of the node"
            )
        grads = tuple(
            None if r is None else r if isinstance(r, Tensor) else wrap(np.asarray(r))
            for r in replaced
        )
    return grads


def _apply_grad_hooks(hooks: list, g: Tensor) -> Tensor:
    """g after each hook in turn: ``hook(g)`` may return a replacement (of g's shape) or None."""
    for hook in list(hooks):
        result = hook(g)
        if result is None:
            continue
        result = result if isinstance(result, Tensor) else wrap(np.asarray(result))
        if result.array.shape != g.array.shape:
            raise RuntimeError(
                f"a gradient hook changed the gradient's shape from {tuple(g.array.shape)} to "
                f"{tuple(result.array.shape)}; a hook must return a gradient of the same shape"
            )
        g = result
    return g


def _check_versions(node: Op) -> None:
    """Raise if a value ``node``'s backward reads was modified in place since the forward.

    Compares each version counter with the value noted when the op ran. Ops that read every
    input (the default ``saved_inputs``) are checked without calling ``saved_inputs``, and
    ops that read none (``reads_output_only``, ``reads_no_input``) check no input.
    """
    if node.out_data is not None and node.out_version[0] != 0:
        raise RuntimeError(
            f"the output of {node.name} is needed for its gradient but has been modified by an "
            f"in-place operation (it is at version {node.out_version[0]}; expected 0). Use an "
            "out-of-place operation (y = y + 1 instead of y += 1) or .clone() before modifying it."
        )
    inputs, versions = node.inputs, node.versions
    reader = type(node).saved_inputs
    if reader is _reads_every_input:
        for x, v in zip(inputs, versions):
            if isinstance(x, Tensor) and x._version[0] != v:
                _raise_stale_input(node, [y is x for y in inputs].index(True))
    elif reader is not reads_output_only and reader is not reads_no_input:  # those read none
        for i in node.saved_inputs():
            x = inputs[i]
            if isinstance(x, Tensor) and x._version[0] != versions[i]:
                _raise_stale_input(node, i)


def _raise_stale_input(node: Op, i: int) -> None:
    x, v = node.inputs[i], node.versions[i]
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by "
        f"an in-place operation: input {i} of {node.name}, a tensor of shape "
        f"{x.shape}, is at version {x._version[0]}; expected version {v}. Use an "
        "out-of-place operation (x = x + 1 instead of x += 1) or .clone() before "
        "modifying it."
    )


_reads_every_input = Op.saved_inputs


def reads_output_only(op: Op) -> tuple:
    """``saved_inputs`` of an op whose gradient is a formula of its output alone (e**x, tanh,
    sigmoid, sqrt, softmax): its input may change in place after it ran, as in PyTorch."""
    return ()


def reads_no_input(op: Op) -> tuple:
    """``saved_inputs`` of an op whose gradient reads no input value, only shapes or dtypes
    (-x, a sum, a mean, a dtype cast): its input may change in place after it ran."""
    return ()


def reads_the_other_factor(op: Op) -> tuple:
    """``saved_inputs`` of a product of two factors (a * b, a @ b, x W^T + bias): dL/da reads
    b and dL/db reads a, so with a constant b (y = a * 3) a's value is never read and a may
    be changed in place before backward, as in PyTorch. A bias (input 2) is never read."""
    needs_a, needs_b = op.parents[0] is not None, op.parents[1] is not None
    return (0, 1) if needs_a and needs_b else (1,) if needs_a else (0,)


def _deliver_to_leaf(
    leaf: Tensor,
    g: Tensor,
    incoming: Tensor | None,
    create_graph: bool,
    capture: dict[int, Any] | None,
) -> None:
    if capture is not None:
        if id(leaf) in capture:
            capture[id(leaf)] = g if capture[id(leaf)] is None else capture[id(leaf)] + g
        return
    _accumulate_grad(leaf, g, create_graph, incoming)


def _accumulate_grad(t: Tensor, g: Tensor, create_graph: bool, incoming: Tensor | None) -> None:
    """Add ``g`` into ``t.grad`` (in place when no graph needs the old gradient)."""
    data = g.array
    if data.dtype != t.array.dtype:
        g = g.to(t.array.dtype)
        data = g.array
    if t.grad is None:
        if create_graph:
            t.grad = g
        else:
            # The array may be shared (an op that passes its gradient through unchanged, a
            # view, or the caller's own tensor): copy it so later in-place accumulation is safe.
            # A view of the gradient that just arrived at this node (a reshape's backward) is
            # kept as it is when nobody else holds that gradient: copying it would only cost
            # a pass over memory (2 MB for a (32, 64, 16, 16) input).
            if incoming is None or data is incoming.array:
                data = data.copy()
            elif data.base is not None and (
                data.size < grad_views.KEEP_VIEW_MIN_SIZE
                or _backward_hooks  # a tracer hook may keep the gradients it is shown
                or not grad_views.unshared_view(data, incoming)
            ):
                data = data.copy()
            t.grad = wrap(data)
    elif create_graph or t.grad.requires_grad:
        t.grad = t.grad + g
    else:
        np.add(t.grad.array, data, out=t.grad.array)


# ----------------------------------------------------------------------------------------------
# Public entry points
# ----------------------------------------------------------------------------------------------


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, (Tensor, GradientEdge)):
        return (x,)
    return tuple(x)


def _ones_for(out: Tensor) -> Tensor:
    """d out / d out for a scalar output: a 1 of its shape and dtype, where backward starts."""
    return wrap(np.ones(out.array.shape, out.array.dtype))


def _default_grad_outputs(outputs: tuple, grad_outputs: Any, who: str) -> list:
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = (
            _as_tuple(grad_outputs) if not isinstance(grad_outputs, Tensor) else (grad_outputs,)
        )
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"{who}: got {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    result = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"{who}: element of outputs does not require grad and has no grad_fn "
                "(was it computed under no_grad, or from tensors without requires_grad=True?)"
            )
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(
                    f"{who}: grad can be implicitly created only for scalar outputs, but the "
                    f"output has shape {out.shape}; pass gradient= (a tensor of that shape)"
                )
            g = _ones_for(out)
        elif not isinstance(g, Tensor):
            g = wrap(np.asarray(g, dtype=out.array.dtype))
        if g.shape != out.shape:  # ShapeError: a ValueError, and PyTorch's RuntimeError
            raise ShapeError(
                f"{who}: gradient has shape {g.shape} but the output has shape {out.shape}"
            )
        result.append(g)
    return result


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate d(tensors)/d(leaves) into each leaf's ``.grad`` (see ``Tensor.backward``)."""
    follow_free_cores()  # a script's training loop, too, leaves the cores other programs use
    if retain_graph is None:
        retain_graph = create_graph
    if grad_tensors is None and isinstance(tensors, Tensor) and tensors.requires_grad:
        if tensors.array.size == 1:  # the everyday loss.backward(): no lists to check
            run_backward((tensors,), (_ones_for(tensors),), retain_graph, create_graph)
            return
    outputs = _as_tuple(tensors)
    grads = _default_grad_outputs(outputs, grad_tensors, "backward")
    run_backward(outputs, grads, retain_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Return d(outputs)/d(inputs) as a tuple of Tensors, without touching any ``.grad``.

    Args:
        outputs: tensor(s) to differentiate (scalars, or give ``grad_outputs``).
        inputs: tensor(s) to differentiate with respect to (leaves or intermediate results).
        grad_outputs: dL/d(outputs), the "vector" of the vector-Jacobian product.
        create_graph: record the backward pass so the result can be differentiated again.
        allow_unused: return None (instead of raising) for inputs the outputs do not use.

    Example (second derivative of x**3 at 2 is 6*2 = 12)::

        x = glassnet.tensor(2.0, requires_grad=True)
        (dy,) = glassnet.autograd.grad(x**3, x, create_graph=True)   # 3x^2 = 12
        (d2y,) = glassnet.autograd.grad(dy, x)                        # 6x = 12
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _default_grad_outputs(outputs, grad_outputs, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    keys = []
    for x in inputs:
        if isinstance(x, GradientEdge):  # the gradient arriving at a node (or at a leaf)
            node = x.node
            keys.append(id(node.variable) if isinstance(node, AccumulateGrad) else id(node))
            continue
        if not x.requires_grad:
            raise RuntimeError(f"grad: one of the inputs (shape {x.shape}) does not require grad")
        keys.append(id(x) if x.grad_fn is None else id(x.grad_fn))
    capture: dict[int, Any] = dict.fromkeys(keys)
    run_backward(outputs, grads, retain_graph, create_graph, capture)
    result = []
    for i, (x, key) in enumerate(zip(inputs, keys)):
        g = capture[key]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} ({_input_text(x)}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        if g is not None and not isinstance(x, GradientEdge) and g.shape != x.shape:
            g = unbroadcast(g, x.shape)
        if g is not None and not create_graph and not g.array.flags.writeable:
            # Maybe a view of one of the caller's tensors (ops.elementwise._gradient_times).
            g = wrap(g.array.copy())
        result.append(g)
    return tuple(result)


def functional_grad(f: Callable, argnums: int | Iterable[int] = 0) -> Callable:
    """Turn ``f(*args) -> scalar`` into a function returning df/d(args[argnums]).

    Like HIPS autograd's and JAX's ``grad``: the returned function is differentiable again,
    so ``grad(grad(f))`` is the second derivative. Numbers and arrays are accepted and
    turned into float64 tensors; the gradient comes back in the same kind (Tensor in,
    Tensor out; number or array in, NumPy value out is not attempted: always a Tensor).

    Example::

        f = lambda x: x ** 3
        glassnet.grad(f)(2.0)            # tensor(12.)
        glassnet.grad(glassnet.grad(f))(2.0)   # tensor(12.)  (6x at 2)
    """
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    def grad_f(*args: Any) -> Any:
        args = list(args)
        wrt = []
        for i in nums:
            if i >= len(args):
                raise ValueError(f"grad: argnums={argnums} but f got only {len(args)} arguments")
            a = args[i]
            if isinstance(a, Tensor):
                t = a if a.requires_grad else a.detach().requires_grad_()
            else:
                t = wrap(np.asarray(a, dtype=np.float64), requires_grad=True)
            args[i] = t
            wrt.append(t)
        with enable_grad():
            y = f(*args)
            if not isinstance(y, Tensor) or y.array.size != 1:
                raise ValueError(
                    "grad(f): f must return a scalar Tensor, got "
                    + (f"shape {y.shape}" if isinstance(y, Tensor) else type(y).__name__)
                )
            if not y.requires_grad:
                grads = tuple(wrap(np.zeros_like(t.array)) for t in wrt)
            else:
                grads = grad(y, wrt, create_graph=True, allow_unused=True)
                grads = tuple(
                    wrap(np.zeros_like(t.array)) if g is None else g for t, g in zip(wrt, grads)
                )
        return grads[0] if single else grads

    grad_f.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return grad_f


# autograd.Function (a learner's own op) lives in function.py, built on Op; it is re-exported
# here under PyTorch's name, torch.autograd.Function. function.py imports this module, which is
# complete by this line, so the re-export closes no new loop at load time.
# PyTorch's older names (Variable) and anomaly switches come likewise from their own file
# (which reaches Tensor through this module at call time, and glassnet.inspect on first use).
from .autograd_compat import (  # noqa: E402, F401
    Variable,
    detect_anomaly,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .function import Function  # noqa: E402, F401
from .saved_tensors import SavedTensor, backward_unpacked, pack_saved  # noqa: E402

#: torch.autograd's submodules, which glassnet keeps beside this module (each imports this one,
#: so they are loaded on first use): torch.autograd.functional is glassnet.autograd_functional.
SUBMODULES = {
    "functional": "autograd_functional",  # jacobian, hessian, vjp, jvp, ... built on grad
    "graph": "autograd_graph",  # Node, increment_version
    "forward_ad": "forward_ad",
    "profiler": "profiler",
    "function": "function",  # Function, once_differentiable, FunctionCtx
    "variable": "autograd_compat",  # Variable
}


def __getattr__(name: str) -> Any:
    import importlib

    # torch.autograd.gradcheck / gradgradcheck: glassnet's live in numerical.py (which imports
    # this module, so they are looked up on first use rather than imported here).
    if name in ("gradcheck", "gradgradcheck"):
        return getattr(importlib.import_module("glassnet.numerical"), name)
    if name in SUBMODULES:
        return importlib.import_module(f"glassnet.{SUBMODULES[name]}")
    raise AttributeError(f"module 'glassnet.autograd' has no attribute {name!r}")
