"""Environment variables read on hot paths (GLASSNET_JIT, GLASSNET_NUM_THREADS): as they are now, in one lookup."""

from __future__ import annotations

import os
import sys

__all__ = ["variable"]

# os.environ keeps the process's variables in a dict of its own, names and values as bytes on
# POSIX (as a child process is given them). Elsewhere (Windows keeps str) os.environ.get serves.
_STORE = getattr(os.environ, "_data", None)
_BYTES_STORE = os.name == "posix" and isinstance(_STORE, dict)
_ENCODING = sys.getfilesystemencoding()
_encoded_names: dict[str, bytes] = {}


def variable(name: str) -> str:
    """``os.environ.get(name, "")``: the value now, so a change made through os.environ (or
    pytest's monkeypatch.setenv) counts at once.

    Every compiled loop and every large matrix product asks for a variable or two (whether
    compiled loops are on, how many threads to use), so this is one lookup in os.environ's own
    dict instead of its ``get``: four Python calls that encode the name, look it up and decode
    the value. Measured on the MLP epoch of the benchmarks (16 reads a training step), those
    calls cost about 1 % of the epoch (paired runs in one process): more than their microsecond
    each, because each large product pushes their code out of the CPU's caches, and each read
    after it fetches it again.
    """
    if not _BYTES_STORE:
        return os.environ.get(name, "")
    key = _encoded_names.get(name)
    if key is None:
        key = _encoded_names[name] = name.encode(_ENCODING, "surrogateescape")
    value = _STORE.get(key)
    return "" if value is None else value.decode(_ENCODING, "surrogateescape")
