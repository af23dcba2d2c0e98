"""Dropout as functions (F.dropout, F.dropout1d/2d/3d, F.alpha_dropout, ...): randomly silence units while training.

During training each unit (or, for the channel variants, each whole feature map) is set to 0
with probability p and the survivors are multiplied by 1 / (1 - p) ("inverted dropout"), so
the expected value of every output equals its input and evaluation needs no rescaling. The
network cannot rely on any single unit, which regularises it. With ``training=False`` the
functions return the input unchanged. Masks are drawn from glassnet's global generator
(``glassnet.manual_seed`` makes them reproducible).

``alpha_dropout`` is the variant for self-normalising (SELU) networks: a dropped unit is set
to SELU's negative saturation value instead of 0, and an affine correction keeps the mean
and variance of the activations at 0 and 1; ``feature_alpha_dropout`` does the same to
whole channels.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ...errors import ShapeError
from ...ops.nn import Dropout as _DropoutOp
from ...random import default_generator
from ...tensor import Tensor, as_tensor
from ._args import shape_text

__all__ = [
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
]

# SELU's limit for x -> -inf, -scale * alpha (SELU's constants, Klambauer et al., 2017).
_SELU_SATURATION = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717


def check_probability(p: Any, who: str) -> float:
    """p as a float, or a ValueError unless 0 <= p <= 1."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"{who}: dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def _check_input(x: Any, who: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a glassnet Tensor, got {type(x).__name__}")
    if x.array.dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating tensor, got dtype {x.array.dtype}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """y = x * m / (1 - p) with m ~ Bernoulli(1 - p) drawn independently per element.

    Args:
        input: any shape.
        p: probability of zeroing each element, in [0, 1] (p = 1 zeroes everything).
        training: apply dropout (True) or return ``input`` unchanged (False).
        inplace: accepted for PyTorch compatibility (the result is a new tensor).

    dL/dx = g * m / (1 - p): the gradient flows only through the kept units, scaled alike.

    Example::

        >>> y = F.dropout(glassnet.ones(10000), p=0.2)
        >>> float((y == 0).float().mean())     # the fraction zeroed: about 0.2
        0.1951
        >>> float(y.max())                     # the survivors: 1 / (1 - 0.2)
        1.25
    """
    p = check_probability(p, "dropout")
    _check_input(input, "dropout")
    if not training or p == 0:
        return input
    return _DropoutOp(p)(input)


def _channel_dropout(x: Tensor, p: float, training: bool, batched_ndim: int, who: str) -> Tensor:
    """Zero whole channels: one draw per (sample, channel), broadcast over the spatial axes."""
    p = check_probability(p, who)
    _check_input(x, who)
    if x.ndim == batched_ndim:
        mask_shape = x.shape[:2] + (1,) * (batched_ndim - 2)
    elif x.ndim == batched_ndim - 1:
        mask_shape = x.shape[:1] + (1,) * (batched_ndim - 2)
    else:
        n_spatial = batched_ndim - 2
        raise ShapeError(
            f"{who}: expected a {batched_ndim - 1}-D (C, {n_spatial} spatial) or {batched_ndim}-D "
            f"(N, C, {n_spatial} spatial) input, got shape {shape_text(x.shape)}"
        )
    if not training or p == 0:
        return x
    return _DropoutOp(p, mask_shape)(x)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Channel dropout for sequences: each channel of (N, C, L) or (C, L) input is zeroed whole with probability p."""
    return _channel_dropout(input, p, training, 3, "dropout1d")


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Channel dropout for images: each feature map of (N, C, H, W) or (C, H, W) input is zeroed whole.

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
    barely regularises a convolutional net; dropping whole maps does. As in PyTorch, other
    inputs are accepted with a UserWarning: a 3-D input is read as (N, C, L) (use dropout1d
    for that), and any other input with at least 2 dimensions as (N, C, *) with one draw per
    (sample, channel); for a 2-D (N, C) input that is plain elementwise dropout (use dropout).
    """
    if isinstance(input, Tensor) and input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: received a {input.ndim}-D input; dropout2d expects a 3-D (C, H, W) or "
            "4-D (N, C, H, W) input and treats this one as (N, C, *), one draw per channel. "
            "Use dropout for an elementwise mask.",
            UserWarning,
            stacklevel=2,
        )
        if input.ndim < 2:
            raise ShapeError(
                f"dropout2d: channel dropout needs at least 2 dimensions (N, C), got shape "
                f"{shape_text(input.shape)}"
            )
        return _channel_dropout(input, p, training, input.ndim, "dropout2d")
    if isinstance(input, Tensor) and input.ndim == 3:
        warnings.warn(
            "dropout2d: received a 3-D input; treating it as (N, C, L) and dropping channels "
            "as dropout1d does. Use dropout1d for sequences, or add a batch dimension.",
            stacklevel=2,
        )
        return _channel_dropout(input, p, training, 3, "dropout2d")
    return _channel_dropout(input, p, training, 4, "dropout2d")


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Channel dropout for volumes: each channel of (N, C, D, H, W) or (C, D, H, W) input is zeroed whole."""
    return _channel_dropout(input, p, training, 5, "dropout3d")


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout that keeps SELU activations at mean 0 and variance 1 (Klambauer et al., 2017).

    With m ~ Bernoulli(1 - p) per element and s = -scale * alpha ~ -1.7581 (SELU's value
    for x -> -inf), a dropped unit becomes s and then everything is corrected affinely:

        y = a (x m + s (1 - m)) + b,   a = ((1 - p) (1 + p s**2)) ** -1/2,   b = -a s p

    so that inputs of mean 0 and variance 1 give outputs of mean 0 and variance 1.
    dL/dx = g a m. With ``training=False`` (the default, as in PyTorch) or p = 0 the input is
    returned unchanged; p = 1 gives zeros.

    Args:
        input: any shape, floating point.
        p: probability of dropping each element, in [0, 1].
        training: apply the dropout (True) or return ``input`` (False).
        inplace: accepted for PyTorch compatibility (the result is a new tensor).
    """
    p = check_probability(p, "alpha_dropout")
    _check_input(input, "alpha_dropout")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    return _alpha_dropped(input, p, input.shape)


