"""Plots of how a model learns and what it gets wrong (matplotlib, the optional extra ``plot``).

Every function returns a matplotlib Figure and, given ``path``, also writes it there all at once
(PNG, SVG or PDF by the file's suffix; an animated GIF for ``animate_decision_boundary``). They
use matplotlib's object interface, never pyplot, so nothing opens a window or keeps global
state. Without matplotlib each one raises ImportError saying how to install it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..atomic import atomic_write
from ..autograd import no_grad
from ..tensor import Tensor, as_tensor

__all__ = [
    "animate_decision_boundary",
    "decision_boundary_grid",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_first_layer_weights",
    "plot_history",
    "plot_histograms",
    "plot_misclassified",
]

_INSTALL = "plotting needs matplotlib, which is not installed: pip install 'glassnet[plot]'"


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(_INSTALL) from None
    return Figure(figsize=(width, height), dpi=100)


def _save(fig: Any, path: str | os.PathLike[str] | None) -> Any:
    if path is not None:
        path = os.fspath(path)
        fmt = os.path.splitext(path)[1].lower().lstrip(".") or "png"
        if fmt not in ("png", "svg", "pdf"):
            raise ValueError(f"a plot is saved as .png, .svg or .pdf, got {path!r}")
        with atomic_write(path, "wb") as f:
            fig.savefig(f, format=fmt)
    return fig


def _array(x: Any) -> np.ndarray:
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def plot_history(history: Any, path: str | os.PathLike[str] | None = None) -> Any:
    """Learning curves: one panel per quantity (loss, accuracy, ...), train and validation.

    Args:
        history: what ``fit`` returns (or its ``.history`` dict of lists, one value per epoch).
    """
    logs = history.history if hasattr(history, "history") else dict(history)
    names = [k for k in logs if not k.startswith("val_") and k != "lr"]
    if not names:
        raise ValueError("plot_history: the history holds no quantities to plot")
    fig = _figure(4.2 * len(names), 3.4)
    for k, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), k + 1)
        epochs = np.arange(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], marker="o", ms=3, label=f"train {name}")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], marker="o", ms=3, label=f"validation {name}")
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return _save(fig, path)


def decision_boundary_grid(model: Any, X: Any, steps: int = 150, margin: float = 0.5) -> tuple:
    """The model's class probabilities on a grid covering 2-D data ``X`` (N, 2).

    Returns ``(xs, ys, probabilities)`` with probabilities of shape (steps, steps, classes).
    Runs under no_grad in eval mode; the model's mode is restored.
    """
    X = _array(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"a decision boundary needs 2-D points of shape (N, 2), got {X.shape}")
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs = np.linspace(low[0], high[0], steps)
    ys = np.linspace(low[1], high[1], steps)
    weights = next(iter(model.parameters()), None) if hasattr(model, "parameters") else None
    dtype = weights.dtype if weights is not None else np.float32  # the model's own precision
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(dtype)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            logits = _array(model(as_tensor(grid))).astype(np.float64)
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    if logits.ndim == 1 or logits.shape[1] == 1:  # one logit: a binary classifier
        p1 = 1 / (1 + np.exp(-logits.reshape(-1)))
        probs = np.stack([1 - p1, p1], axis=1)
    else:
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = shifted / shifted.sum(axis=1, keepdims=True)
    return xs, ys, probs.reshape(steps, steps, -1)


def _draw_boundary(
    ax: Any, xs: np.ndarray, ys: np.ndarray, probs: np.ndarray, X: Any, y: Any
) -> None:
    from matplotlib import colormaps

    colours = colormaps["tab10"]
    winner = probs.argmax(axis=-1)
    confidence = probs.max(axis=-1)
    image = colours(winner % 10)
    image[..., 3] = 0.15 + 0.45 * (confidence - confidence.min()) / (np.ptp(confidence) + 1e-12)
    ax.imshow(image, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto")
    if X is not None:
        X, labels = _array(X), _array(y).astype(int)
        ax.scatter(X[:, 0], X[:, 1], c=colours(labels % 10), s=10, edgecolors="k", linewidths=0.3)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])


def plot_decision_boundary(
    model: Any, X: Any, y: Any, path: str | os.PathLike[str] | None = None, steps: int = 150
) -> Any:
    """A 2-D classifier's regions (coloured by class, paler where it is unsure) and the data."""
    xs, ys, probs = decision_boundary_grid(model, X, steps)
    fig = _figure(5, 4.5)
    ax = fig.add_subplot()
    _draw_boundary(ax, xs, ys, probs, X, y)
    ax.set_title("decision boundary")
    fig.tight_layout()
    return _save(fig, path)


def animate_decision_boundary(
    frames: Sequence[tuple[str, tuple]],
    X: Any,
    y: Any,
    path: str | os.PathLike[str],
    seconds_per_frame: float = 0.4,
) -> str:
    """An animated GIF of the decision boundary as training went on.

    Args:
        frames: ``(title, decision_boundary_grid(model, X))`` pairs, e.g. one per epoch.
        X, y: the data points drawn on every frame.
        path: the .gif file to write.
    """
    if not frames:
        raise ValueError("animate_decision_boundary: no frames to draw")
    path = os.fspath(path)
    if not path.lower().endswith(".gif"):
        raise ValueError(f"an animation is saved as .gif, got {path!r}")
    from PIL import Image  # Pillow comes with matplotlib

    images = []
    for title, (xs, ys, probs) in frames:
        fig = _figure(4.5, 4)
        ax = fig.add_subplot()
        _draw_boundary(ax, xs, ys, probs, X, y)
        ax.set_title(title)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        buffer.seek(0)
        images.append(Image.open(buffer).convert("P", palette=Image.Palette.ADAPTIVE))
    with atomic_write(path, "wb") as f:
        images[0].save(f, format="GIF", save_all=True, append_images=images[1:],
                       duration=int(seconds_per_frame * 1000), loop=0)  # fmt: skip
    return path


