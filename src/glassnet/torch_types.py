"""PyTorch's torch.types: the type aliases scripts use in annotations (Number, Device, ...).

Scripts write ``def step(lr: Number, device: Device = None) -> _size`` with names from
``torch.types``; under ``glassnet run`` that module is this one. Each alias is a plain
``typing`` union over glassnet's own types, so it works in annotations and with
``typing.get_args``, and a value that is accepted by PyTorch's alias (``3``, ``"cpu"``,
``glassnet.Size([2, 3])``) matches this one too. glassnet has no symbolic shapes, so the
``SymInt``-like aliases are the plain Python numbers.
"""

from __future__ import annotations

import os

# The builtins under the private names PyTorch's generated stubs use in annotations.
from builtins import bool as _bool  # noqa: F401
from builtins import bytes as _bytes  # noqa: F401
from builtins import complex as _complex  # noqa: F401
from builtins import float as _float  # noqa: F401
from builtins import int as _int  # noqa: F401
from builtins import str as _str  # noqa: F401
from collections.abc import Sequence
from typing import IO

from .device import device as _device
from .dtypes import Size
from .layouts import layout as _layout  # noqa: F401
from .tensor import Tensor
from .torch_framework import dtype as _dtype  # noqa: F401

__all__ = ["Device", "FileLike", "Number"]

#: A Python number as PyTorch's functions accept it (``bool`` counts, as in Python).
Number = int | float | bool
#: The classes of ``Number``, for ``isinstance(x, _Number)``.
_Number = (int, float, bool)
#: Where a tensor lives: a ``glassnet.device``, ``"cpu"``, an index, or None (the default).
Device = _device | str | int | None
#: What ``glassnet.save`` / ``glassnet.load`` take: a path or an open binary file.
FileLike = str | os.PathLike[str] | IO[bytes]

#: A shape: ``glassnet.Size`` or a list / tuple of ints.
_size = Size | list[int] | tuple[int, ...]
#: A shape that PyTorch allows to be symbolic; glassnet's shapes are always concrete ints.
_symsize = Size | Sequence[int]
#: One tensor or several (what ``backward`` and ``autograd.grad`` take).
_TensorOrTensors = Tensor | Sequence[Tensor]
_TensorOrOptionalTensors = Tensor | Sequence[Tensor | None]

# PyTorch's symbolic number types reduce to Python's own numbers here.
IntLikeType = int
FloatLikeType = float
BoolLikeType = bool
