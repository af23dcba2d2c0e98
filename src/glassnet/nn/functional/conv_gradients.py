"""Gradients of a convolution with respect to its input or its weight (PyTorch's ``nn.grad`` / ``F.grad``): conv1d/2d/3d_input, conv1d/2d/3d_weight.

A convolution y = conv(x, w) is linear in x and linear in w, so for an upstream gradient
g = dL/dy the two vector-Jacobian products are

    dL/dx = conv_transpose(g, w)          (each output cell sends g * w back to its window)
    dL/dw[o, i, taps] = sum over n and output cells of g[n, o, cell] * x[n, i, window(cell) + taps]

Here they are not written out a second time: each function runs glassnet's own convolution
forward on a leaf of the given size (zeros: the products do not depend on the leaf's
values, because the convolution is linear in it) and asks the engine for the gradient with
``glassnet.autograd.grad``, so the result is exactly the gradient ``backward`` would give.
When the weight (for ``*_input``), the input (for ``*_weight``) or ``grad_output``
requires grad, the backward pass is recorded, so the result can be differentiated again.

Shapes (nd = 1, 2, 3 spatial axes; groups g):
    conv{nd}d_input(input_size, weight, grad_output): input_size (N, C_in, *spatial),
        weight (C_out, C_in / g, *kernel), grad_output (N, C_out, *out); result input_size.
    conv{nd}d_weight(input, weight_size, grad_output): input (N, C_in, *spatial),
        weight_size (C_out, C_in / g, *kernel); result weight_size.
``stride``, ``padding``, ``dilation`` and ``groups`` are the forward convolution's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ... import autograd
from ...errors import ShapeError
from ...tensor import Tensor
from . import conv as _conv
from ._args import not_a_tensor_message, shape_text

__all__ = [
    "conv1d_input",
    "conv1d_weight",
    "conv2d_input",
    "conv2d_weight",
    "conv3d_input",
    "conv3d_weight",
]


def _size(fn: str, size: Any, nd: int, what: str) -> tuple:
    """``size`` as a tuple of nd + 2 non-negative ints (a list, tuple or Size)."""
    try:
        shape = tuple(int(s) for s in size)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: expected {what} as a sequence of ints, got {size!r}") from None
    if len(shape) != nd + 2 or any(s < 0 for s in shape):
        raise ShapeError(
            f"{fn}: expected {what} of {nd + 2} non-negative sizes, got {shape_text(shape)}"
        )
    return shape


def _tensor(fn: str, x: Any, what: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {not_a_tensor_message(x, what)}")
    return x


def _vjp(fn: str, y: Tensor, leaf: Tensor, grad_output: Tensor, others: tuple) -> Tensor:
    """dL/d(leaf) for dL/dy = grad_output, recorded when anything else needs a gradient."""
    if tuple(y.shape) != tuple(grad_output.shape):
        raise ShapeError(
            f"{fn}: grad_output has shape {shape_text(grad_output.shape)}, but the "
            f"convolution's output has shape {shape_text(y.shape)}"
        )
    record = autograd.is_grad_enabled() and any(t.requires_grad for t in others + (grad_output,))
    (result,) = autograd.grad(y, leaf, grad_output, create_graph=record)
    return result if record else result.detach()


def _leaf_gradient(fn: str, nd: int, wrt: str, given: Any, size: Any, grad_output: Any,
                   conv_args: tuple) -> Tensor:  # fmt: skip
    """dL/dx (``wrt="input"``) or dL/dw (``wrt="weight"``) of ``conv{nd}d(x, w, None, *conv_args)``.

    ``given`` is the other operand (w, or x); the one differentiated is a zero leaf of shape
    ``size``, in the given operand's dtype. Checks, in order: the given operand and grad_output
    are tensors, ``size`` holds nd + 2 sizes.
    """
    other = "weight" if wrt == "input" else "input"
    given = _tensor(fn, given, other)
    grad_output = _tensor(fn, grad_output, "grad_output")
    shape = _size(fn, size, nd, f"{wrt}_size")
    forward = getattr(_conv, f"conv{nd}d")
    with autograd.enable_grad():
        leaf = Tensor._make(np.zeros(shape, given.array.dtype), True, None)
        x, w = (leaf, given) if wrt == "input" else (given, leaf)
        y = forward(x, w, None, *conv_args)
        return _vjp(fn, y, leaf, grad_output, (given,))


def _input_gradient(nd: int) -> Callable[..., Tensor]:
    fn = f"conv{nd}d_input"

    def conv_input(
        input_size: Any,
        weight: Tensor,
        grad_output: Tensor,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        args = (stride, padding, dilation, groups)
        return _leaf_gradient(fn, nd, "input", weight, input_size, grad_output, args)

    return _conv.named(
        conv_input,
        fn,
        f"dL/dx of ``conv{nd}d(x, weight, None, stride, padding, dilation, groups)`` for "
        "dL/dy = grad_output, x of shape ``input_size`` (the transposed convolution of "
        "grad_output with weight); see the module docstring.",
    )


def _weight_gradient(nd: int) -> Callable[..., Tensor]:
    fn = f"conv{nd}d_weight"

    def conv_weight(
        input: Tensor,
        weight_size: Any,
        grad_output: Tensor,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        args = (stride, padding, dilation, groups)
        return _leaf_gradient(fn, nd, "weight", input, weight_size, grad_output, args)

    return _conv.named(
        conv_weight,
        fn,
        f"dL/dw of ``conv{nd}d(input, w, None, stride, padding, dilation, groups)`` for "
        "dL/dy = grad_output, w of shape ``weight_size`` (the correlation of input with "
        "grad_output); see the module docstring.",
    )


conv1d_input = _input_gradient(1)
conv2d_input = _input_gradient(2)
conv3d_input = _input_gradient(3)
conv1d_weight = _weight_gradient(1)
conv2d_weight = _weight_gradient(2)
conv3d_weight = _weight_gradient(3)
