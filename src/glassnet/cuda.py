"""glassnet.cuda: PyTorch's ``torch.cuda`` answers for a machine without a GPU (glassnet runs on the CPU).

Scripts written for PyTorch ask ``torch.cuda.is_available()`` and seed or synchronise the GPU;
here there is never a GPU, so the questions answer "no" and the housekeeping does nothing.
"""

from __future__ import annotations

from typing import Any

from . import amp  # noqa: F401 - torch.cuda.amp: GradScaler and autocast, as torch.amp
from .device import DeviceError

__all__ = [
    "amp",
    "current_device",
    "device_count",
    "empty_cache",
    "is_available",
    "manual_seed",
    "manual_seed_all",
    "synchronize",
]


def is_available() -> bool:
    """False: glassnet has no GPU backend."""
    return False


def device_count() -> int:
    """0 GPUs."""
    return 0


def current_device() -> int:
    """There is no current GPU; PyTorch raises here too when CUDA is missing."""
    raise DeviceError("glassnet runs on the CPU only; there is no CUDA device")


def manual_seed(seed: int) -> None:
    """Does nothing (there is no GPU generator to seed); ``glassnet.manual_seed`` seeds the CPU."""


def manual_seed_all(seed: int) -> None:
    """Does nothing, as ``manual_seed``."""


def synchronize(device: Any = None) -> None:
    """Does nothing: CPU work is finished when a call returns."""


def empty_cache() -> None:
    """Does nothing: there is no GPU memory cache."""
