"""Data types: the names glassnet exports (float32, int64, ...) and PyTorch's rules for picking one."""

from __future__ import annotations

import builtins

import numpy as np


class DType:
    """A glassnet dtype, as PyTorch's ``torch.float32``: NumPy's dtype with PyTorch's questions.

    ``dtype`` is the NumPy dtype itself, and NumPy takes a DType wherever it takes a dtype
    (``np.zeros(3, dtype=glassnet.float32)``). It compares and hashes as that NumPy dtype,
    so ``x.dtype == np.float32`` and dict look-ups keyed by NumPy dtypes work. NumPy's
    attributes (``kind``, ``itemsize``, ``name``, ``char``, ``type``) are here too, and
    PyTorch's ``is_floating_point``, ``is_complex``, ``is_signed`` and ``to_complex``.
    Its repr is ``glassnet.float32``; its str stays NumPy's ``float32``, so ``print`` and
    error messages read as before. There is one DType per NumPy dtype (``as_dtype``).
    """

    __slots__ = ("dtype", "kind", "itemsize", "name", "char", "type", "is_floating_point",
                 "is_signed")  # fmt: skip
    is_complex = False  # glassnet's ops are written for real numbers (see MissingDtype)

    def __init__(self, numpy_dtype: object) -> None:
        d = np.dtype(numpy_dtype)
        self.dtype, self.kind, self.itemsize, self.char, self.type = (
            d, d.kind, d.itemsize, d.char, d.type)  # fmt: skip
        self.name = d.name
        self.is_floating_point = d.kind == "f"
        self.is_signed = d.kind in "fi"

    def __getattr__(self, name: str) -> object:  # the rest of NumPy's dtype: str, names, ...
        return getattr(object.__getattribute__(self, "dtype"), name)

    def __eq__(self, other: object) -> bool:
        if type(other) is DType:
            return self.dtype == other.dtype
        if isinstance(other, np.dtype) or (
            isinstance(other, type) and issubclass(other, np.generic)
        ):
            return self.dtype == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> builtins.int:
        return hash(self.dtype)

    def __repr__(self) -> str:
        return f"glassnet.{self.name}"

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return format(self.name, spec)

    def __reduce__(self) -> tuple:
        return as_dtype, (self.name,)

    def to_complex(self) -> MissingDtype:
        """The complex dtype of this float's precision (a name only: see MissingDtype)."""
        return {4: complex64, 8: complex128, 2: complex32}[self.itemsize]

    def to_real(self) -> DType:
        return self


_BY_NUMPY: dict = {}


def as_dtype(numpy_dtype: object) -> DType:
    """The one DType for a NumPy dtype (or anything ``np.dtype`` takes): ``x.dtype`` is this."""
    try:
        return _BY_NUMPY[numpy_dtype]
    except (KeyError, TypeError):
        made = DType(numpy_dtype)
        return _BY_NUMPY.setdefault(made.dtype, made)


float16 = as_dtype(np.float16)
float32 = as_dtype(np.float32)
float64 = as_dtype(np.float64)
int8 = as_dtype(np.int8)
int16 = as_dtype(np.int16)
int32 = as_dtype(np.int32)
int64 = as_dtype(np.int64)
uint8 = as_dtype(np.uint8)
uint16 = as_dtype(np.uint16)
uint32 = as_dtype(np.uint32)
uint64 = as_dtype(np.uint64)
bool_ = as_dtype(np.bool_)


class MissingDtype:
    """A PyTorch dtype glassnet has no numbers for (NumPy has none): ``glassnet.bfloat16``.

    It exists so that code which only names it runs: ``torch.autocast("cpu",
    dtype=torch.bfloat16)`` ignores its dtype (see torch_switches.autocast), and
    ``torch.cuda.is_bf16_supported()``-style checks can compare it. Making a tensor of it
    (``x.to(torch.bfloat16)``, ``zeros(2, dtype=torch.bfloat16)``) is refused in one line by
    ``to_dtype``, naming the dtypes glassnet has instead.
    """

    is_floating_point = True
    is_complex = False
    is_signed = True
    #: why glassnet cannot make tensors of it (ends the one-line refusal of ``to_dtype``)
    reason = "NumPy has no such type"

    def __init__(self, name: str, itemsize: builtins.int, complex_numbers: bool = False) -> None:
        self.name = name
        self.itemsize = itemsize
        if complex_numbers:  # torch.complex64 & co.: NumPy has them, glassnet's ops do not
            self.is_floating_point, self.is_complex = False, True
            self.reason = "its ops and gradients are written for real numbers only"

    def __repr__(self) -> str:
        return f"glassnet.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # copies and pickles are the module's one sentinel


bfloat16 = MissingDtype("bfloat16", 2)
# Complex dtypes are named so that checks such as ``x.dtype in (torch.cfloat, torch.cdouble)``
# or ``x.is_complex()`` run (they are never true of a glassnet tensor); making a tensor of one
# is refused in one line.
complex32 = chalf = MissingDtype("complex32", 4, complex_numbers=True)
complex64 = cfloat = MissingDtype("complex64", 8, complex_numbers=True)
complex128 = cdouble = MissingDtype("complex128", 16, complex_numbers=True)

# PyTorch-style aliases.
half = float16
float = float32  # noqa: A001 - glassnet.float mirrors torch.float
double = float64
long = int64
short = int16
int = int32  # noqa: A001 - glassnet.int mirrors torch.int

