"""A fixture for the normalization tests: each test runs on the NumPy path and on the compiled loops.

The compiled loops (ops/norm_loops.py) normally start at ``MIN_VALUES`` numbers; the fixture
lowers that to 0 so the tests' small inputs take them too. Without numba the compiled run is
skipped. Use it in a test module with ``from norm_paths import both_norm_paths`` (autouse),
or import ``norm_path`` and name it among a test's arguments.
"""

from __future__ import annotations

import pytest

from glassnet import jit
from glassnet.ops import norm_loops


def _on_path(request, monkeypatch):
    """Switch the compiled loops off, or on for every size, for one test; then back."""
    if request.param == "compiled-loops":
        pytest.importorskip("numba")
        monkeypatch.setattr(norm_loops, "MIN_VALUES", 0)
    jit.set_enabled(request.param == "compiled-loops")
    yield request.param
    jit.set_enabled(None)


@pytest.fixture(autouse=True, params=["numpy-path", "compiled-loops"])
def both_norm_paths(request, monkeypatch):
    """The test once with compiled loops switched off, once with them on every size."""
    yield from _on_path(request, monkeypatch)


@pytest.fixture(params=["numpy-path", "compiled-loops"])
def norm_path(request, monkeypatch):
    """The same for the tests that ask for it by name (``norm_path`` among their arguments)."""
    yield from _on_path(request, monkeypatch)
