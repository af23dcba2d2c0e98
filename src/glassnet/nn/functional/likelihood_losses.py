"""Likelihood losses (F.gaussian_nll_loss, F.poisson_nll_loss, F.multilabel_soft_margin_loss): minus the log-probability of the target.

Each loss is the negative log-likelihood of the target under a distribution the network
predicts, written as a formula of differentiable Tensor ops (so the gradients are the chain
rule through them) and reduced like the other losses ('mean', 'sum' or 'none'):

* Gaussian: the network predicts a mean and a variance for each target value;
* Poisson: it predicts the rate of a count (or its logarithm);
* multi-label: one independent yes/no (Bernoulli) per class, from logits, averaged over
  the classes of each sample.

Names, arguments, defaults and numbers follow PyTorch. As in glassnet.nn.functional.loss,
arguments that PyTorch's signatures follow with the deprecated ``size_average`` / ``reduce``
are keyword-only here, so a positional call written for the old signature fails loudly. A
target may broadcast to the input's shape, but never enlarge it (the (N, 1) vs (N,) mistake).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd import wrap
from ...errors import ShapeError
from ...ops.api import exp, log, softplus, where
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text
from .loss import _broadcast_weight, _check_reduction, _float_target, _reduce, accepts_legacy_flags

__all__ = ["gaussian_nll_loss", "poisson_nll_loss", "multilabel_soft_margin_loss"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _fits(name: str, what: str, t: Tensor, input: Tensor) -> None:
    """Raise unless ``t`` broadcasts to the input's shape without making it bigger."""
    try:
        shape = np.broadcast_shapes(input.shape, t.shape)
    except ValueError:
        shape = None
    if shape != input.shape:
        raise ShapeError(
            f"{name}: expected {what} of the input's shape {shape_text(input.shape)} (or one "
            f"that broadcasts to it), got {shape_text(t.shape)}"
        )


def _loss_args(name: str, input: Any, target: Any, reduction: str) -> tuple[Tensor, Tensor]:
    _check_reduction(name, reduction)
    input = floating_tensor(input, name)
    target = _float_target(name, target, input)
    _fits(name, "target", target, input)
    return input, target


