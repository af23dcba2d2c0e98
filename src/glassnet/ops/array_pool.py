"""A pool of large scratch arrays that the fused ops reuse across calls once nothing refers to them.

Why pool. Writing to freshly allocated memory is slow: the operating system maps and zeroes
every page on first touch, and an LSTM layer fills about 10 MB of saved state per call. So the
recurrent ops take their big arrays from here. An array is handed out again only when no view
of it is alive any more (its reference count is back to the pool's own): the op that saved it,
a gradient computed into it and any output viewing it are all gone. The pool keeps at most
``max_bytes`` in total; beyond that, arrays are simply allocated and freed.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["ArrayPool", "pool"]


class ArrayPool:
    """Hands out uninitialised arrays, reusing pooled ones that nothing refers to any more.

    Args:
        max_bytes: the most memory the pool keeps (arrays beyond it are not pooled).
        max_arrays: the most arrays the pool keeps.

    Example::

        pool = ArrayPool()
        a = pool.empty((3, 4), np.float32)   # a view of a new pooled array
        del a                                # nothing refers to it: free again
        b = pool.empty((12,), np.float32)    # the same memory, handed out again
    """

    def __init__(self, max_bytes: int = 256 << 20, max_arrays: int = 64) -> None:
        self.max_bytes = max_bytes
        self.max_arrays = max_arrays
        self._lock = threading.Lock()
        # The reference count of an array that only the pool holds, measured, not assumed.
        self._arrays: list[np.ndarray] = [np.empty(1)]
        self._free_refs = self._refs(0)
        self._arrays = []

    def _refs(self, i: int) -> int:
        a = self._arrays[i]
        return sys.getrefcount(a)  # the list, ``a`` and the argument; each live view adds one

    def _find_free(self, size: int | None = None, dtype: np.dtype | None = None) -> int:
        """Index of a free pooled array (of that size and dtype, if given), or -1."""
        for i in range(len(self._arrays)):
            a = self._arrays[i]
            if size is not None and (a.size != size or a.dtype != dtype):
                continue
            del a
            if self._refs(i) == self._free_refs:
                return i
        return -1

    def empty(self, shape: tuple, dtype: np.dtype) -> np.ndarray:
        """An uninitialised array of ``shape`` (a view of a pooled array when one is free)."""
        dtype = np.dtype(dtype)
        size = int(np.prod(shape))
        with self._lock:
            i = self._find_free(size, dtype)
            if i >= 0:
                return self._arrays[i].reshape(shape)
            a = np.empty(size, dtype=dtype)
            used = sum(x.nbytes for x in self._arrays)
            while used + a.nbytes > self.max_bytes or len(self._arrays) >= self.max_arrays:
                i = self._find_free()  # make room: forget the oldest free array
                if i < 0:
                    break
                used -= self._arrays.pop(i).nbytes
            if used + a.nbytes <= self.max_bytes and len(self._arrays) < self.max_arrays:
                self._arrays.append(a)
            return a.reshape(shape)


#: The pool the fused recurrent ops share.
pool = ArrayPool()
