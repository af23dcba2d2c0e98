"""``F.linear_cross_entropy``: cross-entropy of the logits input @ W^T + b, composed or in row chunks.

For a row x (D features), a weight W (C, D), a bias b (C,) and class index t:

    z = W x + b,   loss = w_t (-z_t + log sum_c exp(z_c))          (w: class weights, 1 if none)

``reduction='mean'`` divides the sum by the total weight of the targets not equal to
ignore_index. The readable form is two functions, ``cross_entropy(linear(x, W, b), t)``
(``linear_cross_entropy_composed``), and it is what ``options=None`` (the default) runs, as
PyTorch does. With ``options=LinearCrossEntropyOptions(...)`` the rows go through in chunks
(``LinearCrossEntropyChunked``): a chunk's (rows, C) logits exist only while that chunk is
computed, so an LLM head with a vocabulary of 50,000 never holds all N x C logits at once.
Its gradient is recomputed chunk by chunk in backward,

    dL/dz = c_i (softmax(z) - onehot(t)),  c_i = g w_t / (sum of w over kept rows) ('mean')
    dL/dx = dL/dz W,   dL/dW = sum over chunks dL/dz^T x,   dL/db = sum over rows dL/dz,

so the chunked path keeps only its inputs. A K-dimensional loss has W (C, d1..dK, D): the
logits are reshaped to (N, C, d1..dK) and the composed path runs.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np

from ...autograd import Op, is_grad_enabled, wrap
from ...dtypes import bfloat16
from ...errors import DTypeError, ShapeError, ValueRangeError
from ...ops.api import cat, softmax
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text
from .linear import linear
from .loss import _check_indices, _check_reduction, _class_weight, cross_entropy

__all__ = ["linear_cross_entropy"]  # the options class is nn.LinearCrossEntropyOptions, as PyTorch

_POLICIES = ("accurate", "balanced", "compact", "auto")


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """How ``linear_cross_entropy`` chunks its rows (passing one switches the chunked path on).

    Fields (PyTorch's):
        allow_retain_graph: PyTorch refuses a second backward through its chunked op unless
            True; glassnet's recomputes in backward, so a second one always works.
        batch_chunk_size: rows per chunk (a positive int), or None (one chunk unless
            ``chunking_method`` decides).
        chunking_method: ``"auto"`` (on the CPU: ``"aspect_ratio:2"``), ``"aspect_ratio"``,
            ``"aspect_ratio:F"`` or None. ``aspect_ratio:F`` makes a chunk's (rows, C) logits
            about as large as the (N, D) input, then F times smaller:
            rows = next_power_of_2(ceil(N / ceil(C / D))) // F, at most N.
        acc_policy: ``"accurate"``, ``"balanced"``, ``"compact"`` or ``"auto"``: PyTorch's
            choice of where to accumulate in a wider dtype. glassnet computes in the input's
            dtype (float32 or float64), so it is checked and kept, not used.
        acc_dtype: None or a float dtype; checked and kept, as acc_policy.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        if self.acc_policy not in _POLICIES:
            raise ValueError(
                f"invalid acc_policy: {self.acc_policy!r} (expected one of {_POLICIES})"
            )
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, colon, factor = self.chunking_method.partition(":")
            factor = factor if colon else "1"
            if name != "aspect_ratio" or not factor.isdigit() or int(factor) < 1:
                raise ValueError(
                    f"invalid chunking_method: {self.chunking_method!r} (expected 'auto', "
                    "'aspect_ratio', 'aspect_ratio:N' with N >= 1, or None)"
                )
        size = self.batch_chunk_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {size!r}")
        if self.acc_dtype is not None:
            kind = np.dtype(self.acc_dtype).kind if _is_dtype(self.acc_dtype) else ""
            if kind != "f" and self.acc_dtype is not bfloat16:
                raise ValueError(
                    "acc_dtype must be one of {None, float16, bfloat16, float32, float64}, got "
                    f"{self.acc_dtype!r}. Pass acc_dtype=None to let the op pick automatically."
                )

    def chunk_rows(self, num_batches: int, in_features: int, num_classes: int) -> int:
        """The rows per chunk for an (N, D) input and C classes, as PyTorch resolves it."""
        method = self.chunking_method
        if method == "auto":
            # PyTorch's CPU default for float32/float64 ("auto" with a size given: the size).
            method = None if self.batch_chunk_size is not None else "aspect_ratio:2"
        rows = (
            num_batches
            if self.batch_chunk_size is None
            else min(self.batch_chunk_size, num_batches)
        )
        if method is not None:
            _, _, factor = method.partition(":")
            per_row = -(-num_classes // in_features)  # ceil(C / D): logits per input number
            target = -(-num_batches // per_row)
            chosen = min((1 << (target - 1).bit_length()) // int(factor or 1), num_batches)
            if self.batch_chunk_size is not None and self.batch_chunk_size != chosen:
                raise ValueError(
                    f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method "
                    f"('{method}') give different chunk sizes ({self.batch_chunk_size} vs "
                    f"{chosen}); pass only one."
                )
            rows = chosen
        return max(1, rows)


def _is_dtype(value: Any) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True


class LinearCrossEntropyChunked(Op):
    """loss_i = w_t (logsumexp(W x_i + b) - (W x_i + b)_t), rows in chunks;   dL/dz = c (softmax(z) - onehot(t))

    Args (of the constructor): target (N,) int array, class weight (C,) array or None,
    ignore_index, reduction ('mean' | 'sum' | 'none'), rows per chunk.
    Inputs: x (N, D), W (C, D), and b (C,) if there is a bias.
    """

    def __init__(self, target, weight, ignore_index: int, reduction: str, rows: int):
        self.target = target
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = reduction
        self.rows = rows
        valid = target != ignore_index
        self.safe = np.where(valid, target, 0)  # an ignored row picks class 0, weighted 0
        self.valid = valid

    def _row_weights(self, dtype) -> np.ndarray:
        """w_t per row (1 without class weights), 0 for an ignored row."""
        if self.weight is None:
            return self.valid.astype(dtype)
        return self.weight.astype(dtype)[self.safe] * self.valid

    def forward(self, x, w, b=None):
        n = x.shape[0]
        row_weights = self._row_weights(x.dtype)
        losses = np.empty(n, dtype=x.dtype)
        for start in range(0, n, self.rows):
            rows = slice(start, start + self.rows)
            z = x[rows] @ w.T  # this chunk's logits only: (rows, C)
            if b is not None:
                z += b
            top = z.max(axis=1)
            log_total = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
            picked = z[np.arange(z.shape[0]), self.safe[rows]]
            losses[rows] = (log_total - picked) * row_weights[rows]
        if self.reduction == "none":
            return losses
        total = losses.sum()
        if self.reduction == "sum":
            return np.asarray(total)
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0 / 0 = nan, as PyTorch
            return np.asarray(total / row_weights.sum(), dtype=x.dtype)

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        b = self.inputs[2] if len(self.inputs) > 2 else None
        n, classes = x.shape[0], w.shape[0]
        if n == 0:  # no rows, no chunks: nothing reaches the parameters
            return (x * 0.0, w * 0.0) if b is None else (x * 0.0, w * 0.0, b * 0.0)
        row_weights = self._row_weights(x.array.dtype)
        if self.reduction == "mean":
            row_weights = row_weights / row_weights.sum()
        # c_i = g * w_t / (total weight for 'mean'): g is one number, or one per row ('none').
        coefficient = (g * wrap(row_weights)).reshape((n, 1))
        grad_x, grad_w, grad_b = [], None, None
        for start in range(0, n, self.rows):
            rows = slice(start, start + self.rows)
            x_rows = x[rows]
            z = x_rows @ w.transpose(0, 1)  # recomputed: forward kept no logits
            if b is not None:
                z = z + b
            onehot = np.zeros((x_rows.shape[0], classes), dtype=x.array.dtype)
            onehot[np.arange(x_rows.shape[0]), self.safe[rows]] = 1.0
            grad_z = (softmax(z, dim=1) - wrap(onehot)) * coefficient[rows]
            grad_x.append(grad_z @ w)
            part_w = grad_z.transpose(0, 1) @ x_rows
            grad_w = part_w if grad_w is None else grad_w + part_w
            if b is not None:
                part_b = grad_z.sum(0)
                grad_b = part_b if grad_b is None else grad_b + part_b
        grads = (cat(grad_x, 0), grad_w)
        return grads if b is None else grads + (grad_b,)


def linear_cross_entropy_composed(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """The readable form: ``cross_entropy(linear(input, W, b), target)``, W of any K (see above)."""
    num_classes, in_features = linear_weight.shape[0], linear_weight.shape[-1]
    out_features = tuple(linear_weight.shape[1:-1])
    outputs = math.prod(out_features) * num_classes
    flat_w = linear_weight.reshape((outputs, in_features))
    flat_b = None if linear_bias is None else linear_bias.reshape((outputs,))
    logits = linear(input, flat_w, flat_b).reshape(
        tuple(input.shape[:-1]) + (num_classes,) + out_features
    )
    return cross_entropy(
        logits,
        target,
        weight,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: LinearCrossEntropyOptions | None = None,
) -> Tensor:
    """Cross-entropy of the logits ``input @ linear_weight^T + linear_bias`` against ``target``.

    Equal to ``F.cross_entropy(F.linear(input, linear_weight, linear_bias), target, ...)``;
    with ``options`` the rows are processed in chunks so that the (N, C) logits never exist
    whole (see the module docstring).

    Args:
        input: (D,) one sample or (N, D).
        linear_weight: (C, D), or (C, d1, ..., dK, D) for a K-dimensional loss (batched
            input only).
        target: class indices (), (N,) or (N, d1, ..., dK) (int64), or class probabilities
            of the logits' shape (C,), (N, C) or (N, C, d1, ..., dK).
        linear_bias: None, or of shape (C, d1, ..., dK).
        weight: per-class weights (C,); reduction, label_smoothing: as ``F.cross_entropy``.
        ignore_index: None means -100 for class indices; not allowed with probabilities.
        options: None (the composed path) or a ``LinearCrossEntropyOptions`` (chunks; for
            class-index int64 targets, C-only weights and no label smoothing, else a warning
            and the composed path, as PyTorch).

    Returns: a scalar, or the per-sample losses with reduction='none'.

    Example::

        >>> x, W = glassnet.randn(8, 4), glassnet.randn(100, 4)
        >>> F.linear_cross_entropy(x, W, glassnet.randint(0, 100, (8,)),
        ...                        options=nn.LinearCrossEntropyOptions(batch_chunk_size=2))
    """
    name = "linear_cross_entropy"
    input = floating_tensor(input, name)
    linear_weight = floating_tensor(linear_weight, name, "linear_weight")
    target = as_tensor(target)
    if not 1 <= input.ndim <= 2:
        raise ShapeError(
            f"{name}: expected input with dimensionality 1 or 2, got {input.ndim} (shape "
            f"{shape_text(input.shape)})"
        )
    if linear_weight.ndim < 2:
        raise ShapeError(
            f"{name}: expected linear_weight with dimensionality at least 2, got "
            f"{linear_weight.ndim} (shape {shape_text(linear_weight.shape)})"
        )
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise ShapeError(
            f"{name}: expected equal input and linear_weight last dimensions (in_features), "
            f"got {in_features} and {linear_weight.shape[-1]}, respectively"
        )
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None:
        linear_bias = floating_tensor(linear_bias, name, "linear_bias")
        if tuple(linear_bias.shape) != (num_classes,) + out_features:
            raise ShapeError(
                f"{name}: expected linear_bias shape {shape_text((num_classes,) + out_features)}, "
                f"got {shape_text(linear_bias.shape)}"
            )
    if out_features and input.ndim == 1:
        raise ShapeError(
            f"{name}: K-dimensional loss defined by linear_weight shape "
            f"{shape_text(linear_weight.shape)} requires batched input, (N, {in_features}), got "
            f"unbatched input with shape {shape_text(input.shape)}"
        )
    logits_shape = tuple(input.shape[:-1]) + (num_classes,) + out_features
    probabilities = tuple(target.shape) == logits_shape
    if probabilities and ignore_index is not None:
        raise ValueRangeError(
            f"{name}: ignore_index cannot be specified when target contains probabilities"
        )
    ignore_index = -100 if ignore_index is None else ignore_index
    if options is not None and not isinstance(options, LinearCrossEntropyOptions):
        raise TypeError(
            f"{name}: options must be a LinearCrossEntropyOptions or None, got "
            f"{type(options).__name__}"
        )
    chunkable = (
        not out_features
        and label_smoothing == 0.0
        and target.array.dtype == np.int64
        and reduction in ("mean", "sum", "none")
    )
    if options is not None and not chunkable:
        warnings.warn(
            f"{name}: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features "
            f"== (). Got reduction={reduction!r}, label_smoothing={label_smoothing}, "
            f"target.dtype={target.dtype}, out_features={out_features}.",
            stacklevel=2,
        )
    weights_need_grad = weight is not None and as_tensor(weight).requires_grad and is_grad_enabled()
    if options is None or not chunkable or weights_need_grad:
        # weights_need_grad: the chunked op treats class weights as constants; the composed
        # path differentiates them.
        return linear_cross_entropy_composed(
            input, linear_weight, target, linear_bias=linear_bias, weight=weight,
            reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing,
        )  # fmt: skip
    _check_reduction(name, reduction)
    if linear_weight.dtype != input.dtype or (
        linear_bias is not None and linear_bias.dtype != input.dtype
    ):
        raise DTypeError(
            f"{name}: expected input, linear_weight and linear_bias of one dtype, got "
            f"{input.dtype}, {linear_weight.dtype} and "
            f"{None if linear_bias is None else linear_bias.dtype}"
        )
    batched = input.ndim == 2
    rows_in = input if batched else input.reshape((1, in_features))
    expected = tuple(input.shape[:-1])
    if tuple(target.shape) != expected:
        raise ShapeError(
            f"{name}: for input of shape {shape_text(input.shape)} the class-index target must "
            f"have shape {shape_text(expected)}, got {shape_text(target.shape)}"
        )
    _check_indices(name, target, num_classes, ignore_index)
    class_weight = _class_weight(name, weight, num_classes, input)
    rows = options.chunk_rows(rows_in.shape[0], in_features, num_classes)
    op = LinearCrossEntropyChunked(
        target.array.reshape(-1),
        None if class_weight is None else class_weight.array,
        ignore_index,
        reduction,
        rows,
    )
    parts = (
        (rows_in, linear_weight) if linear_bias is None else (rows_in, linear_weight, linear_bias)
    )
    loss = op(*parts)
    return loss if batched or reduction != "none" else loss.reshape(())
