"""to_dot / render: draw the computation graph as Graphviz DOT text, and as SVG or PNG.

Each node is an op (its name, output shape and dtype, and a summary of its values) or a tensor
the user made (its variable name if the trace knows it, its shape, and its gradient once
``backward`` has run). Edges point the way data flows, from inputs to the op that used them.
DOT text needs nothing installed; turning it into a picture needs Graphviz's ``dot`` program.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from typing import Any

from ..atomic import atomic_write
from ..tensor import Tensor
from .stats import describe, shape_text
from .trace import Trace

__all__ = ["Graph", "render", "to_dot"]

_OP_STYLE = 'shape=box, style="rounded,filled", fillcolor="#dbe9f6"'
_LEAF_STYLE = 'shape=ellipse, style=filled, fillcolor="#fdf2d0"'
_CONST_STYLE = 'shape=plaintext, fontcolor="#666666"'


class Graph(str):
    """DOT text (a ``str``) that can also ``render(path)`` itself."""

    def render(self, path: str | os.PathLike[str]) -> str:
        return render(self, path)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _summary(value: Any) -> str:
    stats = describe(value)
    return f"{shape_text(stats.shape)} {stats.dtype}\n{stats.brief()}"


def _from_trace(trace: Trace) -> list[str]:
    lines: list[str] = []
    producer: dict[int, str] = {}  # slot -> op node id
    grads: dict[int, Any] = {}  # id(forward record) -> gradient stats of its inputs
    for back in trace.backward:
        if back.forward is not None:
            grads[id(back.forward)] = (back.upstream, back.grads)
    leaves_drawn: set[int] = set()
    for record in trace.forward:
        node = f"op{record.index}"
        label = f"{record.op}\n{shape_text(record.output.shape)} {record.output.dtype}"
        label += f"\n{record.output.brief()}"
        if record.module:
            label = f"{record.module}\n" + label
        if id(record) in grads:
            label += f"\ngrad in: {grads[id(record)][0].brief()}"
        lines.append(f"  {node} [{_OP_STYLE}, label={_quote(label)}];")
        for k, (slot, stats) in enumerate(zip(record.input_slots, record.inputs)):
            if slot is None:
                const = f"c{record.index}_{k}"
                lines.append(f"  {const} [{_CONST_STYLE}, label={_quote(str(stats))}];")
                lines.append(f"  {const} -> {node};")
                continue
            if slot in producer:
                lines.append(f"  {producer[slot]} -> {node};")
                continue
            leaf = f"t{slot}"
            if slot not in leaves_drawn:
                leaves_drawn.add(slot)
                name = trace.names[slot] if slot < len(trace.names) and trace.names[slot] else ""
                label = (name + "\n" if name else "") + f"{shape_text(stats.shape)} {stats.dtype}"
                label += f"\n{stats.brief()}"
                if id(record) in grads:
                    grad = grads[id(record)][1][k]
                    if grad is not None:
                        label += f"\ngrad: {grad.brief()}"
                lines.append(f"  {leaf} [{_LEAF_STYLE}, label={_quote(label)}];")
            lines.append(f"  {leaf} -> {node};")
        producer[record.output_slot] = node
    return lines


def _from_tensor(root: Tensor) -> list[str]:
    from ..autograd import _FREED, Op

    if root.grad_fn is None:
        label = f"tensor\n{_summary(root)}"
        return [f"  t0 [{_LEAF_STYLE}, label={_quote(label)}];"]
    lines: list[str] = []
    ids: dict[int, str] = {}  # id(op node) -> its DOT name
    leaves: dict[int, str] = {}  # id(tensor) -> its DOT name
    fresh = itertools.count()  # numbers for leaf and constant nodes
    stack: list[Op] = [root.grad_fn]
    out_node = "out"
    lines.append(
        f"  {out_node} [{_LEAF_STYLE}, label={_quote('output' + chr(10) + _summary(root))}];"
    )
    ids[id(root.grad_fn)] = "op0"
    lines.append(f"  op0 -> {out_node};")
    while stack:
        node = stack.pop()
        name = ids[id(node)]
        label = node.name
        if node.out_data is not None:
            label += "\n" + _summary(node.out_data)
        lines.append(f"  {name} [{_OP_STYLE}, label={_quote(label)}];")
        if node.parents is _FREED:
            lines.append(
                f'  {name}_freed [shape=note, label="inputs freed by backward();\\n'
                f'pass retain_graph=True to keep them"];'
            )
            lines.append(f"  {name}_freed -> {name};")
            continue
        for x, parent in zip(node.inputs, node.parents):
            if isinstance(parent, Op):
                if id(parent) not in ids:
                    ids[id(parent)] = f"op{len(ids)}"
                    stack.append(parent)
                lines.append(f"  {ids[id(parent)]} -> {name};")
            elif isinstance(x, Tensor):
                leaf = leaves.get(id(x))
                if leaf is None:  # draw each tensor once, however often it is used
                    leaf = leaves[id(x)] = f"leaf{next(fresh)}"
                    label = _summary(x)
                    if parent is not None and x.grad is not None:
                        label += f"\ngrad: {describe(x.grad).brief()}"
                    style = _LEAF_STYLE if parent is not None else _CONST_STYLE
                    lines.append(f"  {leaf} [{style}, label={_quote(label)}];")
                lines.append(f"  {leaf} -> {name};")
            else:
                const = f"c{next(fresh)}"
                lines.append(f"  {const} [{_CONST_STYLE}, label={_quote(repr(x))}];")
                lines.append(f"  {const} -> {name};")
    return lines


def to_dot(source: Tensor | Trace, title: str | None = None) -> Graph:
    """Graphviz DOT text for a computation: from a Tensor's graph or from a Trace.

    Args:
        source: a Tensor that ``grad_fn`` links to its inputs (call before ``backward``, or
            with ``retain_graph=True``: backward frees the graph), or a Trace, which keeps
            statistics of every op and gradient and can be drawn at any time.
        title: a label drawn above the graph.

    Returns:
        The DOT text, as a ``Graph`` (a str with a ``render(path)`` method).
    """
    if isinstance(source, Trace):
        body = _from_trace(source)
    elif isinstance(source, Tensor):
        body = _from_tensor(source)
    else:
        raise TypeError(f"to_dot expects a glassnet Tensor or a Trace, got {type(source).__name__}")
    head = ["digraph glassnet {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    if title:
        head.append(f"  label={_quote(title)}; labelloc=t;")
    return Graph("\n".join([*head, *body, "}"]) + "\n")


def render(dot: str, path: str | os.PathLike[str]) -> str:
    """Draw DOT text into ``path`` (.svg, .png or .pdf) with Graphviz; returns the path.

    Raises RuntimeError with one line saying how to install Graphviz when ``dot`` is missing.
    The file is written all at once (a failed drawing leaves no half-written file).
    """
    path = os.fspath(path)
    fmt = os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"render: the file name must end in .svg, .png or .pdf, got {path!r}")
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError(
            "drawing a graph needs Graphviz's `dot` program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "to_dot() gives the DOT text without it"
        )
    done = subprocess.run(
        [program, f"-T{fmt}"], input=str(dot).encode(), capture_output=True, timeout=120
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"Graphviz could not draw the graph: {message[0] if message else '?'}")
    with atomic_write(path, "wb") as f:
        f.write(done.stdout)
    return path
