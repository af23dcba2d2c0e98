"""What the monitoring callbacks share: reading a monitored value from the logs and deciding "improved"."""

from __future__ import annotations

import math

from ..metrics import METRICS


def _resolve_mode(mode: str, monitor: str, who: str) -> str:
    """'min' or 'max': ``"auto"`` picks max for accuracy-like metrics and min for losses."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    base = monitor[4:] if monitor.startswith("val_") else monitor
    spec = METRICS.get(base)
    if spec is not None:
        return "max" if spec.higher_is_better else "min"
    if any(word in base for word in ("acc", "f1", "precision", "recall", "auc")):
        return "max"
    return "min"


def _monitored(logs: dict[str, float] | None, monitor: str, who: str) -> float:
    if not logs or monitor not in logs:
        have = ", ".join(sorted(logs)) if logs else "nothing"
        hint = ""
        if monitor.startswith("val_"):
            hint = (
                " (pass validation_data= or validation_split= to fit, or monitor a training value)"
            )
        raise ValueError(f"{who} monitors {monitor!r}, but the logs hold only {have}{hint}")
    return float(logs[monitor])


def _improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    if math.isnan(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta
