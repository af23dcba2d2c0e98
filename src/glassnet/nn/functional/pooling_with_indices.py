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

# Each is made by the factory of its plain pooling (one body, one signature), which names the
# function in its errors and returns the pair whatever return_indices says.
from .pooling import _adaptive_max_pool_function, _max_pool_function

__all__ = [
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
]


def _pair_form(factory: Callable[..., Callable], nd: int, plain: str) -> Callable[..., Any]:
    """``factory``'s pair-returning form for nd axes, documented as ``plain``'s and placed in
    this module (its ``__module__``, as where it is defined for a reader)."""
    function = factory(
        nd,
        f"``{plain}(..., return_indices=True)``: (output, indices) always "
        "(``return_indices`` is accepted and ignored, as in PyTorch).",
        pair=True,
    )
    function.__module__ = __name__
    return function


max_pool1d_with_indices = _pair_form(_max_pool_function, 1, "max_pool1d")
max_pool2d_with_indices = _pair_form(_max_pool_function, 2, "max_pool2d")
max_pool3d_with_indices = _pair_form(_max_pool_function, 3, "max_pool3d")
adaptive_max_pool1d_with_indices = _pair_form(_adaptive_max_pool_function, 1, "adaptive_max_pool1d")
adaptive_max_pool2d_with_indices = _pair_form(_adaptive_max_pool_function, 2, "adaptive_max_pool2d")
adaptive_max_pool3d_with_indices = _pair_form(_adaptive_max_pool_function, 3, "adaptive_max_pool3d")
