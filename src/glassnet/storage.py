"""Storages: the block of memory under a tensor, as PyTorch's ``x.untyped_storage()`` (bytes)
and ``x.storage()`` (elements of the tensor's dtype).

A glassnet tensor keeps its numbers in a NumPy array (``x.array``). Indexing, transposing,
reshaping and expanding give arrays that look into the memory of another array (NumPy's
``.base``), so several tensors may share one block of memory. That block is the storage: the
memory of the array at the end of the ``.base`` chain, the one that owns the numbers (its own
``.base``, when it has one, is a buffer that is not an array: ``bytes``, an ``mmap``, ...). A
tensor is a window on its storage: it starts ``x.storage_offset()`` elements in and steps
``x.stride()`` elements along each axis, so that

    x.data_ptr() == x.untyped_storage().data_ptr() + x.storage_offset() * x.element_size()

and two tensors share memory exactly when their storages start at one address::

    >>> x = glassnet.arange(10.0)
    >>> y = x[2:5]
    >>> y.storage().data_ptr() == x.storage().data_ptr()    # one block of memory
    True
    >>> len(y.storage()), y.storage_offset()                 # the whole block; y starts 2 in
    (10, 2)

``UntypedStorage`` is the block as bytes (``nbytes()``, ``s[i]`` an int 0..255);
``TypedStorage`` is the same block read as elements of one dtype (``size()`` elements,
``s[i]`` a Python number). PyTorch keeps ``TypedStorage`` for old code and warns that it
will go; glassnet keeps it without the warning, as tutorials about views still use it.

Writing through a storage (``x.storage()[0] = 5.0``) changes the tensor, since it is the same
memory, and adds one to the version counter of the tensor the storage came from (its views
and ``.detach()`` share that counter). So if autograd saved that tensor for a backward pass,
the backward pass says that it was changed in place instead of silently using the new numbers
(PyTorch does not count writes through a storage). A tensor made separately on the same memory
(``glassnet.from_numpy`` twice on one array) has its own counter, which does not move.

The storage is the memory of the owning array, which may be larger than PyTorch's for a tensor
that glassnet made as a view of a larger temporary array (a tensor cut from a stacked result,
say): the memory is shared all the same, only the block is bigger.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from . import autograd
from .device import CPU, check_device
from .dtypes import DType, as_dtype, to_dtype

try:
    from numpy.lib.array_utils import byte_bounds as _byte_bounds  # NumPy 2
except ImportError:  # NumPy 1.x keeps it at the top level
    _byte_bounds = np.byte_bounds

__all__ = ["TypedStorage", "UntypedStorage", "attach", "owner_of"]

#: Storages with more elements than this print their first and last few, not all.
_PRINT_ALL_UP_TO = 1000
_PRINT_EDGE = 3


def owner_of(array: np.ndarray) -> np.ndarray:
    """The array at the end of ``array``'s ``.base`` chain: the one that owns the memory.

    The chain stops at the first array whose ``.base`` is not an array (None, or a buffer such
    as ``bytes`` or an ``mmap``), as ``Tensor.storage_offset`` does.
    """
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _byte_view(owner: np.ndarray) -> tuple[np.ndarray, int]:
    """The bytes of ``owner``'s memory as a 1-D uint8 array sharing it, and the address of the
    first byte.

    For an owner stored in one piece (C or Fortran order: every array NumPy allocates) that is
    its ``nbytes`` bytes from its first element on. An owner laid with gaps over a foreign
    buffer (``np.ndarray(buffer=..., strides=...)``) gives the bytes from its lowest to its
    highest element, gaps included.
    """
    address = int(owner.ctypes.data)
    if owner.size == 0:
        return np.empty(0, np.uint8), address
    if owner.flags.c_contiguous or owner.flags.f_contiguous:
        # ravel(order="K") is a view for an array in one piece, in whichever order
        return owner.ravel(order="K").view(np.uint8), address
    low, high = _byte_bounds(owner)
    # the element at the lowest address: index 0 on rising axes, the last on falling ones
    lowest = tuple(0 if s >= 0 else n - 1 for n, s in zip(owner.shape, owner.strides))
    first = owner[tuple(slice(i, i + 1) for i in lowest)].reshape(-1).view(np.uint8)
    view = np.lib.stride_tricks.as_strided(
        first, shape=(high - low,), strides=(1,), writeable=bool(owner.flags.writeable)
    )
    return view, int(low)


def _check_index(index: Any, size: int) -> int:
    """``index`` as a position in 0..size-1 (negative ones count from the end), or a clear error."""
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"storage indices must be whole numbers or slices, got {index!r}")
    position = int(index) + size if index < 0 else int(index)
    if not 0 <= position < size:
        raise IndexError(f"index {int(index)} is out of range for a storage of size {size}")
    return position


def _check_slice(index: slice, size: int) -> slice:
    """A slice with step 1 (a storage is one run of memory), bounds clipped to 0..size."""
    start, stop, step = index.indices(size)
    if step != 1:
        raise ValueError(f"storage slices must have step 1, got step {step}")
    return slice(start, max(start, stop))


def _plain(value: Any) -> Any:
    """A value to write: a tensor's array, another storage's elements, or the value as given."""
    if autograd.is_tensor(value):
        return value.array
    if isinstance(value, (UntypedStorage, TypedStorage)):
        return np.asarray(value.tolist())
    return value


def _repr_lines(values: np.ndarray) -> list[str]:
    """One line per element, as PyTorch prints storages (the middle left out when long)."""
    if values.size <= _PRINT_ALL_UP_TO:
        return [f" {v}" for v in values.tolist()]
    head = [f" {v}" for v in values[:_PRINT_EDGE].tolist()]
    tail = [f" {v}" for v in values[-_PRINT_EDGE:].tolist()]
    return [*head, " ...", *tail]


class _Storage:
    """What both kinds of storage answer the same way: the device and memory flags, ``len``,
    ``fill_``, copies and the refusal to resize."""

    @property
    def device(self) -> Any:
        """Always the CPU."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    def get_device(self) -> int:
        """-1, PyTorch's number for the CPU."""
        return -1

    def is_shared(self) -> bool:
        """False: glassnet does not put storages in memory shared between processes."""
        return False

    def is_pinned(self, device: Any = None) -> bool:
        """False: there is no GPU to pin memory for."""
        return False

    def resizable(self) -> bool:
        """False: the memory belongs to a NumPy array, which cannot grow in place."""
        return False

    def cpu(self) -> Any:
        return self

    def __len__(self) -> int:
        return self.size()

    def _place(self, index: Any) -> int | slice:
        """Where ``s[index] = ...`` writes: a checked position or a step-1 slice."""
        if isinstance(index, slice):
            return _check_slice(index, len(self))
        return _check_index(index, len(self))

    def fill_(self, value: Any) -> Any:
        """Set every element (every byte, for an untyped storage) to ``value``."""
        self[:] = value
        return self

    def __deepcopy__(self, memo: dict) -> Any:
        return self.clone()

    def resize_(self, size: int) -> Any:
        raise RuntimeError(
            "resize_: a glassnet storage is the memory of a NumPy array and cannot change size; "
            "make a new tensor (glassnet.empty(n)) instead"
        )

    def size(self) -> int:  # pragma: no cover - each kind defines it
        raise NotImplementedError

    def clone(self) -> Any:  # pragma: no cover - each kind defines it
        raise NotImplementedError