def plot_histograms(
    snapshots: Sequence[dict[str, np.ndarray]],
    path: str | os.PathLike[str] | None = None,
    title: str = "weights",
    bins: int = 30,
) -> Any:
    """Per-layer histograms over training: one panel per layer, one curve per snapshot.

    Args:
        snapshots: one ``{layer name: values}`` dict per moment (e.g. per epoch), such as the
            ``weight_histograms`` / ``grad_histograms`` a Diagnostics callback keeps, or
            ``{name: p.numpy() for name, p in model.named_parameters()}`` taken by hand.
        title: what the values are ("weights", "gradients").
    """
    if not snapshots:
        raise ValueError("plot_histograms: no snapshots to plot")
    names = list(snapshots[0])
    fig = _figure(3.6 * min(len(names), 4), 3 * ((len(names) + 3) // 4))
    from matplotlib import colormaps

    shades = colormaps["viridis"]
    for k, name in enumerate(names):
        ax = fig.add_subplot((len(names) + 3) // 4, min(len(names), 4), k + 1)
        for t, snapshot in enumerate(snapshots):
            values = np.asarray(snapshot[name], dtype=np.float64).reshape(-1)
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            counts, edges = np.histogram(values, bins=bins)
            centres = (edges[:-1] + edges[1:]) / 2
            ax.plot(centres, counts, color=shades(t / max(len(snapshots) - 1, 1)), lw=1)
        ax.set_title(f"{name} ({title})", fontsize=9)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{title}: early (dark) to late (light)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_confusion_matrix(
    matrix: Any,
    class_names: Sequence[str] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """A confusion matrix: rows the true class, columns the predicted one, counts in the cells."""
    m = _array(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {m.shape}")
    names = list(class_names) if class_names is not None else [str(k) for k in range(len(m))]
    fig = _figure(1.2 + 0.45 * len(m), 1 + 0.45 * len(m))
    ax = fig.add_subplot()
    ax.imshow(m, cmap="Blues")
    for i in range(len(m)):
        for j in range(len(m)):
            colour = "white" if m[i, j] > m.max() / 2 else "black"
            ax.text(j, i, str(int(m[i, j])), ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(m)), names, fontsize=8)
    ax.set_yticks(range(len(m)), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    return _save(fig, path)


def _image_shape(n: int, shape: tuple | None) -> tuple:
    if shape is not None:
        return tuple(shape)
    side = int(round(np.sqrt(n)))
    if side * side != n:
        raise ValueError(f"cannot show {n} values as a square image; pass image_shape")
    return (side, side)


def plot_first_layer_weights(
    model: Any,
    image_shape: tuple | None = None,
    path: str | os.PathLike[str] | None = None,
    limit: int = 32,
) -> Any:
    """The first layer's weights as images: what each unit (or filter) looks for in the input.

    For a Linear first layer each row of W (one unit) is reshaped to the image; for a Conv2d
    first layer each filter's first input channel is shown. Red is positive, blue negative.
    """
    weight = next((p for n, p in model.named_parameters() if n.endswith("weight")), None)
    if weight is None:
        raise ValueError("plot_first_layer_weights: the model has no weight parameter")
    w = weight.numpy()
    if w.ndim == 4:
        pictures = w[:, 0]
    elif w.ndim == 2:
        pictures = w.reshape(w.shape[0], *_image_shape(w.shape[1], image_shape))
    else:
        raise ValueError(f"cannot show first-layer weights of shape {w.shape} as images")
    pictures = pictures[:limit]
    columns = min(8, len(pictures))
    rows = (len(pictures) + columns - 1) // columns
    fig = _figure(1.2 * columns, 1.2 * rows + 0.4)
    for k, picture in enumerate(pictures):
        ax = fig.add_subplot(rows, columns, k + 1)
        bound = np.abs(picture).max() or 1.0
        ax.imshow(picture, cmap="bwr", vmin=-bound, vmax=bound)
        ax.set_axis_off()
    fig.suptitle("first-layer weights", fontsize=10)
    return _save(fig, path)


def plot_misclassified(
    images: Any,
    true: Any,
    predicted: Any,
    class_names: Sequence[str] | None = None,
    image_shape: tuple | None = None,
    path: str | os.PathLike[str] | None = None,
    limit: int = 24,
) -> Any:
    """A grid of the examples the model got wrong, each titled 'predicted (true)'."""
    images, true, predicted = (
        _array(images),
        _array(true).astype(int),
        _array(predicted).astype(int),
    )
    wrong = np.flatnonzero(true != predicted)[:limit]
    names = list(class_names) if class_names is not None else None
    columns = max(1, min(8, len(wrong)))
    rows = max(1, (len(wrong) + columns - 1) // columns)
    fig = _figure(1.4 * columns, 1.5 * rows + 0.4)
    for k, i in enumerate(wrong):
        ax = fig.add_subplot(rows, columns, k + 1)
        picture = images[i]
        if picture.ndim == 3 and picture.shape[0] in (1, 3):
            picture = picture[0] if picture.shape[0] == 1 else picture.transpose(1, 2, 0)
        elif picture.ndim == 1:
            picture = picture.reshape(_image_shape(picture.size, image_shape))
        ax.imshow(picture, cmap="gray_r")
        guess, truth = (names[c] if names else str(c) for c in (predicted[i], true[i]))
        ax.set_title(f"{guess} ({truth})", fontsize=8, color="firebrick")
        ax.set_axis_off()
    title = f"{len(wrong)} misclassified: predicted (true)" if len(wrong) else "no mistakes"
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)
