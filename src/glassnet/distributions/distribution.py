"""The base of every distribution: shapes, sample vs rsample, and what a subclass must give."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor, as_tensor

__all__ = ["Distribution", "float_params"]


def float_params(*values: Any) -> list[Tensor]:
    """The parameters as floating tensors (integers become float32), broadcast to one shape."""
    tensors = [as_tensor(v) for v in values]
    tensors = [t if t.dtype.kind == "f" else t.float() for t in tensors]
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return [t if t.shape == shape else t.expand(shape) for t in tensors]


class Distribution:
    """A probability distribution over tensors of ``batch_shape + event_shape``.

    ``batch_shape`` is how many independent distributions there are (one per element of the
    parameters); ``event_shape`` the shape of one draw of one of them (() for a number).
    Subclasses give ``rsample`` (a draw that gradients flow through) or ``sample``, and
    ``log_prob``, ``entropy``, ``mean`` and ``variance``.
    """

    has_rsample = False

    def __init__(self, batch_shape: tuple = (), event_shape: tuple = (),
                 validate_args: Any = None) -> None:  # fmt: skip
        self.batch_shape = tuple(batch_shape)
        self.event_shape = tuple(event_shape)

    def _extended_shape(self, sample_shape: Any = ()) -> tuple:
        """sample_shape + batch_shape + event_shape: the shape of ``sample(sample_shape)``."""
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return tuple(sample_shape) + self.batch_shape + self.event_shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape).detach()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sample")

    @property
    def stddev(self) -> Tensor:
        """The standard deviation, sqrt(variance)."""
        return self.variance.sqrt()

    def _value(self, value: Any) -> Tensor:
        return as_tensor(value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self.batch_shape})"
