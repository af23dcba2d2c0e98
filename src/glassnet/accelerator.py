"""glassnet.accelerator: PyTorch's ``torch.accelerator`` for a CPU-only library (there is no accelerator).

Device-agnostic PyTorch code asks ``torch.accelerator.is_available()`` and falls back to the
CPU when it says no; on glassnet it always says no.
"""

from __future__ import annotations

from typing import Any

__all__ = ["current_accelerator", "device_count", "is_available", "synchronize"]


def is_available() -> bool:
    """False: glassnet computes on the CPU only."""
    return False


def current_accelerator(check_available: bool = False) -> None:
    """None: there is no accelerator."""
    return None


def device_count() -> int:
    """0 accelerators."""
    return 0


def synchronize(device: Any = None) -> None:
    """Does nothing (CPU work is finished when a call returns)."""
