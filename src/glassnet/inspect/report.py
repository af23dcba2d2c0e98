"""A training report as one self-contained HTML file: opens offline, asks the network for nothing.

Sections: configuration, data, model summary, learning curves, confusion matrix, per-layer
statistics (parameters and activations on test data), misclassified examples, the hints of
the Diagnostics callback, and the ``why`` account of one test prediction. Pictures are PNGs
embedded as data URIs; there is no script, stylesheet or font fetched from anywhere.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..atomic import atomic_write
from ..metrics import confusion_matrix
from ..tensor import Tensor, as_tensor
from ..train.evaluation import predict
from . import plots
from .activations import activations, eval_mode
from .stats import describe, shape_text
from .why import why

__all__ = ["build_report", "write_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #f3f5f7; } td:first-child, th:first-child { text-align: left; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
img { max-width: 100%; } .note { color: #666; font-size: 0.85rem; }
section { margin-bottom: 2rem; }
"""


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{data}">'


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _section(key: str, title: str, content: str) -> str:
    return f'<section id="{key}"><h2>{html.escape(title)}</h2>{content}</section>'


def _figure_or_note(make: Any) -> str:
    try:
        return _png(make())
    except ImportError as error:
        return f'<p class="note">{html.escape(str(error))}</p>'


def _array(x: Any) -> np.ndarray:
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def build_report(
    *,
    model: Any,
    history: Any = None,
    config: dict | None = None,
    data_summary: dict | None = None,
    X_test: Any = None,
    y_test: Any = None,
    class_names: Sequence[str] | None = None,
    image_shape: tuple | None = None,
    hints: Sequence[Any] | None = None,
    title: str = "glassnet training report",
    sample: int = 0,
) -> str:
    """The report as an HTML string (see the module docstring for what it holds).

    Args:
        model: the trained Module.
        history: what ``fit`` returned (its ``.history`` dict is plotted).
        config, data_summary: dicts shown as tables (e.g. a run's config.json and its data).
        X_test, y_test: test data; with labels, the confusion matrix, the mistakes and the
            explanation of test sample ``sample`` are included.
        class_names: names of the classes; image_shape: how to show one input as an image.
        hints: the Diagnostics hints (``history.hints`` by default).
    """
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if config:
        rows = [(k, json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in config.items()]
        parts.append(_section("configuration", "Configuration", _table(rows, ["setting", "value"])))
    if data_summary:
        rows = list(data_summary.items())
        parts.append(_section("data", "Data", _table(rows, ["", "value"])))
    if hasattr(model, "summary"):
        shape = None if X_test is None else (1, *_array(X_test).shape[1:])
        summary = model.summary(shape, print_fn=None)
    else:
        summary = repr(model)
    parts.append(_section("model", "Model", f"<pre>{html.escape(str(summary))}</pre>"))
    if history is not None and getattr(history, "history", None):
        curves = _figure_or_note(lambda: plots.plot_history(history))
        parts.append(_section("curves", "Learning curves", curves))
    watched = hints is not None or hasattr(history, "hints")
    hints = list(hints if hints is not None else getattr(history, "hints", []) or [])
    if hints:
        items = "".join(f"<li>epoch {h['epoch']}: {html.escape(h['message'])}</li>" for h in hints)
        content = f"<ul>{items}</ul>"
    elif watched:
        content = "<p>Nothing unusual.</p>"
    else:
        content = '<p class="note">The Diagnostics callback did not watch this run.</p>'
    parts.append(_section("hints", "What the diagnostics noticed", content))
    rows = []
    for name, p in model.named_parameters():
        s = describe(p)
        grad = describe(p.grad).brief() if p.grad is not None else ""
        rows.append((name, shape_text(s.shape), f"{s.mean:.4g}", f"{s.std:.4g}", f"{s.min:.4g}",
                     f"{s.max:.4g}", grad))  # fmt: skip
    layer_html = _table(rows, ["parameter", "shape", "mean", "std", "min", "max", "last gradient"])
    if X_test is not None:
        batch = as_tensor(_array(X_test)[:256])
        with eval_mode(model):
            acts = activations(model, batch)
        act_rows = []
        for path, out in acts.items():
            if isinstance(out, Tensor):
                s = describe(out)
                act_rows.append((path, shape_text(s.shape), f"{s.mean:.4g}", f"{s.std:.4g}",
                                 f"{s.zeros:.0%}"))  # fmt: skip
        layer_html += "<h3>Activations on test data</h3>" + _table(
            act_rows, ["layer", "shape", "mean", "std", "zeros"]
        )
    parts.append(_section("layers", "Per-layer statistics", layer_html))
    if X_test is not None and y_test is not None:
        X, y = _array(X_test), _array(y_test).astype(int)
        logits = predict(model, X).numpy()  # in batches, eval mode, no gradients
        predicted = logits.argmax(axis=1)
        matrix = confusion_matrix(logits, y)
        accuracy = float((predicted == y).mean())
        parts.append(
            _section(
                "confusion",
                "Confusion matrix",
                f"<p>Test accuracy {accuracy:.2%} on {len(y)} examples.</p>"
                + _figure_or_note(lambda: plots.plot_confusion_matrix(matrix, class_names)),
            )  # fmt: skip
        )
        wrong = int((predicted != y).sum())
        if X.ndim >= 2 and (image_shape is not None or X.ndim >= 3):
            content = _figure_or_note(
                lambda: plots.plot_misclassified(X, y, predicted, class_names, image_shape)
            )
        else:
            rows = [
                (int(i), int(y[i]), int(predicted[i])) for i in np.flatnonzero(predicted != y)[:20]
            ]
            content = _table(rows, ["example", "true", "predicted"]) if rows else ""
        parts.append(
            _section(
                "mistakes", "Misclassified examples", f"<p>{wrong} of {len(y)} wrong.</p>" + content
            )
        )
        k = min(max(sample, 0), len(X) - 1)
        account = why(
            model, X[k], label=int(y[k]), class_names=list(class_names) if class_names else None
        )
        parts.append(
            _section(
                "explanation",
                f"How test example {k} was classified",
                f"<pre>{html.escape(str(account))}</pre>",
            )
        )
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def write_report(path: str | os.PathLike[str], **kwargs: Any) -> str:
    """Write ``build_report(**kwargs)`` to ``path`` all at once; returns the path."""
    text = build_report(**kwargs)
    path = os.fspath(path)
    with atomic_write(path, "w") as f:
        f.write(text)
    return path
