"""explain: turn a Trace into a step-by-step account a learner can read.

Two forms. When every value in the trace is a single number (``y = x**2`` at ``x = 3``) the
account shows the chain rule with the numbers::

    Forward:
      y = x**2 = 9
    Backward:
      dy/dx = 2x = 6
      x.grad = 6 * 1 = 6

Each backward line multiplies the *local* derivative of one op (``dy/dx = 2x``, evaluated at
the recorded input) by the *upstream* gradient that reached the op's output (1 for the final
output), which is exactly the chain rule. Otherwise (arrays) every op is one entry with its
module path, formula, and the statistics of what went in and came out.
"""

from __future__ import annotations

from typing import Any

from ..data.csv import is_number
from .stats import Stats, format_number, shape_text
from .trace import BackwardRecord, ForwardRecord, Trace

__all__ = ["explain_trace", "local_derivative_text"]

# How each op reads as an expression of its inputs' names.
_EXPRESSIONS = {
    "Add": "{0} + {1}",
    "Sub": "{0} - {1}",
    "Mul": "{0} * {1}",
    "Div": "{0} / {1}",
    "Pow": "{0}**{1}",
    "Neg": "-{0}",
    "Exp": "exp({0})",
    "Log": "log({0})",
    "Sqrt": "sqrt({0})",
    "Abs": "|{0}|",
    "Sin": "sin({0})",
    "Cos": "cos({0})",
    "Tanh": "tanh({0})",
    "Sigmoid": "sigmoid({0})",
    "ReLU": "relu({0})",
    "Sum": "sum({0})",
    "Mean": "mean({0})",
}


def _times(number: str, name: str) -> str:
    """2 and x read as 2x; 2 and t1 as 2*t1 (a juxtaposed multi-letter name is unclear)."""
    return f"{number}{name}" if len(name) == 1 and name.isalpha() else f"{number}*{name}"


def local_derivative_text(op: str, names: list[str], which: int, rule: str | None) -> str:
    """The derivative of one op's output with respect to input ``which``, as a formula.

    ``names`` are the inputs as they read (variable names, or numbers for constants).
    Falls back to the op's docstring rule with the upstream factor ``g`` removed.
    """
    a = names[0]
    b = names[1] if len(names) > 1 else ""
    constant_b = is_number(b)
    if op == "Add":
        return "1"
    if op == "Sub":
        return "1" if which == 0 else "-1"
    if op == "Mul":
        return b if which == 0 else a
    if op == "Div":
        return f"1/{b}" if which == 0 else f"-{a}/{b}**2"
    if op == "Pow":
        if which == 0 and constant_b:
            n = float(b)
            if n == 2:
                return _times("2", a)
            lower = format_number(n - 1)
            return f"{_times(b, a)}**{lower}" if lower != "1" else _times(b, a)
        return f"{b}*{a}**({b} - 1)" if which == 0 else f"{a}**{b} * log({a})"
    simple = {
        "Neg": "-1",
        "Exp": f"exp({a})",
        "Log": f"1/{a}",
        "Sqrt": f"1/(2*sqrt({a}))",
        "Sin": f"cos({a})",
        "Cos": f"-sin({a})",
        "Tanh": f"1 - tanh({a})**2",
        "Sigmoid": f"sigmoid({a}) * (1 - sigmoid({a}))",
        "ReLU": f"(1 if {a} > 0 else 0)",
        "Abs": f"sign({a})",
        "Sum": "1",
        "Mean": "1",
    }
    if op in simple:
        return simple[op]
    if rule:
        right = rule.partition("=")[2].strip()
        for prefix in ("g * ", "-g * "):
            if right.startswith(prefix):
                return ("-" if prefix.startswith("-") else "") + right[len(prefix) :]
        return f"({right}) / g"
    return "?"


class _Namer:
    """Names for the tensors of a trace: the user's variable names, else t1, t2, ..."""

    def __init__(self, trace: Trace) -> None:
        self.given = trace.names
        self.made: dict[int, str] = {}

    def name(self, slot: int) -> str:
        if slot < len(self.given) and self.given[slot]:
            return self.given[slot]
        if slot not in self.made:
            self.made[slot] = f"t{len(self.made) + 1}"
        return self.made[slot]

    def input_names(self, record: ForwardRecord) -> list[str]:
        names = []
        for slot, value, stats in zip(record.input_slots, record.input_values, record.inputs):
            if slot is None:  # a constant
                names.append(format_number(float(value)) if value is not None else repr(stats))
            else:
                names.append(self.name(slot))
        return names


def _all_single_numbers(trace: Trace) -> bool:
    if not trace.forward:
        return False
    for record in trace.forward:
        if record.output_value is None:
            return False
        pairs = zip(record.input_slots, record.input_values)
        if any(slot is not None and value is None for slot, value in pairs):
            return False
    return all(b.upstream_value is not None for b in trace.backward)


