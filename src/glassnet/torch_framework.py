"""PyTorch's framework-level names that scripts touch: dtype and layout objects, build flags, interop threads, symbolic-int helpers, ...

(Re-exported by ``glassnet`` through ``__all__``; layouts, autocast's state, control flow and
DLPack live in their own files and are gathered here.)

- ``glassnet.dtype`` is the class of glassnet's dtypes (``dtypes.DType``, NumPy's dtypes with
  PyTorch's questions, and the names glassnet only names: bfloat16, complex64, ...): ``isinstance(x.dtype, glassnet.dtype)`` is True.
- The build flags say what is true of glassnet: LAPACK (NumPy has it), MKL when it is
  installed (glassnet's large products can use it, see mkl_library), no OpenMP, CUDA, cuDNN,
  oneDNN or FFT module.
- ``sym_int``, ``sym_max``, ... are what PyTorch's symbolic-number helpers compute on plain
  Python numbers, which is all they meet when nothing is compiled.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import autocast_state, autograd_compat, legacy_types, mkl_library, torch_switches
from .amp import GradScaler
from .autocast_state import *  # noqa: F403 - is_autocast_enabled, get_autocast_dtype, ...
from .control_flow import cond, while_loop
from .dlpack import from_dlpack, to_dlpack
from .dtypes import (
    DType,
    MissingDtype,
    cdouble,
    cfloat,
    chalf,
    complex32,
    complex64,
    complex128,
    short,
    uint16,
    uint32,
    uint64,
)
from .errors import MissingTorchName
from .layouts import *  # noqa: F403 - strided, channels_last, ...
from .layouts import __all__ as _layout_names
from .random import default_generator as _global_generator
from .tensor import Tensor

__all__ = [
    "GradScaler",
    "OutOfMemoryError",
    "cdouble",
    "cfloat",
    "chalf",
    "compiled_with_cxx11_abi",
    "complex128",
    "complex32",
    "complex64",
    "cond",
    "default_generator",
    "dtype",
    "from_dlpack",
    "get_deterministic_debug_mode",
    "get_num_interop_threads",
    "has_cuda",
    "has_cudnn",
    "has_lapack",
    "has_mkl",
    "has_mkldnn",
    "has_openmp",
    "has_spectral",
    "init_num_threads",
    "is_anomaly_check_nan_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "is_distributed",
    "is_storage",
    "set_anomaly_enabled",
    "set_default_tensor_type",
    "set_deterministic_debug_mode",
    "set_num_interop_threads",
    "short",
    "sym_float",
    "sym_int",
    "sym_ite",
    "sym_max",
    "sym_min",
    "sym_not",
    "sym_sqrt",
    "sym_sum",
    "to_dlpack",
    "uint16",
    "uint32",
    "uint64",
    "while_loop",
]
__all__ += autocast_state.__all__ + _layout_names


# ---------------------------------------------------------------------------- the dtype class
class _DtypeClass(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        if isinstance(instance, (MissingDtype, DType)):
            return True
        return isinstance(instance, np.dtype) and instance.kind in "biufc"

    def __repr__(cls) -> str:
        return "<class 'glassnet.dtype'>"


class dtype(metaclass=_DtypeClass):  # noqa: N801 - PyTorch's name
    """The class of glassnet's dtypes: ``isinstance(glassnet.float32, glassnet.dtype)`` is True.

    glassnet's dtypes are DTypes (NumPy's dtypes with PyTorch's questions, see dtypes.py),
    plus the names it has no numbers for (bfloat16, complex64, ...); all of them, and NumPy's
    own number dtypes, are instances. Like
    ``torch.dtype`` it makes no new dtypes: use glassnet.float32, glassnet.int64, ...
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("cannot create glassnet.dtype objects; use glassnet.float32, int64, ...")


# ---------------------------------------------------------------------------- build flags
#: glassnet's linear algebra is NumPy's, which calls LAPACK
has_lapack = True
#: MKL is installed, so glassnet's large matrix products can run in it (see mkl_library)
has_mkl = mkl_library.installed() is not None
#: glassnet's own work is split by Python threads (split_work), not OpenMP
has_openmp = False
#: no glassnet.fft module (yet)
has_spectral = False
has_cuda = False
has_cudnn = False
has_mkldnn = False


def compiled_with_cxx11_abi() -> bool:
    """False: glassnet is Python on NumPy, with no C++ library for extensions to link against."""
    return False


# ---------------------------------------------------------------------------- threads
_interop_threads = 1


def get_num_interop_threads() -> int:
    """How many independent ops may run at once: 1 (glassnet runs ops one after another),
    or what ``set_num_interop_threads`` was given."""
    return _interop_threads


