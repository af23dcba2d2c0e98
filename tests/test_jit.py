"""glassnet.jit: the switch for compiled loops, and a compiled loop agreeing with its Python."""

import numpy as np
import pytest

from glassnet import jit
from glassnet.jit import prange
from glassnet.ops.recurrent_loops import tanh_float32


@jit.loop
def _scaled_row_sums(x, scale, out):
    n, d = x.shape
    for i in range(n):
        total = x.dtype.type(0)
        for j in range(d):
            total += x[i, j]
        out[i] = scale * total


@pytest.fixture
def restore_switch():
    yield
    jit.set_enabled(None)


@pytest.mark.parametrize("value", ["0", "off", "False", "no"], ids=lambda v: f"off-{v}")
def test_environment_switches_compiled_loops_off(monkeypatch, restore_switch, value):
    monkeypatch.setenv("GLASSNET_JIT", value)
    assert not jit.available()
    assert "switched off" in jit.reason_unavailable()


def test_a_bad_environment_value_is_one_clear_line(monkeypatch, restore_switch):
    monkeypatch.setenv("GLASSNET_JIT", "maybe")
    with pytest.raises(ValueError, match=r"GLASSNET_JIT must be 0 or 1 .* got 'maybe'"):
        jit.available()


def test_set_enabled_overrides_the_environment_and_checks_its_argument(monkeypatch, restore_switch):
    monkeypatch.setenv("GLASSNET_JIT", "1")
    jit.set_enabled(False)
    assert not jit.available()
    with pytest.raises(ValueError, match="True, False or None, got 'yes'"):
        jit.set_enabled("yes")


def test_missing_numba_means_unavailable_with_the_reason(monkeypatch, restore_switch):
    monkeypatch.setattr(jit, "_numba", None)
    monkeypatch.setattr(jit, "_import_error", "numba could not be imported (ImportError: none)")
    jit.set_enabled(True)
    assert not jit.available()
    assert jit.reason_unavailable().startswith("numba could not be imported")
    with pytest.raises(RuntimeError, match="needs numba"):
        jit.Loop(_scaled_row_sums.python)(np.ones((1, 1)), 1.0, np.zeros(1))


