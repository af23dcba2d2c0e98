"""Tensor's lesser attributes and later method forms: is_cpu, is_signed(), pin_memory(), resize_(), new(), x.erfc(), x.inner(y), ...

What PyTorch scripts ask of a tensor beyond its maths: flags for layouts and devices glassnet
does not have (``is_sparse``, ``is_quantized``, ... all False; ``is_cpu`` True), no-op memory
calls (``pin_memory()`` and ``share_memory_()`` return the tensor itself), ``resize_`` and
``new``, and the method forms of the functions added after ops/api.py's ``TENSOR_METHODS``
(``x.erfc()`` is ``glassnet.erfc(x)``). ``attach`` gives them to the Tensor class; names the
class already has are left as they are.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import autograd
from .ops import bessel, error_functions, real_parts, special, torch_extras

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
}  # fmt: skip


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


def _method(name: str, function: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return function(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``glassnet.{name}`` with this tensor as its input."
    return method


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
    for function in (is_signed, is_same_size, is_inference, pin_memory, is_pinned, share_memory_,
                     is_shared, new, resize_, resize_as_, cuda):  # fmt: skip
        added[function.__name__] = function
    for name, function in METHOD_FORMS.items():
        added[name] = _method(name, function)
    for name, value in added.items():
        if not hasattr(tensor_class, name):
            setattr(tensor_class, name, value)
