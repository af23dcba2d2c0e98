"""F.linear (the affine map y = x W^T + b, one fused op) and F.pad (padding an input's borders).

``F.pad`` lives here as the other shape-level helper of the functional API; its constant mode
is ``glassnet.pad`` (ops/shape.py), the other modes gather edge or mirrored elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import api
from ...ops.nn import Linear as _LinearOp
from ...tensor import Tensor

__all__ = ["linear", "pad"]


def _describe(x: Any) -> str:
    return f"shape {tuple(x.shape)}" if isinstance(x, Tensor) else type(x).__name__


def check_linear_args(x: Any, weight: Any, bias: Any, who: str) -> None:
    """Raise a clear error unless x (*, in), weight (out, in), bias (out,) fit together.

    ``who`` names the caller in the message (``"linear"`` or a layer label).
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected input to be a glassnet Tensor, got {_describe(x)}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ValueError(
            f"{who}: expected weight to be a 2-D Tensor (out_features, in_features), got "
            f"{_describe(weight)}"
        )
    out_features, in_features = weight.shape
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ValueError(f"{who}: expected input of shape (*, {in_features}), got {tuple(x.shape)}")
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (out_features,)):
        raise ValueError(f"{who}: expected bias of shape ({out_features},), got {_describe(bias)}")
    dtype = weight.array.dtype
    if x.array.dtype != dtype or (bias is not None and bias.array.dtype != dtype):
        got = f"input {x.array.dtype}, weight {dtype}"
        if bias is not None:
            got += f", bias {bias.array.dtype}"
        hint = "x.float()" if dtype == np.float32 else f"x.to({dtype})"
        raise TypeError(
            f"{who}: input and parameters must have the same floating dtype, got {got}; "
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
    check_linear_args(input, weight, bias, "linear")
    if bias is None:
        return _LinearOp()(input, weight)
    return _LinearOp()(input, weight, bias)


def _edge_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Source positions, along one axis of length n, of the padded axis of length before+n+after."""
    pos = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        return pos % n
    # reflect: mirror about the first and last element (the edge itself is not repeated)
    period = 2 * (n - 1)
    pos = np.abs(pos) % period if period else np.zeros_like(pos)
    return np.where(pos >= n, period - pos, pos)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the borders of a tensor, PyTorch style: ``pad`` lists (before, after) per axis, last axis first.

    ``F.pad(x, (1, 2))`` adds 1 column on the left and 2 on the right of the last axis;
    ``F.pad(x, (1, 1, 2, 2))`` also adds 2 rows above and below (the second-last axis).

    Modes:
        'constant': fill with ``value`` (default 0).
        'reflect': mirror the input about its edge element: [a b c d] -> [c b | a b c d | c b].
        'replicate': repeat the edge element: [a b c d] -> [a a | a b c d | d d].
        'circular': wrap around: [a b c d] -> [c d | a b c d | a b].

    The non-constant modes are gathers, so their gradient adds each output's gradient back
    into the element it was copied from. Negative padding (cropping) is allowed for
    'constant' only.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: expected a glassnet Tensor, got {type(input).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"pad: the padding must be (before, after) pairs for at most {input.ndim} axes, got "
            f"{pad}"
        )
    if mode == "constant":
        return api.pad(input, pad, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}"
        )
    if value not in (None, 0, 0.0):
        raise ValueError(f"pad: value applies only to mode='constant', got value={value}")
    out = input
    for k in range(len(pad) // 2):
        axis = input.ndim - 1 - k
        before, after = pad[2 * k], pad[2 * k + 1]
        if before == 0 and after == 0:
            continue
        n = input.shape[axis]
        if before < 0 or after < 0:
            raise ValueError(
                f"pad: negative padding is only supported for mode='constant'; got {pad}"
            )
        if mode == "reflect" and (before >= n or after >= n):
            raise ValueError(
                f"pad: reflect padding of ({before}, {after}) needs more than "
                f"{max(before, after)} elements along axis {axis}, which has {n}"
            )
        if mode == "circular" and (before > n or after > n):
            raise ValueError(
                f"pad: circular padding of ({before}, {after}) can wrap at most once around axis "
                f"{axis} of size {n}"
            )
        if n == 0:
            raise ValueError(f"pad: cannot {mode}-pad axis {axis}, which is empty")
        index = (slice(None),) * axis + (_edge_index(n, before, after, mode),)
        out = out[index]
    return out
