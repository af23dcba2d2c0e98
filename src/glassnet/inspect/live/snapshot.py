"""Snapshots for the live view: the network, its activations and, for 2-D or image data, what
it currently predicts, as small JSON-ready dicts.

The statistics come from the same tools as everywhere else (``activations``, ``describe``,
``decision_boundary_grid``): the page draws them, it computes nothing of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import no_grad
from ...tensor import as_tensor
from ..activations import activations, eval_mode
from ..plots import decision_boundary_grid
from ..stats import describe

__all__ = ["describe_network", "network_snapshot", "prediction_snapshot"]

SMALL_LAYER = 32  # layers with at most this many units are drawn unit by unit
GRID = 40  # decision-boundary resolution (GRID x GRID points)
UNIT_GRID = 24  # resolution of a hidden unit's response map


def _linear_layers(model: Any) -> list[tuple[str, Any]]:
    return [(path, m) for path, m in model.named_modules()
            if hasattr(m, "weight") and m.weight is not None
            and m.weight.ndim in (2, 4) and not any(True for _ in m.children())]  # fmt: skip


def describe_network(model: Any, sample_shape: tuple, data_kind: str) -> dict:
    """The model's structure for the diagram: its weight layers in order, with their sizes."""
    layers = []
    for path, module in _linear_layers(model):
        w = module.weight
        layers.append({
            "path": path, "type": type(module).__name__,
            "inputs": int(w.shape[1]), "units": int(w.shape[0]),
        })  # fmt: skip
    return {"layers": layers, "sample_shape": list(sample_shape), "data": data_kind}


def _histogram(values: np.ndarray, bins: int = 20) -> dict:
    """Counts of the finite values in ``bins`` equal bins from their least to their largest.

    Bin k holds lo + k w <= v < lo + (k + 1) w, with w = (hi - lo) / bins, and the last bin
    also holds hi; one repeated value gets the bin [v - 0.5, v + 0.5). These are the counts
    ``np.histogram(values, bins)`` gives (but for a value within rounding of an edge), at a
    quarter of its cost: a snapshot takes two histograms a layer.
    """
    values = values.reshape(-1).astype(np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"counts": [], "lo": 0.0, "hi": 0.0}
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    # Halves, so that hi - lo cannot overflow for values near the float64 limit (exact: a
    # halving only moves the exponent).
    bin_of = ((values / 2 - lo / 2) * (bins / (hi / 2 - lo / 2))).astype(np.intp)
    np.minimum(bin_of, bins - 1, out=bin_of)  # hi itself, in the last bin
    return {"counts": np.bincount(bin_of, minlength=bins), "lo": lo, "hi": hi}


def network_snapshot(model: Any, probe: np.ndarray) -> dict:
    """Weights (small layers unit by unit), activation and gradient summaries, histograms."""
    acts = activations(model, probe)
    layers = []
    for path, module in _linear_layers(model):
        w = module.weight.numpy()
        bias = getattr(module, "bias", None)
        grad = module.weight.grad.numpy() if module.weight.grad is not None else None
        out = acts.get(path)
        entry: dict[str, Any] = {
            "path": path,
            "weight_norm": float(np.linalg.norm(w)),
            "grad_norm": float(np.linalg.norm(grad)) if grad is not None else None,
            "weights_hist": _histogram(w),
            "grads_hist": _histogram(grad) if grad is not None else None,
        }
        if out is not None:
            o = out.numpy().reshape(out.shape[0], -1) if out.ndim > 1 else out.numpy()[None]
            stats = describe(o)
            entry["activation_mean"] = stats.mean
            entry["activation_norm"] = float(np.linalg.norm(o) / max(len(o), 1))
            entry["unit_means"] = o.mean(axis=0) if o.shape[1] <= SMALL_LAYER else None
        # The unit after this layer is dead when its activation (the next ReLU, if any) is 0
        # for every probe sample.
        after = _next_output(acts, path)
        if after is not None:
            a = after.numpy().reshape(after.shape[0], -1)
            entry["dead_fraction"] = float(np.mean(~np.any(a > 0, axis=0)))
        if w.ndim == 2 and w.shape[0] <= SMALL_LAYER and w.shape[1] <= SMALL_LAYER:
            entry["weights"] = w
            entry["bias"] = bias.numpy() if bias is not None else None
        layers.append(entry)
    return {"layers": layers}


def _next_output(acts: dict, path: str) -> Any:
    keys = list(acts)
    if path not in keys:
        return None
    k = keys.index(path)
    return acts[keys[k + 1]] if k + 1 < len(keys) else None


def prediction_snapshot(model: Any, data_kind: str, probe_x: np.ndarray, probe_y: np.ndarray,
                        image_shape: tuple | None = None) -> dict:  # fmt: skip
    """What the model predicts now: a decision boundary (2-D data) or a few labelled images."""
    if data_kind == "points":
        xs, ys, probs = decision_boundary_grid(model, probe_x, steps=GRID)
        result = {
            "x_range": [xs[0], xs[-1]], "y_range": [ys[0], ys[-1]],
            "winner": probs.argmax(axis=-1).reshape(-1),
            "confidence": probs.max(axis=-1).reshape(-1),
        }  # fmt: skip
        result["units"] = _unit_maps(model, xs, ys)
        return result
    if data_kind == "images":
        with no_grad(), eval_mode(model):
            logits = model(as_tensor(probe_x)).numpy().astype(np.float64)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        first = _linear_layers(model)
        weights = None
        if first:
            w = first[0][1].weight.numpy()
            weights = w[:16, 0] if w.ndim == 4 else w[:16]
        return {
            "predicted": p.argmax(axis=1), "confidence": p.max(axis=1),
            "first_weights": weights,
        }  # fmt: skip
    return {}


def _unit_maps(model: Any, xs: np.ndarray, ys: np.ndarray) -> dict:
    """For 2-D data: each small hidden layer unit's response over a coarse grid (for hover)."""
    gx = np.linspace(xs[0], xs[-1], UNIT_GRID)
    gy = np.linspace(ys[0], ys[-1], UNIT_GRID)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2).astype(np.float32)
    with eval_mode(model):
        acts = activations(model, grid)
    maps = {}
    layers = [path for path, _ in _linear_layers(model)]
    for path in layers[:-1]:  # hidden layers only: the last one is the output
        after = _next_output(acts, path)
        if after is None:
            after = acts.get(path)
        if after is None:
            continue
        a = after.numpy().reshape(len(grid), -1)
        if a.shape[1] <= SMALL_LAYER:
            maps[path] = a.T  # (units, UNIT_GRID * UNIT_GRID)
    return maps
