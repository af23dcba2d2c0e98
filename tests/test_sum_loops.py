"""The compiled sum of a large array (ops/sum_loops.py) against NumPy's sum and the exact sum."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit
from glassnet.ops import sum_loops

pytest.importorskip("numba")

LARGE = sum_loops.MIN_NUMBERS + 3  # odd: the ranges are cut unevenly


@pytest.fixture(autouse=True)
def compiled_loops_back_on():
    yield
    jit.set_enabled(None)
    gn.set_num_threads(None)


def exact(x):
    return math.fsum(np.asarray(x, dtype=np.float64).ravel())


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(LARGE,), (32, 64, 8, 9), (3, 50_000)], ids=["1d", "4d", "2d"])
def test_sum_and_mean_of_a_large_array_are_the_exact_sum_rounded(dtype, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype) + 0.25
    assert sum_loops.worth_compiling(x)
    t = gn.tensor(x)
    total, mean = t.sum().numpy(), t.mean().numpy()
    assert total.dtype == dtype and total.shape == () and mean.dtype == dtype
    scale = np.abs(x).sum(dtype=np.float64)
    eps = np.finfo(dtype).eps
    # Within a rounding of the exact sum (a float64 total), and close to NumPy's own.
    assert abs(float(total) - exact(x)) <= 2 * eps * abs(exact(x)) + 1e-12 * scale
    np.testing.assert_allclose(total, np.sum(x), rtol=20 * eps)
    np.testing.assert_allclose(mean, np.mean(x), rtol=20 * eps)
    assert t.sum(keepdim=True).shape == (1,) * len(shape)
    assert t.mean(keepdim=True).shape == (1,) * len(shape)


def test_the_compiled_sum_is_more_accurate_than_float32_pairwise_adding():
    # A large number followed by many small ones: float32 running sums lose the small ones.
    x = np.full(LARGE, 1e-4, dtype=np.float32)
    x[0] = 1e4
    compiled = float(gn.tensor(x).sum().numpy())
    assert abs(compiled - exact(x)) <= abs(exact(x)) * np.finfo(np.float32).eps
    assert abs(compiled - exact(x)) <= abs(float(np.sum(x)) - exact(x))


@pytest.mark.parametrize(
    "special, expected",
    [(np.nan, "nan"), (np.inf, "inf"), ((np.inf, -np.inf), "nan")],
    ids=["nan", "inf", "inf-minus-inf"],
)
def test_nan_and_infinity_come_through(special, expected):
    x = np.ones(LARGE, dtype=np.float32)
    values = special if isinstance(special, tuple) else (special,)
    for i, v in enumerate(values):
        x[100 + 70_000 * i] = v  # in the ranges of different threads
    gn.set_num_threads(2)
    total = float(gn.tensor(x).sum().numpy())
    assert math.isnan(total) if expected == "nan" else total == math.inf


def test_one_thread_and_two_give_the_same_float64_total():
    x = np.random.default_rng(1).standard_normal(3 * LARGE)
    results = []
    for threads in (1, 2):
        gn.set_num_threads(threads)
        results.append(sum_loops.compiled_sum(x))
    assert results[0] == pytest.approx(results[1], rel=1e-13)
    if sum_loops.block_sums.compiled_parallel():  # blocks of a fixed size: the very same total
        assert results[0] == results[1]


def test_small_or_strided_arrays_and_switched_off_loops_take_numpys_sum():
    x = np.random.default_rng(2).standard_normal((2, LARGE)).astype(np.float32)
    assert not sum_loops.worth_compiling(x[:, :100])  # small
    assert not sum_loops.worth_compiling(x[:, ::2])  # not C-contiguous
    assert not sum_loops.worth_compiling(x.astype(np.int64))  # not a float the loops take
    jit.set_enabled(False)
    assert not sum_loops.worth_compiling(x)
    assert gn.tensor(x).sum().numpy() == np.add.reduce(x, axis=None)  # NumPy's, bit for bit


def test_the_gradient_of_a_compiled_sum_is_ones():
    x = gn.tensor(
        np.random.default_rng(3).standard_normal(LARGE).astype(np.float32), requires_grad=True
    )
    (x.sum() * 2).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(LARGE, 2.0, np.float32))
