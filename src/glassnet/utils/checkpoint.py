"""Activation checkpointing (``torch.utils.checkpoint``): trade compute for memory by running a part of the network again in backward.

Why. Backward needs values the forward computed: a ReLU needs its input's sign, a product
needs its factors. Normally every op keeps them from the forward until backward has used
them, so memory grows with the depth of the network. ``checkpoint(block, x)`` keeps none of
the values *inside* ``block``: only its inputs. When backward reaches the block it runs the
block's forward again, this time recording it, and takes the gradients through that copy.
The forward of each checkpointed block is computed twice; the memory of its inner values is
held only while its own backward runs.

How it is built here (all of it glassnet's ordinary machinery):

1. The forward runs ``block`` once on detached copies of the tensor inputs, recorded as
   usual, only to learn which tensors that require grad it reads (its parameters, the
   inputs, and any result it captured from the code around it). That recording is then
   dropped: the outputs handed on are detached copies.
2. One ``autograd.Function`` node joins the outputs to those tensors. Its backward sets the
   random generator back to where it was (so dropout draws the same mask), runs ``block``
   again with recording on, and asks ``autograd.grad`` for d(outputs)/d(tensors) given the
   incoming gradients. The backward walk then delivers those gradients as for any node, so
   ``.grad``, hooks and ``autograd.grad`` all see the block as one step.

The gradients equal those of the block run without checkpointing (the tests check this),
because the same numbers are computed in the same order. A block must compute the same thing
when run twice: outputs of another shape on the second run are refused in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .. import autograd as autograd_module
from .. import random as glassnet_random
from ..autograd import enable_grad, grad, is_grad_enabled, is_tensor
from ..function import Function, _OutputSlot

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    preserve_rng_state: bool = True,
    determinism_check: str = "default",
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, keeping none of its inner values for backward: backward
    runs it again (see the module's docstring).

    Args:
        function: the block, e.g. a Module or a function of tensors; it returns a Tensor or a
            tuple of values (Tensors among them).
        *args, **kwargs: its arguments. Tensors among ``args`` get gradients as usual.
        use_reentrant: accepted for PyTorch's scripts; both of its modes give the gradients
            of every tensor the block reads (its parameters too, even when no input requires
            grad, as PyTorch's non-reentrant mode does).
        preserve_rng_state: run the second forward with the random generator as it was at the
            first, so that dropout draws the same mask (default True).
        determinism_check: "default" checks that the second run's outputs have the first's
            shapes; "none" skips the check.

    Returns: what ``function`` returns, with the same values.
    """
    if not callable(function):
        raise TypeError(f"checkpoint expects a function or a module, got {type(function).__name__}")
    if determinism_check not in ("default", "none"):
        raise ValueError(
            f"checkpoint: determinism_check must be 'default' or 'none', got {determinism_check!r}"
        )
    if not is_grad_enabled():
        return function(*args, **kwargs)  # nothing is recorded, so there is nothing to save
    rng_state = glassnet_random.get_rng_state() if preserve_rng_state else None
    inputs = [_detached(a) for a in args]
    read_tensors = _ReadTensors()
    autograd_module._op_hooks.append(read_tensors)
    try:
        with enable_grad():
            first = function(*inputs, **kwargs)
    finally:
        autograd_module._op_hooks.remove(read_tensors)
    single = not isinstance(first, tuple)
    outputs = (first,) if single else first
    # An output that is a tensor from outside the block itself (the block returned it as it is)
    outputs_outside = [o for o in outputs if is_tensor(o) and o.requires_grad and o.grad_fn is None]
    read = read_tensors.found + [
        o for o in outputs_outside if all(o is not r for r in read_tensors.found)
    ]
    if not read or not any(_differentiable(out) for out in outputs):
        return first  # no gradient can flow through the block: nothing to run again
    run = _Recompute(function, args, kwargs, rng_state, determinism_check == "default", outputs)
    run.first_values = [out.detach() for out in outputs if _differentiable(out)]
    tensor_args = [a for a in args if is_tensor(a)]
    captured = [t for t in read if not any(t is d for d in inputs)]
    results = _Checkpoint.apply(run, len(tensor_args), *tensor_args, *captured)
    results = results if isinstance(results, tuple) else (results,)
    joined = iter(results)
    handed = tuple(next(joined) if _differentiable(out) else out for out in outputs)
    return handed[0] if single else handed


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Any,
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run the layers of a ``Sequential`` (or a list of callables) in ``segments`` parts, each
    part but the last through ``checkpoint``: the memory of the values inside all but one part
    is not kept for backward.

    Args:
        functions: an ``nn.Sequential`` or a list of callables, applied one after another.
        segments: how many parts (at least 1); each gets len // segments layers, the last the rest.
        input: the first layer's input.
        **kwargs: passed to ``checkpoint`` (``preserve_rng_state``, ...).
    """
    layers = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if not isinstance(segments, int) or isinstance(segments, bool) or segments < 1:
        raise ValueError(
            f"checkpoint_sequential: segments must be a whole number >= 1, got {segments!r}"
        )
    if not layers:
        raise ValueError("checkpoint_sequential: expected at least one layer, got none")
    size = max(1, len(layers) // segments)
    start = 0
    for _ in range(segments - 1):
        part = layers[start : start + size]
        if not part or start + size >= len(layers):
            break
        input = checkpoint(_run_in_order(part), input, **kwargs)
        start += size
    return _run_in_order(layers[start:])(input)


def _run_in_order(layers: Iterable[Callable[..., Any]]) -> Callable[[Any], Any]:
    def run(x: Any) -> Any:
        for layer in layers:
            x = layer(x)
        return x

    return run


def _detached(value: Any) -> Any:
    """A tensor argument as a new leaf of its own (sharing the numbers), so the block's graph
    starts at the block; other values as they are."""
    if not is_tensor(value):
        return value
    copy = value.detach()
    copy.requires_grad = value.requires_grad
    return copy


def _differentiable(value: Any) -> bool:
    return is_tensor(value) and value.array.dtype.kind == "f"


class _ReadTensors:
    """An op hook (``autograd._op_hooks``) noting, while the block runs the first time, the
    tensors that require grad and come from outside the block: leaves (its parameters, the
    detached inputs) and results of ops run before it (captured from the enclosing code).

    A tensor made by an op of the block is inside it; one whose ``grad_fn`` was made before
    the block started is outside, and the checkpoint node takes it as an input, so that the
    outer backward walk hands it its gradient in the right order.
    """

    def __init__(self) -> None:
        self.inside: set[int] = set()  # ids of the nodes the block's ops made
        self.found: list = []
        self._seen: set[int] = set()

    def _made_inside(self, node: Any) -> bool:
        if id(node) in self.inside:
            return True
        # Outputs of a multi-output Function hang off small slot nodes of its node.
        return isinstance(node, _OutputSlot) and any(id(p) in self.inside for p in node.parents)

    def __call__(self, op: Any, inputs: tuple, output: Any) -> None:
        for x in inputs:
            if not is_tensor(x) or not x.requires_grad or id(x) in self._seen:
                continue
            if x.grad_fn is None or not self._made_inside(x.grad_fn):
                self._seen.add(id(x))
                self.found.append(x)
        self.inside.add(id(op))


class _Recompute:
    """What the checkpoint node's backward needs to run the block again."""

    def __init__(
        self,
        function: Callable[..., Any],
        args: tuple,
        kwargs: dict,
        rng_state: dict | None,
        check_shapes: bool,
        first_outputs: tuple,
    ) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state, self.check_shapes = rng_state, check_shapes
        self.shapes = [tuple(out.shape) if is_tensor(out) else None for out in first_outputs]
        self.first_values: list = []  # the first run's floating outputs, detached

    def __call__(self) -> tuple[tuple, list]:
        """(outputs, the fresh leaves standing for the tensor arguments) of a recorded run."""
        inputs = [_detached(a) for a in self.args]
        now = glassnet_random.get_rng_state()
        if self.rng_state is not None:
            glassnet_random.set_rng_state(self.rng_state)
        try:
            with enable_grad():
                result = self.function(*inputs, **self.kwargs)
        finally:
            glassnet_random.set_rng_state(now)  # the rest of the program's draws go on as before
        outputs = result if isinstance(result, tuple) else (result,)
        shapes = [tuple(out.shape) if is_tensor(out) else None for out in outputs]
        if self.check_shapes and shapes != self.shapes:
            raise RuntimeError(
                f"checkpoint: the block gave outputs of shapes {self.shapes} when first run and "
                f"{shapes} when run again in backward; a checkpointed block must compute the "
                "same thing each time (determinism_check='none' skips this check)"
            )
        return outputs, [x for x in inputs if is_tensor(x)]


