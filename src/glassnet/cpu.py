"""glassnet.cpu: PyTorch's ``torch.cpu``, the device module of the one device glassnet has.

PyTorch gives each device kind a module of the same questions (``torch.cuda``, ``torch.xpu``,
``torch.cpu``); device-neutral scripts ask them of whichever device they run on. For the CPU
the answers are fixed: it is there, there is one, and its work is finished when a call
returns. ``torch.cpu.amp`` is ``glassnet.amp`` (autocast and GradScaler).
"""

from __future__ import annotations

from typing import Any

from . import amp  # noqa: F401 - torch.cpu.amp.autocast, as torch.amp
from .device import check_device

__all__ = ["amp", "current_device", "device_count", "is_available", "set_device", "synchronize"]


def is_available() -> bool:
    """True: glassnet runs on the CPU."""
    return True


def device_count() -> int:
    """1: the CPU counts as one device, however many cores it has."""
    return 1


def current_device() -> str:
    """``"cpu"``, as PyTorch's ``torch.cpu.current_device()`` says."""
    return "cpu"


def set_device(device: Any) -> None:
    """Accepts the CPU (anything else is refused in one line): it is the only device."""
    check_device(device)


def synchronize(device: Any = None) -> None:
    """Does nothing: CPU work is finished when a call returns."""
    check_device(device)