class UntypedStorage(_Storage):
    """A block of memory as bytes: PyTorch's ``torch.UntypedStorage``.

    ``UntypedStorage(n)`` is ``n`` new bytes, all zero (PyTorch leaves them as the allocator
    found them); ``UntypedStorage([1, 2, 3])`` holds those bytes; ``x.untyped_storage()`` is
    the memory under tensor ``x``, shared with it. ``s[i]`` is byte ``i`` as an int in 0..255,
    ``s[i:j]`` the bytes ``i`` to ``j - 1`` as a storage on the same memory.

    Args:
        data: a number of bytes, or a sequence of ints in 0..255 (nothing: no bytes).
        device: the CPU (the only device glassnet has).
    """

    def __init__(self, data: Any = 0, *, device: Any = None) -> None:
        check_device(device)
        if isinstance(data, (int, np.integer)) and not isinstance(data, bool):
            if data < 0:
                raise ValueError(f"UntypedStorage: expected a number of bytes >= 0, got {data}")
            block = np.zeros(int(data), np.uint8)
        else:
            block = _bytes_from(data, "UntypedStorage")
        self._bytes, self._address = block, int(block.ctypes.data)
        self._version: list[int] | None = None  # a tensor's version counter, when from one

    @classmethod
    def _on(cls, block: np.ndarray, address: int, version: list[int] | None) -> UntypedStorage:
        """A storage over existing bytes (no copy), counting writes in ``version``."""
        s = cls.__new__(cls)
        s._bytes, s._address, s._version = block, address, version
        return s

    # ------------------------------------------------------------------ what it is
    def nbytes(self) -> int:
        """The number of bytes."""
        return int(self._bytes.size)

    def size(self) -> int:
        """The number of bytes (an untyped storage's elements are bytes)."""
        return int(self._bytes.size)

    def element_size(self) -> int:
        """1: the elements of an untyped storage are bytes."""
        return 1

    def data_ptr(self) -> int:
        """The memory address of the first byte (equal for tensors that share memory)."""
        return self._address

    # ------------------------------------------------------------------ reading and writing
    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            part = _check_slice(index, len(self))
            return UntypedStorage._on(self._bytes[part], self._address + part.start, self._version)
        return int(self._bytes[_check_index(index, len(self))])

    def __setitem__(self, index: Any, value: Any) -> None:
        where = self._place(index)
        value = np.asarray(_plain(value))
        if value.dtype.kind not in "biu" or (value.size and (value.min() < 0 or value.max() > 255)):
            raise ValueError(
                f"bytes of an UntypedStorage are whole numbers in 0..255, got {value.tolist()!r}"
            )
        _write(self, self._bytes, where, value)

    def __iter__(self) -> Iterator[int]:
        return iter(self._bytes.tolist())

    def tolist(self) -> list[int]:
        """The bytes as a list of ints in 0..255."""
        return self._bytes.tolist()

    def copy_(
        self, source: UntypedStorage | TypedStorage, non_blocking: bool = False
    ) -> UntypedStorage:
        """Copy the bytes of ``source`` (a storage of as many bytes) into this one."""
        if not isinstance(source, (UntypedStorage, TypedStorage)):
            raise TypeError(f"copy_ expects a storage, got {type(source).__name__}")
        theirs = source.untyped()
        if theirs.nbytes() != self.nbytes():
            raise ValueError(
                f"copy_: the storages differ in size ({theirs.nbytes()} bytes into {self.nbytes()})"
            )
        _write(self, self._bytes, slice(None), theirs._bytes.copy())
        return self

    def clone(self) -> UntypedStorage:
        """A copy in new memory."""
        return UntypedStorage._on(*_new_block(self._bytes), None)

    def __repr__(self) -> str:
        lines = _repr_lines(self._bytes)
        lines.append(f"[glassnet.storage.UntypedStorage(device=cpu) of size {len(self)}]")
        return "\n".join(lines)


