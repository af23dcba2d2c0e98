"""``torch.as_strided``: a tensor read out of another's storage with sizes, strides and an offset of one's choosing.

A tensor is a window on a block of memory (its storage, see storage.py): element
(i_0, ..., i_k) of it sits at storage position ``offset + i_0 * stride_0 + ... + i_k *
stride_k``. ``as_strided(x, size, stride, storage_offset)`` reads the same storage through
another such window, which is how sliding windows are made without a loop::

    >>> x = glassnet.arange(5.0)
    >>> glassnet.as_strided(x, (3, 3), (1, 1))       # rows x[0:3], x[1:4], x[2:5]
    tensor([[0., 1., 2.],
            [1., 2., 3.],
            [2., 3., 4.]])

glassnet gives a copy, where PyTorch gives a view: writing into the result does not change x.
The numbers are the same, and so is the gradient. Written with two differentiable index ops:
x's elements are put at their own storage positions in a copy of the storage (index_put), and
the result is taken from that copy at the window's positions (take), so

    d(result)/dx: each element of x receives the sum of the gradients of the result's elements
    that read its storage position.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor, as_tensor, wrap
from ..errors import ShapeError
from ..storage import owner_of

__all__ = ["as_strided"]


def _positions(shape: tuple, steps: tuple, offset: int) -> np.ndarray:
    """The storage position of every element of a window: offset + sum_k i_k * step_k."""
    where = np.full(shape, offset, dtype=np.int64)
    for axis, (n, step) in enumerate(zip(shape, steps)):
        index_shape = [1] * len(shape)
        index_shape[axis] = n
        where = where + np.arange(n, dtype=np.int64).reshape(index_shape) * step
    return where


def _whole_sizes(values: Any, name: str) -> tuple[int, ...]:
    if isinstance(values, (int, np.integer)):
        values = (values,)
    if not isinstance(values, (tuple, list)) or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values
    ):
        raise TypeError(f"as_strided: {name} must be a sequence of ints, got {values!r}")
    return tuple(int(v) for v in values)


def as_strided(input: Any, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:  # noqa: A002
    """The elements of ``input``'s storage at ``storage_offset + sum_k i_k * stride[k]``, as a
    tensor of shape ``size`` (PyTorch's ``as_strided``; here a copy, see the module docstring).

    Args:
        input: the tensor whose storage is read.
        size: the result's shape.
        stride: per axis of the result, how many storage elements apart its neighbours are
            (>= 0; 0 repeats an element).
        storage_offset: where element (0, ..., 0) is read; ``input.storage_offset()`` if None.
    """
    x = as_tensor(input)
    shape, steps = _whole_sizes(size, "size"), _whole_sizes(stride, "stride")
    if len(shape) != len(steps):
        raise ShapeError(
            f"as_strided: mismatch in length of strides and shape: size has {len(shape)} "
            f"entries, stride {len(steps)}"
        )
    if any(n < 0 for n in shape) or any(s < 0 for s in steps):
        raise ValueError(
            f"as_strided: sizes and strides must be >= 0, got size {shape}, stride {steps}"
        )
    owner = owner_of(x.array)
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        raise ValueError("as_strided: the tensor's memory is not one block; call .contiguous()")
    offset = x.storage_offset() if storage_offset is None else int(storage_offset)
    storage = owner.ravel(order="K")
    wanted = _positions(shape, steps, offset)
    if wanted.size and (wanted.min() < 0 or wanted.max() >= storage.size):
        needed = int(wanted.max()) + 1
        raise RuntimeError(
            f"as_strided: size {list(shape)}, stride {list(steps)} and storage offset {offset} "
            f"need a storage of {needed} elements, but it has {storage.size}"
        )
    if x.array.size == 0:
        return wrap(storage[wanted].astype(x.array.dtype, copy=True))
    own = _positions(x.array.shape, x.stride(), x.storage_offset())
    filled = wrap(storage.astype(x.array.dtype, copy=True)).index_put(
        (wrap(own.reshape(-1)),), x.reshape(-1)
    )
    return filled.take(wrap(wanted))
