"""autograd.Function: a learner's own differentiable op, forward and backward, as in PyTorch.

Subclass ``Function`` with two static methods and call it through ``apply``::

    class Exp(glassnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):              # y = e**x
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):             # dL/dx = g * y
            (y,) = ctx.saved_tensors
            return g * y

    y = Exp.apply(x)
    glassnet.gradcheck(Exp.apply, (x,))   # the derivative checked against finite differences

How it fits the engine. ``apply`` makes one graph node (a ``_FunctionNode``, an ``Op``; private, so not in the op registry; its class is named ``MyFunctionBackward``, as in PyTorch) per call;
the node is the ``ctx`` both static methods receive. ``forward`` runs with recording off, on the
Tensors themselves; the node then becomes the ``grad_fn`` of the outputs, and the backward walk
calls the node's ``backward``, which calls yours. Because your backward is written with Tensor
operations, it is recorded under ``create_graph=True`` and can be differentiated again
(``gradgradcheck``). A Function with several outputs gets one gradient per output in
``backward`` (zeros for an output that did not reach the loss).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd as autograd_module
from .autograd import NodeName, Op, is_grad_enabled, is_tensor, no_grad, wrap
from .ops.shape import cat
from .saved_tensors import pack_saved

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class _FunctionNode(Op):
    """The graph node of one ``Function.apply`` call; it is the ``ctx`` of forward and backward.

    ``ctx.save_for_backward(*tensors)`` keeps tensors for backward, ``ctx.saved_tensors`` gives
    them back (refusing if one was modified in place since it was saved),
    ``ctx.needs_input_grad[i]`` says whether argument i wants a gradient, and
    ``ctx.mark_non_differentiable(*outputs)`` marks outputs that carry no gradient. Any other
    attribute (``ctx.dim = 1``) may be set freely to pass values from forward to backward.
    """

    def __init__(self, function: type[Function]) -> None:
        self.function = function
        self.non_differentiable: set[int] = set()
        self.saved_versions: tuple = ()
        # Set by Function.apply when forward returns several outputs: per output its
        # (shape, dtype, start, size) in the packed gradient the engine delivers (see _connect).
        self.output_layout: list | None = None

    @property
    def name(self) -> NodeName:
        return NodeName(self.function.__name__)

    def __repr__(self) -> str:
        return f"<{self.function.__name__}Backward>"

    def formula(self) -> str:  # the user's Function: its docstring's first line, as for an op
        doc = (self.function.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else self.function.__name__

    # -- ctx -----------------------------------------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` (or None) for backward; their versions are noted to catch in-place edits."""
        for t in tensors:
            if t is not None and not is_tensor(t):
                raise TypeError(
                    f"{self.name}: save_for_backward takes tensors (or None), got "
                    f"{type(t).__name__}; keep other values as attributes of ctx (ctx.k = ...)"
                )
        super().save_for_backward(*tensors)
        self.saved_versions = tuple(None if t is None else t._version[0] for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked to be unmodified since."""
        for i, (t, v) in enumerate(zip(self.saved, self.saved_versions)):
            if t is not None and t._version[0] != v:
                raise RuntimeError(
                    f"{self.name}: saved tensor {i} (shape {t.shape}) has been modified by an "
                    f"in-place operation since save_for_backward (version {t._version[0]}; "
                    f"expected {v}). Use an out-of-place operation or .clone() before it."
                )
        return self.saved

    def save_for_forward(self, *tensors: Any) -> None:
        """Keep ``tensors`` for a forward-mode ``jvp`` (read there as ``ctx.saved_tensors``)."""
        self.save_for_backward(*tensors)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Outputs that carry no gradient (indices, masks): they do not require grad."""
        self.non_differentiable.update(id(t) for t in outputs)

    def saved_inputs(self) -> tuple:
        return ()  # saved tensors are checked when backward reads ctx.saved_tensors

    # -- the engine's side ------------------------------------------------------------------------
    def backward(self, g: Any) -> tuple:
        if self.output_layout is None:
            grads = (g,)
        else:
            grads = _unpack(g, self.output_layout)
        result = self.function.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) > len(self.inputs) and all(r is None for r in result[len(self.inputs) :]):
            # PyTorch lets backward return extra Nones (for arguments forward has defaults for)
            result = result[: len(self.inputs)]
        if len(result) != len(self.inputs):
            raise RuntimeError(
                f"{self.name}.backward returned {len(result)} gradients but forward took "
                f"{len(self.inputs)} arguments: return one per argument (None for those that "
                "need none, such as non-tensor arguments)"
            )
        grads = tuple(gx if is_tensor(x) else None for x, gx in zip(self.inputs, result))
        for i, (x, gx) in enumerate(zip(self.inputs, grads)):
            if gx is not None and np.shape(gx) != x.shape and not _reducible(np.shape(gx), x.shape):
                raise RuntimeError(
                    f"{self.name}.backward returned a gradient of shape {np.shape(gx)} for "
                    f"argument {i}, a tensor of shape {x.shape}: expected that shape (or one "
                    "that broadcasting made from it)"
                )
        return grads


