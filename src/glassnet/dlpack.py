"""DLPack, the shared-memory exchange between array libraries: ``glassnet.from_dlpack`` and ``glassnet.to_dlpack``.

A DLPack capsule describes memory (address, shape, strides, dtype, device) without copying it,
so a PyTorch tensor, a NumPy array or a JAX array can become a glassnet tensor that shares its
numbers (``from_dlpack(torch_tensor)``), and back (``torch.from_dlpack(glassnet.to_dlpack(x))``).
NumPy does the reading and writing (``numpy.from_dlpack``, ``ndarray.__dlpack__``); only CPU
memory can be shared, as glassnet computes on the CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .creation import from_numpy
from .tensor import Tensor

__all__ = ["from_dlpack", "to_dlpack"]


class _Capsule:
    """Hands an already-made capsule (``torch.utils.dlpack.to_dlpack(t)``) to ``numpy.from_dlpack``,
    which reads objects with ``__dlpack__`` rather than bare capsules."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **options: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # DLPack's code for the CPU, device 0


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A glassnet tensor sharing the memory of ``ext_tensor``: any object with ``__dlpack__``
    (a PyTorch tensor, a NumPy array, ...) or a DLPack capsule. Writing into one changes the
    other. Not recorded for gradients (a new leaf, as in PyTorch)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    source = ext_tensor
    if type(ext_tensor).__name__ == "PyCapsule":
        source = _Capsule(ext_tensor)
    elif not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(
            "from_dlpack expects an object with __dlpack__ (a tensor or array) or a DLPack "
            f"capsule, got {type(ext_tensor).__name__}"
        )
    try:
        array = np.from_dlpack(source)
    except (BufferError, RuntimeError, TypeError) as error:
        raise BufferError(f"from_dlpack could not share that memory with NumPy: {error}") from None
    return from_numpy(array)


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule of ``tensor``'s memory (for ``torch.from_dlpack`` and other libraries);
    consumed once by whoever reads it."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack expects a glassnet Tensor, got {type(tensor).__name__}")
    return tensor.array.__dlpack__()


def tensor_dlpack(self: Tensor, **options: Any) -> Any:
    """``Tensor.__dlpack__``: the capsule NumPy gives for the tensor's array, so that
    ``torch.from_dlpack(x)`` and ``numpy.from_dlpack(x)`` take a glassnet tensor directly."""
    return self.array.__dlpack__(**options)


def tensor_dlpack_device(self: Tensor) -> tuple[int, int]:
    """``Tensor.__dlpack_device__``: (1, 0), the CPU."""
    return (1, 0)


# x.__dlpack__() and x.__dlpack_device__(), so NumPy and PyTorch can read a glassnet tensor.
Tensor.__dlpack__ = tensor_dlpack
Tensor.__dlpack_device__ = tensor_dlpack_device