def _scalar_account(trace: Trace, limit: int | None) -> str:
    namer = _Namer(trace)
    lines = ["Forward:"]
    # Name the leaves first, in the order they appear, so the user's names win.
    shown = trace.forward if limit is None else trace.forward[:limit]
    for record in shown:
        names = namer.input_names(record)
        out = namer.name(record.output_slot)
        pattern = _EXPRESSIONS.get(record.op)
        expression = (
            pattern.format(*names)
            if pattern and len(names) >= pattern.count("{")
            else f"{record.op.lower()}({', '.join(names)})"
        )
        lines.append(f"  {out} = {expression} = {format_number(record.output_value)}")
    if limit is not None and len(trace.forward) > limit:
        lines.append(f"  ... and {len(trace.forward) - limit} more ops")
    if not trace.backward:
        return "\n".join(lines)
    lines.append("Backward:")
    totals: dict[str, float] = {}
    steps = trace.backward if limit is None else trace.backward[:limit]
    for record in steps:
        forward = record.forward
        if forward is None:
            continue
        names = namer.input_names(forward)
        out = namer.name(forward.output_slot)
        upstream = record.upstream_value
        for which, (slot, contribution) in enumerate(zip(forward.input_slots, record.grad_values)):
            if slot is None or contribution is None:
                continue
            name = names[which]
            rule = record.rules[which] if which < len(record.rules) else None
            symbolic = local_derivative_text(record.op, names, which, rule)
            local = contribution / upstream if upstream else None
            head = f"  d{out}/d{name} = {symbolic}"
            if local is not None and symbolic != format_number(local):
                head += f" = {format_number(local)}"
            lines.append(head)
            factor = format_number(local) if local is not None else f"d{out}/d{name}"
            line = f"  {name}.grad {'+=' if name in totals else '='} {factor} * "
            line += f"{format_number(upstream)} = {format_number(contribution)}"
            if name in totals:  # a second path to the same tensor: the gradients add up
                line += f", in all {format_number(totals[name] + contribution)}"
            totals[name] = totals.get(name, 0.0) + contribution
            lines.append(line)
    if limit is not None and len(trace.backward) > limit:
        lines.append(f"  ... and {len(trace.backward) - limit} more steps")
    return "\n".join(lines)


def _stats_line(label: str, stats: Stats | Any) -> str:
    if not isinstance(stats, Stats):
        return f"{label}: the number {stats}"
    return f"{label} {shape_text(stats.shape)} {stats.dtype}: {stats.brief()}"


def _where(record: ForwardRecord | BackwardRecord) -> str:
    return f" in {record.module}" if record.module else ""


def _array_account(trace: Trace, limit: int | None) -> str:
    lines = [f"Forward ({len(trace.forward)} ops, in order):"]
    for record in trace.forward if limit is None else trace.forward[:limit]:
        lines.append(f"  {record.index}. {record.op}{_where(record)}:  {record.formula}")
        for k, stats in enumerate(record.inputs):
            lines.append("       " + _stats_line(f"input {k + 1}", stats))
        lines.append("       " + _stats_line("output", record.output))
    if limit is not None and len(trace.forward) > limit:
        lines.append(f"  ... and {len(trace.forward) - limit} more ops")
    if trace.backward:
        lines.append(f"Backward ({len(trace.backward)} steps, from the output back):")
        for record in trace.backward if limit is None else trace.backward[:limit]:
            rules = ",  ".join(record.rules) or "(no rule in its docstring)"
            lines.append(f"  {record.index}. {record.op}{_where(record)}:  {rules}")
            lines.append("       " + _stats_line("upstream gradient g", record.upstream))
            for k, stats in enumerate(record.grads):
                if stats is not None:
                    lines.append("       " + _stats_line(f"gradient for input {k + 1}", stats))
        if limit is not None and len(trace.backward) > limit:
            lines.append(f"  ... and {len(trace.backward) - limit} more steps")
    return "\n".join(lines)


def _group(records: list) -> list[tuple[str, list]]:
    groups: list[tuple[str, list]] = []
    for record in records:
        key = record.module or "(outside any module)"
        if groups and groups[-1][0] == key:
            groups[-1][1].append(record)
        else:
            groups.append((key, [record]))
    return groups


def _module_account(trace: Trace, limit: int | None) -> str:
    lines = ["Forward, by module:"]
    groups = _group(trace.forward)
    for module, records in groups if limit is None else groups[:limit]:
        ops = ", ".join(dict.fromkeys(r.op for r in records))
        last = records[-1].output
        lines.append(f"  {module}: {len(records)} op(s) ({ops})")
        lines.append("       " + _stats_line("output", last))
    if limit is not None and len(groups) > limit:
        lines.append(f"  ... and {len(groups) - limit} more modules")
    if trace.backward:
        lines.append("Backward, by module:")
        back = _group(trace.backward)
        for module, records in back if limit is None else back[:limit]:
            ops = ", ".join(dict.fromkeys(r.op for r in records))
            lines.append(f"  {module}: {len(records)} step(s) ({ops})")
            lines.append("       " + _stats_line("gradient in", records[0].upstream))
        if limit is not None and len(back) > limit:
            lines.append(f"  ... and {len(back) - limit} more modules")
    return "\n".join(lines)


def explain_trace(trace: Trace, limit: int | None = None, by_module: bool = False) -> str:
    """The account of a trace as text (see the module docstring for its two forms)."""
    if limit is not None and limit < 1:
        raise ValueError(f"explain: limit must be a positive number of steps, got {limit}")
    if not trace.forward and not trace.backward:
        return "The trace is empty: no glassnet operation ran inside the `with` block."
    if by_module:
        return _module_account(trace, limit)
    if _all_single_numbers(trace):
        return _scalar_account(trace, limit)
    return _array_account(trace, limit)
