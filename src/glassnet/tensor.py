"""Tensor: an n-dimensional array of numbers that remembers how it was computed.

A Tensor wraps a NumPy array (``.array``). If it ``requires_grad``, every operation on it is
recorded (``.grad_fn`` points to the op that made it), so that ``backward()`` can later
compute the derivative of a final number (the loss) with respect to it, into ``.grad``.
All maths lives in ops/; this file holds the container, its conversions and its operators.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import autograd, layouts, unrecorded_views
from .autograd import add_hook as _add_hook
from .device import CPU, device, split_to_arguments
from .dtypes import _BY_NUMPY as _DTYPE_OF
from .dtypes import DType, Size, as_dtype, default_dtype_for, is_floating, to_dtype
from .errors import DTypeError, ShapeError
from .ops import api
from .ops import elementwise as E
from .ops.shape import VIEW_OPS, GetItem, ViewWrite
from .printing import PRINT_OPTIONS

_new_tuple = tuple.__new__  # Size(shape) without Size.__new__'s int checks: shapes are ints

_PLAIN_NUMBERS = (float, int)  # not bool: True + tensor follows PyTorch's promotion rules


def _arithmetic(op_class: type, reflected: bool = False) -> Any:
    """Tensor's operator for the binary op ``op_class`` (``a + b`` is ``Add()(a, b)``).

    The everyday case, a floating tensor with a tensor of the same dtype or a Python number,
    needs no dtype promotion and goes straight to the op (this runs for every ``+``, ``-`` and
    ``*`` of every backward rule). Anything else goes through ``api.binary``, which promotes
    dtypes as PyTorch does; it also turns shapes that do not broadcast into a ShapeError
    naming them, so a ValueError on the direct way is handed to it to be raised properly.
    """

    def operator(self: Tensor, other: Any) -> Tensor:
        dtype = self.array.dtype
        if dtype.kind == "f" and (
            type(other) in _PLAIN_NUMBERS
            or (isinstance(other, Tensor) and other.array.dtype is dtype)
        ):
            try:
                return op_class()(other, self) if reflected else op_class()(self, other)
            except ValueError as error:
                if "broadcast" not in str(error):
                    raise
                # shapes that do not fit: api.binary runs it again and raises the clear error
        return api.binary(op_class, self, other, reflected=reflected)

    operator.__name__ = f"__{'r' if reflected else ''}{op_class.__name__.lower()}__"
    return operator


# The slots a pickled or deep-copied tensor keeps (``Tensor.__getstate__``).
_STATE_SLOTS = ("array", "grad", "requires_grad", "grad_fn", "_version")


class Tensor:
    """An array of numbers plus what autodiff needs: ``grad``, ``requires_grad``, ``grad_fn``.

    Args:
        data: a number, a (nested) list, a NumPy array or another Tensor.
        dtype: e.g. ``glassnet.float32``; by default floats become float32 and integers
            int64 (PyTorch's defaults), NumPy arrays keep their dtype.
        requires_grad: record operations on this tensor so that ``backward()`` fills
            ``.grad``. Only floating tensors may require grad.

    Shape: any; ``x.shape`` is a tuple such as ``(batch, features)``.

    Example::

        >>> x = glassnet.tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x * x).sum()        # y = x0**2 + x1**2
        >>> y.backward()
        >>> x.grad                   # dy/dx = 2x
        tensor([2., 4.])
    """

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "_version", "__weakref__", "__dict__")

    # Let NumPy hand mixed expressions (array + tensor) to our reflected operators.
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, *data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self.array = _legacy_constructor_array(data, dtype)
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._version = [0]
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_data(cls, data: Any, dtype: Any = None) -> Tensor:
        """A new tensor from any data with ``glassnet.tensor``'s dtype rules (ints stay int64)."""
        return cls._make(to_array(data, dtype))

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Tensor:
        """Wrap an existing array with no copy and no checks: ``autograd.wrap``, for this class."""
        t = autograd.wrap(data, requires_grad, grad_fn)
        if cls is not Tensor:
            t.__class__ = cls
        return t

    # ------------------------------------------------------------------ basic properties
    @property
    def shape(self) -> Size:
        # A Size is a tuple (equal to, and hashing as, the array's shape) that prints as PyTorch's
        return _new_tuple(Size, self.array.shape)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> DType:
        """The numbers' type, as ``glassnet.float32`` (a DType: NumPy's dtype with PyTorch's
        ``is_floating_point``; engine code reads ``x.array.dtype``, NumPy's own)."""
        try:
            return _DTYPE_OF[self.array.dtype]
        except KeyError:
            return as_dtype(self.array.dtype)

    @property
    def device(self) -> device:
        """Always the CPU: ``device(type='cpu')``, which also compares equal to ``"cpu"``."""
        return CPU

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user created (not results of recorded operations)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """All axes reversed (the matrix transpose for 2-D tensors)."""
        return api.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices transposed)."""
        return api.transpose(self, -2, -1)

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (for real tensors the transpose; a 0-D tensor
        is returned as it is, as in PyTorch)."""
        if self.ndim not in (0, 2):
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors), got a {self.ndim}-D tensor"
            )
        return api.adjoint(self) if self.ndim == 2 else self

    @property
    def mH(self) -> Tensor:
        """The last two axes swapped and conjugated (a batch of matrices' adjoints)."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices, "
                               f"got a {self.ndim}-D tensor")  # fmt: skip
        return api.adjoint(self)

    def storage_offset(self) -> int:
        """How many elements from the start of the base array this tensor's first one lies
        (0 for a tensor owning its memory; ``x[2:].storage_offset()`` is 2 for 1-D x)."""
        base = self.array
        while isinstance(base.base, np.ndarray):
            base = base.base
        if base is self.array or self.array.size == 0:
            return 0
        return (self.array.ctypes.data - base.ctypes.data) // self.array.itemsize

    def size(self, dim: int | None = None) -> Size | int:
        """The shape (a ``Size``), or the size of one axis."""
        return self.shape if dim is None else self.array.shape[dim]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        """Number of elements."""
        return self.array.size

    def element_size(self) -> int:
        return self.array.itemsize

    def nelement(self) -> int:
        """Number of elements (PyTorch's other name for ``numel``)."""
        return self.array.size

    def ndimension(self) -> int:
        """Number of axes (PyTorch's other name for ``dim``)."""
        return self.array.ndim

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes the elements take: ``numel() * itemsize``."""
        return self.array.nbytes

    def stride(self, dim: int | None = None) -> tuple | int:
        """How many elements apart neighbours along each axis lie in memory (PyTorch counts in
        elements; NumPy's ``strides`` count bytes), or along one axis."""
        steps = tuple(s // self.array.itemsize for s in self.array.strides)
        return steps if dim is None else steps[dim]

    @property
    def is_cuda(self) -> bool:
        """False: glassnet's tensors live in the CPU's memory."""
        return False

    def get_device(self) -> int:
        """-1, PyTorch's number for the CPU (a GPU's would be 0, 1, ...)."""
        return -1

    def data_ptr(self) -> int:
        """The memory address of the first element (two tensors sharing it share memory)."""
        return int(self.array.ctypes.data)

    def is_complex(self) -> bool:
        return self.array.dtype.kind == "c"

    def is_nonzero(self) -> bool:
        """Whether the one element is not zero (an error for other sizes)."""
        if self.array.size != 1:
            raise RuntimeError(
                f"is_nonzero: expected a tensor of one element, got shape {tuple(self.shape)}"
            )
        return bool(self.array.reshape(-1)[0] != 0)

    def trace(self) -> Tensor:
        """The sum of the diagonal of a 2-D tensor;   dL/dx = g on the diagonal, 0 elsewhere."""
        if self.ndim != 2:
            raise ShapeError(f"trace: expected a 2-D tensor, got shape {tuple(self.shape)}")
        return api.diagonal(self).sum()

    def det(self) -> Tensor:
        """``glassnet.linalg.det(self)``."""
        from . import linalg

        return linalg.det(self)

    def inverse(self) -> Tensor:
        """``glassnet.linalg.inv(self)``."""
        from . import linalg

        return linalg.inv(self)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Whether the elements lie in memory row after row, with no gaps (C order).

        With ``memory_format=glassnet.channels_last`` (channels_last_3d): whether a 4-d (5-d)
        tensor's elements lie pixel after pixel, channels innermost, as PyTorch's NHWC order.
        """
        layouts.check_memory_format(memory_format, "is_contiguous")
        if memory_format in (layouts.channels_last, layouts.channels_last_3d):
            dims = 4 if memory_format is layouts.channels_last else 5
            if self.array.ndim != dims:
                return False
            # N, spatial..., C in memory: moving C last must give a row-after-row array
            return bool(np.moveaxis(self.array, 1, -1).flags.c_contiguous)
        return bool(self.array.flags.c_contiguous)

    # ------------------------------------------------------------------ autograd controls
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording operations on this leaf tensor."""
        if requires_grad and not is_floating(self.array.dtype):
            raise DTypeError(
                f"only floating tensors can require gradients, but this tensor has dtype "
                f"{self.array.dtype}; convert it first, e.g. x.float()"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False) is only for leaf tensors; use .detach() on a result"
            )
        self.requires_grad = requires_grad
        return self

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, adding it into leaf.grad.

        Args:
            gradient: dL/d(self) when self is not a single number (same shape as self).
            retain_graph: keep the recorded graph so backward can run through it again.
            create_graph: record the backward pass too (for second derivatives).
        """
        autograd.backward(self, gradient, retain_graph, create_graph)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(tensor)`` each backward, once this leaf's ``.grad`` holds its last sum.

        As PyTorch's: data-parallel training uses it to start sending a gradient as soon as
        it is complete, while backward goes on. Returns a handle whose ``remove()`` undoes it.
        """
        if self.grad_fn is not None:
            raise RuntimeError("post-accumulate-grad hooks can only be registered on leaf tensors")
        return _add_hook(self, "_post_accumulate_hooks", "_post_accumulate_hook_count", hook)

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` each time backward computes the gradient of this tensor.

        ``grad`` is dL/d(this tensor), summed over every use of it. If the hook returns a
        tensor (of the same shape), that replaces the gradient from there on: in ``.grad``
        for a leaf, and in what flows on towards the inputs for an intermediate result. As
        PyTorch's; returns a handle whose ``remove()`` undoes it.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self.grad_fn if self.grad_fn is not None else self
        return _add_hook(owner, "_grad_hooks", "_grad_hook_count", hook)

    def retain_grad(self) -> None:
        """Ask backward to fill ``.grad`` of this intermediate result too."""
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)
        elif not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")

    def detach(self) -> Tensor:
        """The same numbers (shared memory), cut off from the graph."""
        out = Tensor._make(self.array)
        out._version = self._version
        return out

    @property
    def data(self) -> Tensor:
        """The same numbers as a Tensor outside the graph, as PyTorch's ``.data``.

        It shares memory with this tensor, so ``p.data.add_(...)``, ``p.data.zero_()`` or
        ``w.data -= lr * w.grad`` change ``w`` itself without being recorded. Unlike
        ``detach()`` it has its own version counter: autograd does not see such edits, which
        is why ``torch.no_grad()`` and ``detach()`` are the safer tools. The NumPy array
        itself is ``.numpy()`` (the engine calls it ``.array``).
        """
        return Tensor._make(self.array)

    @data.setter
    def data(self, value: Any) -> None:
        # p.data = other swaps the numbers in place of the old ones (shape and dtype may change).
        self.array = value.array if isinstance(value, Tensor) else to_array(value)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    # ------------------------------------------------------------------ conversions
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying NumPy array (shared memory, not a copy). ``force`` is PyTorch's way
        to get the numbers of a tensor that requires grad; glassnet gives them either way."""
        return self.array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def item(self) -> Any:
        """The single number held by a one-element tensor, as a Python number."""
        if self.array.size != 1:  # PyTorch: a RuntimeError from item(), a ValueError from float()
            raise ShapeError(
                f"item() needs a tensor with exactly one element, got shape {self.shape}"
            )
        return self.array.item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert to a dtype or device: ``x.to(glassnet.float64)``, ``x.to("cpu")``, ``x.to(y)``.

        The only device is the CPU, so moving there returns the tensor itself; other devices
        raise DeviceError naming them. ``x.to(other)`` takes the other tensor's dtype.
        """
        dtype = split_to_arguments(args, kwargs)
        if dtype is None:
            return self
        dtype = to_dtype(dtype)
        if dtype == self.array.dtype:
            return self
        if not is_floating(dtype):
            # Integers and bools carry no gradient: the result leaves the graph (as in PyTorch).
            return autograd.wrap(self.array.astype(dtype))
        return E.Cast(dtype)(self)

    def type(self, dtype: Any) -> Tensor:
        return self.to(dtype)

    def float(self, memory_format: Any = None) -> Tensor:
        return self.to(np.float32, memory_format=memory_format)

    def double(self, memory_format: Any = None) -> Tensor:
        return self.to(np.float64, memory_format=memory_format)

    def half(self, memory_format: Any = None) -> Tensor:
        return self.to(np.float16, memory_format=memory_format)

    def long(self, memory_format: Any = None) -> Tensor:
        return self.to(np.int64, memory_format=memory_format)

    def int(self, memory_format: Any = None) -> Tensor:
        return self.to(np.int32, memory_format=memory_format)

    def bool(self, memory_format: Any = None) -> Tensor:
        return self.to(np.bool_, memory_format=memory_format)

    def byte(self, memory_format: Any = None) -> Tensor:
        return self.to(np.uint8, memory_format=memory_format)

    def char(self, memory_format: Any = None) -> Tensor:
        return self.to(np.int8, memory_format=memory_format)

    def short(self, memory_format: Any = None) -> Tensor:
        return self.to(np.int16, memory_format=memory_format)

    def where(self, condition: Any, other: Any) -> Tensor:
        """This tensor where ``condition`` holds, else ``other``: ``torch.where(condition, self,
        other)``."""
        return api.where(condition, self, other)

    def cpu(self, memory_format: Any = None) -> Tensor:
        """The tensor itself (it already lives on the CPU)."""
        layouts.check_memory_format(memory_format, "cpu")
        return self

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats the number a 0-d tensor holds, as PyTorch does; other tensors
        # only take an empty spec (object.__format__ raises TypeError for any other).
        if self.array.ndim == 0:
            return format(self.array.item(), spec)
        return object.__format__(self, spec)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """This tensor if its elements lie row after row in memory, else a copy that does (the
        gradient passes through unchanged). A ``memory_format`` is accepted and changes nothing:
        glassnet keeps every tensor in row-after-row order."""
        layouts.check_memory_format(memory_format, "contiguous")
        return self if self.array.flags.c_contiguous else E.Clone()(self)

    def is_floating_point(self) -> bool:
        return is_floating(self.array.dtype)

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.array.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors with one element can be used as an index")
        return int(self.item())

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __getstate__(self) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        # What pickle and copy.deepcopy keep: the slots and any attributes set on the tensor,
        # not the notes about views without a node (they hold weak references).
        slots = {name: getattr(self, name) for name in _STATE_SLOTS if hasattr(self, name)}
        own = getattr(self, "__dict__", None) or {}
        kept = {k: v for k, v in own.items() if k not in unrecorded_views.NOTES}
        return kept or None, slots

    def __repr__(self) -> str:
        return format_tensor(self)

    # ------------------------------------------------------------------ arithmetic
    __add__ = _arithmetic(E.Add)
    __radd__ = _arithmetic(E.Add, reflected=True)
    __sub__ = _arithmetic(E.Sub)
    __rsub__ = _arithmetic(E.Sub, reflected=True)
    __mul__ = _arithmetic(E.Mul)
    __rmul__ = _arithmetic(E.Mul, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return api.binary(E.Div, _true_div_operand(self, other), other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return api.binary(E.Div, _true_div_operand(self, other), other, reflected=True)

    def __pow__(self, other: Any) -> Tensor:
        return api.binary(E.Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return api.binary(E.Pow, self, other, reflected=True)

    def __matmul__(self, other: Any) -> Tensor:
        return api.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return api.matmul(as_tensor(other), self)

    def __neg__(self) -> Tensor:
        return E.Neg()(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return api.abs(self)

    # comparisons give bool tensors without gradient
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return api.binary(E.Eq, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return api.binary(E.Ne, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return api.binary(E.Lt, self, other)

    def __le__(self, other: Any) -> Tensor:
        return api.binary(E.Le, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return api.binary(E.Gt, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return api.binary(E.Ge, self, other)

    # &, |, ^, ~ work bit by bit on integers and stay logical on bool (as in PyTorch)
    def __and__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseAnd, self, other)

    def __rand__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseAnd, self, other, reflected=True)

    def __or__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseOr, self, other)

    def __ror__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseOr, self, other, reflected=True)

    def __xor__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseXor, self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseXor, self, other, reflected=True)

    def __invert__(self) -> Tensor:
        return api.bitwise_not(self)

    def __lshift__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseLeftShift, self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseLeftShift, self, other, reflected=True)

    def __rshift__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseRightShift, self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return api.binary(E.BitwiseRightShift, self, other, reflected=True)

    def __floordiv__(self, other: Any) -> Tensor:
        return api.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return api.floor_divide(as_tensor(other, _scalar_dtype(other, self)), self)

    def __mod__(self, other: Any) -> Tensor:
        return api.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return api.remainder(as_tensor(other, _scalar_dtype(other, self)), self)

    def eq(self, other: Any) -> Tensor:
        return self == other

    def ne(self, other: Any) -> Tensor:
        return self != other

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return Tensor._make(np.any(self.array, axis=dim, keepdims=keepdim))

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return Tensor._make(np.all(self.array, axis=dim, keepdims=keepdim))

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return api.div(self, other, rounding_mode=rounding_mode)

    divide = div

    def view_as(self, other: Tensor) -> Tensor:
        """The same elements in ``other``'s shape."""
        return api.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return api.reshape(self, other.shape)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    # ------------------------------------------------------------------ new tensors like this one
    # PyTorch's x.new_zeros(3, 4) is zeros(3, 4) with x's dtype (and device): model code uses it
    # to make tensors that match an input without naming its dtype.
    # ``options`` are PyTorch's layout= and pin_memory=, which the factories check.
    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, **options: Any) -> Tensor:  # fmt: skip
        from .creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad,
                     **options)  # fmt: skip

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, **options: Any) -> Tensor:  # fmt: skip
        from .creation import ones

        return ones(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad,
                    **options)  # fmt: skip

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, **options: Any) -> Tensor:  # fmt: skip
        from .creation import empty

        return empty(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad,
                     **options)  # fmt: skip

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, **options: Any) -> Tensor:  # fmt: skip
        from .creation import full

        return full(size, fill_value, dtype or self.dtype, device, requires_grad, **options)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False, **options: Any) -> Tensor:  # fmt: skip
        from .creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad,
                      **options)  # fmt: skip

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> Tensor:
        return api.view_by(GetItem(_index_arrays(index)), self)

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _index_arrays(index)
        value = value if isinstance(value, Tensor) else as_tensor(value, self.array.dtype)
        self._inplace(E.SetItem(index), value)

    # ------------------------------------------------------------------ in-place operations
    def _inplace(self, op: autograd.Op, *others: Any) -> Tensor:
        """Run ``op(self, *others)`` and write the result into this tensor's own array.

        ``op`` is an Op, or a function of tensors such as ``api.scatter`` (for the in-place
        forms of ops that are built from several ops).

        When the graph is recording and this tensor or an operand needs gradients, the op is
        recorded on a copy of the old value and this tensor takes over the result's place in
        the graph. The version counter goes up, so any op that saved the old value for its
        backward will refuse to use it (instead of silently computing a wrong gradient).
        """
        recording = autograd.is_grad_enabled() and (
            self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)
        )
        if recording:
            if self.grad_fn is None and self.requires_grad:
                raise RuntimeError(
                    f"a leaf tensor that requires grad (shape {self.shape}) is being used in an "
                    "in-place operation; wrap it in `with glassnet.no_grad():` (as optimizers "
                    "do) or use an out-of-place operation"
                )
            autograd.current_node(self)  # a view of a base changed since: its history first
            bases = _viewed_bases(self)
            old = Tensor._make(self.array.copy(), self.requires_grad, self.grad_fn)
            out = op(old, *others)
            self.array[...] = out.array
            self.grad_fn = out.grad_fn
            self.requires_grad = True
            unrecorded_views.record(self)
            _write_into_bases(self, bases, out)
        elif isinstance(op, autograd.Op):
            arrays = [o.array if isinstance(o, Tensor) else o for o in others]
            result = op.forward(self.array, *arrays)
        else:  # a function built from several ops (scatter_, masked_fill_, ...)
            with autograd.no_grad():
                result = op(self, *others).array
        if not recording:
            if result.dtype.kind == "f" and self.array.dtype.kind in "biu":
                raise TypeError(
                    f"in-place operation would store a {result.dtype} result in a tensor of "
                    f"dtype {self.array.dtype}"
                )
            self.array[...] = result
        self._version[0] += 1
        return self

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(E.Add(), other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(E.Sub(), other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(E.Mul(), other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(E.Div(), other)

    def pow_(self, other: Any) -> Tensor:
        return self._inplace(E.Pow(), other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(E.Clamp(min, max))

    clip_ = clamp_

    def neg_(self) -> Tensor:
        return self._inplace(E.Neg())

    def exp_(self) -> Tensor:
        return self._inplace(E.Exp())

    def relu_(self) -> Tensor:
        return self._inplace(E.ReLU())

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        return self._inplace(functools.partial(api.addcmul, value=value), tensor1, tensor2)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        return self._inplace(functools.partial(api.addcdiv, value=value), tensor1, tensor2)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace(api.lerp, end, weight)

    def fill_diagonal_(self, fill_value: float, wrap: bool = False) -> Tensor:
        """Set the main diagonal to ``fill_value`` (of a 2-D tensor, or one whose sides are all
        equal); ``wrap`` starts it again below a tall matrix's square top, as NumPy does."""
        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
            raise ShapeError(
                "fill_diagonal_: expected a 2-D tensor or one whose dimensions are all equal, "
                f"got shape {tuple(self.shape)}"
            )
        mask = np.zeros(self.shape, dtype=bool)
        np.fill_diagonal(mask, True, wrap=wrap)
        return self.masked_fill_(autograd.wrap(mask), fill_value)

    def index_fill_(self, dim: int, index: Any, value: float) -> Tensor:
        """Set the slices at ``index`` along ``dim`` to ``value``."""
        axis = dim % max(self.ndim, 1)
        positions = index.array if isinstance(index, Tensor) else np.asarray(index)
        mask = np.zeros(self.shape, dtype=bool)
        np.moveaxis(mask, axis, 0)[positions.reshape(-1)] = True
        return self.masked_fill_(autograd.wrap(mask), value)

    def scatter_(
        self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
    ) -> Tensor:
        scatter = functools.partial(api.scatter, value=value, reduce=reduce)
        return self._inplace(scatter, dim, index, src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        return self._inplace(api.scatter_add, dim, index, src)

    def scatter_reduce_(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        scatter = functools.partial(api.scatter_reduce, include_self=include_self)
        return self._inplace(scatter, dim, index, src, reduce)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Tensor:
        return self._inplace(functools.partial(api.index_add, alpha=alpha), dim, index, source)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace(api.masked_fill, mask, value)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return self._inplace(api.tril, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        return self._inplace(api.triu, diagonal)

    def copy_(self, src: Any) -> Tensor:
        """Overwrite the values with ``src`` (broadcast to this shape)."""
        src = src if isinstance(src, Tensor) else as_tensor(src)
        return self.__setitem__(Ellipsis, src) or self

    def fill_(self, value: float) -> Tensor:
        return self.__setitem__(Ellipsis, value) or self

    def zero_(self) -> Tensor:
        """Set every element to 0 in place (e.g. ``x.grad.zero_()``)."""
        return self.fill_(0)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        """Copy ``source``'s slices into the slices ``index`` along ``dim`` (``index_copy``)."""
        return self._inplace(api.index_copy, dim, index, source)

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        """``self[indices] = values`` (``+=`` when ``accumulate``): see ``index_put``."""
        return self._inplace(functools.partial(api.index_put, accumulate=accumulate),
                             tuple(indices), values)  # fmt: skip

    def masked_scatter_(self, mask: Any, source: Any) -> Tensor:
        """Fill the places where ``mask`` is true with ``source``'s elements in order (the
        mask must broadcast to this tensor's shape): see ``masked_scatter``."""
        m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
        if np.broadcast_shapes(self.shape, m.shape) != self.shape:
            raise ShapeError(f"masked_scatter_: mask of shape {m.shape} does not broadcast to "
                             f"self's shape {self.shape}")  # fmt: skip
        return self._inplace(api.masked_scatter, mask, source)

    def put_(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        """Write ``source`` at the flat positions ``index`` (row-major, as if 1-D): see ``put``."""
        return self._inplace(functools.partial(api.put, accumulate=accumulate), index, source)

    # ------------------------------------------------------------------ in-place shape changes
    def _inplace_view(self, function: Any, *args: Any) -> Tensor:
        """Make this tensor ``function(self, *args)``, a view with another shape, in place.

        Its ``array`` becomes the view (same memory) and the version counter goes up. A leaf
        that requires grad is refused, as by the other in-place ops; a recorded result takes
        the view's place in the graph (its gradient flows back through the reshaping).
        """
        if autograd.is_grad_enabled() and self.requires_grad:
            if self.grad_fn is None:
                raise RuntimeError(
                    f"a leaf tensor that requires grad (shape {self.shape}) is being used in an "
                    f"in-place operation ({function.__name__}_); use the out-of-place form"
                )
            old = Tensor._make(self.array, True, self.grad_fn)
            out = function(old, *args)
            self.grad_fn = out.grad_fn
        else:
            with autograd.no_grad():
                out = function(self, *args)
        self.array = out.array
        self._version[0] += 1
        return self

    def squeeze_(self, dim: Any = None) -> Tensor:
        """Remove axes of size 1 (all, or ``dim``) in place: see ``squeeze``."""
        return self._inplace_view(api.squeeze, *(() if dim is None else (dim,)))

    def unsqueeze_(self, dim: int) -> Tensor:
        """Insert an axis of size 1 at ``dim`` in place: see ``unsqueeze``."""
        return self._inplace_view(api.unsqueeze, dim)

    def t_(self) -> Tensor:
        """Transpose a tensor of at most 2 dimensions in place: see ``t``."""
        return self._inplace_view(api.t)

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        """Swap axes ``dim0`` and ``dim1`` in place: see ``transpose``."""
        return self._inplace_view(api.transpose, dim0, dim1)

    # ------------------------------------------------------------------ random fills
    def _random_fill(self, draws: np.ndarray) -> Tensor:
        """Overwrite the elements with ``draws`` (float64 or int64, of this shape), in place."""
        return self.copy_(Tensor._make(draws.astype(self.dtype)))

    def _floating_fill(self, name: str) -> None:
        if not is_floating(self.array.dtype):
            raise TypeError(f"{name}: expected a floating tensor, got dtype {self.array.dtype}")

    def random_(self, *args: int, **kwargs: int) -> Tensor:
        """Integers drawn uniformly from [from, to - 1]: ``random_(to)`` is [0, to - 1],
        ``random_(from, to)``, and ``random_()`` [0, 2**mantissa bits] for floats ([0, 2**24]
        for float32, [0, 2**53] for float64) or [0, the dtype's maximum] for integers."""
        from .random import default_generator

        values = dict(zip(("from", "to"), args if len(args) != 1 else (0, args[0])))
        values.update(kwargs)
        low, high = values.get("from", 0), values.get("to")
        dtype = self.array.dtype
        if high is None:  # the largest integer the dtype holds exactly, as PyTorch's default
            if dtype.kind == "f":
                top = 2 ** (np.finfo(dtype).nmant + 1)
            elif dtype.kind == "b":
                top = 1
            else:
                top = int(np.iinfo(dtype).max)
        else:
            top = high - 1
        if low > top:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")  # fmt: skip
        draws = default_generator().integers(low, top, size=self.shape, endpoint=True)
        return self._random_fill(draws)

    def exponential_(self, lambd: float = 1.0) -> Tensor:
        """Draws of the exponential distribution with rate ``lambd``: density lambd e**(-lambd x)
        for x >= 0, mean 1 / lambd, variance 1 / lambd**2."""
        from .random import default_generator

        self._floating_fill("exponential_")
        if not lambd > 0:
            raise ValueError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        return self._random_fill(default_generator().exponential(1.0 / lambd, self.shape))

    def bernoulli_(self, p: Any = 0.5) -> Tensor:
        """0/1 draws, 1 with probability ``p`` (a number, or a tensor broadcast to this shape)."""
        from .random import default_generator

        probs = np.broadcast_to(p.array if isinstance(p, Tensor) else np.asarray(p), self.shape)
        if probs.size and not (np.all(probs >= 0) and np.all(probs <= 1)):
            raise ValueError("bernoulli_ expects p to be in [0, 1]")
        return self._random_fill(default_generator().random(self.shape) < probs)

    def geometric_(self, p: float) -> Tensor:
        """Draws of the geometric distribution: the number of Bernoulli(p) trials up to and
        including the first success, P(k) = (1 - p)**(k - 1) p for k = 1, 2, ...; mean 1 / p,
        variance (1 - p) / p**2."""
        from .random import default_generator

        if not 0 < p < 1:
            raise ValueError(f"geometric_ expects p to be in (0, 1), but got p={p}")
        return self._random_fill(default_generator().geometric(p, self.shape))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0) -> Tensor:
        """Draws of exp(N(mean, std**2)): their logarithms are normal with that mean and std."""
        from .random import default_generator

        self._floating_fill("log_normal_")
        if not std > 0:
            raise ValueError(f"log_normal_ expects std > 0.0, but found std={std}")
        return self._random_fill(default_generator().lognormal(mean, std, self.shape))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0) -> Tensor:
        """Draws of the Cauchy distribution: density 1 / (pi sigma (1 + ((x - median) /
        sigma)**2)) (no mean; median ``median``, quartiles median -+ sigma)."""
        from .random import default_generator

        self._floating_fill("cauchy_")
        if not sigma > 0:
            raise ValueError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
        draws = median + sigma * default_generator().standard_cauchy(self.shape)
        return self._random_fill(draws)

    def bernoulli(self, p: float | None = None) -> Tensor:
        """0/1 draws with this tensor's elements as the probabilities (or ``p``):
        ``glassnet.bernoulli(self)``."""
        from .creation import bernoulli

        return bernoulli(self, p)

    def multinomial(self, num_samples: int, replacement: bool = False) -> Tensor:
        """Category indices drawn with this tensor's rows as weights: ``glassnet.multinomial``."""
        from .creation import multinomial

        return multinomial(self, num_samples, replacement)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        from .random import default_generator

        return self._random_fill(default_generator().uniform(a, b, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        from .random import default_generator

        return self._random_fill(default_generator().normal(mean, std, self.shape))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_


def _true_div_operand(x: Tensor, other: Any) -> Tensor:
    """Division of integers gives float32, as in PyTorch (NumPy would give float64)."""
    if x.array.dtype.kind in "biu":
        other_kind = (
            other.array.dtype.kind if isinstance(other, Tensor) else np.asarray(other).dtype.kind
        )
        if other_kind in "biu":
            return x.to(np.float32)
    return x


def _scalar_dtype(number: Any, tensor: Tensor) -> Any:
    """The dtype a Python number takes beside ``tensor`` (the tensor's, unless a float meets ints)."""
    if isinstance(number, float) and tensor.array.dtype.kind in "biu":
        return np.float32
    return tensor.array.dtype


def _index_arrays(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays (lists become int/bool arrays).

    A 0-d integer tensor indexes like the integer it holds, as in PyTorch.
    """
    if isinstance(index, tuple):
        return tuple(_index_arrays(i) for i in index)
    if isinstance(index, Tensor):
        if index.array.ndim == 0 and index.array.dtype.kind in "iu":
            return int(index.array)
        return index.array
    if isinstance(index, list):
        # x[[]] selects nothing, as in PyTorch (NumPy would read [] as a float array)
        return np.asarray(index, dtype=np.int64) if not index else np.asarray(index)
    return index


# The engine (and through it every op) reaches Tensor by this one binding; see autograd.wrap.
autograd.Tensor = Tensor


# Tensor methods that are the public functions themselves (x.exp() is glassnet.exp(x)).
for _name in api.TENSOR_METHODS:
    setattr(Tensor, _name, getattr(api, _name))

# The linalg functions' method forms (x.cholesky(), x.svd(), x.pinverse(), ...).
from .ops import torch_linalg  # noqa: E402 - its ops need the Tensor class defined above

for _name in torch_linalg.TENSOR_METHODS:
    setattr(Tensor, _name, getattr(torch_linalg, _name))


def _in_place_form(name: str) -> Any:
    """The method ``x.<name>_()``: x's own elements replaced by ``x.<name>()``."""
    function = getattr(api, name)

    def method(self: Tensor) -> Tensor:
        return self._inplace(function)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``{name}`` in place: this tensor's elements become ``self.{name}()``."
    return method


# PyTorch's in-place forms of one-argument functions (the others are written out above).
IN_PLACE_FORMS = ("abs", "ceil", "cos", "expm1", "floor", "frac", "log", "log1p", "reciprocal",
                  "rsqrt", "sigmoid", "sign", "sin", "sqrt", "square", "tanh", "trunc")  # fmt: skip
for _name in IN_PLACE_FORMS:
    setattr(Tensor, _name + "_", _in_place_form(_name))
del _name

# The other in-place forms (x.atan_(), x.eq_(y), ...) come from one table in inplace_forms.py;
# the lesser attributes and later method forms (is_cpu, resize_, x.erfc()) from tensor_extras.py.
from . import inplace_forms, tensor_extras  # noqa: E402 - they need the class defined above

inplace_forms.attach(Tensor)
tensor_extras.attach(Tensor)

from . import storage  # noqa: E402 - x.storage() and x.untyped_storage()

storage.attach(Tensor)

# x.layout: always strided (layouts.py); the DLPack methods are attached by dlpack.py.
Tensor.layout = property(layouts.tensor_layout)


def _viewed_base(t: Tensor) -> tuple[Tensor, Any, Any] | None:
    """``(base, array_view, tensor_view)`` when t's elements are another tensor's (t is a view
    made by indexing, reshaping or transposing it), else None. ``array_view(a)`` makes the same
    view of an array shaped like the base, ``tensor_view(b)`` of a Tensor (recorded)."""
    node = t.grad_fn
    if node is not None and node.follows_view:  # a view changed in place before
        base, array_view, tensor_view, _ = node.view_source
        if np.may_share_memory(base.array, t.array):
            return base, array_view, tensor_view
    if type(node) in VIEW_OPS and node.parents is not autograd.FREED and node.inputs:
        base = node.inputs[0]
        if isinstance(base, Tensor) and np.may_share_memory(base.array, t.array):

            def tensor_view(x: Tensor, node: Any = node) -> Tensor:
                return node.fresh_copy()(x)

            return base, lambda a, node=node: node.fresh_copy().forward(a), tensor_view
    noted = unrecorded_views.viewed_base(t)
    if noted is not None:
        base, op = noted
        return base, lambda a: op.fresh_copy().forward(a), lambda x: op.fresh_copy()(x)
    return None


def _viewed_bases(t: Tensor) -> list[tuple[Tensor, Any, Any]]:
    """The tensors whose elements an in-place change of t also changes: the one t views, the
    one that views, ... (``y[1:][0]`` views ``y[1:]``, which views y). A leaf that requires
    grad among them is refused, as PyTorch refuses it: its values would change unrecorded."""
    bases = []
    while (found := _viewed_base(t)) is not None:
        base = found[0]
        if base.grad_fn is None and base.requires_grad:
            raise RuntimeError(
                f"a view of a leaf tensor that requires grad (shape {base.shape}) is being used "
                "in an in-place operation; change it under `with glassnet.no_grad():` or use "
                "an out-of-place operation"
            )
        bases.append(found)
        t = base
    return bases


def _write_into_bases(view: Tensor, bases: list[tuple[Tensor, Any, Any]], value: Tensor) -> None:
    """After an in-place change of a view, give each viewed tensor its new place in the graph:
    base = ViewWrite(old base, new view values), so gradients reach the change through it.

    The numbers are already there (the view shares the base's memory); only the history is
    new. Without this the base's gradient would skip the in-place step. Each tensor of the
    chain is still a view of the next one, so its new node notes that (``follows_view``, read
    by ``autograd.current_node`` and ``_viewed_base``): later changes of either reach the other.
    """
    for base, array_view, tensor_view in bases:
        old = Tensor._make(base.array, base.requires_grad, base.grad_fn)
        value = ViewWrite(array_view, tensor_view)(old, value)
        base.grad_fn, base.requires_grad = value.grad_fn, True
        unrecorded_views.record(base)
    for base, array_view, tensor_view in bases:
        view.grad_fn.follows_view = True
        view.grad_fn.view_source = (base, array_view, tensor_view, base.grad_fn)
        view = base


def _ragged_place(data: Any, dim: int = 0) -> tuple[str, bool] | None:
    """Where nested lists stop being rectangular: (``"expected a sequence of length 2 at dim
    1, got a sequence of length 1"``, whether a number stands where a list should, or the
    reverse); None if they are rectangular. Only run after np.array has refused the data, so
    its Python loop never slows a good call."""
    if not isinstance(data, (list, tuple)) or not data:
        return None
    lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    for length in lengths[1:]:
        if length != lengths[0]:
            want = "a number" if lengths[0] is None else f"a sequence of length {lengths[0]}"
            got = "a number" if length is None else f"a sequence of length {length}"
            return f"expected {want} at dim {dim + 1}, got {got}", None in (length, lengths[0])
    for x in data:
        place = _ragged_place(x, dim + 1)
        if place:
            return place
    return None


def _first_int_beyond_int64(data: Any) -> int | None:
    """The first Python int in (nested lists of) ``data`` outside int64's range, or None."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(reversed(x))
        elif type(x) is int and not -(2**63) <= x < 2**63:
            return x
    return None


def _python_ints_checked(data: Any, array: np.ndarray, dtype: np.dtype | None) -> np.ndarray:
    """Refuse Python ints that int64 cannot hold, as PyTorch does (a ValueError).

    NumPy makes them uint64 (from 2**63 to 2**64 - 1) or objects instead. Asked for a float
    dtype, such ints are fine (rounded to the nearest float), and uint64 holds the first range.
    Only run for uint64 or object arrays from Python data, so the walk never slows the
    everyday call.
    """
    wants_float = dtype is not None and dtype.kind == "f"
    if array.dtype.kind == "u" and (wants_float or dtype == np.uint64):
        return array
    n = _first_int_beyond_int64(data)
    if n is None:
        return array  # NumPy's own unsigned scalars in a list, say
    if wants_float:
        return np.array(data, dtype=np.float64)
    raise ValueError(
        f"cannot make a tensor: the integer {n} overflows int64 (expected -2**63 <= n < 2**63); "
        "give dtype=glassnet.float64 to keep it as a float"
    )


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Make the ndarray a new tensor holds, with PyTorch's dtype rules (copies the data)."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        dtype = to_dtype(dtype)
    if isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype, as in torch
        return np.array(data, dtype=dtype)
    try:
        array = np.array(data)
    except ValueError as e:
        place = _ragged_place(data)
        # a number among lists is a TypeError in PyTorch, lists of unequal lengths a ValueError
        error = TypeError if place and place[1] else ValueError
        raise error(
            f"cannot make a tensor from ragged or mixed data: {place[0] if place else e}"
        ) from None
    if array.dtype.kind == "u" or array.dtype == object:  # perhaps ints beyond int64
        array = _python_ints_checked(data, array, dtype)
    if array.dtype == object:
        raise TypeError(
            f"cannot make a tensor from {type(data).__name__} data (got NumPy dtype object); "
            "expected numbers, booleans, or nested lists of them with equal lengths"
        )
    if dtype is None:
        if array.dtype.kind in "US":
            raise TypeError(f"cannot make a tensor from strings: {data!r}")
        dtype = default_dtype_for(array)
    return array.astype(dtype, copy=False)


def _legacy_constructor_array(data: tuple, dtype: Any) -> np.ndarray:
    """The array ``Tensor(...)`` holds, with the rules of PyTorch's legacy ``torch.Tensor(...)``.

    ``Tensor(2, 3)`` (integers) is a zero-filled float32 tensor of that shape (PyTorch leaves it
    uninitialised), ``Tensor()`` is empty, and ``Tensor([1, 2])`` is float32 because the class
    is the default float type; NumPy arrays and Tensors keep their dtype, as
    ``glassnet.tensor`` does. Prefer ``glassnet.tensor(data)`` and ``glassnet.zeros(shape)``.
    """
    if not data:
        return np.empty(0, to_dtype(dtype) if dtype is not None else np.float32)
    if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in data):
        if any(n < 0 for n in data):
            raise ValueError(f"Tensor(*sizes): sizes must be non-negative, got {data}")
        return np.zeros(tuple(int(n) for n in data), to_dtype(dtype) if dtype else np.float32)
    if len(data) != 1:
        raise TypeError(
            f"Tensor() takes one piece of data or integer sizes, got {len(data)} arguments; "
            "use glassnet.tensor(data, dtype=...)"
        )
    (data,) = data
    if dtype is None and not isinstance(data, (Tensor, np.ndarray, np.generic)):
        dtype = np.float32
    return to_array(data, dtype)


as_tensor = autograd.as_tensor  # Tensor passes through, arrays wrapped, other data converted


def _visible(a: np.ndarray, threshold: float, edge: int) -> np.ndarray:
    """The elements a print shows: all of them, or, for more than ``threshold``, the first and
    last ``edge`` along every long axis (PyTorch chooses its number format from these alone)."""
    if a.size <= threshold:
        return a
    for axis, n in enumerate(a.shape):
        if n > 2 * edge:
            a = np.concatenate([a.take(range(edge), axis), a.take(range(n - edge, n), axis)], axis)
    return a


# An ellipsis standing for elements inside a row (after ", " or before ", <number>"), not a
# line of its own standing for rows: PyTorch pads the former to " ...", NumPy does not.
_ELIDED_IN_A_ROW = re.compile(r"(?<=, )\.\.\.|\.\.\.(?=, \S)")


def format_tensor(t: Tensor) -> str:
    """PyTorch-style text: ``tensor([1.0000, 2.5000], requires_grad=True)``.

    Floats are printed as PyTorch chooses, from the finite nonzero values shown: whole numbers
    as ``3.``, else ``precision`` digits after the point; in scientific notation when the
    largest is 1e8 or more, the smallest below 1e-4 (not for whole numbers), or the largest
    more than 1000 times the smallest (``set_printoptions(sci_mode=...)`` decides instead).
    Every element is padded to the width of the widest nonzero one, so columns line up.
    """
    a = t.array
    options: dict = {
        "separator": ", ",
        "prefix": "tensor(",
        "threshold": PRINT_OPTIONS["threshold"],
        "edgeitems": PRINT_OPTIONS["edgeitems"],
        "max_line_width": PRINT_OPTIONS["linewidth"],
    }
    digits = PRINT_OPTIONS["precision"]
    if a.dtype.kind == "f" and a.size:
        shown = _visible(a, PRINT_OPTIONS["threshold"], PRINT_OPTIONS["edgeitems"])
        finite = shown[np.isfinite(shown)]
        nonzero = np.abs(finite[finite != 0])
        big, small = (nonzero.max(), nonzero.min()) if nonzero.size else (0.0, 1.0)
        whole = bool(finite.size) and bool(np.all(finite == np.round(finite)))
        sci = PRINT_OPTIONS.get("sci_mode")
        if sci is None:
            sci = big / small > 1000 or big >= 1e8 or (not whole and small < 1e-4)
        if sci:
            spec = f".{digits}e"
        elif whole:
            spec = ".0f"
        else:
            spec = f".{digits}f"

        def text(v: float) -> str:
            if not np.isfinite(v):
                return str(v)
            return format(v, spec) + ("." if spec == ".0f" else "")

        # The widest text is that of one of the extremes (the largest, or the most negative,
        # nonzero finite value), so there is no need to format every element.
        nonzero_values = finite[finite != 0]
        extremes = (
            [float(nonzero_values.max()), float(nonzero_values.min())] if nonzero.size else []
        )
        width = max((len(text(v)) for v in extremes), default=0)
        options["formatter"] = {"float_kind": lambda v: text(v).rjust(width)}
    elif a.dtype.kind == "b" and a.size:
        width = 5 if not np.all(a) else 4  # " True" lines up with "False"
        options["formatter"] = {"bool": lambda v: str(bool(v)).rjust(width)}
    body = np.array2string(a, **options)
    if a.size > PRINT_OPTIONS["threshold"]:
        body = _ELIDED_IN_A_ROW.sub(" ...", body)
    extras = []
    if a.size == 0 and a.shape != (0,):
        extras.append(f"size={tuple(a.shape)}")
    default = {"f": np.float32, "i": np.int64, "b": np.bool_}.get(a.dtype.kind)
    if default is None or a.dtype != default:
        extras.append(f"dtype=glassnet.{a.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    suffix = "".join(", " + e for e in extras)
    if a.size == 0:
        body = "[]"
    return f"tensor({body}{suffix})"
