"""What the checks share: unpacking the tuple a learner returns, a layer to compare with."""

from __future__ import annotations

from typing import Any

import numpy as np

import glassnet as gn
from glassnet import nn

from ..exercises import Report


def unpack(what: str, value: Any, names: tuple[str, ...], report: Report) -> tuple | None:
    """The parts of a returned tuple, or None after reporting that it is not one of that size.

    ``names`` are the parts the exercise asks for, used in the message: ("dx", "dW", "db").
    """
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return tuple(value)
    shown = f"a {len(value)}-tuple" if isinstance(value, (tuple, list)) else type(value).__name__
    report.wrong(f"{what}: expected the tuple ({', '.join(names)}), got {shown}")
    return None


def linear_layer(W: np.ndarray, b: np.ndarray) -> nn.Linear:
    """A float64 ``nn.Linear`` holding the weight W (out, in) and the bias b: glassnet's answer."""
    layer = nn.Linear(W.shape[1], W.shape[0], dtype=gn.float64)
    with gn.no_grad():
        layer.weight.copy_(gn.tensor(W))
        layer.bias.copy_(gn.tensor(b))
    return layer
