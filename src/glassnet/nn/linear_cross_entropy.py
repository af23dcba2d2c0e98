"""``nn.LinearCrossEntropyLoss``: a Linear layer and cross-entropy as one loss (and its options).

A language model's last layer projects each hidden vector (D numbers) to C class scores and
the loss compares them with the next token: loss = cross_entropy(W x + b, t). This module owns
the projection (``self.linear``, a ``Linear(D, C * d1 * ... * dK)``, kept flat as PyTorch keeps
it, so state dicts match) and calls ``F.linear_cross_entropy``, which can compute the loss in
row chunks (``options=LinearCrossEntropyOptions(...)``) without holding all N x C logits.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import ShapeError, ValueRangeError
from ..tensor import Tensor
from .functional._args import shape_text
from .functional.linear_cross_entropy import LinearCrossEntropyOptions, linear_cross_entropy
from .linear import Linear
from .loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of the logits W x + b of a built-in Linear layer against the targets.

    loss_i = w_t (log sum_c exp(z_ic) - z_it), z_i = W x_i + b, reduced as ``CrossEntropyLoss``.

    Args:
        in_features: D, the size of each input sample.
        num_classes: C.
        out_features: (d1, ..., dK) for a K-dimensional loss (logits (N, C, d1, ..., dK)).
        bias: whether the Linear layer has a bias (default False).
        device, dtype: of the Linear layer's parameters.
        reduction, weight (C,), ignore_index (None: -100 for class indices),
        label_smoothing: as ``F.linear_cross_entropy``.
        options: None, or a ``LinearCrossEntropyOptions`` for the chunked computation.

    Shape:
        input: (D,) or (N, D). target: class indices (), (N,) or (N, d1, ..., dK), or
        probabilities (C,) or (N, C, d1, ..., dK). output: a scalar, or per sample with
        reduction='none'.

    Example::

        >>> criterion = nn.LinearCrossEntropyLoss(16, 1000, bias=True)
        >>> loss = criterion(glassnet.randn(32, 16), glassnet.randint(0, 1000, (32,)))
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        device: Any = None,
        dtype: Any = None,
        reduction: str = "mean",
        weight: Tensor | None = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: LinearCrossEntropyOptions | None = None,
    ) -> None:
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise ShapeError(
                f"LinearCrossEntropyLoss: expected weight shape to be {shape_text((num_classes,))}, "
                f"got {shape_text(weight.shape)}"
            )
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueRangeError(
                "LinearCrossEntropyLoss: expected label_smoothing to be in range [0, 1], got "
                f"{label_smoothing}"
            )
        super().__init__(weight, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = tuple(out_features)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        # Kept flat, (C * d1 * ... * dK, D), as PyTorch: Linear has 2-D weights, and forward
        # reshapes them to (C, d1, ..., dK, D).
        outputs = math.prod(self.out_features) * num_classes
        self.linear = Linear(in_features, outputs, bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        shape = (self.num_classes,) + self.out_features
        weight = self.linear.weight.reshape(shape + (self.linear.in_features,))
        bias = None if self.linear.bias is None else self.linear.bias.reshape(shape)
        return linear_cross_entropy(
            input,
            weight,
            target,
            linear_bias=bias,
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
