"""Tensor's lesser attributes and later method forms: is_cpu, is_signed(), pin_memory(), resize_(), new(), x.erfc(), x.inner(y), ...

What PyTorch scripts ask of a tensor beyond its maths: flags for layouts and devices glassnet
does not have (``is_sparse``, ``is_quantized``, ... all False; ``is_cpu`` True), no-op memory
calls (``pin_memory()`` and ``share_memory_()`` return the tensor itself), ``resize_``,
``new``, Python callables run on every element (``apply_``, ``map_``: no gradient), and the
method forms of the functions added after ops/api.py's ``TENSOR_METHODS``
(``x.erfc()`` is ``glassnet.erfc(x)``). ``attach`` gives them to the Tensor class; names the
class already has are left as they are.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import autograd, inplace_forms
from .errors import DTypeError, NumberTypeError, ShapeError
from .ops import (
    as_strided,
    bessel,
    error_functions,
    householder_qr,
    incomplete_gamma,
    real_parts,
    removed_functions,
    special,
    torch_extras,
    torch_remaining,
    view_copies,
)

# Flags of layouts, devices and kinds glassnet does not have: always False.
FALSE_FLAGS = ("is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn",
               "is_nested", "is_xpu", "is_mps", "is_vulkan", "is_xla", "is_ipu", "is_maia",
               "is_mtia")  # fmt: skip
# Methods answering for complex conjugation and lazy negation, which real tensors never carry.
REAL_ONLY = ("is_conj", "is_neg")

# Functions that are also methods: x.name(...) is name(x, ...).
METHOD_FORMS = {
    "erfc": error_functions.erfc,
    "i0": bessel.i0,
    "polygamma": lambda self, n: special.polygamma(n, self),  # torch: x.polygamma(n)
    "mvlgamma": special.mvlgamma,
    **{name: getattr(real_parts, name) for name in (
        "conj", "conj_physical", "resolve_conj", "resolve_neg")},
    **{name: getattr(torch_extras, name) for name in (
        "addr", "diagflat", "diagonal_scatter", "dist", "fliplr", "flipud", "frexp", "ger",
        "index_fill", "index_reduce", "inner", "ldexp", "logaddexp2", "nanmedian", "nanquantile", "nextafter",
        "renorm", "select_scatter", "slice_scatter", "split_with_sizes", "unique_consecutive",
        "vdot",
    )},
    **{name: getattr(householder_qr, name) for name in householder_qr.__all__},
    "as_strided": as_strided.as_strided,
    "igamma": incomplete_gamma.igamma,
    "igammac": incomplete_gamma.igammac,
    "narrow_copy": view_copies.narrow_copy,
    "nonzero_static": torch_remaining.nonzero_static,
    "unsafe_chunk": torch_remaining.unsafe_chunk,
    "unsafe_split": torch_remaining.unsafe_split,
    "unsafe_split_with_sizes": torch_remaining.unsafe_split_with_sizes,
    **{name: getattr(removed_functions, name) for name in removed_functions.REMOVED_METHODS},
}  # fmt: skip

# In-place forms of the method forms above: x.igamma_(y) writes igamma(x, y) into x.
IN_PLACE_FORMS = ("igamma", "igammac")


def _false_flag(name: str) -> property:
    return property(lambda self: False, doc=f"False: glassnet has no such tensors ({name}).")


def _answer_false(name: str) -> Any:
    def method(self: Any) -> bool:
        return False

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        "False: glassnet's tensors are real and never carry a lazy conjugate or negation."
    )
    return method


def is_cpu(self: Any) -> bool:
    """True: every glassnet tensor lives in the CPU's memory."""
    return True


def is_signed(self: Any) -> bool:
    """Whether the dtype holds negative numbers (floats and signed integers; not uint8, bool)."""
    return self.array.dtype.kind in "ifc"


def is_same_size(self: Any, other: Any) -> bool:
    """Whether ``other`` has this tensor's shape."""
    return tuple(self.shape) == tuple(other.shape)


def is_inference(self: Any) -> bool:
    """False: glassnet has no separate inference tensors (``inference_mode`` is ``no_grad``)."""
    return False


def retains_grad(self: Any) -> bool:
    """Whether backward fills ``.grad`` of this non-leaf tensor (after ``retain_grad()``)."""
    if self.grad_fn is None:
        return False
    retained = self.grad_fn._retained
    return retained is not None and retained() is self