def test_the_python_loop_runs_without_numba():
    x = np.arange(6.0).reshape(2, 3)
    out = np.zeros(2)
    _scaled_row_sums.python(x, 2.0, out)
    np.testing.assert_array_equal(out, [6.0, 24.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_the_compiled_loop_agrees_with_numpy(dtype, restore_switch):
    pytest.importorskip("numba")
    jit.set_enabled(True)
    assert jit.available() and jit.reason_unavailable() is None
    x = np.random.default_rng(0).standard_normal((64, 300)).astype(dtype)
    out = np.zeros(64, dtype)
    _scaled_row_sums(x, dtype(0.5), out)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, 0.5 * x.sum(axis=1), rtol=tolerance, atol=tolerance)


def test_nan_still_propagates_through_a_compiled_sum(restore_switch):
    pytest.importorskip("numba")
    x = np.ones((2, 8), np.float32)
    x[1, 3] = np.nan
    out = np.zeros(2, np.float32)
    _scaled_row_sums(x, np.float32(1), out)
    assert out[0] == 8 and np.isnan(out[1])


def test_without_numba_glassnet_imports_and_trains_large_work_on_numpy():
    """numba is optional: with its import blocked, large work takes the NumPy paths."""
    import subprocess
    import sys

    program = """
import sys
sys.modules["numba"] = None  # as if numba were not installed
import numpy as np
import glassnet as gn
from glassnet import jit
assert not jit.available() and "numba could not be imported" in jit.reason_unavailable()
gn.manual_seed(0)
model = gn.nn.Sequential(gn.nn.Linear(300, 300), gn.nn.LayerNorm(300), gn.nn.ReLU(),
                         gn.nn.Linear(300, 3))
opt = gn.optim.Adam(model.parameters(), lr=1e-2)
x, y = gn.randn(256, 300), gn.randint(0, 3, (256,))
first = None
for _ in range(5):
    opt.zero_grad()
    loss = gn.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    first = loss.item() if first is None else first
assert loss.item() < first, (first, loss.item())
print("ok", "numba" in sys.modules and sys.modules["numba"] is not None)
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "False"]


@pytest.mark.parametrize(
    "numbers, dtype, expected",
    [(jit.MIN_NUMBERS - 1, np.float32, False), (jit.MIN_NUMBERS, np.float16, False),
     (jit.MIN_NUMBERS, np.int64, False), (jit.MIN_NUMBERS, np.float32, True),
     (jit.MIN_NUMBERS, np.float64, True)],
    ids=["too-small", "float16", "int64", "float32", "float64"],
)  # fmt: skip
def test_pays_asks_for_numba_only_for_large_float_work(monkeypatch, numbers, dtype, expected):
    asked = []
    monkeypatch.setattr(jit, "available", lambda: asked.append(True) or True)
    assert jit.pays(numbers, np.dtype(dtype)) is expected
    assert bool(asked) is (numbers >= jit.MIN_NUMBERS and np.dtype(dtype) in jit.LOOP_DTYPES)


def test_pays_takes_the_callers_own_minimum(monkeypatch):
    monkeypatch.setattr(jit, "available", lambda: True)
    assert not jit.pays(1000, np.dtype(np.float32), min_numbers=1001)
    assert jit.pays(1001, np.dtype(np.float32), min_numbers=1001)


@jit.loop
def _sum_of_halves(x, out):
    """A loop calling another loop (``_half``): numba compiles the callee into it."""
    for i in range(x.size):
        out[i] = _half(x[i]) + _half(x[i])


@jit.loop
def _half(v):
    return v * 0.5


def test_a_loop_may_call_another_loop(restore_switch):
    pytest.importorskip("numba")
    jit.set_enabled(True)
    x = np.arange(5.0)
    out = np.zeros(5)
    _sum_of_halves(x, out)
    np.testing.assert_array_equal(out, x)
    out[:] = 0  # the Python twin runs as well (it calls the callee as a Loop)
    _sum_of_halves.python(x, out)
    np.testing.assert_array_equal(out, x)


def test_calling_into_another_file_turns_the_disk_cache_off(restore_switch):
    """numba renews a cached loop when its own file changes, not a callee's file."""
    pytest.importorskip("numba")
    _, cacheable = jit._calling_compiled(_sum_of_halves.python)
    assert cacheable  # the callee lives in this file
    assert jit._calling_compiled(_half.python) == (_half.python, True)  # calls no loop

    twin, cacheable = jit._calling_compiled(_tanh_of_each.python)
    assert not cacheable and twin is not _tanh_of_each.python


@jit.loop
def _tanh_of_each(x, out):
    """A loop calling a loop of another file (ops/recurrent_loops.py)."""
    for i in range(x.size):
        out[i] = tanh_float32(x[i])


@jit.parallel_loop
def _scaled_square_roots(x, out, scale):
    """Each number on its own: a loop numba may share out among its threads."""
    for i in prange(x.size):  # the name itself: jit swaps it for numba's prange
        out[i] = scale * np.sqrt(x[i]) + x[i] * x[i]


def test_a_parallel_loop_is_its_python_twin_and_splits_into_the_same_bits(restore_switch):
    """Compiled on numba's threads where TBB is installed, a plain loop elsewhere: either way
    its numbers are those of the Python loop, and the same on 1 thread as on 2."""
    pytest.importorskip("numba")
    jit.set_enabled(True)
    import glassnet as gn

    x = np.random.default_rng(3).random(300_001).astype(np.float32)
    twin = np.zeros_like(x)
    _scaled_square_roots.python(x[:1000], twin[:1000], np.float32(0.7))
    results = []
    try:
        for threads in (2, 1):
            gn.set_num_threads(threads)
            out = np.zeros_like(x)
            _scaled_square_roots(x, out, np.float32(0.7))
            results.append(out)
    finally:
        gn.set_num_threads(None)
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_allclose(results[0][:1000], twin[:1000], rtol=1e-6)
    assert _scaled_square_roots.compiled_parallel() == jit.parallel_ready()


def test_one_thread_is_the_same_loop_run_on_this_thread_only(restore_switch):
    """A parallel loop's one-thread form is compiled without numba's threads and computes the
    same bits; a plain loop's one-thread form is the loop itself."""
    pytest.importorskip("numba")
    jit.set_enabled(True)
    serial = _scaled_square_roots.one_thread
    assert serial is _scaled_square_roots.one_thread  # made once
    assert serial.compiled_parallel() is False and serial.one_thread is serial
    x = np.random.default_rng(4).random(200_003).astype(np.float32)
    together, alone = np.zeros_like(x), np.zeros_like(x)
    _scaled_square_roots(x, together, np.float32(0.3))
    serial(x, alone, np.float32(0.3))
    np.testing.assert_array_equal(together, alone)


def test_a_parallel_loop_follows_glassnets_thread_count(restore_switch):
    numba = pytest.importorskip("numba")
    if not jit.parallel_ready():
        pytest.skip("oneTBB is not installed: parallel loops run as plain loops")
    import glassnet as gn

    x = np.ones(10, np.float32)
    try:
        gn.set_num_threads(1)
        _scaled_square_roots(x, np.zeros_like(x), np.float32(1))
        assert numba.get_num_threads() == 1
    finally:
        gn.set_num_threads(None)
    _scaled_square_roots(x, np.zeros_like(x), np.float32(1))
    assert numba.get_num_threads() == min(gn.threads.thread_limit(), numba.config.NUMBA_NUM_THREADS)


def test_another_numba_threading_layer_keeps_loops_on_split_work(monkeypatch):
    """GNU OpenMP aborts in forked children: only TBB (or numba's default choice) is used."""
    monkeypatch.setenv("NUMBA_THREADING_LAYER", "omp")
    jit.parallel_ready.cache_clear()
    try:
        assert jit.parallel_ready() is False
    finally:
        monkeypatch.delenv("NUMBA_THREADING_LAYER")
        jit.parallel_ready.cache_clear()
