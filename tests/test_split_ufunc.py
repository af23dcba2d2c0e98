"""split_ufunc: large elementwise arithmetic on every core gives exactly NumPy's own result."""

import numpy as np
import pytest

from glassnet import jit, split_work, threads, ufunc_loops
from glassnet.split_work import split_ufunc

N = split_work.UFUNC_MIN_NUMBERS  # rows of 4 numbers: 4 N numbers, enough for 2 ranges


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.setattr(threads, "_chosen", 2)


def _operands(kind, dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((N, 4)).astype(dtype)
    others = {
        "same-shape": rng.standard_normal((N, 4)).astype(dtype),
        "row-broadcast": rng.standard_normal(4).astype(dtype),
        "column-broadcast": rng.standard_normal((N, 1)).astype(dtype),
        "python-number": 1.5,
        "broadcast-scalar-view": np.broadcast_to(np.asarray(2.0, dtype), (N, 4)),
        "float64-array": rng.standard_normal((N, 4)),
    }
    return a, others[kind]


@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply, np.true_divide],
                         ids=lambda u: u.__name__)  # fmt: skip
@pytest.mark.parametrize("kind", ["same-shape", "row-broadcast", "column-broadcast",
                                  "python-number", "broadcast-scalar-view", "float64-array"])  # fmt: skip
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_split_result_is_numpys_number_for_number(two_threads, monkeypatch, ufunc, kind, dtype):
    """Split over split_work's threads, or computed by ufunc_loops on numba's (where they run,
    for an array and an array of its shape, or a number with + and *): NumPy's numbers."""
    loops_here = jit.available() and jit.parallel_ready()  # numba loaded, as by large work
    calls, on_loops = [], []
    real_run_split, real_loops = split_work.run_split, ufunc_loops.on_numba_threads
    monkeypatch.setattr(split_work, "run_split", lambda *a: calls.append(a) or real_run_split(*a))

    def loops(*args):
        out = real_loops(*args)
        on_loops.extend([] if out is None else [args[0]])
        return out

    monkeypatch.setattr(ufunc_loops, "on_numba_threads", loops)
    a, b = _operands(kind, dtype)
    for left, right in ((a, b), (b, a)):
        got, expected = split_ufunc(ufunc, left, right), ufunc(left, right)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    assert len(calls) + len(on_loops) == 2  # it did split, both ways round
    numbers = kind in ("python-number", "broadcast-scalar-view") and ufunc in (np.add, np.multiply)
    same = kind == "same-shape" or (kind == "float64-array" and dtype == np.float64)
    assert len(on_loops) == (2 if loops_here and (same or numbers) else 0)


def test_numba_loops_keep_nan_and_infinities(two_threads):
    """The loops' IEEE arithmetic: infinities, NaN and division by zero as NumPy gives them."""
    values = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, 3e38], np.float32)
    a = np.resize(values, (N, 4))
    b = np.resize(values[::-1], (N, 4))
    with np.errstate(all="ignore"):
        for ufunc in (np.add, np.subtract, np.multiply, np.true_divide):
            np.testing.assert_array_equal(split_ufunc(ufunc, a, b), ufunc(a, b))
        np.testing.assert_array_equal(split_ufunc(np.multiply, a, np.inf), a * np.inf)


def test_a_number_broadcast_wider_than_the_array_is_numpys_result(two_threads):
    """One number spread over a larger shape than the array's: the output has that shape."""
    a = np.ones(4 * N, np.float32)
    wide = np.broadcast_to(np.float32(2), (2, 4 * N))
    got = split_ufunc(np.multiply, a, wide)
    assert got.shape == (2, 4 * N)
    np.testing.assert_array_equal(got, a * wide)


@pytest.mark.parametrize(
    "make",
    [lambda: (np.ones((10, 4)), np.ones((10, 4))),
     lambda: (np.ones((4 * N, 2)).T, np.ones((2, 4 * N))),
     lambda: (np.ones((N, 8))[:, ::2], 1.0)],
    ids=["small", "transposed", "strided"],
)  # fmt: skip
def test_small_or_other_layouts_take_the_plain_call(two_threads, monkeypatch, make):
    monkeypatch.setattr(split_work, "run_split", lambda *a: pytest.fail("should not split"))
    a, b = make()
    got = split_ufunc(np.multiply, a, b)
    np.testing.assert_array_equal(got, a * b)
    assert got.flags.c_contiguous == (a * b).flags.c_contiguous


def test_one_thread_never_splits(monkeypatch):
    monkeypatch.setattr(threads, "_chosen", 1)
    monkeypatch.setattr(split_work, "run_split", lambda *a: pytest.fail("should not split"))
    a = np.ones((N, 4), np.float32)
    np.testing.assert_array_equal(split_ufunc(np.add, a, a), a + a)
