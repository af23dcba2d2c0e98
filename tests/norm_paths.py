"""A fixture for the normalization tests: each test runs on the NumPy path and on the compiled loops.

The compiled loops (ops/norm_loops.py) normally start at ``MIN_VALUES`` numbers; the fixture
lowers that to 0 so the tests' small inputs take them too. Without numba the compiled run is
skipped. Use it in a test module with ``from norm_paths import both_norm_paths`` (autouse).
"""

from __future__ import annotations

import pytest

from glassnet import jit
from glassnet.ops import norm_loops


@pytest.fixture(autouse=True, params=["numpy-path", "compiled-loops"])
def both_norm_paths(request, monkeypatch):
    """The test once with compiled loops switched off, once with them on every size."""
    if request.param == "compiled-loops":
        pytest.importorskip("numba")
        monkeypatch.setattr(norm_loops, "MIN_VALUES", 0)
    jit.set_enabled(request.param == "compiled-loops")
    yield request.param
    jit.set_enabled(None)