def set_num_interop_threads(n: int) -> None:
    """Remembered for ``get_num_interop_threads`` (a positive whole number); glassnet still
    runs one op at a time (the threads inside an op are ``set_num_threads``')."""
    global _interop_threads
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_interop_threads expects a positive whole number, got {n!r}")
    _interop_threads = int(n)


def init_num_threads() -> None:
    """Nothing to start: glassnet's threads are set up on first use."""


# ---------------------------------------------------------------------------- autograd switches
def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``set_detect_anomaly(enabled, check_nan)`` for the rest of the program."""
    autograd_compat.set_detect_anomaly(enabled, check_nan)


def is_anomaly_check_nan_enabled() -> bool:
    """Whether the anomaly checks look for NaN (True unless switched on with check_nan=False)."""
    active = autograd_compat._active
    return True if active is None else bool(active.check_nan)


# ---------------------------------------------------------------------------- determinism
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """What ``use_deterministic_algorithms(..., warn_only=)`` was last given."""
    return torch_switches._warn_only


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (warn only) or 2 (deterministic algorithms on), from
    ``use_deterministic_algorithms``."""
    if not torch_switches.are_deterministic_algorithms_enabled():
        return 0
    return 1 if torch_switches._warn_only else 2


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """0 / "default", 1 / "warn" or 2 / "error": ``use_deterministic_algorithms`` off, on with
    warn_only, or on (glassnet's results are the same on every run anyway)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                f"set_deterministic_debug_mode expects 'default', 'warn' or 'error', got {debug_mode!r}"
            )
        debug_mode = _DEBUG_MODES[debug_mode]
    if isinstance(debug_mode, bool) or debug_mode not in (0, 1, 2):
        raise RuntimeError(f"set_deterministic_debug_mode expects 0, 1 or 2, got {debug_mode!r}")
    torch_switches.use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


# ---------------------------------------------------------------------------- tensor tests
def is_distributed(input: Tensor) -> bool:  # noqa: A002 - PyTorch's argument name
    """False: a glassnet tensor lives in one process."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_distributed expects a Tensor, got {type(input).__name__}")
    return False


def is_storage(obj: Any) -> bool:
    """Whether ``obj`` is a storage: what ``x.storage()`` / ``x.untyped_storage()`` give."""
    from .storage import TypedStorage, UntypedStorage  # at call time: storage imports tensor

    return isinstance(obj, (TypedStorage, UntypedStorage))


def set_default_tensor_type(t: Any) -> None:
    """Accepted for ``'torch.FloatTensor'`` (glassnet's default already); any other type is
    refused in one line, as ``set_default_dtype`` refuses other dtypes."""
    warnings.warn(
        "set_default_tensor_type() is deprecated (as in PyTorch 2.1 and later); use "
        "set_default_dtype() and set_default_device()",
        UserWarning,
        stacklevel=2,
    )
    name = t if isinstance(t, str) else f"torch.{getattr(t, '__name__', '')}"
    legacy = legacy_types.BY_NAME.get(name.replace("glassnet.", "torch."))
    if legacy is None or legacy.dtype != torch_switches.get_default_dtype():
        raise MissingTorchName(
            f"torch.set_default_tensor_type({name}) (glassnet's tensors are CPU tensors and "
            "its default type stays torch.FloatTensor)"
        )


#: The global random generator (``glassnet.manual_seed`` re-seeds this object in place).
default_generator = _global_generator()


class OutOfMemoryError(RuntimeError):
    """PyTorch's out-of-memory error: what ``except torch.OutOfMemoryError`` names (glassnet
    itself lets NumPy's MemoryError through)."""


# ---------------------------------------------------------------------------- symbolic numbers
def sym_float(a: Any) -> float:
    """``float(a)``."""
    return float(a)


def sym_int(a: Any) -> int:
    """``int(a)``, cutting a float towards zero (sym_int(-2.7) is -2)."""
    return math.trunc(a) if isinstance(a, float) else int(a)


def _float_if_either(a: Any, b: Any, result: Any) -> Any:
    """PyTorch's rule for sym_max / sym_min: a float when either argument is a float."""
    return float(result) if isinstance(a, float) or isinstance(b, float) else result


def sym_max(a: Any, b: Any) -> Any:
    """The larger of a and b (a float when either is a float)."""
    return _float_if_either(a, b, max(a, b))


def sym_min(a: Any, b: Any) -> Any:
    """The smaller of a and b (a float when either is a float)."""
    return _float_if_either(a, b, min(a, b))


def sym_not(a: Any) -> bool:
    """``not a``."""
    return not a


def sym_sqrt(a: Any) -> float:
    """``math.sqrt(a)``."""
    return math.sqrt(a)


def sym_sum(args: Any) -> Any:
    """``sum(args)`` (an int for ints)."""
    return sum(args)


def sym_ite(b: Any, t: Any, f: Any) -> Any:
    """``t if b else f`` (if-then-else)."""
    return t if b else f