class _Checkpoint(Function):
    """outputs = block(inputs), its inner values not kept;   backward runs the block again and
    takes d(outputs)/d(inputs, parameters) through that second run"""

    @staticmethod
    def forward(ctx: Any, run: _Recompute, n_args: int, *tensors: Any) -> Any:
        ctx.run, ctx.n_args = run, n_args
        ctx.captured = tensors[n_args:]
        first, run.first_values = run.first_values, []  # held by the outputs from now on
        return first[0] if len(first) == 1 else tuple(first)

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> tuple:
        outputs, fresh_inputs = ctx.run()
        wanted = [out for out in outputs if _differentiable(out)]
        pairs = [(out, g) for out, g in zip(wanted, grad_outputs) if out.requires_grad]
        targets = list(fresh_inputs) + list(ctx.captured)
        asked = [t for t in targets if t.requires_grad]
        found = iter(
            # retain_graph: a tensor the block captured from outside may lead into the outer
            # graph, which the outer backward walk still needs.
            grad(
                [o for o, _ in pairs],
                asked,
                [g for _, g in pairs],
                retain_graph=True,
                allow_unused=True,
            )
            if pairs and asked
            else [None] * len(asked)
        )
        grads = [next(found) if t.requires_grad else None for t in targets]
        return (None, None, *grads)