class Function:
    """Base class of a user-defined differentiable operation (PyTorch's ``torch.autograd.Function``).

    Subclasses define

    * ``forward(ctx, *args) -> Tensor or tuple of Tensors``: the value, written with any
      glassnet operations (run with recording off). ``args`` may mix Tensors and other values.
    * ``backward(ctx, *grad_outputs) -> gradient or tuple``: given dL/d(output) for every
      output, return dL/d(arg) for every argument of forward, in order (None for an argument
      that needs no gradient, and for every non-tensor one). Written with Tensor operations it
      is differentiable again (``create_graph=True``, ``gradgradcheck``).

    Call it as ``MyFunction.apply(*args)``, never by instantiating it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            f"{type(self).__name__}: call {type(self).__name__}.apply(...) instead of "
            "making an instance of a Function"
        )

    @staticmethod
    def forward(ctx: _FunctionNode, *args: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: _FunctionNode, *grad_outputs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError("a Function subclass must define backward(ctx, *grads)")

    @staticmethod
    def jvp(ctx: _FunctionNode, *tangents: Any) -> Any:  # pragma: no cover - abstract
        """Forward mode (``glassnet.forward_ad``): given the inputs' tangents t_i (None for an
        input without one), return the outputs' tangent sum_i J_i t_i. Optional: without it
        the tangent comes from differentiating ``backward``."""
        raise NotImplementedError("a Function subclass must define jvp(ctx, *tangents)")

    @staticmethod
    def setup_context(ctx: _FunctionNode, inputs: tuple, output: Any) -> None:
        """PyTorch's second way of writing a Function: ``forward(*args)`` without ctx, and this
        method, given the arguments and forward's result, fills ctx (``save_for_backward``,
        attributes). A subclass that defines it has its forward called without ctx."""
        raise NotImplementedError("setup_context is defined by the subclasses that use it")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` and, if any tensor argument requires grad, record one graph node."""
        if cls.jvp is not Function.jvp and cls.backward is Function.backward:
            in_forward_mode = _apply_forward_mode(cls, args)
            if in_forward_mode is not None:
                return in_forward_mode
        ctx = _node_class(cls)(cls)
        ctx.inputs = args
        ctx.parents = tuple(
            (x.grad_fn if x.grad_fn is not None else x)
            if is_grad_enabled() and is_tensor(x) and x.requires_grad
            else None
            for x in args
        )
        ctx.versions = tuple(x._version[0] if is_tensor(x) else 0 for x in args)
        # The ops inside forward are not shown to tracers one by one: the Function is one step
        # (for the profiler too, which is told here where that step starts).
        tracers = autograd_module._op_hooks[:]
        starters = autograd_module._op_start_hooks[:]
        autograd_module._op_hooks.clear()
        autograd_module._op_start_hooks.clear()
        try:
            for hook in starters:
                hook(ctx, args)
            with no_grad():
                if cls.setup_context is Function.setup_context:
                    result = cls.forward(ctx, *args)
                else:  # forward(*args) with a separate setup_context(ctx, inputs, output)
                    result = cls.forward(*args)
                    cls.setup_context(ctx, args, result)
        finally:
            autograd_module._op_hooks[:] = tracers
            autograd_module._op_start_hooks[:] = starters
        single = not isinstance(result, tuple)
        outputs = [result] if single else list(result)
        # An output that is one of the arguments itself gets a new Tensor of its own (sharing
        # the array), so that the argument keeps its place in the graph.
        outputs = [wrap(out.array) if any(out is x for x in args) else out for out in outputs]
        if any(p is not None for p in ctx.parents):
            _connect(ctx, outputs)
            if autograd_module._saved_tensor_hooks:
                pack_saved(ctx)
        for hook in tracers:  # trace / detect_anomaly see the Function as one op
            hook(ctx, args, outputs[0] if is_tensor(outputs[0]) else wrap(np.asarray(outputs[0])))
        return outputs[0] if single else tuple(outputs)


