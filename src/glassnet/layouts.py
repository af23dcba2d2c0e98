"""Layouts and memory formats: ``torch.strided``, ``torch.sparse_coo``, ``torch.channels_last``, ... as names glassnet keeps one of.

PyTorch can store a tensor densely with strides (``torch.strided``) or sparsely
(``sparse_coo``, ``sparse_csr``, ...), and can order a dense image batch channel after channel
(``contiguous_format``: N, C, H, W in memory) or pixel after pixel (``channels_last``: N, H, W,
C). glassnet keeps every tensor one way, a dense NumPy array, so ``x.layout`` is always
``strided`` and a ``memory_format=`` argument is accepted (``check_memory_format``) and then
changes nothing: the numbers, and so every result, are the same in any memory order.

The objects are made here once and cannot be made again (``layout()`` is refused), so
``x.layout == glassnet.strided`` and ``memory_format is glassnet.channels_last`` work as in
PyTorch; a copy or a pickle gives back the same object.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "jagged",
    "layout",
    "legacy_contiguous_format",
    "memory_format",
    "preserve_format",
    "sparse_bsc",
    "sparse_bsr",
    "sparse_coo",
    "sparse_csc",
    "sparse_csr",
    "strided",
]


class _Named:
    """One named object of a fixed set: prints as ``glassnet.<name>``, copies and pickles as itself."""

    _making = False  # True only while this module makes its objects

    def __new__(cls, name: str = "") -> Any:
        if not cls._making:
            raise TypeError(
                f"cannot create glassnet.{cls.__name__} objects; use the ones glassnet has, "
                f"such as glassnet.{'strided' if cls.__name__ == 'layout' else 'contiguous_format'}"
            )
        made = super().__new__(cls)
        made.name = name
        return made

    def __repr__(self) -> str:
        return f"glassnet.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # the module attribute of that name: the one object

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: dict) -> Any:
        return self


class layout(_Named):  # noqa: N801 - PyTorch's name
    """How a tensor's numbers are stored: ``strided`` (dense, glassnet's only layout) or one of
    PyTorch's sparse layouts, which glassnet names for comparisons only."""


class memory_format(_Named):  # noqa: N801 - PyTorch's name
    """The order of a dense tensor's numbers in memory; accepted by glassnet and ignored."""


def _make(cls: type, name: str) -> Any:
    cls._making = True
    try:
        return cls(name)
    finally:
        cls._making = False


strided = _make(layout, "strided")
sparse_coo = _make(layout, "sparse_coo")
sparse_csr = _make(layout, "sparse_csr")
sparse_csc = _make(layout, "sparse_csc")
sparse_bsr = _make(layout, "sparse_bsr")
sparse_bsc = _make(layout, "sparse_bsc")
jagged = _make(layout, "jagged")

contiguous_format = _make(memory_format, "contiguous_format")
channels_last = _make(memory_format, "channels_last")
channels_last_3d = _make(memory_format, "channels_last_3d")
preserve_format = _make(memory_format, "preserve_format")
#: PyTorch's older name, the same object as ``contiguous_format`` (as in PyTorch)
legacy_contiguous_format = contiguous_format


def tensor_layout(self: Any) -> layout:
    """``Tensor.layout``: always ``strided`` (a glassnet tensor is a dense NumPy array)."""
    return strided


def check_memory_format(value: Any, where: str) -> None:
    """Accept a ``memory_format`` (or None) for ``where`` (e.g. "Tensor.contiguous"), and
    refuse anything else in one line; the format itself changes nothing in glassnet."""
    if value is not None and not isinstance(value, memory_format):
        raise TypeError(
            f"{where}: memory_format expects glassnet.contiguous_format, channels_last, "
            f"channels_last_3d or preserve_format, got {value!r}"
        )


def check_layout(value: Any, where: str) -> None:
    """Accept ``layout=strided`` (or None) for ``where``; a sparse layout is refused in one line."""
    if value is not None and value is not strided:
        raise TypeError(f"{where}: glassnet only has dense tensors (layout=strided), got {value!r}")
