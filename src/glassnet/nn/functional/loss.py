"""Loss functions (F.mse_loss, F.cross_entropy, ...): how far predictions are from targets.

Every loss first computes one value per element (or per sample), then *reduces* them:

* ``reduction='mean'`` (the default): their average,
* ``reduction='sum'``: their sum,
* ``reduction='none'``: no reduction, one loss per element/sample.

Names, arguments, defaults and numbers follow PyTorch (``torch.nn.functional``). Arguments
after the target (and after ``weight`` for the classification losses) are keyword-only, so a
positional call written for PyTorch's old signatures fails loudly instead of silently
meaning something else.

Shapes are checked where they enter: a regression target whose shape would silently
broadcast the input into a bigger shape (the classic ``(N, 1)`` vs ``(N,)`` mistake) is an
error here (PyTorch only warns), and class-index targets are checked for range and dtype.
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from collections.abc import Callable

import numpy as np

from ...autograd import is_grad_enabled
from ...errors import DTypeError, IndexRangeError, ShapeError, ValueRangeError
from ...ops.api import abs as _abs
from ...ops.api import exp, log, log_softmax, softplus, where
from ...ops.loss import BinaryCrossEntropy, PickClass, SoftmaxCrossEntropy
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text

__all__ = [
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
]

_REDUCTIONS = ("none", "mean", "sum")


# ----------------------------------------------------------------------------------------------
# Argument checks shared by the losses
# ----------------------------------------------------------------------------------------------


def _check_reduction(name: str, reduction: str, valid: tuple = _REDUCTIONS) -> None:
    if reduction not in valid:
        raise ValueError(
            f"{name}: reduction must be one of {', '.join(repr(v) for v in valid)}; "
            f"got {reduction!r}"
        )


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The ``reduction`` meant by PyTorch's deprecated ``size_average`` / ``reduce`` flags.

    When both are None, ``reduction`` itself; otherwise a missing flag counts as True and the
    pair decides (with a warning, as PyTorch gives): ``reduce=False`` -> 'none' (one loss per
    element), else ``size_average=False`` -> 'sum', else 'mean'.
    """
    if size_average is None and reduce is None:
        return reduction
    reduce = True if reduce is None else reduce
    size_average = True if size_average is None else size_average
    meant = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(
        f"size_average and reduce are deprecated; use reduction={meant!r} instead",
        UserWarning,
        stacklevel=3,
    )
    return meant


def accepts_legacy_flags(loss: Callable) -> Callable:
    """``loss`` that also takes PyTorch's deprecated ``size_average=`` / ``reduce=`` keywords.

    Old tutorials still write ``F.nll_loss(output, target, size_average=False)`` (the summed
    loss). The flags are turned into the ``reduction`` they mean by ``legacy_reduction`` (with
    its warning) and the loss is called with that; they are keyword-only, as every argument
    after the target is here.
    """

    @functools.wraps(loss)
    def call(*args, size_average: bool | None = None, reduce: bool | None = None, **kwargs):
        if size_average is not None or reduce is not None:
            reduction = kwargs.get("reduction", "mean")
            kwargs["reduction"] = legacy_reduction(size_average, reduce, reduction)
        return loss(*args, **kwargs)

    signature = inspect.signature(loss)
    flags = [
        inspect.Parameter(flag, inspect.Parameter.KEYWORD_ONLY, default=None)
        for flag in ("size_average", "reduce")
    ]
    call.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *flags])
    return call


def _target_tensor(name: str, target) -> Tensor:
    """Targets may be given as arrays or lists too (they never need gradients of their own)."""
    if isinstance(target, Tensor):
        return target
    try:
        return as_tensor(target)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}: expected target to be a glassnet Tensor, got {type(target).__name__}"
        ) from None


def _float_target(name: str, target, input: Tensor) -> Tensor:
    target = _target_tensor(name, target)
    if target.dtype.kind in "biu":  # integer regression targets are promoted, as numbers
        target = target.to(input.dtype)
    elif target.dtype.kind != "f":
        raise TypeError(f"{name}: expected a numeric target, got dtype {target.dtype}")
    return target