def _apply_forward_mode(function: type[Function], args: tuple) -> Any:
    """A Function with ``jvp`` and no ``backward``, called on dual tensors: its outputs are
    made duals whose tangents its ``jvp`` gives (glassnet's forward mode otherwise finds
    tangents by differentiating a backward, which this Function does not have). None when no
    argument is a dual tensor of the active level (then ``apply`` runs as usual)."""
    from . import forward_ad

    if forward_ad._level is None:
        return None
    unpacked = [forward_ad.unpack_dual(x) if is_tensor(x) else None for x in args]
    if all(u is None or u.tangent is None for u in unpacked):
        return None
    ctx = _node_class(function)(function)
    ctx.inputs, ctx.parents = args, tuple(None for _ in args)
    primals = tuple(x if u is None else u.primal.detach() for x, u in zip(args, unpacked))
    with no_grad():
        result = function.forward(ctx, *primals)
        tangents = function.jvp(ctx, *(None if u is None else u.tangent for u in unpacked))
    single = not isinstance(result, tuple)
    outputs = (result,) if single else result
    tangents = (tangents,) if not isinstance(tangents, tuple) else tangents
    if len(tangents) != len(outputs):
        raise RuntimeError(
            f"{function.__name__}.jvp returned {len(tangents)} tangents for "
            f"{len(outputs)} outputs of forward"
        )
    duals = tuple(
        forward_ad.make_dual(out, t) if is_tensor(out) and t is not None else out
        for out, t in zip(outputs, tangents)
    )
    return duals[0] if single else duals


def once_differentiable(backward: Callable) -> Callable:
    """Mark a Function's ``backward`` as differentiable once only (PyTorch's decorator).

    The wrapped backward runs with recording off, so it may work on NumPy arrays or use ops
    that have no second derivative. Under ``create_graph=True`` its gradients are still tied
    to the incoming gradients, by a node that refuses to be differentiated: a second
    derivative through this Function raises instead of silently coming out as zero.
    """

    @functools.wraps(backward)
    def run_without_graph(ctx: Any, *grad_outputs: Any) -> Any:
        recording = is_grad_enabled()
        with no_grad():
            grads = backward(ctx, *grad_outputs)
        sources = [g for g in grad_outputs if is_tensor(g) and g.requires_grad]
        if not (recording and sources):
            return grads
        many = isinstance(grads, tuple)
        tied = tuple(
            _DifferentiatedTwice(g.array)(*sources) if is_tensor(g) else g
            for g in (grads if many else (grads,))
        )
        return tied if many else tied[0]

    return run_without_graph


