"""The peers: from-scratch frameworks measured beside glassnet on cases 1, 2 and 4a.

* ``dezero``: DeZero (``pip install dezero``), NumPy underneath like glassnet;
* ``tinygrad``: tinygrad (``pip install tinygrad``) on its CPU device (kernels compiled by
  clang; ``DEV=CPU`` is set unless the environment already chooses a device);
* ``micrograd``: the pure-Python scalar engine in ``micrograd.py`` (always there).

DeZero and tinygrad are optional (``pip install 'glassnet[bench]'``): where one cannot be
imported or cannot run here, the cases record it as unavailable with the reason, the table shows
"skipped" in its column and a note under the table says why.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from ..common import PEERS, CaseResult
from . import micrograd, with_dezero, with_tinygrad

INSTALL_HINT = "pip install 'glassnet[bench]'"

# case -> peer -> builder(module, *case arguments) returning the runner of one timed call.
BUILDERS: dict[str, dict[str, Callable[..., Callable[[], Any]]]] = {
    "mlp_train": {"dezero": with_dezero.mlp_train, "tinygrad": with_tinygrad.mlp_train},
    "cnn_train": {"dezero": with_dezero.cnn_train, "tinygrad": with_tinygrad.cnn_train},
    "small_op": {
        "dezero": with_dezero.small_op,
        "tinygrad": with_tinygrad.small_op,
        "micrograd": lambda _module, *args: micrograd.small_op(*args),
    },
}

_INFO: dict[str, dict[str, Any]] = {}  # what load() found, for the results JSON
_selected: set[str] = set(PEERS)  # the peers this run times (--peers)


def select_peers(text: str) -> None:
    """Time only the peers named in ``text``: "all", "none" or a comma list of PEERS names."""
    global _selected
    words = {w.strip() for w in text.split(",") if w.strip()}
    if words == {"all"}:
        _selected = set(PEERS)
    elif words == {"none"}:
        _selected = set()
    elif words and words <= set(PEERS):
        _selected = words
    else:
        raise ValueError(
            f"--peers expects all, none or a comma list of {', '.join(PEERS)}; got {text!r}"
        )


@functools.cache
def load(name: str) -> tuple[ModuleType | None, str | None]:
    """(module, None) when peer ``name`` can run here, else (None, the reason why not)."""
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r}; expected one of {', '.join(PEERS)}")
    info: dict[str, Any] = {"version": _version(name)}
    _INFO[name] = info
    if name == "micrograd":
        info.update(available=True, version="benchmarks/peers/micrograd.py")
        return micrograd, None
    try:
        module = _LOADERS[name]()
    except ImportError as exc:
        reason = f"not installed ({INSTALL_HINT}): {exc}"
    except Exception as exc:  # noqa: BLE001 - a peer that breaks on import is skipped, not fatal
        reason = f"cannot run here: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    else:
        info["available"] = True
        if name == "tinygrad":
            info["device"] = module.Device.DEFAULT
        return module, None
    info.update(available=False, reason=reason)
    return None, reason


def _load_dezero() -> ModuleType:
    # DeZero 0.0.13 (2020) names np.int in default arguments, an alias NumPy 1.24 removed:
    # restore it for the import only, so nothing else in the process sees it.
    restored = not hasattr(np, "int")
    if restored:
        np.int = int  # type: ignore[attr-defined]
    try:
        return importlib.import_module("dezero")
    finally:
        if restored:
            del np.int  # type: ignore[attr-defined]


def _load_tinygrad() -> ModuleType:
    os.environ.setdefault("DEV", "CPU")  # the CPU device, not a GPU nor the slow PYTHON emulator
    tinygrad = importlib.import_module("tinygrad")
    (tinygrad.Tensor([1.0, 2.0]) * 2).numpy()  # compiles one kernel: fails here if clang is absent
    return tinygrad


_LOADERS: dict[str, Callable[[], ModuleType]] = {
    "dezero": _load_dezero,
    "tinygrad": _load_tinygrad,
}


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def add_runners(runners: dict[str, Callable[[], Any]], case: str, *args: Any) -> dict[str, str]:
    """Add each peer's runner of ``case`` (built from ``args``) to ``runners``, where it can run.

    Returns {peer: reason} for the peers of this case that could not run (for
    ``CaseResult.unavailable``).
    """
    unavailable = {}
    for name, build in BUILDERS[case].items():
        if name not in _selected:
            continue  # left out of this run by --peers: no column, no note
        module, reason = load(name)
        if module is None:
            unavailable[name] = reason or "unavailable"
        else:
            runners[name] = build(module, *args)
    return unavailable


def add_relative_row(res: CaseResult) -> None:
    """Add the row "time / glassnet's": each framework's median over glassnet's (peers' cases)."""
    base = res.median("glassnet")
    if not base:
        return
    relative = {fw: m / base for fw in res.samples if (m := res.median(fw)) is not None}
    res.rows.append(("time / glassnet's", relative, "x", None))


def peers_info() -> dict[str, dict[str, Any]]:
    """Version, availability (and the reason if not) of each peer this run tried to load."""
    return {name: dict(info) for name, info in sorted(_INFO.items())}


def peer_notes(results: list[CaseResult]) -> list[str]:
    """One line per skipped peer under the table: which cases, and why."""
    cases: dict[tuple[str, str], list[str]] = {}
    for res in results:
        for name, reason in res.unavailable.items():
            cases.setdefault((name, reason), []).append(res.number)
    return [
        f"{name} skipped in case{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}: {reason}"
        for (name, reason), numbers in cases.items()
    ]
