"""Parameter: a Tensor that a Module learns (a leaf requiring grad, registered on assignment).

A ``Parameter`` is an ordinary glassnet Tensor with two differences:

* it defaults to ``requires_grad=True`` (it is a weight: the optimizer will update it), and
* assigning it to an attribute of a ``Module`` (``self.weight = Parameter(...)``) registers it,
  so that ``module.parameters()``, ``state_dict()``, ``zero_grad()`` and ``to()`` find it.

Results of operations on a Parameter are plain Tensors (``w * 2`` is not a Parameter), exactly
as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import float32
from ..tensor import Tensor, format_tensor, to_array


class Parameter(Tensor):
    """A learnable Tensor of a Module: a leaf that requires grad by default.

    Args:
        data: the initial values: a Tensor (its memory is shared, as in PyTorch), a NumPy array
            (copied, its floating dtype kept), or a number / nested list (copied, float32).
            ``None`` gives an empty float32 parameter (to be filled in later).
        requires_grad: whether the optimizer should learn it (default True). Only floating
            parameters may require grad; integer data raises TypeError unless this is False.

    Example::

        >>> w = Parameter(glassnet.randn(3, 2))
        >>> w.requires_grad, w.is_leaf
        (True, True)
        >>> type(w * 2).__name__          # results of operations are plain Tensors
        'Tensor'
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        version = [0]
        if data is None:
            array = np.empty(0, dtype=float32)
        elif isinstance(data, Tensor):
            # Wrap, do not copy: Parameter(t) sees t's memory, as torch.nn.Parameter(t) does.
            array = data.array
            version = data._version
        elif isinstance(data, np.ndarray):
            array = np.array(data)
        else:
            array = to_array(data)
            if array.dtype.kind in "biu":
                array = array.astype(float32)  # Parameter([1, 2]) is a float weight
        self.array = array
        self.grad = None
        self.grad_fn = None
        self._version = version
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)  # raises TypeError for integer data

    def __repr__(self) -> str:
        return "Parameter containing:\n" + format_tensor(self)

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        import copy

        result = Parameter(self.array.copy(), requires_grad=False)
        result.requires_grad = self.requires_grad
        memo[id(self)] = result
        if self.grad is not None:
            result.grad = copy.deepcopy(self.grad, memo)
        return result


class _BufferKind(type):
    """Makes ``isinstance(t, Buffer)`` true for the tensors ``Buffer(...)`` returns (marked
    tensors, as in PyTorch, not instances of a subclass)."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False) is True


class Buffer(Tensor, metaclass=_BufferKind):
    """A tensor marked to become a Module's buffer when assigned to an attribute.

    ``self.running_mean = nn.Buffer(glassnet.zeros(3))`` is ``self.register_buffer(
    "running_mean", glassnet.zeros(3))``: state that ``state_dict()`` (when ``persistent``)
    and ``to()`` carry but that is not learned.

    Args:
        data: the values (a Tensor: detached, its memory shared); None gives an empty float32
            tensor.
        persistent: whether ``state_dict()`` includes the buffer (keyword only; default True).

    ``Buffer(t)`` returns a plain Tensor with the mark (``persistent`` and ``requires_grad``
    kept), as PyTorch's does, so ``type(module.running_mean)`` is Tensor.

    Example::

        >>> m = nn.Module()
        >>> m.count = nn.Buffer(glassnet.zeros(1), persistent=False)
        >>> list(dict(m.named_buffers())), list(m.state_dict())
        (['count'], [])
    """

    def __new__(cls, data: Any = None, *, persistent: bool = True) -> Tensor:  # type: ignore[misc]
        if data is None:
            data = Tensor._make(np.empty(0, dtype=float32), False, None)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Buffer: expected a glassnet Tensor or None, got {type(data).__name__}"
            )
        tensor = data.detach()
        tensor.requires_grad = data.requires_grad
        tensor.persistent = bool(persistent)
        tensor._is_buffer = True
        return tensor


class UninitializedTensorMixin:
    """What a parameter or buffer without a shape yet can do: ``materialize(shape)``.

    PyTorch's lazy modules hold such tensors until their first input tells them the shape.
    glassnet keeps one as a tensor of shape (0,) (the same 0-sized convention as its own lazy
    layers), so ``module.parameters()`` and an optimizer made before the first call already
    hold the object that ``materialize`` later gives its shape, in place.
    """

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the tensor ``shape`` (uninitialised values) in place; it becomes an ordinary
        Parameter (or Tensor, for a buffer), as in PyTorch."""
        from ..device import check_device
        from ..dtypes import to_dtype

        check_device(device)
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
        kind = self.array.dtype if dtype is None else to_dtype(dtype)
        self.array = np.empty(shape, kind)
        self._version[0] += 1
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter with no shape yet (PyTorch's ``nn.parameter.UninitializedParameter``)."""

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        from ..device import check_device
        from ..dtypes import to_dtype

        check_device(device)
        super().__init__(np.empty(0, float32 if dtype is None else to_dtype(dtype)), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer with no shape yet (PyTorch's ``nn.parameter.UninitializedBuffer``)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                persistent: bool = True) -> UninitializedBuffer:  # fmt: skip
        from ..device import check_device
        from ..dtypes import to_dtype

        check_device(device)
        made = Tensor._make(np.empty(0, float32 if dtype is None else to_dtype(dtype)))
        made.__class__ = cls
        made.requires_grad = requires_grad
        made.persistent = persistent
        return made

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is a parameter or buffer still waiting for its shape."""
    return isinstance(param, UninitializedTensorMixin)
