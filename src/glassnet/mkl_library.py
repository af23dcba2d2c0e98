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

Which processors. MKL chooses its kernels by the processor's maker: on Intel's it runs its
AVX-512 code, on others a generic path (its verbose mode reports "Intel(R) Architecture
processors" on an AMD EPYC with AVX-512). Measured on such a 2-core AMD EPYC (Zen 5), each of
the eight products of an MLP's training step took MKL 1.4-2.7x as long as NumPy's OpenBLAS on
two threads (128 x 784 by 784 x 512: 807 against 546 us; all eight 1.7x) and 6-10 % longer on
one thread (a recurrent step's 32 x 128 by 128 x 512: 50.6 against 47.6 us). So by default (``GLASSNET_BLAS=auto``)
MKL is loaded only on an Intel processor; elsewhere the same calls go to NumPy's own OpenBLAS.

What is loaded: only files the ``mkl`` and ``tbb`` distributions list themselves (no search of
the system's folders, which is slow and may find other versions). ``GLASSNET_BLAS`` in the
environment overrides the choice: ``numpy`` keeps MKL unloaded even on Intel, ``mkl`` loads it
on any processor.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
from typing import Any

__all__ = [
    "BLAS_CHOICES",
    "blas_choice",
    "ENV_VARIABLE",
    "cpu_vendor",
    "installed",
    "library",
    "library_path",
    "load_tbb",
    "threading_layer",
]

ENV_VARIABLE = "GLASSNET_BLAS"
#: "auto": MKL when installed and the processor is Intel's, else NumPy's BLAS alone; "mkl": MKL
#: when installed, on any processor; "numpy": NumPy's BLAS alone.
BLAS_CHOICES = ("auto", "mkl", "numpy")
#: The maker's name as processors report it (x86's CPUID vendor string).
INTEL = "GenuineIntel"

# MKL_Set_Threading_Layer's codes (mkl_service.h).
_SEQUENTIAL, _TBB = 1, 4
_LAYER_NAMES = {1: "sequential", 4: "tbb"}
_layer: list[str] = []  # the layer MKL was loaded with: glassnet's choice or the user's


def blas_choice() -> str:
    """``GLASSNET_BLAS`` as read now: one of ``BLAS_CHOICES`` ("auto" when unset), or a
    ValueError naming them."""
    text = os.environ.get(ENV_VARIABLE, "").strip().lower() or "auto"
    if text not in BLAS_CHOICES:
        raise ValueError(
            f"{ENV_VARIABLE} must be one of {', '.join(BLAS_CHOICES)}, got "
            f"{os.environ[ENV_VARIABLE]!r}"
        )
    return text


@functools.cache
def cpu_vendor() -> str | None:
    """The processor maker's name as the processor reports it ("GenuineIntel", "AuthenticAMD",
    ...), or None where it cannot be read: from ``/proc/cpuinfo`` on Linux, from
    ``platform.processor()`` on Windows (which ends with it there)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "vendor_id":
                    return value.strip() or None
    except OSError:
        pass
    words = platform.processor().replace(",", " ").split()
    return words[-1] if words and words[-1].startswith(("Genuine", "Authentic")) else None


def _wanted(choice: str, vendor: str | None) -> bool:
    """Whether MKL should be loaded for ``choice`` (one of BLAS_CHOICES) on a processor by
    ``vendor``: always for "mkl", never for "numpy", on Intel's only for "auto"."""
    return choice == "mkl" or (choice == "auto" and vendor == INTEL)


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
    milliseconds, once), or None: not installed, not loadable, a processor not Intel's (unless
    ``GLASSNET_BLAS=mkl``), or turned off by ``GLASSNET_BLAS=numpy``."""
    if not _wanted(blas_choice(), cpu_vendor()):
        return None
    path = installed()
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


def installed() -> str | None:
    """The path of MKL's ``libmkl_rt`` where the ``mkl`` package is installed (whether or not
    glassnet uses it here), else None."""
    return _listed_file("mkl", ("libmkl_rt.", "mkl_rt."))


def library_path() -> str | None:
    """The MKL file glassnet uses (loading it if need be), or None (see ``library``)."""
    loaded = library()
    return None if loaded is None else loaded._name


def threading_layer() -> str | None:
    """The library MKL runs its threads on ("tbb", "sequential", ...), or None without MKL."""
    return None if library() is None else _layer[0]
