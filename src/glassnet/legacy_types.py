"""PyTorch's legacy tensor types (FloatTensor, LongTensor, ...) and ``Tensor.type()``, which names and converts to them.

Before ``dtype=`` existed, PyTorch had one class per element type, and old scripts still use
them three ways: to make tensors (``torch.FloatTensor(3, 4)``, ``torch.LongTensor([1, 2])``),
to test a tensor's type (``isinstance(x, torch.FloatTensor)``) and to convert one
(``x.type(torch.LongTensor)``, or ``x.type()`` to read the name, ``'torch.FloatTensor'``).

In glassnet every tensor is one class, ``Tensor``, with a ``dtype``; each legacy type here is
a class that stands for a dtype. Calling it makes a ``Tensor`` of that dtype (by the rules of
``Tensor(...)``: integers are sizes, giving zeros, where PyTorch leaves the memory
uninitialised), and ``isinstance`` asks the tensor's dtype (``LegacyTensorType.__instancecheck__``).
``Tensor.type()`` returns the same names as PyTorch, ``'torch.FloatTensor'``, because scripts
compare them with strings they wrote.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .device import check_device
from .dtypes import Size, bool_, float16, float32, float64, int8, int16, int32, int64, uint8
from .tensor import Tensor

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "CharTensor",
    "DoubleTensor",
    "FloatTensor",
    "HalfTensor",
    "IntTensor",
    "LegacyTensorType",
    "LongTensor",
    "ShortTensor",
    "attach",
    "type_name",
]


class LegacyTensorType(type):
    """The metaclass of FloatTensor & co.: a class that stands for one dtype (``cls.dtype``).

    ``FloatTensor(2, 3)`` is ``Tensor(2, 3, dtype=float32)`` (a glassnet Tensor, not an
    instance of the class); ``isinstance(x, FloatTensor)`` is ``x.dtype == float32``.
    """

    dtype: np.dtype

    def __call__(cls, *data: Any, device: Any = None) -> Tensor:
        check_device(device)
        if len(data) == 1 and isinstance(data[0], Size):
            data = tuple(data[0])  # FloatTensor(torch.Size([2, 3])): the sizes
        if len(data) == 1 and isinstance(data[0], Tensor) and data[0].dtype != cls.dtype:
            raise TypeError(
                f"{cls.__name__}(tensor): expected a tensor of dtype {cls.dtype}, got "
                f"{data[0].dtype}; convert it with .to(glassnet.{cls.dtype})"
            )
        return Tensor(*data, dtype=cls.dtype)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype

    @property
    def is_cuda(cls) -> bool:
        """False: these are the CPU types (PyTorch's GPU ones are torch.cuda.FloatTensor, ...)."""
        return False


def _legacy_type(name: str, dtype: np.dtype) -> LegacyTensorType:
    doc = f"PyTorch's legacy type for {dtype} tensors: ``{name}(2, 3)``, ``{name}([1, 2])``."
    return LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "glassnet"})


FloatTensor = _legacy_type("FloatTensor", float32)
DoubleTensor = _legacy_type("DoubleTensor", float64)
HalfTensor = _legacy_type("HalfTensor", float16)
LongTensor = _legacy_type("LongTensor", int64)
IntTensor = _legacy_type("IntTensor", int32)
ShortTensor = _legacy_type("ShortTensor", int16)
CharTensor = _legacy_type("CharTensor", int8)
ByteTensor = _legacy_type("ByteTensor", uint8)
BoolTensor = _legacy_type("BoolTensor", bool_)

#: dtype -> its legacy type (one per dtype glassnet has)
BY_DTYPE = {
    t.dtype: t
    for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
              CharTensor, ByteTensor, BoolTensor)
}  # fmt: skip
#: the names ``Tensor.type()`` gives and takes -> the legacy type
BY_NAME = {f"torch.{t.__name__}": t for t in BY_DTYPE.values()}


def type_name(dtype: np.dtype) -> str:
    """PyTorch's name for the type of a CPU tensor of ``dtype``: float32 -> 'torch.FloatTensor'."""
    legacy = BY_DTYPE.get(np.dtype(dtype))
    if legacy is None:  # a NumPy dtype PyTorch has no legacy type for (uint16, complex64, ...)
        return f"torch.{np.dtype(dtype).name.capitalize()}Tensor"
    return f"torch.{legacy.__name__}"


def tensor_type(self: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """With no argument, the name of this tensor's type, as PyTorch spells it: a float32
    tensor's is ``'torch.FloatTensor'``, an int64 one's ``'torch.LongTensor'``.

    With one, this tensor converted to it (itself if it has that type already): a legacy type
    (``x.type(torch.LongTensor)``), its name (``x.type('torch.LongTensor')``) or a dtype
    (``x.type(torch.int64)``), as ``x.to(...)`` converts.
    """
    if dtype is None:
        return type_name(self.dtype)
    if isinstance(dtype, str):
        legacy = BY_NAME.get(dtype.replace("glassnet.", "torch.", 1))
        if legacy is None:
            raise ValueError(
                f"invalid type: {dtype!r}; expected a name such as 'torch.FloatTensor' "
                f"(one of {', '.join(BY_NAME)})"
            )
        dtype = legacy
    if isinstance(dtype, LegacyTensorType):
        dtype = dtype.dtype
    return self.to(dtype)


def attach(tensor_class: type) -> None:
    """Give ``tensor_class`` the ``type()`` above, in place of the form that needed a dtype."""
    tensor_class.type = tensor_type  # type: ignore[attr-defined]


attach(Tensor)
