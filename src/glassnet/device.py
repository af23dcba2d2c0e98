"""Devices: ``glassnet.device`` (PyTorch's ``torch.device``) and the one check that glassnet runs on the CPU.

glassnet computes with NumPy on the CPU, so ``"cpu"`` is the only device it has. PyTorch code
names devices everywhere (``torch.device("cuda" if torch.cuda.is_available() else "cpu")``,
``x.to(device)``, ``torch.zeros(3, device=device)``); all of that works when the device is the
CPU. A device object for another type can be made (as in PyTorch, where making it does not
touch the hardware), but putting anything on it raises ``DeviceError`` naming the device.
"""

from __future__ import annotations

from typing import Any

from .layouts import check_memory_format

__all__ = ["DeviceError", "check_device", "device", "split_to_arguments"]

# The device types PyTorch knows; any of them may name a device object, only "cpu" may be used.
_KNOWN_TYPES = (
    "cpu",
    "cuda",
    "mps",
    "xpu",
    "meta",
    "hip",
    "xla",
    "ipu",
    "hpu",
    "mtia",
    "privateuseone",
)


class DeviceError(ValueError, RuntimeError):
    """A device glassnet does not have (catchable as ValueError or RuntimeError)."""


class device:  # noqa: N801 - PyTorch's name
    """A place where tensors live: a type (``"cpu"``, ``"cuda"``, ...) and an optional index.

    Args:
        type: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ... or another device (copied).
        index: the device number (``device("cuda", 1)`` is ``device("cuda:1")``).

    Example::

        >>> glassnet.device("cpu")
        device(type='cpu')
        >>> glassnet.device("cpu") == "cpu"
        True
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cpu", type  # torch.device(0) names accelerator 0; here the CPU
        elif not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type!r}")
        elif ":" in type:
            type, _, number = type.partition(":")
            if not number.isdigit() or index is not None:
                raise DeviceError(f"invalid device string {type + ':' + number!r}")
            index = int(number)
        if type not in _KNOWN_TYPES:
            raise DeviceError(f"expected a device type such as 'cpu' or 'cuda', got {type!r}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise DeviceError(f"a device index must be a non-negative integer, got {index!r}")
        self.type: str = type
        self.index: int | None = index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (DeviceError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    # `with torch.device("cpu"):` sets the default device in PyTorch; the CPU is always it here.
    def __enter__(self) -> device:
        check_device(self)
        return self

    def __exit__(self, *exc: object) -> None:
        return None


CPU = device("cpu")


def check_device(where: Any) -> device:
    """``where`` as a device object if it names the CPU (None means the CPU), else DeviceError.

    Accepts None, a string (``"cpu"``, ``"cpu:0"``), an integer index or a device object.
    """
    if where is None:
        return CPU
    try:
        d = where if isinstance(where, device) else device(where)
    except (DeviceError, TypeError):
        raise DeviceError(f"glassnet runs on the CPU only; got device {str(where)!r}") from None
    if d.type != "cpu":
        raise DeviceError(f"glassnet runs on the CPU only; got device {str(d)!r}")
    return d


def _names_a_device(a: Any) -> bool:
    if isinstance(a, device):
        return True
    if isinstance(a, str):
        return a.partition(":")[0] in _KNOWN_TYPES
    return False


def split_to_arguments(args: tuple, kwargs: dict) -> Any:
    """The dtype (or None) that ``.to(...)`` asks for, after checking any device it names.

    Serves ``Tensor.to`` and ``Module.to``, which take PyTorch's forms: ``to(device)``,
    ``to(dtype)``, ``to(device, dtype)``, ``to(other_tensor)`` (its dtype), and the keywords
    ``device=``, ``dtype=``, ``non_blocking=``, ``copy=`` (the last two mean nothing on the CPU).
    ``kwargs`` is consumed; anything left in it is an error.
    """
    dtype = kwargs.pop("dtype", None)
    check_device(kwargs.pop("device", None))
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    check_memory_format(kwargs.pop("memory_format", None), "to")
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    from .tensor import Tensor  # at call time: tensor.py imports this module

    for a in args:
        if _names_a_device(a):
            check_device(a)
        elif isinstance(a, Tensor):  # x.to(other): take the other tensor's dtype
            dtype = a.dtype
        elif isinstance(a, bool):  # to(dtype, non_blocking) passes a flag positionally
            continue
        else:
            if isinstance(a, str):
                _check_dtype_name(a)
            dtype = a
    return dtype


def _check_dtype_name(name: str) -> None:
    """Raise one line for a string ``.to()`` reads as neither a device nor a dtype (``"gpu"``)."""
    from .dtypes import to_dtype
    from .errors import DTypeError

    try:
        to_dtype(name)
    except TypeError as error:
        if not str(error).startswith("unknown dtype name"):
            raise  # a known name glassnet refuses (bfloat16) says why itself
        raise DTypeError(
            f"to(): expected a device ('cpu') or a dtype name ('float32', 'int64', ...), got "
            f"{name!r}"
        ) from None
