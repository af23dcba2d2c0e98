"""F.ctc_loss: the Connectionist Temporal Classification loss, its arguments checked and reduced.

The algorithm (forward-backward over the blank-extended label sequence, in log space) is the
op glassnet.ops.ctc.CTCLoss; this file reads PyTorch's arguments (padded or concatenated
targets, lengths as tensors or lists, an unbatched (T, C) input), checks them with errors
that name what was expected, and applies the reduction. Names, arguments, defaults, numbers
and gradients follow PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ShapeError
from ...ops.ctc import CTCLoss
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text
from .loss import _check_reduction

__all__ = ["ctc_loss"]

_NAME = "ctc_loss"


def _integers(value: Any, what: str) -> np.ndarray:
    """An int, a sequence of ints or an integer Tensor/array as an int64 NumPy array."""
    array = np.asarray(value.array if isinstance(value, Tensor) else value)
    if array.dtype.kind == "f" and what == "targets" and np.all(array == np.round(array)):
        array = array.astype(np.int64)  # whole-number float targets, which PyTorch accepts
    if array.dtype.kind not in "iu" or array.dtype == np.bool_:
        raise TypeError(f"{_NAME}: {what} must be integral, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def _lengths(
    value: Any, what: str, batch: int, batched: bool, most: int, most_what: str
) -> np.ndarray:
    """input_lengths or target_lengths as an (N,) int64 array, each in [0, most]."""
    lengths = _integers(value, what)
    if not batched and lengths.ndim == 0:
        lengths = lengths.reshape(1)
    if lengths.shape != (batch,):
        raise ShapeError(
            f"{_NAME}: expected {what} of shape ({batch},) (one per sample), got "
            f"{shape_text(lengths.shape)}"
        )
    if batch and lengths.min() < 0:
        raise ValueError(f"{_NAME}: {what} must not be negative, got {lengths.tolist()}")
    if batch and lengths.max() > most:
        raise ValueError(
            f"{_NAME}: {what} must be at most {most} ({most_what}), got {lengths.tolist()}"
        )
    return lengths


def _padded(targets: np.ndarray, target_lengths: np.ndarray) -> np.ndarray:
    """Concatenated targets (sum(target_lengths),) as padded rows (N, max(target_lengths))."""
    batch = target_lengths.shape[0]
    width = int(target_lengths.max()) if batch else 0
    starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]]).astype(np.int64)
    padded = np.zeros((batch, width), dtype=np.int64)
    columns = np.arange(width)[None, :]
    used = columns < target_lengths[:, None]
    padded[used] = targets[(starts[:, None] + columns)[used]]
    return padded


def ctc_loss(
    log_probs: Tensor,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss: -log of the total probability of every alignment of the targets to the frames.

        loss_n = -log sum_{paths pi collapsing to target_n} prod_{t < T_n} y[t, n, pi_t]

    where y = exp(log_probs), T_n = input_lengths[n], and a path collapses to the target by
    merging repeated classes and then removing blanks ("-aa-b" -> "ab", "a-a" -> "aa").
    Computed by the forward-backward recursion over the target with blanks around and
    between its labels (glassnet.ops.ctc). An alignment is impossible, and the loss inf,
    when T_n is shorter than the target plus one blank per repeated pair of labels.

    Gradient, as PyTorch defines it: dloss_n/dlog_probs[t, n, c] = y[t, n, c] - q[t, n, c],
    q the probability that frame t is aligned to class c. It is the true gradient with
    respect to the logits when ``log_probs = log_softmax(logits, dim=2)`` (the usual use), so
    apply log_softmax first; frames t >= T_n get 0, an impossible sample NaN (0 with
    ``zero_infinity``).

    Args:
        log_probs: (T, N, C) log-probabilities over C classes (blank included) for T frames
            of N samples, e.g. ``logits.log_softmax(2)``; or (T, C) for one sample.
        targets: class indices, never the blank: (N, S) padded (row n uses its first
            target_lengths[n] entries), or 1-D with all targets concatenated, of length
            sum(target_lengths); (S,) for one sample.
        input_lengths: (N,) frames per sample, each <= T (a tensor, list or tuple of ints).
        target_lengths: (N,) labels per sample (each <= S for padded targets).
        blank: the blank's class index (default 0).
        reduction: 'mean' (default: each loss divided by its target length, then the mean
            over the batch) | 'sum' | 'none' (one loss per sample, (N,)).
        zero_infinity: replace infinite losses (and their gradients) by 0.

    Example::

        >>> log_probs = glassnet.randn(50, 16, 20).log_softmax(2).requires_grad_()
        >>> targets = glassnet.randint(1, 20, (16, 30))
        >>> loss = F.ctc_loss(log_probs, targets, [50] * 16, glassnet.randint(10, 30, (16,)))
        >>> loss.backward()
    """
    _check_reduction(_NAME, reduction)
    log_probs = floating_tensor(log_probs, _NAME, "log_probs")
    if log_probs.ndim not in (2, 3):
        raise ShapeError(
            f"{_NAME}: expected log_probs of shape (T, N, C) or (T, C), got "
            f"{shape_text(log_probs.shape)}"
        )
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    frames, batch, classes = lp.shape
    if lp.array.size == 0:
        raise ShapeError(
            f"{_NAME}: expected a non-empty log_probs (T, N, C), got {shape_text(log_probs.shape)}"
        )
    if not isinstance(blank, (int, np.integer)) or not 0 <= blank < classes:
        raise ValueError(
            f"{_NAME}: blank must be a class index in [0, {classes}) (log_probs has {classes} "
            f"classes), got {blank!r}"
        )
    target_array = _integers(targets, "targets")
    if target_array.ndim not in ((1, 2) if batched else (1,)):
        expected = "(N, S) or (sum(target_lengths),)" if batched else "(S,)"
        raise ShapeError(
            f"{_NAME}: expected targets of shape {expected}, got {shape_text(target_array.shape)}"
        )
    concatenated = batched and target_array.ndim == 1
    if not concatenated:
        target_array = target_array.reshape(batch, -1) if not batched else target_array
        if target_array.shape[0] != batch:
            raise ShapeError(
                f"{_NAME}: expected padded targets of shape ({batch}, S) (one row per sample "
                f"of log_probs {shape_text(log_probs.shape)}), got {shape_text(target_array.shape)}"
            )
    in_lengths = _lengths(input_lengths, "input_lengths", batch, batched, frames, "T, the frames")
    if concatenated:
        target_len = _lengths(target_lengths, "target_lengths", batch, batched,
                              target_array.shape[0], "the targets' length")  # fmt: skip
        if int(target_len.sum()) != target_array.shape[0]:
            raise ShapeError(
                f"{_NAME}: concatenated targets must have length sum(target_lengths) = "
                f"{int(target_len.sum())}, got {shape_text(target_array.shape)}"
            )
        target_array = _padded(target_array, target_len)
    else:
        width = target_array.shape[1]
        target_len = _lengths(target_lengths, "target_lengths", batch, batched, width,
                              "S, the padded targets' width")  # fmt: skip
    used = np.arange(target_array.shape[1])[None, :] < target_len[:, None]
    bad = used & ((target_array < 0) | (target_array >= classes))
    if bad.any():
        raise IndexError(
            f"{_NAME}: targets must be class indices in [0, {classes}), got "
            f"{int(target_array[bad][0])}"
        )
    op = CTCLoss(target_array, in_lengths, target_len, int(blank), bool(zero_infinity))
    losses = op(lp)
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        divisor = np.maximum(target_len, 1).astype(lp.array.dtype)
        return (losses / as_tensor(divisor)).mean()
    return losses if batched else losses.reshape(())
