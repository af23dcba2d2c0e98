"""Autocast's state per device type, as PyTorch's getters and setters read and change it (``torch.is_autocast_enabled("cpu")``, ...).

PyTorch keeps, for each device type, whether autocast is on and the lower-precision dtype it
computes in (bfloat16 on the CPU, float16 on CUDA), plus a cache switch and a nesting count.
``with glassnet.autocast("cpu"):`` switches the CPU entry on for its block (see
``torch_switches.autocast``), so code that asks ``torch.is_autocast_enabled("cpu")`` inside
gets True as in PyTorch; other device types have no device here, so their autocast stays off
(PyTorch on a machine without CUDA does the same). The state changes what these functions
return and nothing else: glassnet computes every op in its tensors' own dtypes.
"""

from __future__ import annotations

from typing import Any

from .dtypes import MissingDtype, bfloat16, float16, to_dtype

__all__ = [
    "autocast_decrement_nesting",
    "autocast_increment_nesting",
    "clear_autocast_cache",
    "get_autocast_cpu_dtype",
    "get_autocast_dtype",
    "get_autocast_gpu_dtype",
    "get_autocast_ipu_dtype",
    "get_autocast_xla_dtype",
    "is_autocast_cache_enabled",
    "is_autocast_cpu_enabled",
    "is_autocast_enabled",
    "is_autocast_ipu_enabled",
    "is_autocast_xla_enabled",
    "set_autocast_cache_enabled",
    "set_autocast_cpu_dtype",
    "set_autocast_cpu_enabled",
    "set_autocast_dtype",
    "set_autocast_enabled",
    "set_autocast_gpu_dtype",
    "set_autocast_ipu_dtype",
    "set_autocast_ipu_enabled",
    "set_autocast_xla_dtype",
    "set_autocast_xla_enabled",
]

#: the device types PyTorch's autocast functions accept
DEVICE_TYPES = ("cpu", "cuda", "xpu", "mps", "hpu", "xla", "ipu", "mtia", "maia", "meta")

_enabled: dict[str, bool] = dict.fromkeys(DEVICE_TYPES, False)
_dtype: dict[str, Any] = {t: float16 for t in DEVICE_TYPES} | {"cpu": bfloat16, "xla": bfloat16}
_cache_enabled = True
_nesting = 0


def _device_type(device_type: Any) -> str:
    if not isinstance(device_type, str) or device_type not in _enabled:
        raise RuntimeError(
            f"autocast: expected a device type among {', '.join(DEVICE_TYPES)}, got {device_type!r}"
        )
    return device_type


def _lower_dtype(dtype: Any) -> Any:
    """A floating dtype as given (bfloat16 is only a name in glassnet); others refused."""
    if dtype is bfloat16:
        return bfloat16
    if isinstance(dtype, MissingDtype) or to_dtype(dtype).kind != "f":
        raise TypeError(f"autocast expects a floating dtype such as float16, got {dtype!r}")
    return to_dtype(dtype)


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` (without one: CUDA, PyTorch's old meaning)."""
    return _enabled[_device_type(device_type)]


def set_autocast_enabled(*args: Any) -> None:
    """``set_autocast_enabled(device_type, enabled)``, or ``set_autocast_enabled(enabled)`` for CUDA."""
    if len(args) == 1:
        args = ("cuda", *args)
    if len(args) != 2 or not isinstance(args[1], bool):
        raise TypeError(f"set_autocast_enabled expects (device_type, True or False), got {args!r}")
    _enabled[_device_type(args[0])] = args[1]


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype autocast computes in on ``device_type`` (bfloat16 on the CPU, else float16)."""
    return _dtype[_device_type(device_type)]


def set_autocast_dtype(device_type: str, dtype: Any) -> None:
    """Change the dtype ``get_autocast_dtype(device_type)`` gives."""
    _dtype[_device_type(device_type)] = _lower_dtype(dtype)


def is_autocast_cache_enabled() -> bool:
    """Whether autocast keeps its casts for reuse (remembered only: glassnet casts nothing)."""
    return _cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    global _cache_enabled
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_cache_enabled expects True or False, got {enabled!r}")
    _cache_enabled = enabled


def clear_autocast_cache() -> None:
    """Nothing to clear: glassnet's autocast keeps no casts."""


def autocast_increment_nesting() -> int:
    """One more autocast block entered; returns how many are open."""
    global _nesting
    _nesting += 1
    return _nesting


def autocast_decrement_nesting() -> int:
    """One autocast block left; returns how many are still open."""
    global _nesting
    _nesting = max(0, _nesting - 1)
    return _nesting


def is_autocast_cpu_enabled() -> bool:
    return _enabled["cpu"]


def set_autocast_cpu_enabled(enabled: bool) -> None:
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype() -> Any:
    return _dtype["cpu"]


def set_autocast_cpu_dtype(dtype: Any) -> None:
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype() -> Any:
    return _dtype["cuda"]


def set_autocast_gpu_dtype(dtype: Any) -> None:
    set_autocast_dtype("cuda", dtype)


def is_autocast_ipu_enabled() -> bool:
    return _enabled["ipu"]


def set_autocast_ipu_enabled(enabled: bool) -> None:
    set_autocast_enabled("ipu", enabled)


def get_autocast_ipu_dtype() -> Any:
    return _dtype["ipu"]


def set_autocast_ipu_dtype(dtype: Any) -> None:
    set_autocast_dtype("ipu", dtype)


def is_autocast_xla_enabled() -> bool:
    return _enabled["xla"]


def set_autocast_xla_enabled(enabled: bool) -> None:
    set_autocast_enabled("xla", enabled)


def get_autocast_xla_dtype() -> Any:
    return _dtype["xla"]


def set_autocast_xla_dtype(dtype: Any) -> None:
    set_autocast_dtype("xla", dtype)


def enter(device_type: str, dtype: Any, enabled: bool) -> tuple:
    """What ``autocast`` does on entering its block; returns what ``leave`` puts back."""
    saved = (device_type, _enabled.get(device_type), _dtype.get(device_type))
    if device_type in _enabled:
        # only the CPU is here: autocast for another device type stays off, as in PyTorch
        _enabled[device_type] = bool(enabled) and device_type == "cpu"
        if dtype is not None:
            _dtype[device_type] = _lower_dtype(dtype)
    autocast_increment_nesting()
    return saved


def leave(saved: tuple) -> None:
    """Put back the state ``enter`` found."""
    device_type, was_enabled, was_dtype = saved
    if device_type in _enabled:
        _enabled[device_type], _dtype[device_type] = was_enabled, was_dtype
    autocast_decrement_nesting()
