"""OpenBLAS's settings that must be made before NumPy loads it: how long its idle threads spin.

After each matrix product, OpenBLAS keeps its worker threads spinning for a while (about a
tenth of a second by default), waiting for the next product. That makes back-to-back products
start faster, but the spinning threads hold every core: glassnet's own work on the other cores
(``split_work``: im2col, pooling, normalization, optimizer updates) then waits for them. In the
suite's CNN epoch on 2 cores this cost about a third of the time.

So glassnet asks OpenBLAS to let its threads sleep almost at once (``OPENBLAS_THREAD_TIMEOUT=4``,
the shortest it allows) unless you chose a value yourself. OpenBLAS reads the variable once,
when NumPy first loads it, so this works only when glassnet is imported before NumPy (as the
``glassnet`` command and ``import glassnet`` at the top of a script do); otherwise set it in
the environment yourself. Child processes inherit the value.
"""

from __future__ import annotations

import os
import sys

#: OpenBLAS spins 2**N cycles before sleeping; 4 is the smallest N it accepts.
THREAD_TIMEOUT = "4"


def prefer_sleeping_blas_threads() -> bool:
    """Set ``OPENBLAS_THREAD_TIMEOUT`` unless the user did; True if it can still take effect
    (NumPy not yet imported)."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT)
    return "numpy" not in sys.modules


prefer_sleeping_blas_threads()  # on import: glassnet/__init__.py imports this module first