class _DifferentiatedTwice(Op):
    """A gradient made by a once_differentiable backward: its value as given, no derivative."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = value

    def forward(self, *grad_outputs: np.ndarray) -> np.ndarray:
        return self.value

    def backward(self, g: Any) -> tuple:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def _node_class(function: type[Function]) -> type[_FunctionNode]:
    """The node class of one Function, named as PyTorch names it: ``type(y.grad_fn).__name__``
    is ``"MyReLUBackward"`` for ``y = MyReLU.apply(x)``. Made once per Function and kept on it.

    It is made under a private name, so the op registry (which skips names starting with "_")
    does not list it, and renamed afterwards.
    """
    node_class = function.__dict__.get("_glassnet_node_class")
    if node_class is None:
        node_class = type("_FunctionNodeOfOne", (_FunctionNode,), {})
        node_class.__name__ = node_class.__qualname__ = f"{function.__name__}Backward"
        function._glassnet_node_class = node_class
    return node_class


def _connect(ctx: _FunctionNode, outputs: list) -> None:
    """Make ``ctx`` the grad_fn of the differentiable outputs (floating, not marked otherwise)."""
    wanted = [
        is_tensor(out) and out.array.dtype.kind == "f" and id(out) not in ctx.non_differentiable
        for out in outputs
    ]
    if not any(wanted):
        return
    ctx.out_version = [0]  # never bumped: ctx keeps no output array of its own (out_data)
    if len(outputs) == 1:
        outputs[0].requires_grad, outputs[0].grad_fn = True, ctx
        return
    # Several outputs: the engine hands each node one gradient, so output i gets a small node
    # (_OutputSlot) that puts its gradient into its own slice of one flat vector; the engine
    # adds those vectors up for ctx as for any node, and ctx.backward cuts the sum apart.
    dtype = np.result_type(*[out.array.dtype for out, w in zip(outputs, wanted) if w])
    layout, start = [], 0
    for out, w in zip(outputs, wanted):
        size = out.array.size if w else 0
        layout.append((out.shape, out.array.dtype, start, size) if is_tensor(out) else None)
        start += size
    ctx.output_layout = layout
    packed = wrap(np.broadcast_to(np.zeros((), dtype), (start,)))  # a shape, no memory
    for out, item in zip(outputs, layout):
        if item is not None and item[3] > 0:
            _, _, first, size = item
            slot = _OutputSlot(first, size, start, dtype, ctx.name)
            slot.inputs, slot.parents, slot.versions = (packed,), (ctx,), (0,)
            slot.out_version = out._version
            out.requires_grad, out.grad_fn = True, slot


class _OutputSlot(Op):
    """y_i = the slice [start, start + size) of a Function's packed outputs;   dL/dpacked = g_i there, 0 elsewhere"""

    def __init__(self, start: int, size: int, total: int, dtype: np.dtype, name: str) -> None:
        self.start, self.size, self.total, self.dtype = start, size, total, dtype
        self.function_name = name

    @property
    def name(self) -> NodeName:
        return NodeName(self.function_name)

    def __repr__(self) -> str:
        return f"<{self.function_name}Backward>"

    def backward(self, g: Any) -> tuple:
        flat = g.reshape(-1).to(self.dtype)
        before = wrap(np.zeros(self.start, self.dtype))
        after = wrap(np.zeros(self.total - self.start - self.size, self.dtype))
        return (cat([before, flat, after]),)

    def saved_inputs(self) -> tuple:
        return ()  # reads no value


def _reducible(grad_shape: tuple, shape: tuple) -> bool:
    """True if ``shape`` broadcasts to ``grad_shape`` (the engine then sums the gradient back)."""
    try:
        return np.broadcast_shapes(shape, grad_shape) == grad_shape
    except ValueError:
        return False


def _unpack(g: Any, layout: list) -> tuple:
    """Cut the packed gradient into one gradient per output (zeros where none arrived)."""
    grads = []
    for item in layout:
        if item is None:  # a non-tensor output
            grads.append(None)
            continue
        shape, dtype, start, size = item
        if size == 0:  # not differentiable: a zero gradient, as PyTorch gives
            grads.append(wrap(np.zeros(shape, dtype)))
        else:
            grads.append(g[start : start + size].reshape(shape).to(dtype))
    return tuple(grads)


#: The type of the ``ctx`` a Function's forward and backward receive (PyTorch's FunctionCtx):
#: here, the graph node the call made.
FunctionCtx = _FunctionNode
