"""PyTorch's global switches that scripts set in their first lines, as a CPU-only NumPy engine keeps them.

``torch.set_float32_matmul_precision("high")``, ``torch.use_deterministic_algorithms(True)``,
``model = torch.compile(model)`` (or TorchScript's ``torch.jit.script`` / ``torch.jit.trace``)
and ``with torch.autocast(...)`` ask PyTorch for speed or
reproducibility on its accelerators. glassnet computes every float32 product in float32, runs
the same way every time once seeded, and has no compiler and no lower-precision types, so each
switch is checked and then changes nothing (a compiled model is the model itself). The default
floating dtype is float32 and stays so: asking for another one says so in one line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from . import autocast_state
from .device import CPU, check_device
from .device import device as Device
from .dtypes import float32, to_dtype
from .errors import MissingTorchName

__all__ = [
    "autocast",
    "compile",
    "are_deterministic_algorithms_enabled",
    "get_default_device",
    "get_default_dtype",
    "get_float32_matmul_precision",
    "jit_ignore",
    "jit_is_scripting",
    "jit_load",
    "jit_save",
    "jit_script",
    "jit_trace",
    "is_warn_always_enabled",
    "set_default_device",
    "set_default_dtype",
    "set_flush_denormal",
    "set_warn_always",
    "set_float32_matmul_precision",
    "use_deterministic_algorithms",
]

_PRECISIONS = ("highest", "high", "medium")
_precision = "highest"
_warn_always = False
_deterministic = False
_warn_only = False  # use_deterministic_algorithms' warn_only, for the debug-mode getters


def get_default_dtype() -> Any:
    """The dtype of new floating tensors made from Python numbers: float32."""
    return float32


def set_default_dtype(d: Any) -> None:
    """Accepted for float32 (the default); glassnet cannot change its default dtype yet."""
    if to_dtype(d) != to_dtype(float32):
        raise MissingTorchName(
            f"torch.set_default_dtype({d}) (glassnet's default stays float32: give dtype= to "
            "the factories, or call .double() on the model and the data)"
        )


def set_float32_matmul_precision(precision: str) -> None:
    """Remembered and checked ("highest", "high" or "medium"); glassnet's float32 matrix
    products are always computed in float32 (the "highest" precision)."""
    global _precision
    if precision not in _PRECISIONS:
        raise ValueError(
            f"set_float32_matmul_precision expects one of {', '.join(_PRECISIONS)}, "
            f"got {precision!r}"
        )
    _precision = precision


def get_float32_matmul_precision() -> str:
    """What ``set_float32_matmul_precision`` was last given (default "highest")."""
    return _precision


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted: glassnet's results are the same on every run once seeded."""
    global _deterministic, _warn_only
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects True or False, got {mode!r}")
    _deterministic, _warn_only = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """What ``use_deterministic_algorithms`` was last given (glassnet is deterministic anyway)."""
    return _deterministic


def get_default_device() -> Device:
    """The device new tensors are made on: always the CPU."""
    return CPU


def set_default_device(where: Any) -> None:
    """Accepted for the CPU (or None, the default); any other device is DeviceError."""
    check_device(where)


def set_flush_denormal(mode: bool) -> bool:
    """False, meaning "not supported": NumPy offers no switch to round the tiny (denormal)
    floats to zero, so glassnet computes with them as IEEE 754 says."""
    if not isinstance(mode, bool):
        raise TypeError(f"set_flush_denormal expects True or False, got {mode!r}")
    return False


def set_warn_always(mode: bool) -> None:
    """Remembered for ``is_warn_always_enabled``; glassnet's warnings follow Python's filters."""
    global _warn_always
    if not isinstance(mode, bool):
        raise TypeError(f"set_warn_always expects True or False, got {mode!r}")
    _warn_always = mode


def is_warn_always_enabled() -> bool:
    """What ``set_warn_always`` was last given (default False)."""
    return _warn_always


def compile(model: Callable | None = None, **options: Any) -> Any:  # noqa: A001
    """The model (or function) itself: glassnet has no compiler, and eager is what compiling
    must be equal to. Without a model, a decorator that does the same."""
    if model is None:
        return lambda function: function
    if not callable(model):
        raise TypeError(f"compile expects a model or a function, got {type(model).__name__}")
    return model


def jit_script(obj: Any, *args: Any, **options: Any) -> Any:
    """``torch.jit.script``: the module or function itself, as ``compile`` gives it (glassnet
    runs every model eagerly, and a scripted model must compute what the eager one does)."""
    if not callable(obj):
        raise TypeError(
            f"torch.jit.script expects a module or a function, got {type(obj).__name__}"
        )
    return obj


def jit_trace(func: Any, example_inputs: Any = None, *args: Any, **options: Any) -> Any:
    """``torch.jit.trace``: the module or function itself. PyTorch runs it once on
    ``example_inputs`` to record the operations; glassnet records its graph on every call
    anyway, so the examples are not needed (and a traced model's outputs are the eager ones)."""
    if not callable(func):
        raise TypeError(
            f"torch.jit.trace expects a module or a function, got {type(func).__name__}"
        )
    return func


def jit_ignore(function: Any = None, **options: Any) -> Any:
    """``@torch.jit.ignore`` / ``@torch.jit.unused`` / ``@torch.jit.export``: the function as it is."""
    if function is None:
        return lambda f: f
    return function


def jit_is_scripting() -> bool:
    """``torch.jit.is_scripting()`` / ``is_tracing()``: always False, as nothing is compiled."""
    return False


def jit_save(*args: Any, **kwargs: Any) -> None:
    """``torch.jit.save`` needs a compiled program, which glassnet never makes."""
    raise MissingTorchName(
        "torch.jit.save (glassnet has no TorchScript programs: save model.state_dict() with "
        "torch.save, and build the model in code before loading it)"
    )


def jit_load(*args: Any, **kwargs: Any) -> None:
    """``torch.jit.load`` reads a TorchScript program, which glassnet cannot run."""
    raise MissingTorchName(
        "torch.jit.load (glassnet cannot run TorchScript programs: load a state_dict saved "
        "with torch.save into a model built in code)"
    )


@contextlib.contextmanager
def autocast(
    device_type: str = "cpu", dtype: Any = None, enabled: bool = True, cache_enabled: Any = None
) -> Iterator[None]:
    """Run the block as it is: glassnet has no lower-precision types (float16, bfloat16), so
    everything inside stays in the dtypes the tensors have."""
    if not isinstance(device_type, str):
        raise TypeError(f"autocast expects device_type as a string, got {device_type!r}")
    saved = autocast_state.enter(device_type, dtype, enabled)  # what is_autocast_enabled reads
    try:
        yield
    finally:
        autocast_state.leave(saved)