def _alpha_dropped(input: Tensor, p: float, mask_shape: tuple) -> Tensor:
    """y = a (x m + s (1 - m)) + b, one draw of m ~ Bernoulli(1 - p) per entry of ``mask_shape``
    (broadcast over the axes of size 1), for 0 < p < 1."""
    dtype = input.array.dtype
    keep = (default_generator().random(mask_shape) >= p).astype(dtype)  # P(keep) = 1 - p
    s = _SELU_SATURATION
    a = 1.0 / math.sqrt((1 - p) * (1 + p * s * s))
    b = -a * s * p
    # x m a + (the constant part: a s (1 - m) + b), one affine map per element.
    offset = (a * s * (1.0 - keep) + b).astype(dtype)
    return input * as_tensor((a * keep).astype(dtype)) + as_tensor(np.asarray(offset))


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels: each (sample, channel) is kept or set to SELU's saturation.

    The formula of ``alpha_dropout``, y = a (x m + s (1 - m)) + b with
    a = ((1 - p) (1 + p s**2)) ** -1/2 and b = -a s p, but with one draw m ~ Bernoulli(1 - p)
    per channel of each sample, shared by all its positions (as dropout2d shares one per
    feature map): for SELU networks whose channels are correlated in space or time.
    dL/dx = g a m. With ``training=False`` (the default, as in PyTorch) or p = 0 the input is
    returned unchanged; p = 1 gives zeros.

    Args:
        input: (N, C, *), at least 2-D, floating: the draws are per (N, C).
        p: probability of dropping each channel, in [0, 1].
        training: apply the dropout (True) or return ``input`` (False).
        inplace: accepted for PyTorch compatibility (the result is a new tensor).
    """
    who = "feature_alpha_dropout"
    p = check_probability(p, who)
    _check_input(input, who)
    if input.ndim < 2:
        raise ShapeError(
            f"{who}: expected an input of shape (N, C, *) with at least 2 dimensions (one draw "
            f"per sample and channel), got {shape_text(input.shape)}"
        )
    if not training or p == 0 or input.array.size == 0:
        return input
    if p == 1:
        return input * 0.0
    return _alpha_dropped(input, p, input.shape[:2] + (1,) * (input.ndim - 2))
