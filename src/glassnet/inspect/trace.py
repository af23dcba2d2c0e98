"""trace(): record every op of a forward and backward pass, with where it ran and what it saw.

The engine calls two hook lists (``autograd._op_hooks`` after each op, ``autograd._backward_hooks``
after each backward rule). They are empty unless a trace is active, so tracing costs nothing
otherwise. A trace appends one small hook to each while its ``with`` block runs::

    with glassnet.trace() as t:
        loss = loss_fn(model(x), y)
        loss.backward()
    t.explain()          # the step-by-step account (see explain.py)
    rows = t.table()     # the same, one dict per op, for a notebook

Ops that backward rules run internally (the multiplications that make up a gradient) are not
recorded as forward ops: the backward record of the rule stands for them.
"""

from __future__ import annotations

import sys
import weakref
from dataclasses import dataclass, field
from typing import Any

from .. import autograd
from ..nn import call_stack
from ..tensor import Tensor
from .stats import Stats, describe

__all__ = ["BackwardRecord", "ForwardRecord", "Trace", "trace", "split_formula"]


def split_formula(op: Any) -> tuple[str, list[str]]:
    """An op's docstring formula split into its value and its derivative rules.

    ``"y = a * b;   dL/da = g * b,   dL/db = g * a"`` gives
    ``("y = a * b", ["dL/da = g * b", "dL/db = g * a"])``. ``op`` is an op or its class.
    """
    line = op.formula() if hasattr(op, "formula") else type(op).__name__
    value, _, rules = line.partition(";")
    parts = [r.strip() for r in rules.split(",   ")] if rules.strip() else []
    return value.strip(), [p for p in parts if p]


@dataclass
class ForwardRecord:
    """One op applied in the forward pass."""

    index: int
    op: str
    formula: str
    module: str
    inputs: list[Stats | Any]  # Stats for tensors, the number itself for constants
    output: Stats
    node: Any = field(default=None, repr=False)  # the op object (its grad_fn), if recorded
    input_slots: list[int | None] = field(default_factory=list, repr=False)  # None: constant
    output_slot: int = 0
    input_values: list[Any] = field(default_factory=list, repr=False)  # single numbers only
    output_value: Any = field(default=None, repr=False)

    def as_row(self) -> dict:
        return {
            "phase": "forward",
            "step": self.index,
            "op": self.op,
            "module": self.module,
            "formula": self.formula,
            "input_shapes": [s.shape if isinstance(s, Stats) else () for s in self.inputs],
            "output_shape": self.output.shape,
            "dtype": self.output.dtype,
            "mean": self.output.mean,
            "std": self.output.std,
            "min": self.output.min,
            "max": self.output.max,
            "zeros": self.output.zeros,
            "nans": self.output.nans,
            "infs": self.output.infs,
        }


@dataclass
class BackwardRecord:
    """One backward rule applied: the upstream gradient in, a gradient per input out."""

    index: int
    op: str
    rules: list[str]
    module: str
    upstream: Stats
    grads: list[Stats | None]
    forward: ForwardRecord | None = field(default=None, repr=False)
    upstream_value: Any = field(default=None, repr=False)  # kept for single numbers only
    grad_values: list[Any] = field(default_factory=list, repr=False)

    def as_row(self) -> dict:
        return {
            "phase": "backward",
            "step": self.index,
            "op": self.op,
            "module": self.module,
            "formula": "; ".join(self.rules),
            "input_shapes": [g.shape if g is not None else None for g in self.grads],
            "output_shape": self.upstream.shape,
            "dtype": self.upstream.dtype,
            "mean": self.upstream.mean,
            "std": self.upstream.std,
            "min": self.upstream.min,
            "max": self.upstream.max,
            "zeros": self.upstream.zeros,
            "nans": self.upstream.nans,
            "infs": self.upstream.infs,
        }


def _module_label() -> str:
    stack = call_stack()
    if not stack:
        return ""
    path, module = stack[-1]
    name = type(module).__name__
    return f"{path} ({name})" if path else name


def _scalar(value: Any) -> Any:
    array = value.array if isinstance(value, Tensor) else value
    try:
        return float(array) if getattr(array, "size", 1) == 1 else None
    except (TypeError, ValueError):
        return None