class TypedStorage(_Storage):
    """A block of memory read as elements of one dtype: PyTorch's ``torch.TypedStorage``, what
    ``x.storage()`` gives.

    ``TypedStorage(n, dtype=...)`` is ``n`` new elements, all zero; ``TypedStorage([1, 2])``
    holds those numbers (float32 unless ``dtype`` says otherwise);
    ``TypedStorage(wrap_storage=untyped, dtype=...)`` reads an untyped storage's bytes as
    elements. ``s[i]`` is element ``i`` as a Python number; ``untyped()`` is the same memory as
    bytes.

    Args:
        data: a number of elements, or a sequence of numbers (nothing: no elements).
        dtype: the elements' dtype (float32 by default).
        device: the CPU (the only device glassnet has).
        wrap_storage: an UntypedStorage whose bytes to read (instead of ``data``).
    """

    def __init__(
        self, data: Any = 0, *, dtype: Any = None, device: Any = None,
        wrap_storage: UntypedStorage | None = None, _internal: bool = False,
    ) -> None:  # fmt: skip
        check_device(device)
        dtype = np.dtype(np.float32) if dtype is None else to_dtype(dtype)
        if wrap_storage is not None:
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(
                    f"TypedStorage: wrap_storage must be an UntypedStorage, "
                    f"got {type(wrap_storage).__name__}"
                )
            self._untyped = wrap_storage
        elif isinstance(data, (int, np.integer)) and not isinstance(data, bool):
            if data < 0:
                raise ValueError(f"TypedStorage: expected a number of elements >= 0, got {data}")
            self._untyped = UntypedStorage(int(data) * dtype.itemsize)
        else:
            values = _values_from(data, dtype)
            self._untyped = UntypedStorage._on(*_new_block(values.view(np.uint8)), None)
        self._dtype = dtype

    @property
    def _untyped_storage(self) -> UntypedStorage:
        """The same memory as bytes (PyTorch's attribute name)."""
        return self._untyped

    @property
    def _values(self) -> np.ndarray:
        """The elements: the bytes seen as the dtype (a view, no copy)."""
        block = self._untyped._bytes
        whole = block.size - block.size % self._dtype.itemsize
        return block[:whole].view(self._dtype)

    # ------------------------------------------------------------------ what it is
    @property
    def dtype(self) -> DType:
        return as_dtype(self._dtype)

    def size(self) -> int:
        """The number of elements: ``nbytes() // element_size()``."""
        return self._untyped.nbytes() // self._dtype.itemsize

    def element_size(self) -> int:
        """Bytes per element."""
        return self._dtype.itemsize

    def nbytes(self) -> int:
        """The number of bytes of the memory."""
        return self._untyped.nbytes()

    def data_ptr(self) -> int:
        """The memory address of the first element (equal for tensors that share memory)."""
        return self._untyped.data_ptr()

    def untyped(self) -> UntypedStorage:
        """The same memory as bytes."""
        return self._untyped

    # ------------------------------------------------------------------ reading and writing
    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            raise TypeError(
                "TypedStorage does not take slices (as in PyTorch); slice the tensor, or the "
                "bytes of untyped()"
            )
        return self._values[_check_index(index, len(self))].item()

    def __setitem__(self, index: Any, value: Any) -> None:
        where = self._place(index)
        value = _plain(value)
        if isinstance(value, str) or np.asarray(value).dtype.kind not in "biuf":
            raise TypeError(f"a TypedStorage holds numbers, got {value!r}")
        _write(self._untyped, self._values, where, value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values.tolist())

    def tolist(self) -> list:
        """The elements as a list of Python numbers."""
        return self._values.tolist()

    def copy_(
        self, source: TypedStorage | UntypedStorage, non_blocking: bool = False
    ) -> TypedStorage:
        """Copy the elements of ``source`` (as many elements; converted to this dtype)."""
        if isinstance(source, UntypedStorage):
            self._untyped.copy_(source)
            return self
        if not isinstance(source, TypedStorage):
            raise TypeError(f"copy_ expects a storage, got {type(source).__name__}")
        if len(source) != len(self):
            raise ValueError(
                f"copy_: the storages differ in size ({len(source)} elements into {len(self)})"
            )
        _write(self._untyped, self._values, slice(None), source._values.copy())
        return self

    def clone(self) -> TypedStorage:
        """A copy in new memory."""
        return TypedStorage(wrap_storage=self._untyped.clone(), dtype=self._dtype)

    def type(self, dtype: Any = None) -> Any:
        """The type's name (``"glassnet.storage.TypedStorage"``) or, given a dtype, a copy in it."""
        if dtype is None:
            return "glassnet.storage.TypedStorage"
        return self._converted(dtype)

    def _converted(self, dtype: Any) -> TypedStorage:
        """A copy of the elements in another dtype (the same storage when it already is)."""
        dtype = to_dtype(dtype)
        if dtype == self._dtype:
            return self
        return TypedStorage(self._values.astype(dtype), dtype=dtype)

    def float(self) -> TypedStorage:
        return self._converted(np.float32)

    def double(self) -> TypedStorage:
        return self._converted(np.float64)

    def half(self) -> TypedStorage:
        return self._converted(np.float16)

    def long(self) -> TypedStorage:
        return self._converted(np.int64)

    def int(self) -> TypedStorage:
        return self._converted(np.int32)

    def short(self) -> TypedStorage:
        return self._converted(np.int16)

    def char(self) -> TypedStorage:
        return self._converted(np.int8)

    def byte(self) -> TypedStorage:
        return self._converted(np.uint8)

    def bool(self) -> TypedStorage:
        return self._converted(np.bool_)

    def __repr__(self) -> str:
        lines = _repr_lines(self._values)
        lines.append(
            f"[glassnet.storage.TypedStorage(dtype=glassnet.{self._dtype}, device=cpu) "
            f"of size {len(self)}]"
        )
        return "\n".join(lines)