def _check_same_or_smaller(name: str, input: Tensor, target: Tensor, stacklevel: int) -> None:
    """A target may broadcast to the input's shape (PyTorch warns); it may never enlarge it."""
    if target.shape == input.shape:
        return
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ShapeError(
            f"{name}: target of shape {shape_text(target.shape)} does not match input of "
            f"shape {shape_text(input.shape)} (expected the same shape)"
        ) from None
    if shape != input.shape:
        raise ShapeError(
            f"{name}: target of shape {shape_text(target.shape)} does not match input of shape "
            f"{shape_text(input.shape)}: broadcasting them would give shape "
            f"{shape_text(shape)}, which is almost always a mistake (e.g. (N, 1) against "
            "(N,)); reshape one of them so that the shapes agree"
        )
    warnings.warn(
        f"{name}: using a target of shape {shape_text(target.shape)} that differs from the "
        f"input shape {shape_text(input.shape)}; it is broadcast to the input's shape",
        stacklevel=stacklevel,
    )


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def _weighted(
    name: str, loss: Tensor, weight, input: Tensor, reduction: str, mean_by_weight: bool
) -> Tensor:
    """PyTorch's elementwise ``weight`` of the regression losses (same shape as the input)."""
    if weight is None:
        return _reduce(loss, reduction)
    weight = as_tensor(weight)
    if weight.shape != input.shape:
        raise ShapeError(
            f"{name}: weight must have the input's shape {shape_text(input.shape)}, got "
            f"{shape_text(weight.shape)}"
        )
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _regression_args(name: str, input, target, reduction: str) -> tuple[Tensor, Tensor]:
    _check_reduction(name, reduction)
    input = floating_tensor(input, name)
    target = _float_target(name, target, input)
    _check_same_or_smaller(name, input, target, stacklevel=4)
    return input, target


# ----------------------------------------------------------------------------------------------
# Regression losses
# ----------------------------------------------------------------------------------------------


@accepts_legacy_flags
def mse_loss(
    input: Tensor, target: Tensor, *, reduction: str = "mean", weight: Tensor | None = None
) -> Tensor:
    """Mean squared error: l_i = (x_i - y_i)**2, then reduced.

    Args:
        input: predictions, any shape.
        target: the wanted values, same shape (or one that broadcasts to it).
        reduction: 'mean' | 'sum' | 'none'.
        weight: optional per-element weights of the input's shape; with 'mean' the weighted
            sum is divided by sum(weight) (as in PyTorch).

    Example::

        >>> F.mse_loss(glassnet.tensor([1.0, 2.0]), glassnet.tensor([0.0, 4.0]))
        tensor(2.5000)          # ((1 - 0)**2 + (2 - 4)**2) / 2
    """
    input, target = _regression_args("mse_loss", input, target, reduction)
    d = input - target
    return _weighted("mse_loss", d * d, weight, input, reduction, mean_by_weight=True)