class Trace:
    """The record of one traced block: ``forward`` and ``backward`` lists of records.

    Use it as a context manager (``with glassnet.trace() as t``). Records keep statistics,
    never the arrays themselves, so a trace of a large model stays small; single numbers are
    kept as numbers so that small expressions can be explained with their values.
    """

    def __init__(self) -> None:
        self.forward: list[ForwardRecord] = []
        self.backward: list[BackwardRecord] = []
        self._by_node: dict[int, ForwardRecord] = {}
        # Every tensor the trace sees gets a slot number; names[slot] is the user's variable
        # name for it, if it had one when the block ended (see _remember_names).
        self._slots: dict[int, tuple[Any, int]] = {}  # id(tensor) -> (weakref, slot)
        self.names: list[str | None] = []
        self._frame: Any = None
        self._active = False

    # -- recording ---------------------------------------------------------------------------
    def _slot_of(self, tensor: Tensor) -> int:
        known = self._slots.get(id(tensor))
        if known is not None and known[0]() is tensor:
            return known[1]
        slot = len(self.names)
        self.names.append(None)
        self._slots[id(tensor)] = (weakref.ref(tensor), slot)
        return slot

    def _on_op(self, op: Any, inputs: tuple, out: Tensor) -> None:
        if autograd._in_backward:
            return  # an op inside a backward rule: its BackwardRecord stands for it
        formula, _ = split_formula(op)
        record = ForwardRecord(
            index=len(self.forward) + 1,
            op=op.name,
            formula=formula,
            module=_module_label(),
            inputs=[describe(x) if isinstance(x, Tensor) else x for x in inputs],
            output=describe(out),
            node=out.grad_fn if out.grad_fn is op else None,
            input_slots=[self._slot_of(x) if isinstance(x, Tensor) else None for x in inputs],
            output_slot=self._slot_of(out),
            input_values=[_scalar(x) for x in inputs],
            output_value=_scalar(out),
        )
        self.forward.append(record)
        if record.node is not None:
            self._by_node[id(op)] = record

    def _on_backward(self, op: Any, g: Tensor, input_grads: tuple) -> None:
        _, rules = split_formula(op)
        forward = self._by_node.get(id(op))
        grads = [describe(gx) if isinstance(gx, Tensor) else None for gx in input_grads]
        self.backward.append(
            BackwardRecord(
                index=len(self.backward) + 1,
                op=op.name,
                rules=rules,
                module=forward.module if forward else "",
                upstream=describe(g),
                grads=grads,
                forward=forward,
                upstream_value=_scalar(g),
                grad_values=[_scalar(gx) if isinstance(gx, Tensor) else None for gx in input_grads],
            )
        )

    def __enter__(self) -> Trace:
        if self._active:
            raise RuntimeError("this trace is already recording; start a new glassnet.trace()")
        self._frame = sys._getframe(1)
        autograd._op_hooks.append(self._on_op)
        autograd._backward_hooks.append(self._on_backward)
        self._active = True
        return self

    def __exit__(self, *exc: object) -> None:
        autograd._op_hooks.remove(self._on_op)
        autograd._backward_hooks.remove(self._on_backward)
        self._active = False
        self._remember_names(self._frame)
        self._frame = None

    # -- names for the account ---------------------------------------------------------------
    def _remember_names(self, frame: Any) -> None:
        """Learn the variable names the user gave to tensors (``x``, ``y``), for explain()."""
        if frame is None:
            return
        for name, value in frame.f_locals.items():
            if isinstance(value, Tensor) and not name.startswith("_"):
                known = self._slots.get(id(value))
                if known is not None and known[0]() is value and self.names[known[1]] is None:
                    self.names[known[1]] = name
        self._slots.clear()  # the weak references are no longer needed

    # -- views -------------------------------------------------------------------------------
    def table(self) -> list[dict]:
        """Every record as a dict (forward first, then backward), for a notebook or pandas."""
        return [r.as_row() for r in self.forward] + [r.as_row() for r in self.backward]

    def text(self, limit: int | None = None, by_module: bool = False) -> str:
        """The step-by-step account as text (what ``explain`` prints)."""
        from .explain import explain_trace

        return explain_trace(self, limit=limit, by_module=by_module)

    def explain(self, limit: int | None = None, by_module: bool = False, file: Any = None) -> None:
        """Print the step-by-step account: forward in order, then backward in order.

        Args:
            limit: show at most this many steps of each pass (the rest are counted).
            by_module: one line per module instead of one per op (for large models).
            file: where to print (default: standard output).
        """
        print(self.text(limit=limit, by_module=by_module), file=file or sys.stdout)

    def __repr__(self) -> str:
        return f"<Trace: {len(self.forward)} forward ops, {len(self.backward)} backward steps>"


def trace(input: Any = None) -> Any:  # noqa: A002 - PyTorch's argument name
    """Record the ops of the forward and backward passes run inside a ``with`` block.

    Given a 2-D tensor, ``trace(A)`` is PyTorch's ``torch.trace`` instead: the sum of A's
    diagonal (``A.trace()``), so that scripts calling it under ``glassnet run`` work.

    Example::

        >>> x = glassnet.tensor(3.0, requires_grad=True)
        >>> with glassnet.trace() as t:
        ...     y = x**2
        ...     y.backward()
        >>> t.explain()
        Forward:
          y = x**2 = 9
        Backward:
          dy/dx = 2x = 6
          x.grad = 6 * 1 = 6
    """
    if input is not None:
        return autograd.as_tensor(input).trace()
    return Trace()
