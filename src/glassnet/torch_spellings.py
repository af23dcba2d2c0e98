"""PyTorch's other spellings of what glassnet already has: ``torch.detach(x)``, ``torch.range``, ``torch.asarray``, ...

Scripts reach for these top-level names, and each one here is a thin form of an existing
method or function, so there is nothing new to learn behind it:

* method forms: ``detach``, ``fill``, ``is_signed``, ``is_inference``, ``get_device``,
  ``unsafe_chunk`` and ``unsafe_split`` (PyTorch's versions that skip a safety check; here they
  are ``chunk`` and ``split``), ``typename``;
* older names PyTorch keeps: ``range`` (``arange`` with the end included), ``chain_matmul``
  (``linalg.multi_dot``), ``frobenius_norm`` and ``nuclear_norm`` (``linalg.matrix_norm``);
* makers: ``asarray`` (``as_tensor`` with PyTorch's ``copy=`` and ``requires_grad=``),
  ``frombuffer`` (a tensor over a bytes-like object's memory), ``empty_strided``;
* ``vmap``, the same transform as ``glassnet.func.vmap``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import linalg
from .autograd import is_tensor, wrap
from .creation import empty, tensor
from .dtypes import to_dtype
from .errors import ValueRangeError
from .func_transforms import vmap
from .tensor import Tensor, as_tensor

__all__ = [
    "asarray", "chain_matmul", "detach", "empty_strided", "fill", "frobenius_norm",
    "frombuffer", "get_device", "is_inference", "is_signed", "nuclear_norm", "range",
    "typename", "unsafe_chunk", "unsafe_split", "vmap",
]  # fmt: skip


def detach(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input.detach()``: the same values, outside the graph."""
    return as_tensor(input).detach()


def fill(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """A new tensor of ``input``'s shape and dtype with every element ``value`` (input kept)."""
    return as_tensor(input).clone().fill_(value)


def is_signed(input: Tensor) -> bool:  # noqa: A002
    """``input.is_signed()``: whether its dtype can hold negative numbers."""
    return as_tensor(input).is_signed()


def is_inference(input: Tensor) -> bool:  # noqa: A002
    """``input.is_inference()``."""
    return as_tensor(input).is_inference()


def get_device(input: Tensor) -> int:  # noqa: A002
    """``input.get_device()``: -1, the CPU's number in PyTorch."""
    return as_tensor(input).get_device()


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    """``input.chunk(chunks, dim)``."""
    return as_tensor(input).chunk(chunks, dim)


def unsafe_split(input: Tensor, split_size: Any, dim: int = 0) -> tuple:  # noqa: A002
    """``input.split(split_size, dim)``."""
    return as_tensor(input).split(split_size, dim)


def typename(obj: Any) -> str:
    """The type's name as PyTorch prints it: ``'torch.FloatTensor'`` for a float32 tensor, the
    qualified class name for anything else (``'int'``, ``'glassnet.nn.linear.Linear'``)."""
    if is_tensor(obj):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def range(  # noqa: A001 - PyTorch's name
    start: float, end: float | None = None, step: float = 1, *, dtype: Any = None, **options: Any
) -> Tensor:
    """start, start + step, ..., up to and *including* ``end``; float32 unless ``dtype`` says.

    Deprecated in PyTorch (it warns, as here) because Python's ``range`` leaves the end out;
    ``arange(start, end + step, step)`` is the same numbers.
    """
    warnings.warn(
        "torch.range is deprecated: use arange, which leaves out the end", UserWarning, stacklevel=2
    )
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueRangeError("range: expected a non-zero step, got 0")
    if (end - start) * step < 0:
        raise ValueRangeError(
            f"range: a step of {step} never goes from {start} to {end} (end - start and step "
            "must have the same sign)"
        )
    count = int(np.floor((end - start) / step)) + 1
    values = np.arange(count) * step + start
    return tensor(values, dtype=to_dtype(dtype or "float32"), **options)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of the matrices in the order given, ``linalg.multi_dot(matrices)``."""
    return linalg.multi_dot(list(matrices))


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """sqrt(sum of squares) over ``dim`` (two dimensions): ``linalg.matrix_norm(ord="fro")``."""
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) == 1:
        return linalg.vector_norm(input, 2, dim=dims, keepdim=keepdim)
    return linalg.matrix_norm(input, "fro", dim=dims, keepdim=keepdim)


def nuclear_norm(input: Tensor, dim: Any = (-2, -1), keepdim: bool = False) -> Tensor:  # noqa: A002
    """The sum of the singular values over two dimensions: ``linalg.matrix_norm(ord="nuc")``.

    PyTorch's second positional argument may be ``keepdim`` (``nuclear_norm(x, True)``)."""
    if isinstance(dim, bool):
        dim, keepdim = (-2, -1), dim
    return linalg.matrix_norm(input, "nuc", dim=tuple(dim), keepdim=keepdim)


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``obj`` as a tensor, sharing memory with a tensor or NumPy array where it can.

    ``copy=True`` always copies, ``copy=False`` refuses where a copy would be needed (another
    dtype, or a Python list), None copies only when it must: PyTorch's rules.
    """
    from .device import check_device

    check_device(device)
    shares = is_tensor(obj) or isinstance(obj, np.ndarray)
    if copy is False and not shares:
        raise ValueError(
            f"asarray: copy=False asks to share memory, but a {type(obj).__name__} must be "
            "copied into a tensor"
        )
    result = as_tensor(obj, dtype=dtype)
    if copy is False and shares and result.array is not _memory_of(obj):
        raise ValueError(f"asarray: copy=False, but converting to {dtype} needs a copy")
    if copy:
        result = wrap(result.array.copy())
    if requires_grad:
        result = result if result is not obj else result.detach()
        result.requires_grad_(True)
    return result


def _memory_of(obj: Any) -> np.ndarray:
    return obj.array if is_tensor(obj) else obj


def frombuffer(
    buffer: Any,
    *,
    dtype: Any,
    count: int = -1,
    offset: int = 0,
    requires_grad: bool = False,
) -> Tensor:
    """A 1-D tensor reading ``count`` numbers of ``dtype`` from ``buffer`` (bytes, bytearray,
    memoryview, array.array), skipping ``offset`` bytes; all that remain when ``count`` is -1.

    It shares the buffer's memory when the buffer is writable (a bytearray), so writes to one
    show in the other, as in PyTorch; a read-only buffer (bytes) is copied, since a tensor's
    numbers must be writable.
    """
    array = np.frombuffer(buffer, dtype=to_dtype(dtype), count=count, offset=offset)
    if not array.flags.writeable:
        array = array.copy()
    result = wrap(array)
    if requires_grad:
        result.requires_grad_(True)
    return result


def empty_strided(size: Any, stride: Any, **options: Any) -> Tensor:
    """``empty(size)``: glassnet chooses its own strides (row-major), so ``stride`` is checked
    to have one entry per dimension and otherwise not used."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise ValueError(
            f"empty_strided: expected one stride per dimension ({len(size)}), got {len(stride)}"
        )
    return empty(size, **options)
