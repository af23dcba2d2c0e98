"""The run's plots: loss.png and accuracy.png (or mae.png), drawn when matplotlib is installed."""

from __future__ import annotations

from typing import Any

from ..atomic import atomic_write

__all__ = ["training_plots", "save_figure"]


def training_plots(history: Any, kind: str) -> list[tuple[str, Any]]:
    """``[("loss.png", figure), ("accuracy.png" or "mae.png", figure)]`` of a fit's history:
    the training curve and, when there was a validation split, the validation curve, per epoch.
    ``[]`` without matplotlib."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no global state, no display needed
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return []
    plots = []
    second = "accuracy" if kind == "classification" else "mae"
    for key in ("loss", second):
        if key not in history.history:
            continue
        fig = Figure(figsize=(6, 4), dpi=100)
        ax = fig.add_subplot()
        epochs = [e + 1 for e in history.epoch]
        ax.plot(epochs, history.history[key], label=f"train {key}")
        if f"val_{key}" in history.history:
            ax.plot(epochs, history.history[f"val_{key}"], label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        plots.append((f"{key}.png", fig))
    return plots


def save_figure(figure: Any, path: str) -> None:
    """Write a matplotlib figure to ``path`` as a PNG, atomically."""
    with atomic_write(path, "wb") as f:
        figure.savefig(f, format="png")