def _bytes_from(data: Any, who: str) -> np.ndarray:
    """Bytes given as a sequence of ints in 0..255 (or a bytes object), as a new uint8 array."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return np.frombuffer(bytes(data), np.uint8).copy()
    try:
        values = np.asarray(data)
    except (TypeError, ValueError):
        values = np.asarray(None)
    if values.ndim != 1 or (values.size and values.dtype.kind not in "biu"):
        raise TypeError(
            f"{who}: expected a number of bytes or a sequence of ints in 0..255, got {data!r}"
        )
    if values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError(f"{who}: bytes are whole numbers in 0..255, got {values.tolist()!r}")
    return values.astype(np.uint8)


def _values_from(data: Any, dtype: np.dtype) -> np.ndarray:
    """Numbers given as a sequence, as a new 1-D array of ``dtype``."""
    try:
        values = np.asarray(data)
    except (TypeError, ValueError):
        values = np.asarray(None)
    if values.ndim != 1 or (values.size and values.dtype.kind not in "biuf"):
        raise TypeError(
            f"TypedStorage: expected a number of elements or a sequence of numbers, got {data!r}"
        )
    return values.astype(dtype)


def _new_block(block: np.ndarray) -> tuple[np.ndarray, int]:
    """A copy of ``block``'s bytes in new memory, and its address."""
    fresh = np.array(block, dtype=np.uint8, copy=True).reshape(-1)
    return fresh, int(fresh.ctypes.data)


