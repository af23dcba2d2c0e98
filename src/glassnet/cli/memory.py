"""Will the model fit in memory? An estimate from the model's description, made before anything
is allocated, and the machine's total memory.

The estimate counts the parameters of a model description (config.json's ``"model"`` entry)
without building it, and multiplies by the bytes each one costs:

    training:   4 bytes (float32) x (weights + gradients + 2 optimizer moments) = 16 bytes
    inference:  4 bytes x weights                                              =  4 bytes

plus the activations of one batch. It is a floor, not a promise: NumPy's temporaries come on
top. A model whose floor is larger than the machine's memory cannot train, and is refused with
one line instead of a MemoryError deep inside NumPy.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import CLIError

__all__ = ["parameter_count", "model_bytes", "total_memory", "check_fits"]

BYTES_PER_VALUE = 4  # float32
TRAINING_COPIES = 4  # weights, gradients and Adam's two moments (SGD with momentum needs fewer)


def parameter_count(spec: dict[str, Any]) -> int:
    """The number of parameters of an ``mlp`` or ``cnn`` description (0 for other kinds).

    MLP: sum over its Linear layers of ``in * out + out``. CNN: each 3x3 conv block
    ``c_in * c_out * 9 + c_out`` (its pooling halves height and width), then
    ``c * h * w * hidden + hidden`` and ``hidden * classes + classes``.
    """
    try:
        if spec.get("kind") == "mlp":
            widths = [
                int(spec["in_features"]),
                *map(int, spec["hidden"]),
                int(spec["out_features"]),
            ]
            return sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
        if spec.get("kind") == "cnn":
            c, h, w = (int(s) for s in spec["in_shape"])
            total = 0
            for out in map(int, spec["channels"]):
                total += c * out * 9 + out
                c, h, w = out, h // 2, w // 2
            hidden, classes = int(spec["hidden"]), int(spec["num_classes"])
            return total + c * h * w * hidden + hidden + hidden * classes + classes
    except (KeyError, TypeError, ValueError):
        return 0  # a malformed description: building the model will say what is wrong
    return 0


def _activation_values(spec: dict[str, Any]) -> int:
    """Values one sample keeps for the backward pass (each layer's output, roughly)."""
    if spec.get("kind") == "mlp":
        return sum(map(int, spec.get("hidden", []))) * 3  # linear output, activation, dropout
    if spec.get("kind") == "cnn":
        _, h, w = (int(s) for s in spec["in_shape"])
        return sum(int(c) * h * w * 3 for c in spec.get("channels", []))
    return 0


def model_bytes(spec: dict[str, Any], batch_size: int = 1, training: bool = True) -> int:
    """The estimated bytes to train (or, ``training=False``, to hold) the model ``spec``."""
    copies = TRAINING_COPIES if training else 1
    try:
        activations = _activation_values(spec) * batch_size if training else 0
    except (KeyError, TypeError, ValueError):
        activations = 0
    return BYTES_PER_VALUE * (parameter_count(spec) * copies + activations)


def total_memory() -> int | None:
    """The machine's physical memory in bytes (os.sysconf, else /proc/meminfo), or None."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024  # the file counts in KiB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _gib(n: float) -> str:
    gib = n / 2**30
    return f"{gib:,.0f} GiB" if gib >= 10 else f"{gib:.1f} GiB"


def check_fits(
    spec: dict[str, Any], batch_size: int = 1, training: bool = True, what: str = "this model"
) -> None:
    """Raise CLIError ("this model needs 1,118 GiB; this machine has 23 GiB") when the estimate
    exceeds the machine's memory; do nothing when it fits or the memory cannot be read."""
    available = total_memory()
    needed = model_bytes(spec, batch_size, training)
    if available is None or needed <= available:
        return
    doing = "to train" if training else "to load"
    hint = ": choose smaller --hidden or --channels" if training else ""
    raise CLIError(
        f"{what} needs {_gib(needed)} {doing} ({parameter_count(spec):,} parameters); this "
        f"machine has {_gib(available)}{hint}"
    )