_NAMES = {
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
    "int8": int8,
    "int16": int16,
    "short": int16,
    "uint16": uint16,
    "uint32": uint32,
    "uint64": uint64,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "uint8": uint8,
    "bool": bool_,
}


#: the names of the dtypes glassnet only names (PyTorch's spellings included)
_MISSING = {"bfloat16": bfloat16, "complex32": complex32, "chalf": complex32,
            "complex64": complex64, "cfloat": complex64, "complex128": complex128,
            "cdouble": complex128}  # fmt: skip


def to_dtype(dtype) -> np.dtype:
    """Turn a dtype given as a glassnet/NumPy dtype, a Python type or a name into a np.dtype.

    Raises TypeError naming what was given when it is not a dtype glassnet knows.
    """
    if type(dtype) is DType:
        return dtype.dtype
    if dtype is None:
        raise TypeError("expected a dtype, got None")
    if isinstance(dtype, str):
        dtype = _MISSING.get(dtype.removeprefix("glassnet.").removeprefix("torch."), dtype)
    if isinstance(dtype, MissingDtype):
        raise TypeError(
            f"glassnet has no {dtype.name} numbers ({dtype.reason}); use "
            "glassnet.float32, or glassnet.float16 for half the memory"
        )
    if isinstance(dtype, str):
        key = dtype.removeprefix("glassnet.").removeprefix("torch.")
        if key in _NAMES:
            return _NAMES[key].dtype
        raise TypeError(f"unknown dtype name {dtype!r}; expected one of {sorted(_NAMES)}")
    if dtype is builtins_float:
        return float32.dtype
    if dtype is builtins_int:
        return int64.dtype
    if dtype is builtins_bool:
        return bool_.dtype
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as glassnet.float32, got {dtype!r}") from None


def is_floating(dtype: np.dtype) -> bool:
    """True for float16/32/64: the only dtypes that may carry gradients."""
    return dtype.kind == "f"


def default_dtype_for(array: np.ndarray) -> np.dtype:
    """The dtype PyTorch gives data built from Python objects: floats -> float32, ints -> int64."""
    kind = array.dtype.kind
    if kind == "f":
        return float32.dtype
    if kind in "iu":
        return int64.dtype
    if kind == "b":
        return bool_.dtype
    raise TypeError(
        f"cannot make a tensor from data of dtype {array.dtype}; expected numbers or booleans"
    )


import builtins as _builtins  # noqa: E402 - after the aliases that shadow float/int

builtins_float = _builtins.float
builtins_int = _builtins.int
builtins_bool = _builtins.bool


class finfo:  # noqa: N801 - PyTorch's name
    """The limits of a floating dtype, as PyTorch's ``torch.finfo``: ``eps`` (the gap from 1 to
    the next number), ``max``, ``min`` (= -max, what attention masks fill with), ``tiny``
    (= ``smallest_normal``), ``resolution`` and ``bits``, each a Python number.

    Example: ``glassnet.finfo(glassnet.float32).eps`` is 1.1920928955078125e-07.
    """

    def __init__(self, type: object = None) -> None:  # noqa: A002 - PyTorch's argument name
        self.dtype = float32 if type is None else to_dtype(type)
        if self.dtype.kind != "f":
            raise TypeError(f"finfo: expected a floating dtype, got {self.dtype}")
        info = np.finfo(self.dtype)
        self.dtype = self.dtype.name  # PyTorch's finfo names its dtype as a string: "float32"
        self.bits = info.bits
        self.eps, self.max, self.min = info.eps.item(), info.max.item(), info.min.item()
        self.tiny = self.smallest_normal = info.tiny.item()
        self.resolution = 10.0**-info.precision  # 1e-06 for float32, as PyTorch prints it

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, "
                f"eps={self.eps}, smallest_normal={self.tiny}, dtype={self.dtype})")  # fmt: skip


class iinfo:  # noqa: N801 - PyTorch's name
    """The limits of an integer dtype, as ``torch.iinfo``: ``min``, ``max``, ``bits``."""

    def __init__(self, type: object) -> None:  # noqa: A002
        self.dtype = to_dtype(type)
        if self.dtype.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {self.dtype}")
        info = np.iinfo(np.uint8 if self.dtype.kind == "b" else self.dtype)
        self.dtype = self.dtype.name  # as finfo: "int8"
        # builtins.int: this module's own `int` is the dtype int32 (glassnet.int mirrors torch.int)
        self.bits, self.min, self.max = info.bits, builtins.int(info.min), builtins.int(info.max)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


class Size(tuple):
    """A shape, as PyTorch's ``torch.Size``: a tuple of ints (``Size([2, 3]) == (2, 3)``) with
    ``numel()``. A tensor's ``.shape`` and ``.size()`` are Sizes.

    Its repr (what a notebook or the REPL shows) is PyTorch's, ``glassnet.Size([2, 3])``; its
    str (what ``print`` and error messages show) stays the tuple's ``(2, 3)``, the plainer form
    for a learner reading a lesson.
    """

    __slots__ = ()

    def __new__(cls, sizes: object = ()) -> Size:
        return super().__new__(cls, (builtins.int(s) for s in sizes))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"glassnet.Size({list(self)})"

    __str__ = tuple.__repr__

    def numel(self) -> builtins.int:
        """The number of elements a tensor of this shape holds."""
        total = 1
        for s in self:
            total *= s
        return total
