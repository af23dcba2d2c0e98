"""Intel's MKL, when it is installed from PyPI (the ``mkl`` package): found, loaded once with its threads on TBB.

Why a second BLAS. NumPy's wheels do their matrix products in OpenBLAS. On the products of an
MLP's training step (a batch of 128 rows against 512-wide layers) OpenBLAS reached 210-280
GFLOP/s on this project's 2-core test machine, against 310-360 for MKL, which PyTorch uses: one
core ran them at about the same speed in both, but OpenBLAS gained only 1.4-1.7x from the second
core and MKL 1.9x. On the small products of a recurrent layer's time loop (32 rows, one thread)
MKL took half OpenBLAS's time. A network's time is mostly such products, so with MKL installed
(``pip install glassnet[fast]`` on x86-64 Linux and Windows, or ``pip install mkl``) glassnet
sends its large products there (``ops/blas_direct.py``); NumPy's own ``np.matmul`` is unchanged.

Which threads. MKL runs its threads on one of several libraries. Its default, Intel's OpenMP,
was measured to slow everything else in a process that also holds PyTorch (which runs on GNU
OpenMP): after one glassnet LSTM step PyTorch's own LSTM ran on one core, 3x as slow, and
glassnet's CNN epoch lost more than MKL's products had gained. On oneTBB (the ``tbb`` package,
which ``mkl`` depends on) neither happened, and it survives ``fork`` (DataLoader workers, the
plot worker). So glassnet loads TBB first and asks MKL for it (``MKL_Set_Threading_Layer``);
without TBB MKL runs on one thread (its sequential layer), and then only the compiled loops use
it, as one thread of MKL lost to OpenBLAS on every core. A ``MKL_THREADING_LAYER`` you set
yourself wins. glassnet's thread policy (``threads``) sets MKL's thread count with NumPy's BLAS.

What is loaded: only files the ``mkl`` and ``tbb`` distributions list themselves (no search of
the system's folders, which is slow and may find other versions). ``GLASSNET_BLAS=numpy`` in
the environment keeps MKL unloaded even when it is installed.
"""

from __future__ import annotations

import ctypes
import functools
import os
from typing import Any

__all__ = [
    "BLAS_CHOICES",
    "ENV_VARIABLE",
    "library",
    "library_path",
    "load_tbb",
    "threading_layer",
]

ENV_VARIABLE = "GLASSNET_BLAS"
#: "auto": MKL when installed, else NumPy's BLAS alone; "numpy": NumPy's BLAS alone.
BLAS_CHOICES = ("auto", "numpy")

# MKL_Set_Threading_Layer's codes (mkl_service.h).
_SEQUENTIAL, _TBB = 1, 4
_LAYER_NAMES = {1: "sequential", 4: "tbb"}
_layer: list[str] = []  # the layer MKL was loaded with: glassnet's choice or the user's


def _choice() -> str:
    text = os.environ.get(ENV_VARIABLE, "").strip().lower() or "auto"
    if text not in BLAS_CHOICES:
        raise ValueError(
            f"{ENV_VARIABLE} must be one of {', '.join(BLAS_CHOICES)}, got "
            f"{os.environ[ENV_VARIABLE]!r}"
        )
    return text


def _listed_file(distribution_name: str, prefixes: tuple[str, ...]) -> str | None:
    """A shared library whose name starts with one of ``prefixes`` among the files the
    distribution installed (its real path), or None."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        files = distribution(distribution_name).files or []
    except PackageNotFoundError:
        return None
    for file in files:
        name = file.name  # libmkl_rt.so.3 (Linux), mkl_rt.2.dll (Windows)
        shared = ".so" in name or name.endswith((".dll", ".dylib"))
        if name.startswith(prefixes) and shared:
            path = str(file.locate())
            if os.path.exists(path):
                return os.path.realpath(path)
    return None


@functools.cache
def load_tbb() -> bool:
    """Load oneTBB (the ``tbb`` package) where MKL's TBB layer and numba's will find it
    (globally), once; True if it loaded."""
    path = _listed_file("tbb", ("libtbb.so.", "tbb12.dll", "libtbb.12"))
    if path is None:
        return False
    try:
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    except OSError:
        return False
    return True


@functools.cache
def library() -> Any:
    """MKL's ``libmkl_rt`` as a ctypes library, loaded on first use (some tens of
    milliseconds, once), or None: not installed, not loadable, or turned off by
    ``GLASSNET_BLAS=numpy``."""
    if _choice() == "numpy":
        return None
    path = _listed_file("mkl", ("libmkl_rt.", "mkl_rt."))
    if path is None:
        return None
    chosen = os.environ.get("MKL_THREADING_LAYER", "").strip().upper()
    # MKL ends the process when the layer it was told to use cannot be loaded: TBB first.
    tbb = load_tbb() if chosen in ("", "TBB") else False
    try:
        mkl = ctypes.CDLL(path)
    except OSError:
        return None
    if not chosen:
        layer = _TBB if tbb else _SEQUENTIAL
        mkl.MKL_Set_Threading_Layer(ctypes.c_int(layer))
        chosen = _LAYER_NAMES[layer].upper()
    _layer[:] = [chosen.lower()]
    return mkl


def library_path() -> str | None:
    """The MKL file glassnet uses (loading it if need be), or None (see ``library``)."""
    loaded = library()
    return None if loaded is None else loaded._name


def threading_layer() -> str | None:
    """The library MKL runs its threads on ("tbb", "sequential", ...), or None without MKL."""
    return None if library() is None else _layer[0]
