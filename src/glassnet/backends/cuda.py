"""glassnet.backends.cuda: the CUDA flags PyTorch scripts set (TF32 matmuls, attention kernels); they change nothing on the CPU.

``torch.backends.cuda.matmul.allow_tf32 = True`` opens many training scripts; it lets an
NVIDIA GPU multiply float32 matrices with 10-bit mantissas. glassnet multiplies in full float32
on the CPU whatever the flag says. The attention switches (``enable_flash_sdp`` and
``SDPBackend``, which ``torch.nn.attention.sdpa_kernel`` sets) choose among PyTorch's kernels
for ``scaled_dot_product_attention``; glassnet has one, the formula softmax(QK^T/sqrt(d))V
(its "math" kernel), and keeps the switches only so that scripts can set and read them.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = [
    "SDPBackend", "cudnn_sdp_enabled", "enable_cudnn_sdp", "enable_flash_sdp",
    "enable_math_sdp", "enable_mem_efficient_sdp", "flash_sdp_enabled", "is_built",
    "math_sdp_enabled", "matmul", "mem_efficient_sdp_enabled", "preferred_linalg_library",
    "sdp_kernel", "sdpa_kernel",
]  # fmt: skip


def is_built() -> bool:
    """False: glassnet was not built with CUDA."""
    return False


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: reduced-precision switches for GPU matrix products."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True
        self.fp32_precision = "ieee"

    def __repr__(self) -> str:
        return f"matmul flags (no effect on the CPU): allow_tf32={self.allow_tf32}"


matmul = _MatmulFlags()


class SDPBackend(enum.IntEnum):
    """PyTorch's kernels for scaled_dot_product_attention (glassnet computes MATH's formula)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_enabled = {backend: True for backend in SDPBackend if backend is not SDPBackend.ERROR}


def _switch(backend: SDPBackend, enabled: bool) -> None:
    if not isinstance(enabled, bool):
        raise TypeError(f"expected True or False for {backend.name}, got {enabled!r}")
    _enabled[backend] = enabled


def enable_flash_sdp(enabled: bool) -> None:
    """Allow (or not) the flash-attention kernel (no effect here)."""
    _switch(SDPBackend.FLASH_ATTENTION, enabled)


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Allow (or not) the memory-efficient attention kernel (no effect here)."""
    _switch(SDPBackend.EFFICIENT_ATTENTION, enabled)


def enable_math_sdp(enabled: bool) -> None:
    """Allow (or not) the math kernel, the formula glassnet always computes."""
    _switch(SDPBackend.MATH, enabled)


def enable_cudnn_sdp(enabled: bool) -> None:
    """Allow (or not) cuDNN's attention kernel (no effect here)."""
    _switch(SDPBackend.CUDNN_ATTENTION, enabled)


def flash_sdp_enabled() -> bool:
    return _enabled[SDPBackend.FLASH_ATTENTION]


def mem_efficient_sdp_enabled() -> bool:
    return _enabled[SDPBackend.EFFICIENT_ATTENTION]


def math_sdp_enabled() -> bool:
    return _enabled[SDPBackend.MATH]


def cudnn_sdp_enabled() -> bool:
    return _enabled[SDPBackend.CUDNN_ATTENTION]


@contextlib.contextmanager
def sdpa_kernel(
    backends: SDPBackend | Iterable[SDPBackend], set_priority: bool = False
) -> Iterator[None]:
    """``torch.nn.attention.sdpa_kernel``: inside the block only ``backends`` are enabled.

    The switches are put back as they were afterwards, even if the block raises. glassnet's
    attention is the same formula under every choice.
    """
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    for backend in chosen:
        if not isinstance(backend, SDPBackend) or backend is SDPBackend.ERROR:
            raise TypeError(
                f"sdpa_kernel: expected SDPBackend members such as SDPBackend.MATH, got {backend!r}"
            )
    before = dict(_enabled)
    for backend in _enabled:
        _enabled[backend] = backend in chosen
    try:
        yield
    finally:
        _enabled.update(before)


def sdp_kernel(enable_flash: bool = True, enable_math: bool = True,
               enable_mem_efficient: bool = True, enable_cudnn: bool = True) -> Any:  # fmt: skip
    """PyTorch's older form of ``sdpa_kernel``, with one switch per kernel."""
    wanted = {SDPBackend.FLASH_ATTENTION: enable_flash, SDPBackend.MATH: enable_math,
              SDPBackend.EFFICIENT_ATTENTION: enable_mem_efficient,
              SDPBackend.CUDNN_ATTENTION: enable_cudnn}  # fmt: skip
    return sdpa_kernel([backend for backend, on in wanted.items() if on])


def preferred_linalg_library(backend: Any = None) -> str:
    """The GPU linear algebra library (glassnet's is NumPy's LAPACK on the CPU): "default"."""
    if backend not in (None, "default", "cusolver", "magma"):
        raise ValueError(
            f"preferred_linalg_library: expected 'default', 'cusolver' or 'magma', got {backend!r}"
        )
    return "default"