def _write(storage: UntypedStorage, target: np.ndarray, where: Any, value: Any) -> None:
    """``target[where] = value``, then count the write on the tensor the storage came from."""
    if not target.flags.writeable:
        raise ValueError(
            "this storage is read-only: its memory belongs to a read-only buffer (bytes, or "
            "an array marked read-only); copy the tensor with .clone() to change it"
        )
    target[where] = value
    if storage._version is not None:
        storage._version[0] += 1  # autograd then knows the tensor changed (see the module doc)


# ---------------------------------------------------------------------- the Tensor methods
def untyped_storage(self: Any) -> UntypedStorage:
    """The memory under this tensor as bytes, shared with it (``x.untyped_storage()``).

    It is the whole block of the array that owns the numbers, so a view's storage is its base's:
    ``x[1:].untyped_storage().data_ptr() == x.untyped_storage().data_ptr()``.
    """
    block, address = _byte_view(owner_of(self.array))
    return UntypedStorage._on(block, address, self._version)


def storage(self: Any) -> TypedStorage:
    """The memory under this tensor as elements of its dtype, shared with it (``x.storage()``).

    PyTorch's ``TypedStorage``: ``len(x.storage())`` counts the elements of the whole block
    (of the base, for a view), ``x.storage()[i]`` reads one, ``x.storage().tolist()`` all.
    """
    return TypedStorage(wrap_storage=untyped_storage(self), dtype=self.array.dtype)


def attach(tensor_class: type) -> None:
    """Give the Tensor class its ``storage()`` and ``untyped_storage()`` methods."""
    tensor_class.untyped_storage = untyped_storage
    tensor_class.storage = storage
