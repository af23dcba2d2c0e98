r"""Folding an eval-mode BatchNorm into the Conv or Linear layer before it (one layer, same outputs).

In eval mode BatchNorm is an affine map per channel,
:math:`\text{bn}(y) = \gamma (y - \mu) / \sqrt{\sigma^2 + \epsilon} + \beta`, so after
:math:`y = W x + b` it can be merged into the weights: with
:math:`s = \gamma / \sqrt{\sigma^2 + \epsilon}` (one scale per output channel)

.. math:: W' = s \cdot W \ \text{(row by row)}, \qquad b' = s (b - \mu) + \beta

and :math:`\text{bn}(W x + b) = W' x + b'`. For a transposed convolution the output channels
are dim 1 of the weight, so the scale is applied there.
"""

from __future__ import annotations

import copy
from typing import TypeVar

import numpy as np

from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "FusionError",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]

M = TypeVar("M", bound=Module)


class FusionError(ValueError, AssertionError):
    """The layers cannot be fused (PyTorch asserts: so an AssertionError as well as a ValueError)."""


def _check_eval(layer: Module, bn: Module, who: str) -> None:
    if layer.training or bn.training:
        raise FusionError(f"{who}: fusion is only for eval mode; call .eval() on both layers first")
    if getattr(bn, "running_mean", None) is None or getattr(bn, "running_var", None) is None:
        raise FusionError(f"{who}: the BatchNorm has no running statistics (track_running_stats)")


def _array(t: Tensor | None) -> np.ndarray | None:
    return None if t is None else t.array


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    r"""The fused convolution weight and bias: :math:`W' = s W`, :math:`b' = s (b - \mu) + \beta`.

    Args:
        conv_w: (C_out, C_in, k...) (or (C_in, C_out, k...) with ``transpose=True``).
        conv_b: (C_out,) or None (zero).
        bn_rm, bn_rv: running mean and variance (C_out,).
        bn_eps: BatchNorm's eps.
        bn_w, bn_b: BatchNorm's gamma and beta (C_out,), or None (1 and 0).
        transpose: the weight is a transposed convolution's.

    Returns:
        ``(Parameter W', Parameter b')`` in the dtypes of the conv's weight and bias.
    """
    w = conv_w.array
    bias_dtype = w.dtype if conv_b is None else conv_b.array.dtype
    rm, rv = bn_rm.array, bn_rv.array
    b = np.zeros_like(rm) if conv_b is None else conv_b.array
    gamma = np.ones_like(rm) if bn_w is None else bn_w.array
    beta = np.zeros_like(rm) if bn_b is None else bn_b.array
    scale = gamma / np.sqrt(rv + bn_eps)
    shape = [1, -1] if transpose else [-1, 1]
    shape += [1] * (w.ndim - 2)
    fused_w = (w * scale.reshape(shape)).astype(w.dtype)
    fused_b = ((b - rm) * scale + beta).astype(bias_dtype)
    requires_b = False if conv_b is None else conv_b.requires_grad  # a made-up zero bias
    return Parameter(fused_w, conv_w.requires_grad), Parameter(fused_b, requires_b)


def fuse_conv_bn_eval(conv: M, bn: Module, transpose: bool = False) -> M:
    """A copy of ``conv`` whose output equals ``bn(conv(x))`` (both in eval mode)."""
    _check_eval(conv, bn, "fuse_conv_bn_eval")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose,
    )  # fmt: skip
    return fused


def fuse_linear_bn_weights(
    linear_w: Tensor,
    linear_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
) -> tuple[Parameter, Parameter]:
    r"""The fused linear weight and bias: :math:`W' = s W` (row by row), :math:`b' = s (b - \mu) + \beta`."""
    w = linear_w.array
    rm, rv = bn_rm.array, bn_rv.array
    bias_dtype = w.dtype if linear_b is None else linear_b.array.dtype
    b = np.zeros_like(rm) if linear_b is None else linear_b.array
    gamma = np.ones_like(rm) if bn_w is None else bn_w.array
    beta = np.zeros_like(rm) if bn_b is None else bn_b.array
    scale = gamma / np.sqrt(rv + bn_eps)
    fused_w = (w * scale[:, None]).astype(w.dtype)
    fused_b = ((b - rm) * scale + beta).astype(bias_dtype)
    requires_b = False if linear_b is None else linear_b.requires_grad
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, requires_b)


def fuse_linear_bn_eval(linear: M, bn: Module) -> M:
    """A copy of ``linear`` whose output equals ``bn(linear(x))`` (both in eval mode)."""
    _check_eval(linear, bn, "fuse_linear_bn_eval")
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise FusionError(
            "fuse_linear_bn_eval: needs linear.out_features == bn.num_features or "
            f"bn.num_features == 1, got {linear.out_features} and {bn.num_features}"
        )
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    return fused