def _variance(name: str, var: Any, input: Tensor) -> Tensor:
    """``var`` as a Tensor that broadcasts against the input, checked as PyTorch checks it.

    Accepted: the input's shape; the input's shape with one dimension of size 1 (one variance
    shared along that axis); the input's shape without its last dimension (one variance per
    vector, a trailing axis of size 1 is added); or a plain number.
    """
    if isinstance(var, (int, float, np.number)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"{name}: var must not be negative, got {var}")
        return wrap(np.asarray(var, dtype=input.dtype))
    var = as_tensor(var)
    if var.dtype.kind in "biu":
        var = var.to(input.dtype)
    elif var.dtype.kind != "f":
        raise TypeError(f"{name}: expected a numeric var, got dtype {var.dtype}")
    shape, given = input.shape, var.shape
    if given != shape:
        if given == shape[:-1]:
            var = var.unsqueeze(-1)  # one variance per vector of the last axis
        elif (
            len(given) != len(shape)
            or sum(a != b for a, b in zip(given, shape)) != 1
            or any(a != b and a != 1 for a, b in zip(given, shape))
        ):
            raise ShapeError(
                f"{name}: expected var of the input's shape {shape_text(shape)}, or that shape "
                f"with one dimension of size 1, or without its last dimension "
                f"{shape_text(shape[:-1])}; got {shape_text(given)}"
            )
    if var.array.size and (var.array < 0).any():
        raise ValueError(
            f"{name}: var must not be negative, got a smallest entry of "
            f"{float(var.array.min()):.4g}"
        )
    return var


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Gaussian negative log-likelihood: the target under N(input, var), predicted per element.

        l = 0.5 * (log(max(var, eps)) + (input - target)**2 / max(var, eps))   (+ 0.5 log(2 pi))

    The constant 0.5 log(2 pi) is added only with ``full=True``. With v = max(var, eps):

        dl/dinput = (input - target) / v,    dl/dvar = 0.5 * (1 / v - (input - target)**2 / v**2)

    The clamp at ``eps`` keeps log and division finite but, as in PyTorch, is not
    differentiated: where var < eps the gradient is still the formula above at v = eps, so
    the loss keeps pushing a too-small variance up.

    Args:
        input: predicted means, any shape (*), floating.
        target: observed values, the input's shape (or one that broadcasts to it).
        var: predicted variances, >= 0: the input's shape, that shape with one dimension of
            size 1 (shared along it), that shape without its last dimension, or a number.
        full: add the constant 0.5 log(2 pi) (the exact log-density).
        eps: the smallest variance used (default 1e-6).
        reduction: 'mean' | 'sum' | 'none' (per element, the input's shape).

    Example: ``F.gaussian_nll_loss(mean, y, F.softplus(raw_var))``.
    """
    name = "gaussian_nll_loss"
    input, target = _loss_args(name, input, target, reduction)
    var = _variance(name, var, input)
    # var + (max(var, eps) - var): the value of the clamp, the gradient of var itself.
    v = var + wrap(np.maximum(var.array, eps).astype(var.dtype) - var.array)
    diff = input - target
    loss = 0.5 * (log(v) + diff * diff / v)
    if full:
        loss = loss + _HALF_LOG_2PI
    return _reduce(loss, reduction)


@accepts_legacy_flags
def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    *,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log-likelihood of counts ``target`` with predicted rate lambda.

    -log P(k | lambda) = lambda - k log(lambda) + log(k!), and log(k!) does not depend on the
    prediction, so by default it is left out:

        log_input=True  (input = log lambda):  l = exp(input) - target * input
        log_input=False (input = lambda):      l = input - target * log(input + eps)

    dl/dinput = exp(input) - target, or 1 - target / (input + eps). With ``full=True`` the
    Stirling approximation of log(k!), k log k - k + 0.5 log(2 pi k), is added where k > 1
    (it is 0 for k <= 1, and then has no gradient).

    Args:
        input: the predicted log-rate (or rate, with ``log_input=False``), any shape.
        target: observed counts, the input's shape (or one that broadcasts to it).
        log_input: whether the input is the log of the rate (then no eps is needed).
        full: add the Stirling term.
        eps: keeps log(input + eps) finite at a rate of 0 (``log_input=False`` only).
        reduction: 'mean' | 'sum' | 'none'.

    Example: ``F.poisson_nll_loss(log_rate, counts)``.
    """
    name = "poisson_nll_loss"
    input, target = _loss_args(name, input, target, reduction)
    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(input + eps)
    if full:
        big = target.array > 1
        # Evaluated at 1 where k <= 1, then masked: no log(0) and no NaN gradient for k = 0.
        k = where(big, target, 1.0)
        stirling = k * log(k) - k + 0.5 * log(2 * math.pi * k)
        loss = loss + where(big, stirling, 0.0)
    return _reduce(loss, reduction)


@accepts_legacy_flags
def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label classification: one independent sigmoid yes/no per class, averaged over classes.

    For the logits x and 0/1 labels y of one sample (C classes):

        l = -(1 / C) * sum_c w_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c))
          =  (1 / C) * sum_c w_c (y_c softplus(-x_c) + (1 - y_c) softplus(x_c))

    (binary cross-entropy with logits, per class, then the mean over the classes);
    dl/dx_c = w_c (sigmoid(x_c) - y_c) / C. Computed with softplus, so no exp overflows.

    Args:
        input: logits of shape (N, C) or (C,) (in general (*, C): the classes are the last axis).
        target: labels (or probabilities) in [0, 1], the input's shape (or broadcasting to it).
        weight: optional per-class weights, shape (C,) (or anything broadcasting to the input).
        reduction: 'mean' (over the samples) | 'sum' | 'none' (one loss per sample, shape (N,)).

    Example: ``F.multilabel_soft_margin_loss(logits, tags.float())`` for (N, C) tags.
    """
    name = "multilabel_soft_margin_loss"
    _check_reduction(name, reduction)
    input = floating_tensor(input, name)
    if input.ndim == 0:
        raise ShapeError(
            f"{name}: expected input of shape (N, C) or (C,) (classes on the last axis), got a "
            "scalar"
        )
    input, target = _loss_args(name, input, target, reduction)
    weight = _broadcast_weight(name, "weight", weight, input.shape)
    # threshold=inf: softplus evaluated exactly (stably) everywhere, as log(1 + e**x).
    loss = target * softplus(-input, 1.0, math.inf) + (1 - target) * softplus(input, 1.0, math.inf)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(-1), reduction)
