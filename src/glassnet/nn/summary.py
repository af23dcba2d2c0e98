"""Model summary: a Keras-style table of a model's layers, their output shapes and parameter counts.

``model.summary((1, 784))`` runs one forward pass under ``no_grad`` (in evaluation mode, with
every mode restored afterwards), records the output shape of each layer through forward
hooks, and prints::

    Model: Net
    ---------------------------------------------
    Layer (type)          Output shape    Param #
    =============================================
    encoder.0 (Linear)    (1, 128)        100,480
    ...
    =============================================
    Total params: 101,770
    Trainable params: 101,770
    Non-trainable params: 0

A row is made for every leaf module (one without children) and every module that holds
parameters of its own, in the order they ran; a module called twice gets two rows. The
parameter count of a row is that module's own parameters not already counted in an earlier
row, so shared weights are counted once and the rows add up to the total. Modules that hold
parameters but did not run are listed at the end as "not called".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import no_grad, wrap
from ..dtypes import float32, to_dtype
from ..tensor import Tensor

if TYPE_CHECKING:  # annotations only: Module.summary imports this file when called
    from .module import Module

__all__ = ["ModelSummary", "SummaryRow", "summarize"]


@dataclass
class SummaryRow:
    """One line of the table: where the layer is, what it is, what it produced, what it owns."""

    name: str
    type: str
    output_shape: Any  # a shape tuple, a list of them, a description, or None (not run)
    num_params: int


@dataclass
class ModelSummary:
    """The result of ``Module.summary``: ``str(summary)`` is the table; the numbers are fields."""

    model_name: str
    rows: list[SummaryRow] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    table: str = ""

    def __str__(self) -> str:
        return self.table

    def __repr__(self) -> str:
        return (
            f"ModelSummary({self.model_name}: total_params={self.total_params:,}, "
            f"trainable_params={self.trainable_params:,}, "
            f"non_trainable_params={self.non_trainable_params:,})"
        )


def _make_inputs(input: Any, dtype: Any) -> tuple:
    """Turn what the user gave (shape(s) or tensor(s)) into the positional arguments of forward."""
    dtype = float32 if dtype is None else to_dtype(dtype)

    def is_shape(x: Any) -> bool:
        return isinstance(x, (tuple, list)) and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in x
        )

    def from_shape(shape: Any) -> Tensor:
        shape = tuple(int(n) for n in shape)
        if any(n < 0 for n in shape):
            raise ValueError(f"summary: input shape must have non-negative sizes, got {shape}")
        if dtype.kind == "f":
            # A private generator: making a summary must not move the global random state.
            data = np.random.default_rng(0).standard_normal(shape).astype(dtype)
        else:
            data = np.zeros(shape, dtype=dtype)
        return wrap(data)

    if isinstance(input, Tensor):
        return (input,)
    if isinstance(input, np.ndarray):
        return (wrap(input),)
    if is_shape(input) and len(input) > 0:
        return (from_shape(input),)
    if isinstance(input, (tuple, list)) and input:
        args = []
        for item in input:
            if isinstance(item, Tensor):
                args.append(item)
            elif isinstance(item, np.ndarray):
                args.append(wrap(item))
            elif is_shape(item):
                args.append(from_shape(item))
            else:
                raise TypeError(
                    "summary: each input must be a shape tuple or a Tensor, got "
                    f"{type(item).__name__}"
                )
        return tuple(args)
    raise TypeError(
        "summary: expected an input shape such as (1, 784), a list of shapes, a Tensor or a "
        f"tuple of Tensors, got {input!r}"
    )


def _shape_of(output: Any) -> Any:
    if isinstance(output, Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return [_shape_of(o) for o in output]
    if isinstance(output, dict):
        return {k: _shape_of(v) for k, v in output.items()}
    return type(output).__name__


def _format_shape(shape: Any) -> str:
    if shape is None:
        return "-"
    if isinstance(shape, tuple):
        return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    if isinstance(shape, list):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {_format_shape(v)}" for k, v in shape.items()) + "}"
    return str(shape)


def summarize(
    model: Module, input: Any = None, *, dtype: Any = None, print_fn: Callable | None = print
) -> ModelSummary:
    """Build (and print with ``print_fn``) the summary of ``model``; see ``Module.summary``."""
    names: dict[int, str] = {}
    for name, m in model.named_modules():
        names.setdefault(id(m), name)
    watched = [
        (name, m)
        for name, m in model.named_modules()
        if not m._modules or any(p is not None for p in m._parameters.values())
    ]
    counted: set[int] = set()
    rows: list[SummaryRow] = []

    def own_new_params(m: Module) -> int:
        n = 0
        for p in m._parameters.values():
            if p is not None and id(p) not in counted:
                counted.add(id(p))
                n += p.array.size
        return n

    def add_row(m: Module, output_shape: Any) -> None:
        name = names.get(id(m), "")
        rows.append(SummaryRow(name, type(m).__name__, output_shape, own_new_params(m)))

    called: set[int] = set()
    if input is not None:
        args = _make_inputs(input, dtype)

        def hook(m: Module, inputs: tuple, output: Any) -> None:
            called.add(id(m))
            add_row(m, _shape_of(output))

        handles = [m.register_forward_hook(hook) for _, m in watched]
        modes = [(m, m.training) for m in model.modules()]
        try:
            model.eval()
            with no_grad():
                model(*args)
        finally:
            for handle in handles:
                handle.remove()
            for m, mode in modes:
                object.__setattr__(m, "training", mode)
    for _, m in watched:
        if id(m) in called:
            continue
        has_params = any(p is not None for p in m._parameters.values())
        if input is None or has_params:
            add_row(m, None if input is None else "not called")

    unique = list(model.parameters())
    total = sum(p.array.size for p in unique)
    trainable = sum(p.array.size for p in unique if p.requires_grad)
    summary = ModelSummary(
        model_name=type(model).__name__,
        rows=rows,
        total_params=total,
        trainable_params=trainable,
        non_trainable_params=total - trainable,
    )
    summary.table = _render(summary)
    if print_fn is not None:
        print_fn(summary.table)
    return summary


def _render(summary: ModelSummary) -> str:
    header = ("Layer (type)", "Output shape", "Param #")
    body = [
        (
            f"{r.name} ({r.type})" if r.name else f"({r.type})",
            _format_shape(r.output_shape),
            f"{r.num_params:,}",
        )
        for r in summary.rows
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(3)]
    gap = "   "

    def line(cells: tuple) -> str:
        return (
            cells[0].ljust(widths[0])
            + gap
            + cells[1].ljust(widths[1])
            + gap
            + cells[2].rjust(widths[2])
        )

    width = sum(widths) + 2 * len(gap)
    footer = [
        f"Total params: {summary.total_params:,}",
        f"Trainable params: {summary.trainable_params:,}",
        f"Non-trainable params: {summary.non_trainable_params:,}",
    ]
    width = max(width, *(len(f) for f in footer))
    out = [f"Model: {summary.model_name}", "-" * width, line(header), "=" * width]
    out += [line(row) for row in body] or ["(no layers)"]
    out += ["=" * width, *footer]
    return "\n".join(out)