def cuda(self: Any, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """Refused in one line (DeviceError), as ``x.to("cuda")``: glassnet has no GPU."""
    if device is None or isinstance(device, int):  # x.cuda(0): the first GPU
        device = "cuda" if device is None else f"cuda:{device}"
    return self.to(device)


def pin_memory(self: Any, device: Any = None) -> Any:
    """The tensor itself: pinned memory speeds copies to a GPU, and glassnet has none."""
    return self


def is_pinned(self: Any, device: Any = None) -> bool:
    """False: no tensor is pinned (see ``pin_memory``)."""
    return False


def share_memory_(self: Any) -> Any:
    """The tensor itself (glassnet does not move tensors into shared memory for processes)."""
    return self


def is_shared(self: Any) -> bool:
    """False (see ``share_memory_``)."""
    return False


def new(self: Any, *data: Any, **kwargs: Any) -> Any:
    """A new tensor of this one's dtype, by the legacy constructor's rules: ``x.new(2, 3)`` is
    a 2x3 tensor (of zeros here), ``x.new([1, 2])`` holds that data, ``x.new()`` is empty."""
    kwargs.pop("device", None)
    return type(self)(*data, dtype=kwargs.pop("dtype", self.array.dtype), **kwargs)


def _sizes(sizes: tuple) -> tuple:
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if any(not isinstance(s, (int, np.integer)) or s < 0 for s in sizes):
        raise ValueError(f"resize_: expected non-negative integer sizes, got {sizes}")
    return tuple(int(s) for s in sizes)


def resize_(self: Any, *sizes: Any, memory_format: Any = None) -> Any:
    """Give this tensor the shape ``sizes``, in place. With as many elements as before it is a
    reshape (a view of the same numbers, recorded like ``reshape``); otherwise the elements are
    kept in row-major order, cut off or followed by zeros (PyTorch leaves the new ones
    uninitialised), which is refused for a tensor that requires grad."""
    shape = _sizes(sizes)
    if math.prod(shape) == self.array.size:
        return self._inplace_view(_reshaped, shape)
    if self.requires_grad and autograd.is_grad_enabled():
        raise RuntimeError(
            f"resize_: cannot change the number of elements ({self.array.size} -> "
            f"{math.prod(shape)}) of a tensor that requires grad; use .detach() first, or a "
            "new tensor"
        )
    flat = np.zeros(math.prod(shape), self.array.dtype)
    kept = min(flat.size, self.array.size)
    flat[:kept] = self.array.reshape(-1)[:kept]
    self.array = flat.reshape(shape)
    self._version[0] += 1
    return self


def _reshaped(x: Any, shape: tuple) -> Any:
    return x.reshape(shape)


_reshaped.__name__ = "resize"


def resize_as_(self: Any, the_template: Any, memory_format: Any = None) -> Any:
    """``resize_`` to the shape of ``the_template``."""
    return resize_(self, tuple(the_template.shape))


def resize(self: Any, *sizes: Any) -> Any:
    """The out-of-place ``resize`` PyTorch keeps for old code (with a deprecation warning): this
    tensor's elements in the shape ``sizes``, which must hold as many elements; it is
    ``reshape`` (recorded, so the gradient is reshaped back)."""
    warnings.warn("non-inplace resize is deprecated; use reshape", UserWarning, stacklevel=2)
    shape = _sizes(sizes)
    if math.prod(shape) != self.array.size:
        raise ShapeError(
            f"resize: cannot give a tensor of shape {tuple(self.shape)} ({self.array.size} "
            f"elements) the shape {shape} ({math.prod(shape)} elements); out of place, resize "
            "only reshapes (resize_ changes the number of elements)"
        )
    return self.reshape(shape)


def resize_as(self: Any, tensor: Any) -> Any:
    """``resize`` to the shape of ``tensor`` (deprecated, with a warning, as in PyTorch)."""
    warnings.warn("non-inplace resize_as is deprecated; use reshape_as", UserWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return resize(self, tuple(tensor.shape))


# The Python number type each element is handed to apply_ / map_ as, by dtype kind.
_PYTHON_TYPES = {"f": float, "i": int, "u": int, "b": bool}


def _call_elementwise(self: Any, name: str, function: Any, others: tuple) -> Any:
    """Write ``function(x_i, other_i, ...)`` into each element x_i of this tensor (no graph)."""
    if not callable(function):
        raise TypeError(f"{name}: expected a callable, got {type(function).__name__}")
    if self.requires_grad:
        raise RuntimeError(
            f"{name}: cannot run on a tensor that requires grad (the Python function has no "
            f"derivative); use x.detach().{name}(...)"
        )
    arrays = []
    for other in others:
        array = autograd.as_tensor(other).array
        if array.dtype != self.array.dtype:
            raise DTypeError(
                f"{name}: expected the other tensors to have this tensor's dtype "
                f"{self.array.dtype}, got {array.dtype}"
            )
        try:
            arrays.append(np.broadcast_to(array, self.array.shape))
        except ValueError:
            raise ShapeError(
                f"{name}: a tensor of shape {array.shape} cannot be broadcast to this tensor's "
                f"shape {tuple(self.shape)}"
            ) from None
    python_type = _PYTHON_TYPES.get(self.array.dtype.kind, complex)
    values = np.empty(self.array.shape, self.array.dtype)
    for index in np.ndindex(self.array.shape):
        arguments = [python_type(a[index].item()) for a in (self.array, *arrays)]
        result = function(*arguments)
        if isinstance(result, str) or not isinstance(result, (int, float, complex, np.generic)):
            raise NumberTypeError(
                f"{name}: the function must return a number, got {type(result).__name__}"
            )
        values[index] = result
    self.array[...] = values  # written through, so a view's base sees it
    self._version[0] += 1
    return self


def apply_(self: Any, callable: Any) -> Any:  # noqa: A002 - PyTorch's name
    """Replace every element x_i by ``callable(x_i)``, in place, one Python call per element
    (slow; for tests and small tensors). The elements are handed over as Python numbers (float,
    int or bool by dtype) and the results cast back to the dtype. No gradient: a tensor that
    requires grad is refused."""
    return _call_elementwise(self, "apply_", callable, ())


def map_(self: Any, tensor: Any, callable: Any) -> Any:  # noqa: A002
    """Replace every element x_i by ``callable(x_i, y_i)``, in place, with y = ``tensor``
    broadcast to this tensor's shape (same dtype); see ``apply_``."""
    return _call_elementwise(self, "map_", callable, (tensor,))


def map2_(self: Any, x: Any, y: Any, callable: Any) -> Any:  # noqa: A002
    """``map_`` with two other tensors: each element becomes ``callable(self_i, x_i, y_i)``."""
    return _call_elementwise(self, "map2_", callable, (x, y))


def new_empty_strided(self: Any, size: Any, stride: Any, dtype: Any = None, device: Any = None,
                      requires_grad: bool = False, **kwargs: Any) -> Any:  # fmt: skip
    """``new_empty(size)``: glassnet lays out every tensor row-major, so ``stride`` is checked to
    have one entry per dimension and otherwise not used."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        given = len(stride)
        raise ShapeError(
            f"new_empty_strided: expected one stride per dimension ({len(size)}), got {given}"
        )
    return self.new_empty(size, dtype=dtype, device=device, requires_grad=requires_grad)


def hardshrink(self: Any, lambd: float = 0.5) -> Any:
    """``F.hardshrink(self, lambd)``: x where |x| > lambd, else 0."""
    # The formula lives in nn.functional; imported on call, as tensor.py loads before nn.
    from .nn import functional

    return functional.hardshrink(self, lambd)


def prelu(self: Any, weight: Any) -> Any:
    """``F.prelu(self, weight)``: max(x, 0) + a min(x, 0), a slope per channel (dim 1) or one."""
    from .nn import functional

    return functional.prelu(self, weight)


def output_nr(self: Any) -> int:
    """0: the position of this tensor among its op's outputs (every glassnet op has one)."""
    return 0


def tensor_name(self: Any) -> None:
    """None: glassnet's tensors carry no name (PyTorch's is set only for some graph inputs)."""
    return None


def _method(name: str, function: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return function(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``glassnet.{name}`` with this tensor as its input."
    return method


# Conversions to PyTorch's sparse layouts: refused in one line (a glassnet tensor is dense).
SPARSE_CONVERSIONS = ("to_sparse", "to_sparse_coo", "to_sparse_csr", "to_sparse_csc",
                      "to_sparse_bsr", "to_sparse_bsc", "sparse_mask")  # fmt: skip


def _refuse_sparse(name: str) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{name}: glassnet only has dense tensors (layout=strided); keep the tensor dense"
        )

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Refused: glassnet has no sparse tensors ({name} makes one in PyTorch)."
    return method


def to_dense(self: Any, dtype: Any = None, *, masked_grad: Any = None) -> Any:
    """The tensor itself (it is dense already), or converted to ``dtype``, as PyTorch's."""
    return self if dtype is None else self.to(dtype)


def attach(tensor_class: type) -> None:
    """Give ``tensor_class`` the attributes and method forms above it does not have yet."""
    added: dict = {name: _false_flag(name) for name in FALSE_FLAGS}
    for name in REAL_ONLY:
        added[name] = _answer_false(name)
    added["is_cpu"] = property(is_cpu, doc=is_cpu.__doc__)
    added["retains_grad"] = property(retains_grad, doc=retains_grad.__doc__)
    added["real"] = property(real_parts.real, doc="The real part: the tensor itself.")
    added["imag"] = property(
        real_parts.imag, doc="The imaginary part: raises, as for PyTorch's real tensors."
    )
    added["output_nr"] = property(output_nr, doc=output_nr.__doc__)
    added["name"] = property(tensor_name, doc=tensor_name.__doc__)
    for function in (is_signed, is_same_size, is_inference, pin_memory, is_pinned, share_memory_,
                     is_shared, new, resize_, resize_as_, cuda, resize, resize_as, apply_, map_,
                     map2_, new_empty_strided, hardshrink, prelu):  # fmt: skip
        added[function.__name__] = function
    added["to_dense"] = to_dense
    for name in SPARSE_CONVERSIONS:
        added[name] = _refuse_sparse(name)
    for method_name, function in METHOD_FORMS.items():
        added[method_name] = _method(method_name, function)
    for method_name in IN_PLACE_FORMS:
        added[method_name + "_"] = inplace_forms._in_place_method(
            method_name, METHOD_FORMS[method_name]
        )
    for name, value in added.items():
        if not hasattr(tensor_class, name):
            setattr(tensor_class, name, value)
