"""glassnet.xpu: PyTorch's ``torch.xpu`` (Intel GPUs) answers for a machine without one."""

from __future__ import annotations

from typing import Any

__all__ = ["device_count", "is_available", "synchronize"]


def is_available() -> bool:
    """False: glassnet has no Intel GPU backend."""
    return False


def device_count() -> int:
    """0 Intel GPUs."""
    return 0


def synchronize(device: Any = None) -> None:
    """Does nothing: there is no Intel GPU to wait for."""
