"""Max pooling that always returns its indices (PyTorch's F names): max_pool1d/2d/3d_with_indices, adaptive_max_pool1d/2d/3d_with_indices.

PyTorch keeps these as the functions behind ``max_pool2d(..., return_indices=True)``; they
take the same arguments as the plain poolings and always return the pair (output, indices),
whatever ``return_indices`` says. The indices are the flat position of every window's
winner in its plane (w for 1-D, h*W + w for 2-D, d*H*W + h*W + w for 3-D), as int64, the
form ``max_unpool1d/2d/3d`` reads. The values and gradients are those of the plain pooling
(dL/dx is g added at each winner); see ``pooling.py``.

The fractional forms (``fractional_max_pool2d/3d_with_indices``) live in
``fractional_pooling.py`` beside their pooling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...tensor import Tensor
from . import pooling

__all__ = [
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
]


def _max_pool_with_indices(nd: int) -> Callable[..., tuple[Tensor, Tensor]]:
    plain = getattr(pooling, f"max_pool{nd}d")
    fn = f"max_pool{nd}d_with_indices"

    def max_pool_with_indices(
        input: Tensor,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
    ) -> tuple[Tensor, Tensor]:
        return _renamed(fn, plain, input, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices=True)  # fmt: skip

    max_pool_with_indices.__name__ = max_pool_with_indices.__qualname__ = fn
    max_pool_with_indices.__doc__ = (
        f"``max_pool{nd}d(..., return_indices=True)``: (output, indices) always "
        "(``return_indices`` is accepted and ignored, as in PyTorch)."
    )
    return max_pool_with_indices


def _adaptive_max_pool_with_indices(nd: int) -> Callable[..., tuple[Tensor, Tensor]]:
    plain = getattr(pooling, f"adaptive_max_pool{nd}d")
    fn = f"adaptive_max_pool{nd}d_with_indices"

    def adaptive_max_pool_with_indices(
        input: Tensor, output_size: Any, return_indices: bool = False
    ) -> tuple[Tensor, Tensor]:
        return _renamed(fn, plain, input, output_size, return_indices=True)

    adaptive_max_pool_with_indices.__name__ = adaptive_max_pool_with_indices.__qualname__ = fn
    adaptive_max_pool_with_indices.__doc__ = (
        f"``adaptive_max_pool{nd}d(..., return_indices=True)``: (output, indices) always "
        "(``return_indices`` is accepted and ignored, as in PyTorch)."
    )
    return adaptive_max_pool_with_indices


def _renamed(fn: str, plain: Callable, *args: Any, **kwargs: Any) -> Any:
    """``plain(*args, **kwargs)``; an argument error it raises names ``fn``, the function the
    user called, instead of ``plain``."""
    try:
        return plain(*args, **kwargs)
    except (ValueError, TypeError, IndexError) as error:
        prefix = plain.__name__ + ": "
        message = str(error)
        if not message.startswith(prefix):
            raise
        raise type(error)(fn + ": " + message[len(prefix) :]) from None


max_pool1d_with_indices = _max_pool_with_indices(1)
max_pool2d_with_indices = _max_pool_with_indices(2)
max_pool3d_with_indices = _max_pool_with_indices(3)
adaptive_max_pool1d_with_indices = _adaptive_max_pool_with_indices(1)
adaptive_max_pool2d_with_indices = _adaptive_max_pool_with_indices(2)
adaptive_max_pool3d_with_indices = _adaptive_max_pool_with_indices(3)
