"""What glassnet asks of the native libraries under NumPy when it loads: OpenBLAS's idle threads, malloc's freed memory.

Both are process-wide settings that decide speed more than any Python code does, and both are
made once, on ``import glassnet``; a value you set yourself in the environment always wins.

**OpenBLAS's idle threads.** After each matrix product OpenBLAS keeps its worker threads
spinning for a while (about a tenth of a second by default), waiting for the next product. The
spinning threads hold every core, so glassnet's own work on the other cores (``split_work``:
im2col, pooling, normalization, optimizer updates, large elementwise arithmetic) waits for them:
in the suite's CNN epoch on 2 cores that cost about a third of the time. So glassnet asks
OpenBLAS to let them sleep almost at once (``OPENBLAS_THREAD_TIMEOUT=4``, the shortest it
allows). OpenBLAS reads the variable once, when NumPy first loads it, so this works only when
glassnet is imported before NumPy (as the ``glassnet`` command and ``import glassnet`` at the
top of a script do); otherwise set it in the environment yourself.

**Freed memory.** Every op returns a new array. For arrays of megabytes, the C library's
``malloc`` hands freed memory back to the system as soon as the top of its heap is free, and
the next array of that size must be mapped in again, page by page: the system zeroes each 4 KiB
page on first touch. In a LayerNorm step on (4096, 512) that zeroing took more time than the
arithmetic (13.9 ms a step against 6.2 ms with memory kept). So glassnet asks glibc's malloc
(Linux) to keep up to ``KEEP_BYTES`` of freed memory at the top of its heap for reuse
(``mallopt(M_TOP_PAD)`` and ``mallopt(M_TRIM_THRESHOLD)``; the environment's
``MALLOC_TOP_PAD_`` / ``MALLOC_TRIM_THRESHOLD_`` win). The cost: a process may hold that much
more memory than it is using, returned when it ends.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: OpenBLAS spins 2**N cycles before sleeping; 4 is the smallest N it accepts.
THREAD_TIMEOUT = "4"

#: How much freed memory malloc keeps for reuse instead of returning it to the system.
KEEP_BYTES = 256 * 1024 * 1024

_M_TRIM_THRESHOLD, _M_TOP_PAD = -1, -2  # glibc's mallopt parameter numbers (malloc.h)


def prefer_sleeping_blas_threads() -> bool:
    """Set ``OPENBLAS_THREAD_TIMEOUT`` unless the user did; True if it can still take effect
    (NumPy not yet imported)."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT)
    return "numpy" not in sys.modules


def keep_freed_memory(keep_bytes: int = KEEP_BYTES) -> bool:
    """Ask glibc's malloc to keep ``keep_bytes`` of freed memory for reuse; True if it agreed.

    Nothing is changed off Linux, with another C library (``mallopt`` missing), or when the
    environment sets ``MALLOC_TOP_PAD_`` or ``MALLOC_TRIM_THRESHOLD_`` (the user's choice).
    """
    if not sys.platform.startswith("linux"):
        return False
    if "MALLOC_TOP_PAD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_TOP_PAD, keep_bytes)) and bool(mallopt(_M_TRIM_THRESHOLD, keep_bytes))


# On import: glassnet/__init__.py imports this module first, before anything imports NumPy.
prefer_sleeping_blas_threads()
keep_freed_memory()