@accepts_legacy_flags
def l1_loss(
    input: Tensor, target: Tensor, *, reduction: str = "mean", weight: Tensor | None = None
) -> Tensor:
    """Mean absolute error: l_i = |x_i - y_i| (gradient sign(x_i - y_i), 0 where equal).

    Same arguments as ``mse_loss``. Example: ``F.l1_loss(x, y, reduction='sum')``.
    """
    input, target = _regression_args("l1_loss", input, target, reduction)
    return _weighted("l1_loss", _abs(input - target), weight, input, reduction, mean_by_weight=True)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    *,
    weight: Tensor | None = None,
) -> Tensor:
    """Huber loss: quadratic near the target, linear far from it (robust to outliers).

    With z = |x - y|:   l = 0.5 z**2 if z < delta, else delta * (z - 0.5 delta).
    The two pieces meet with equal value and slope at z = delta. ``delta`` must be positive.
    ``weight`` (optional, the input's shape) multiplies each element; 'mean' then averages.

    Example: ``F.huber_loss(pred, y, delta=2.0)``.
    """
    input, target = _regression_args("huber_loss", input, target, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    d = input - target
    z = _abs(d)
    loss = where(z.array < delta, 0.5 * (d * d), delta * (z - 0.5 * delta))
    return _weighted("huber_loss", loss, weight, input, reduction, mean_by_weight=False)


@accepts_legacy_flags
def smooth_l1_loss(
    input: Tensor, target: Tensor, *, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """Smooth L1: l = 0.5 z**2 / beta if z < beta, else z - 0.5 beta (z = |x - y|).

    It is the Huber loss divided by beta; ``beta=0`` gives the plain L1 loss. ``beta`` must
    not be negative. Example: ``F.smooth_l1_loss(boxes, target_boxes, beta=0.5)``.
    """
    input, target = _regression_args("smooth_l1_loss", input, target, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must not be negative, got {beta}")
    d = input - target
    z = _abs(d)
    if beta == 0:
        return _reduce(z, reduction)
    loss = where(z.array < beta, (0.5 / beta) * (d * d), z - 0.5 * beta)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------------------
# Classification losses: class-index targets
# ----------------------------------------------------------------------------------------------


def _class_weight(name: str, weight, n_classes: int, input: Tensor):
    if weight is None:
        return None
    weight = as_tensor(weight)
    if weight.shape != (n_classes,):
        raise ShapeError(
            f"{name}: weight must hold one value per class, shape ({n_classes},), got "
            f"{shape_text(weight.shape)}"
        )
    if weight.dtype.kind != "f":
        raise TypeError(f"{name}: weight must be a floating tensor, got dtype {weight.dtype}")
    return weight


def _class_input(name: str, input, target=None) -> Tensor:
    if _looks_swapped(input, target):  # loss(labels, logits): say so, not only "int64"
        raise DTypeError(
            f"{name}: expected a floating input, got dtype {input.dtype} and shape "
            f"{shape_text(input.shape)} with a floating target of shape "
            f"{shape_text(target.shape)}; were input and target swapped? The scores come "
            "first, the class indices second"
        )
    input = floating_tensor(input, name)
    if input.ndim == 0:
        raise ShapeError(
            f"{name}: expected input of shape (N, C) or (N, C, d1, ...) or (C,), got a scalar"
        )
    return input


def _looks_swapped(input, target) -> bool:
    """Integer input and a floating target with one more dimension: (labels, logits)."""
    return (
        isinstance(input, Tensor)
        and isinstance(target, Tensor)
        and input.dtype.kind in "iu"
        and target.dtype.kind == "f"
        and target.ndim == input.ndim + 1
    )


def _expected_targets(input_shape: tuple) -> tuple[tuple, tuple]:
    """(shape of class-index targets, shape of probability targets) for this input."""
    return (input_shape[0],) + input_shape[2:], input_shape


def _check_indices(name: str, target: Tensor, n_classes: int, ignore_index: int) -> None:
    t = target.array
    if t.size == 0:
        return
    lo, hi = int(t.min()), int(t.max())
    if 0 <= lo and hi < n_classes:
        return
    bad = t[((t < 0) | (t >= n_classes)) & (t != ignore_index)]
    if bad.size:  # an IndexError as PyTorch raises (and a ValueError as glassnet did)
        raise IndexRangeError(
            f"{name}: target contains class index {int(bad.flat[0])}, but the input has "
            f"{n_classes} classes (valid indices are 0 to {n_classes - 1}, or "
            f"ignore_index={ignore_index})"
        )


def _index_target(name: str, input: Tensor, target, probabilities_ok: bool) -> tuple[Tensor, bool]:
    """Check the target of a (N, C, d...) input: returns (target, is_probabilities)."""
    target = _target_tensor(name, target)
    index_shape, prob_shape = _expected_targets(input.shape)
    kind = target.dtype.kind
    if kind in "iu":
        if target.shape == index_shape:
            return target, False
        if probabilities_ok and target.shape == prob_shape:
            raise DTypeError(
                f"{name}: target has the input's shape {shape_text(prob_shape)}, as class "
                f"probabilities do, but integer dtype {target.dtype}; probabilities must be "
                f"floating (target.float()), class indices have shape {shape_text(index_shape)}"
            )
    elif kind == "f":
        if probabilities_ok and target.shape == prob_shape:
            return target, True
        if target.shape == index_shape:
            raise DTypeError(
                f"{name}: target of shape {shape_text(target.shape)} holds class indices but "
                f"has dtype {target.dtype}; class indices must be integers (use target.long())"
                + (
                    f", or give class probabilities of the input's shape {shape_text(prob_shape)}"
                    if probabilities_ok
                    else ""
                )
            )
    else:
        raise DTypeError(
            f"{name}: target must hold integer class indices, got dtype {target.dtype}"
        )
    expected = f"{shape_text(index_shape)} (class indices)"
    if probabilities_ok:
        expected += f" or {shape_text(prob_shape)} (class probabilities)"
    raise ShapeError(
        f"{name}: expected target of shape {expected} for input of shape "
        f"{shape_text(input.shape)}, got {shape_text(target.shape)}"
    )


def _unbatched(input: Tensor, target):
    """PyTorch accepts a single sample: input (C,) with a scalar index or (C,) probabilities."""
    target = target if isinstance(target, Tensor) else as_tensor(target)
    t = target.unsqueeze(0) if target.ndim in (0, 1) else target
    return input.unsqueeze(0), t


@accepts_legacy_flags
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between softmax(input) and the target, fused and numerically stable.

    For a sample with logits x (one per class) and class index t:

        l = -log softmax(x)_t = -x_t + log sum_c exp(x_c)

    For class probabilities p (each row sums to 1): l = -sum_c p_c log softmax(x)_c.
    Computed as one op: log-softmax once (shifted by the max, so no overflow), and the
    gradient in one step, dL/dx = softmax(x) - target (scaled; see glassnet.ops.loss).

    Args:
        input: logits (unnormalised scores) of shape (N, C), (N, C, d1, d2, ...), or (C,).
        target: class indices of shape (N,) / (N, d1, ...) / () with values in [0, C) (or
            ``ignore_index``), or class probabilities with the input's shape.
        weight: optional per-class weights, shape (C,): each sample's loss is multiplied by
            the weight of its class.
        ignore_index: class-index targets with this value contribute no loss and no
            gradient, and are left out of the 'mean'.
        reduction: 'mean' (for indices: weighted sum / sum of the weights of the non-ignored
            targets; for probabilities: sum / number of samples) | 'sum' | 'none'.
        label_smoothing: eps in [0, 1]: the target becomes (1 - eps) * target + eps / C.

    Returns: a scalar, or shape (N, d1, ...) with reduction='none'.

    Example::

        >>> logits = glassnet.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
        >>> F.cross_entropy(logits, glassnet.tensor([0]))
        tensor(0.2413, grad_fn=...)      # -log(e**2 / (e**2 + e**0.5 + e**-1))
    """
    name = "cross_entropy"
    _check_reduction(name, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueRangeError(
            f"{name}: label_smoothing must be between 0 and 1, got {label_smoothing}"
        )
    input = _class_input(name, input, target)
    if input.ndim == 1:
        batched_input, batched_target = _unbatched(input, target)
        if batched_target.ndim != 1 and batched_target.shape != batched_input.shape:
            raise ShapeError(
                f"{name}: for an input of shape {shape_text(input.shape)} (one sample) the "
                f"target must be a scalar class index or probabilities of shape "
                f"{shape_text(input.shape)}, got {shape_text(as_tensor(target).shape)}"
            )
        loss = cross_entropy(
            batched_input,
            batched_target,
            weight,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )
        return loss.reshape(()) if reduction == "none" else loss
    target, probabilities = _index_target(name, input, target, probabilities_ok=True)
    n_classes = input.shape[1]
    weight = _class_weight(name, weight, n_classes, input)
    if not probabilities:
        _check_indices(name, target, n_classes, ignore_index)
    if weight is not None and weight.requires_grad and is_grad_enabled():
        return _cross_entropy_composed(
            input, target, probabilities, weight, ignore_index, reduction, label_smoothing
        )
    op = SoftmaxCrossEntropy(
        probabilities,
        None if weight is None else weight.array,
        ignore_index,
        reduction,
        label_smoothing,
    )
    return op(input, target)


def _cross_entropy_composed(
    input, target, probabilities, weight, ignore_index, reduction, label_smoothing
):
    """cross_entropy from primitive ops (log_softmax, pick, sums): differentiable in ``weight``.

    Used when the class weights require grad; also the reference the fused op is tested against.
    """
    n_classes = input.shape[1]
    eps = label_smoothing
    logp = log_softmax(input, dim=1)
    w_b = None
    if weight is not None:
        w_b = weight.to(input.dtype).reshape((1, n_classes) + (1,) * (input.ndim - 2))
    if probabilities:
        q = target.to(input.dtype)
        if eps:
            q = q * (1 - eps) + eps / n_classes
        if w_b is not None:
            q = q * w_b
        losses = -(logp * q).sum(dim=1)
        if reduction == "mean":
            return losses.sum() / losses.array.size
        return _reduce(losses, reduction)
    t = target.array
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    valid_f = valid.astype(input.dtype)
    pick_weight = as_tensor(valid_f) if weight is None else weight.to(input.dtype)[safe] * valid_f
    losses = -PickClass(safe)(logp) * pick_weight
    if eps:
        spread = (logp if w_b is None else logp * w_b).sum(dim=1) * valid_f
        losses = (1 - eps) * losses - (eps / n_classes) * spread
    if reduction == "mean":
        return losses.sum() / pick_weight.sum()
    return _reduce(losses, reduction)


@accepts_legacy_flags
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood: l_i = -w[t_i] * input[i, t_i], for log-probabilities as input.

    ``nll_loss(log_softmax(x, dim=1), t)`` equals ``cross_entropy(x, t)``.

    Args:
        input: log-probabilities of shape (N, C), (N, C, d1, ...), or (C,).
        target: class indices of shape (N,) / (N, d1, ...) / () in [0, C) or ``ignore_index``.
        weight: optional per-class weights of shape (C,).
        ignore_index: targets with this value are skipped (no loss, not counted in 'mean').
        reduction: 'mean' (sum of w[t_i] * l_i divided by the sum of w[t_i] over the
            non-ignored targets) | 'sum' | 'none'.

    Example: ``F.nll_loss(F.log_softmax(logits, dim=1), labels)``.
    """
    name = "nll_loss"
    _check_reduction(name, reduction)
    input = _class_input(name, input, target)
    if input.ndim == 1:
        batched_input, batched_target = _unbatched(input, target)
        if batched_target.ndim != 1:
            raise ShapeError(
                f"{name}: for an input of shape {shape_text(input.shape)} (one sample) the "
                f"target must be a scalar class index, got {shape_text(as_tensor(target).shape)}"
            )
        loss = nll_loss(
            batched_input, batched_target, weight, ignore_index=ignore_index, reduction=reduction
        )
        return loss.reshape(()) if reduction == "none" else loss
    target, _ = _index_target(name, input, target, probabilities_ok=False)
    n_classes = input.shape[1]
    weight = _class_weight(name, weight, n_classes, input)
    _check_indices(name, target, n_classes, ignore_index)
    t = target.array
    valid = t != ignore_index
    all_valid = bool(valid.all())
    safe = t if all_valid else np.where(valid, t, 0)
    picked = PickClass(safe)(input)
    if weight is None:
        if all_valid:
            losses = -picked
            pick_weight = None
        else:
            pick_weight = as_tensor(valid.astype(input.dtype))
            losses = -picked * pick_weight
    else:
        pick_weight = weight.to(input.dtype)[safe]
        if not all_valid:
            pick_weight = pick_weight * valid.astype(input.dtype)
        losses = -picked * pick_weight
    if reduction == "mean":
        if pick_weight is None:
            return losses.mean()
        total = float(pick_weight.array.sum())
        if pick_weight.requires_grad:
            return losses.sum() / pick_weight.sum()
        return losses.sum() * (1.0 / total if total else math.nan)
    return _reduce(losses, reduction)


# ----------------------------------------------------------------------------------------------
# Binary classification
# ----------------------------------------------------------------------------------------------


def _binary_args(name: str, input, target, reduction: str) -> tuple[Tensor, Tensor]:
    _check_reduction(name, reduction)
    input = floating_tensor(input, name)
    target = _target_tensor(name, target)
    if target.dtype.kind != "f":
        raise DTypeError(
            f"{name}: target must be floating (0/1 labels or probabilities), got dtype "
            f"{target.dtype}; use target.float()"
        )
    if target.shape != input.shape:
        raise ShapeError(
            f"{name}: target must have the input's shape {shape_text(input.shape)}, got "
            f"{shape_text(target.shape)}"
        )
    return input, target


def _broadcast_weight(name: str, what: str, weight, shape: tuple) -> Tensor | None:
    if weight is None:
        return None
    weight = as_tensor(weight)
    try:
        full = np.broadcast_shapes(weight.shape, shape)
    except ValueError:
        full = None
    if full != shape:
        raise ShapeError(
            f"{name}: {what} of shape {shape_text(weight.shape)} does not broadcast to the "
            f"input's shape {shape_text(shape)}"
        )
    return weight


@accepts_legacy_flags
def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy on probabilities: l = -w (y log p + (1 - y) log(1 - p)).

    Each log is clamped at -100 (as in PyTorch) so p = 0 or 1 gives a large finite loss
    rather than inf. Prefer ``binary_cross_entropy_with_logits`` on raw scores: it is stable
    where sigmoid followed by this loss is not.

    Args:
        input: probabilities p in [0, 1], any shape.
        target: labels or probabilities y in [0, 1], the input's shape (floating).
        weight: optional weights broadcastable to the input's shape.
        reduction: 'mean' | 'sum' | 'none'.

    Example: ``F.binary_cross_entropy(glassnet.sigmoid(scores), labels.float())``.
    """
    name = "binary_cross_entropy"
    input, target = _binary_args(name, input, target, reduction)
    weight = _broadcast_weight(name, "weight", weight, input.shape)
    p = input.array
    if p.size and not (p.min() >= 0 and p.max() <= 1):
        raise ValueRangeError(
            f"{name}: all elements of input must be probabilities between 0 and 1, got values "
            f"from {float(np.nanmin(p)):.4g} to {float(np.nanmax(p)):.4g} (apply sigmoid first, "
            "or use binary_cross_entropy_with_logits on the raw scores)"
        )
    loss = BinaryCrossEntropy()(input, target)
    return _reduce(loss if weight is None else loss * weight, reduction)


@accepts_legacy_flags
def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable expression, on raw scores (logits).

    With s = sigmoid(x), l = -w (pw * y log s + (1 - y) log(1 - s)), rewritten so that no
    exp can overflow, using log(1 - s) = -x + log s and -log s = softplus(-x):

        l = w ((1 - y) x + (1 + (pw - 1) y) softplus(-x))

    Args:
        input: logits, any shape.
        target: labels/probabilities in [0, 1], the input's shape (floating).
        weight: optional weights broadcastable to the input's shape.
        reduction: 'mean' | 'sum' | 'none'.
        pos_weight: optional weight of the positive term, broadcastable to the input's
            shape, usually one value per class (shape (C,)): > 1 raises recall.

    Example::

        F.binary_cross_entropy_with_logits(scores, labels, pos_weight=glassnet.tensor([3.0]))
    """
    name = "binary_cross_entropy_with_logits"
    input, target = _binary_args(name, input, target, reduction)
    weight = _broadcast_weight(name, "weight", weight, input.shape)
    pos_weight = _broadcast_weight(name, "pos_weight", pos_weight, input.shape)
    # softplus(-x) = log(1 + e**-x), evaluated stably; threshold=inf keeps it exact everywhere.
    sp = softplus(-input, 1.0, math.inf)
    if pos_weight is None:
        loss = (1 - target) * input + sp
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * sp
    return _reduce(loss if weight is None else loss * weight, reduction)


# ----------------------------------------------------------------------------------------------
# Distributions
# ----------------------------------------------------------------------------------------------


@accepts_legacy_flags
def kl_div(
    input: Tensor,
    target: Tensor,
    *,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence KL(target || model), with the model given as log-probabilities.

    Pointwise, l = y (log y - x) where x = input (log-probabilities) and y = target
    (probabilities; terms with y = 0 count as 0). With ``log_target=True`` the target is
    given as log-probabilities too: l = exp(y) (y - x).

    Args:
        input: log-probabilities, e.g. ``F.log_softmax(logits, dim=1)``.
        target: probabilities (or log-probabilities with ``log_target=True``), same shape.
        reduction: 'batchmean' (sum / batch size: the true KL divergence per sample, the one
            to use), 'mean' (sum / number of elements, PyTorch's default), 'sum' or 'none'.
        log_target: whether target holds log-probabilities.

    Example: ``F.kl_div(F.log_softmax(student, 1), F.softmax(teacher, 1), reduction='batchmean')``.
    """
    name = "kl_div"
    _check_reduction(name, reduction, ("none", "batchmean", "mean", "sum"))
    input = floating_tensor(input, name)
    target = _float_target(name, target, input)
    _check_same_or_smaller(name, input, target, stacklevel=3)
    if log_target:
        loss = exp(target) * (target - input)
    else:
        zero = target.array == 0
        # y log y with 0 log 0 = 0 (and no nan gradient from log 0).
        y_log_y = where(zero, 0.0, target * log(where(zero, 1.0, target)))
        loss = y_log_y - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    if reduction == "mean":  # PyTorch warns too: this is not the KL divergence per sample
        warnings.warn(
            "kl_div: reduction='mean' divides the summed loss by the number of elements "
            "(batch size times classes), not by the batch size; reduction='batchmean' gives "
            "the KL divergence per sample",
            UserWarning,
            stacklevel=2,
        )
    return _reduce(loss, reduction)
