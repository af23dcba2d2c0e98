"""F.linear (the affine map y = x W^T + b, checked once and computed by one fused op) and F.bilinear."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import DTypeError, ShapeError
from ...ops.einsum import einsum
from ...ops.nn import Linear as LinearOp
from ...tensor import Tensor, as_tensor
from ._args import shape_text

__all__ = ["bilinear", "linear"]


def _describe(x: Any) -> str:
    return f"shape {shape_text(x.shape)}" if isinstance(x, Tensor) else type(x).__name__


def linear_args_fit(x: Any, weight: Any, bias: Any) -> bool:
    """The quick test on the way down (True: x (*, in), W (out, in), b (out,) fit, one dtype).

    A few comparisons on the arrays, cheap enough for every call; when it says False,
    ``check_linear_args`` finds the reason and raises it.
    """
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)):
        return False
    data, w = x.array, weight.array
    if w.ndim != 2 or data.ndim == 0 or data.shape[-1] != w.shape[1] or data.dtype != w.dtype:
        return False
    if bias is None:
        return True
    return (
        isinstance(bias, Tensor) and bias.array.shape == w.shape[:1] and bias.array.dtype == w.dtype
    )


def check_linear_args(x: Any, weight: Any, bias: Any, who: str) -> None:
    """Raise a clear error unless x (*, in), weight (out, in), bias (out,) fit together.

    ``who`` names the caller in the message (``"linear"`` or a layer label). Shape mistakes
    raise ``ShapeError`` (a ValueError and a RuntimeError), dtype mistakes ``DTypeError``.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected input to be a glassnet Tensor, got {_describe(x)}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ShapeError(
            f"{who}: expected weight to be a 2-D Tensor (out_features, in_features), got "
            f"{_describe(weight)}"
        )
    out_features, in_features = weight.shape
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ShapeError(
            f"{who}: expected input of shape (*, {in_features}), got {shape_text(x.shape)}"
        )
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (out_features,)):
        raise ShapeError(f"{who}: expected bias of shape ({out_features},), got {_describe(bias)}")
    dtype = weight.array.dtype
    if x.array.dtype != dtype or (bias is not None and bias.array.dtype != dtype):
        raise DTypeError(f"{who}: {dtype_mismatch_message(x, weight, bias)}")


def dtype_mismatch_message(x: Tensor, weight: Tensor, bias: Tensor | None) -> str:
    """``"input and parameters must have the same floating dtype, got input float64, ..."``."""
    dtype = weight.array.dtype
    got = f"input {x.array.dtype}, weight {dtype}"
    if bias is not None:
        got += f", bias {bias.array.dtype}"
    hint = "x.float()" if dtype == np.float32 else f"x.to({dtype})"
    return (
        f"input and parameters must have the same floating dtype, got {got}; "
        f"convert the input ({hint}) or the model (model.double() / model.float())"
    )


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b: every output is a weighted sum of the inputs plus an offset.

    Args:
        input: x of shape (*, in_features): any number of leading dimensions.
        weight: W of shape (out_features, in_features).
        bias: b of shape (out_features,), or None.

    Returns:
        y of shape (*, out_features), with y[..., j] = sum_k x[..., k] W[j, k] + b[j].

    Gradients (one fused op): dL/dx = g W, dL/dW = g^T x, dL/db = g summed over all
    leading dimensions.

    Example::

        >>> x = glassnet.randn(32, 784)
        >>> w, b = glassnet.randn(10, 784), glassnet.zeros(10)
        >>> F.linear(x, w, b).shape
        (32, 10)
    """
    if not linear_args_fit(input, weight, bias):
        check_linear_args(input, weight, bias, "linear")
    if bias is None:
        return LinearOp()(input, weight)
    return LinearOp()(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_o = sum_ij x1_i A_oij x2_j + b_o: each output a quadratic form of the two inputs.

    Args:
        input1: (*, in1); input2: (*, in2), the same leading shape.
        weight: A of shape (out, in1, in2); bias: (out,) or None.

    Gradients (from the einsum): dL/dx1_i = sum_o g_o (A_o x2)_i, dL/dx2_j = sum_o g_o
    (x1^T A_o)_j, dL/dA_oij = g_o x1_i x2_j.
    """
    x1, x2 = as_tensor(input1), as_tensor(input2)
    if weight.ndim != 3 or x1.shape[-1] != weight.shape[1] or x2.shape[-1] != weight.shape[2]:
        raise ShapeError(
            f"bilinear: expected input1 (*, {weight.shape[1] if weight.ndim == 3 else 'in1'}) and "
            f"input2 (*, {weight.shape[2] if weight.ndim == 3 else 'in2'}) for weight of shape "
            f"{tuple(weight.shape)}, got {tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    y = einsum("...i,oij,...j->...o", x1, weight, x2)
    return y if bias is None else y + bias
