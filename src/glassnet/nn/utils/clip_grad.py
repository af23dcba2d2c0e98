"""Gradient clipping: rescale (clip_grad_norm_) or clamp (clip_grad_value_) gradients in place.

clip_grad_norm_ is also available in its two halves (PyTorch 2.6+): get_total_norm (the norm of
many tensors as one vector) and clip_grads_with_norm_ (the rescaling, given that norm).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np

from ...autograd import wrap
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]


def _grads(parameters: Tensor | Iterable[Tensor], who: str) -> list[Tensor]:
    """The ``.grad`` of every parameter that has one."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = []
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"{who} expects Tensors (e.g. model.parameters()), but item {i} is a "
                f"{type(p).__name__}"
            )
        if p.grad is not None:
            grads.append(p.grad)
    return grads


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """The p-norm of all elements of ``a`` as a 0-d array in ``a``'s dtype."""
    a = a.ravel()
    if p == 2.0:
        return np.sqrt(np.dot(a, a))
    absolute = np.abs(a)
    if p == math.inf:
        return absolute.max(initial=0).astype(a.dtype)
    if p == -math.inf:
        return absolute.min(initial=math.inf).astype(a.dtype)
    if p == 0.0:
        return np.asarray(np.count_nonzero(a), dtype=a.dtype)
    if p == 1.0:
        return absolute.sum()
    return np.power(np.power(absolute, p).sum(), 1.0 / p)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    r"""Scale all gradients together so that their combined norm is at most ``max_norm``.

    The gradients of all parameters are treated as one long vector :math:`g`:

    .. math::

        \|g\|_p = \Big(\sum_i \|g_i\|_p^p\Big)^{1/p}, \qquad
        g_i \leftarrow g_i \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Big)

    (:math:`p = \infty` uses the largest absolute entry.) The direction of the update is
    kept; only its length is capped, which stops one exploding batch from wrecking the
    weights. Call it between ``loss.backward()`` and ``optimizer.step()``.

    Args:
        parameters: a Tensor or an iterable of Tensors (``model.parameters()``); those
            without a gradient are ignored.
        max_norm: the largest norm allowed (>= 0).
        norm_type: :math:`p` (default 2); ``float("inf")`` for the max-norm.
        error_if_nonfinite: raise RuntimeError if the total norm is nan or infinite
            (otherwise the gradients are scaled by it anyway, as in PyTorch).
        foreach: PyTorch's choice of kernel (one per tensor, or one over all); glassnet has
            one way, so it changes nothing.

    Returns:
        The total norm of the gradients *before* clipping, as a 0-d Tensor.
    """
    grads = _grads(parameters, "clip_grad_norm_")
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"max_norm must be >= 0, got max_norm={max_norm!r}")
    if norm_type < 0 and norm_type != -math.inf:
        raise ValueError(f"norm_type must be >= 0, inf or -inf, got norm_type={norm_type!r}")
    if not grads:
        return wrap(np.zeros((), dtype=np.float32))
    norms = np.array([_vector_norm(g.array, norm_type) for g in grads])
    total = _vector_norm(norms, norm_type).astype(norms.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite ({float(total)}), so it cannot be clipped. To scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = max_norm / (float(total) + 1e-6)
    if not coef >= 1.0:  # also when coef is nan: the gradients become nan, as in PyTorch
        with np.errstate(invalid="ignore"):  # inf * 0 -> nan is the documented outcome
            for g in grads:
                g.array *= g.array.dtype.type(coef)
                g._version[0] += 1
    return wrap(total)


def clip_grad_norm(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """``clip_grad_norm_`` under its old name, which PyTorch deprecated (the trailing ``_`` of
    the new one says that the gradients change in place): warns as PyTorch does, then calls it."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    r"""Clamp every gradient entry into :math:`[-\text{clip\_value}, \text{clip\_value}]`, in place.

    .. math::

        g \leftarrow \min(\max(g, -c), c)

    Unlike ``clip_grad_norm_`` this changes the direction of the gradient.

    Args:
        parameters: a Tensor or an iterable of Tensors; those without a gradient are ignored.
        clip_value: :math:`c`, the largest absolute value allowed (>= 0).
        foreach: accepted for PyTorch code; glassnet has one implementation.
    """
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_value must be >= 0, got clip_value={clip_value!r}")
    for g in _grads(parameters, "clip_grad_value_"):
        np.clip(g.array, -clip_value, clip_value, out=g.array)
        g._version[0] += 1


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    r"""The p-norm of several tensors taken together as one vector: :math:`(\sum_i \|t_i\|_p^p)^{1/p}`.

    Args:
        tensors: a Tensor or an iterable of Tensors (e.g. ``[p.grad for p in params]``).
        norm_type: :math:`p` (default 2); ``float("inf")`` for the largest absolute entry.
        error_if_nonfinite: raise RuntimeError if the norm is nan or infinite.
        foreach: accepted for PyTorch code; glassnet has one implementation.

    Returns:
        A 0-d Tensor (0.0 for no tensors).
    """
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    arrays = []
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"get_total_norm expects Tensors, but item {i} is a {type(t).__name__}")
        arrays.append(t.array)
    norm_type = float(norm_type)
    if not arrays:
        return wrap(np.zeros((), dtype=np.float32))
    norms = np.array([_vector_norm(a, norm_type) for a in arrays])
    total = _vector_norm(norms, norm_type).astype(norms.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} is non-finite ({float(total)}), so it cannot "
            "be clipped; set error_if_nonfinite=False to scale by it anyway"
        )
    return wrap(total)


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor | float,
    foreach: bool | None = None,
) -> None:
    r"""Scale the gradients by :math:`\min(1, \text{max\_norm} / (\text{total\_norm} + 10^{-6}))`, in place.

    The second half of ``clip_grad_norm_``: ``total_norm`` comes from ``get_total_norm`` (or
    elsewhere, e.g. summed over several processes first).
    """
    grads = _grads(parameters, "clip_grads_with_norm_")
    if not grads:
        return
    total = float(total_norm.array if isinstance(total_norm, Tensor) else total_norm)
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):
        for g in grads:
            g.array *= g.array.dtype.type(coef)
            g._version[0] += 1
