"""gemm called through ctypes (ops/blas_direct.py), MKL's or NumPy's own, computes np.matmul."""

import numpy as np
import pytest

from glassnet import jit, mkl_library
from glassnet.ops import blas_direct

FLOATS = [np.float32, np.float64]


def _numpy_ships_openblas() -> bool:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # noqa: BLE001 - an older NumPy without the dict form
        return False
    return blas.get("name") == "scipy-openblas"


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
def test_gemm_is_found_where_numpy_ships_its_openblas(dtype):
    if not _numpy_ships_openblas():
        pytest.skip("this NumPy is not built with its bundled OpenBLAS")
    assert blas_direct.gemm_function(dtype) is not None


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 2), (64, 128, 512), (7, 1, 9)])
def test_matmul_into_agrees_with_numpy(dtype, shape):
    gemm = blas_direct.gemm_function(dtype)
    if gemm is None:
        pytest.skip("NumPy's BLAS cannot be called directly here")
    M, K, N = shape
    rng = np.random.default_rng(M * K + N)
    a = rng.standard_normal((M, K)).astype(dtype)
    b = rng.standard_normal((K, N)).astype(dtype)
    out = np.full((M, N), np.nan, dtype=dtype)
    blas_direct.matmul_into(gemm, a, b, out)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, a @ b, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.int64, np.float16, np.complex128])
def test_other_dtypes_have_no_gemm(dtype):
    assert blas_direct.gemm_function(dtype) is None


@pytest.fixture
def fresh_lookups():
    """Forget the functions looked up so far, before and after the test."""
    lookups = (blas_direct.gemm_function, blas_direct.fast_gemm, blas_direct.threaded_fast_gemm)
    lookups += (blas_direct.gemm_address, blas_direct.threaded_gemm_address)
    lookups += (blas_direct._worth_a_python_call, blas_direct.numpy_gemm)
    for cached in lookups:
        cached.cache_clear()
    yield
    for cached in lookups:
        cached.cache_clear()


def test_no_library_found_means_none(monkeypatch, fresh_lookups):
    """Without a shared library to call, the callers keep their NumPy loops."""
    monkeypatch.setattr(blas_direct, "_numpy_blas_paths", lambda: ["/nonexistent/libblas.so"])
    monkeypatch.setattr(mkl_library, "library", lambda: None)
    assert blas_direct.gemm_function(np.float32) is None
    assert blas_direct.fast_gemm(np.float32) is None


def test_a_function_that_disagrees_is_not_used(monkeypatch, fresh_lookups):
    """Each function found is checked on a small product before it is handed out."""
    monkeypatch.setattr(blas_direct, "_agrees_with_numpy", lambda gemm, dtype: False)
    assert blas_direct.gemm_function(np.float64) is None
    assert blas_direct.fast_gemm(np.float64) is None


def test_mkl_comes_first_when_installed(use_mkl):
    """With MKL loaded, the compiled loops get its gemm, not OpenBLAS's."""
    assert blas_direct.gemm_function(np.float32) is blas_direct.fast_gemm(np.float32)
    assert blas_direct.fast_gemm(np.float32) is not None
    assert blas_direct.threaded_fast_gemm(np.float32) is blas_direct.fast_gemm(np.float32)


def test_without_mkl_large_products_go_to_numpys_openblas(monkeypatch, fresh_lookups):
    """With MKL left out (another maker's processor, or ``GLASSNET_BLAS=numpy``), ``matmul``'s
    gemm is NumPy's own BLAS, checked as every function found is."""
    monkeypatch.setattr(mkl_library, "library", lambda: None)
    gemm = blas_direct.threaded_fast_gemm(np.float32)
    if gemm is None:
        pytest.skip("NumPy's BLAS has no 64-bit CBLAS gemm to call")
    assert blas_direct.fast_gemm(np.float32) is None
    assert gemm is blas_direct.gemm_function(np.float32)  # the compiled loops' gemm too


# ------------------------------------------------------------------ matmul, the Python caller


def _operands(kind, M, K, N, dtype, rng):
    """a (M, K) and b (K, N) laid out as ``kind`` says: as written, transposed views, or views
    of every second row of larger arrays."""

    def make(rows, cols, layout):
        if layout == "c":
            return rng.standard_normal((rows, cols)).astype(dtype)
        if layout == "t":  # a transposed C-ordered array (what w.T is)
            return rng.standard_normal((cols, rows)).astype(dtype).T
        return rng.standard_normal((2 * rows, cols + 3)).astype(dtype)[::2, 1 : cols + 1]

    return make(M, K, kind[0]), make(K, N, kind[1])


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("kind", ["cc", "ct", "tc", "tt", "sc", "cs", "st"])
@pytest.mark.parametrize("shape", [(128, 96, 160), (1, 2048, 1024), (300, 64, 1), (2, 3, 4)])
def test_matmul_agrees_with_numpy_for_every_layout(dtype, kind, shape):
    """Large or small, C-ordered, transposed or strided views: np.matmul's numbers."""
    rng = np.random.default_rng(sum(shape))
    a, b = _operands(kind, *shape, dtype, rng)
    got = blas_direct.matmul(a, b)
    assert got.shape == (shape[0], shape[2]) and got.dtype == dtype and got.flags.c_contiguous
    exact = a.astype(np.float64) @ b.astype(np.float64)
    # A float32 sum of K products carries about sqrt(K) roundings of its size.
    tolerance = 2e-6 * np.sqrt(shape[1]) if dtype == np.float32 else 1e-13 * np.sqrt(shape[1])
    scale = np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)
    assert np.all(np.abs(got - exact) <= tolerance * scale + 1e-30)


def test_small_products_are_numpy_exactly():
    """Below FAST_MIN_MULTIPLY_ADDS the twin itself runs: the very same numbers."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((8, 16)).astype(np.float32)
    b = rng.standard_normal((16, 8)).astype(np.float32)
    assert 8 * 16 * 8 < blas_direct.FAST_MIN_MULTIPLY_ADDS
    np.testing.assert_array_equal(blas_direct.matmul(a, b), np.matmul(a, b))


@pytest.mark.parametrize(
    "a, b",
    [
        (np.ones((256, 256), np.int64), np.ones((256, 256), np.int64)),  # no gemm for integers
        (np.ones((256, 256), np.float32), np.ones((256, 256), np.float64)),  # NumPy promotes
        (np.ones((256, 256), np.float32), np.broadcast_to(np.ones(256, np.float32), (256, 256))),
        (np.ones((4, 256, 256), np.float32), np.ones((256, 256), np.float32)),  # batched
    ],
    ids=["int64", "mixed", "broadcast", "batched"],
)
def test_what_gemm_cannot_read_goes_to_numpy(a, b):
    got = blas_direct.matmul(a, b)
    expected = np.matmul(a, b)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_shapes_that_do_not_fit_raise_numpys_error():
    with pytest.raises(ValueError):
        blas_direct.matmul(np.ones((512, 512), np.float32), np.ones((256, 512), np.float32))


@pytest.mark.parametrize("batch, inputs, outputs", [(128, 784, 512), (128, 512, 10)])
def test_large_products_go_to_the_direct_gemm(monkeypatch, batch, inputs, outputs):
    """The fast path is taken where it should be (a spy on the compiled gemm call): a wide
    layer's forward, and a 512 -> 10 layer's, which NumPy's OpenBLAS would run on its threads
    through np.matmul (it may from 65536 x 4 multiply-adds on). The weight is read transposed,
    in place, and the bias is added by gemm (MKL's or OpenBLAS's, as the machine chose)."""
    if blas_direct.threaded_fast_gemm(np.float32) is None or not jit.available():
        pytest.skip("no direct gemm, or numba is not installed")
    assert blas_direct.FAST_MIN_MULTIPLY_ADDS <= 65536 * 4 <= batch * inputs * outputs
    calls = []
    gemm_into = blas_direct.gemm_into

    def spy(gemm_address, a, a_transposed, b, b_transposed, bias, out):
        layouts = [blas_direct.operand_layout.python(a, a_transposed)[0]]
        layouts.append(blas_direct.operand_layout.python(b, b_transposed)[0])
        shapes = [x.T.shape if t else x.shape for x, t in ((a, a_transposed), (b, b_transposed))]
        calls.append((*shapes, layouts, bias.size))
        return gemm_into(gemm_address, a, a_transposed, b, b_transposed, bias, out)

    monkeypatch.setattr(blas_direct, "gemm_into", spy)
    w = np.ones((outputs, inputs), np.float32)
    bias = np.arange(outputs, dtype=np.float32)
    got = blas_direct.matmul(np.ones((batch, inputs), np.float32), w.T, bias)
    layouts = [blas_direct.NO_TRANS, blas_direct.TRANS]
    assert calls == [((batch, inputs), (inputs, outputs), layouts, outputs)]
    np.testing.assert_array_equal(got, np.full((batch, outputs), inputs, np.float32) + bias)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["cc", "ct", "st"])
def test_bias_is_added_as_numpy_adds_it(dtype, kind):
    """matmul(a, b, bias) against np.matmul(a, b) + bias, in every layout; a bias of another
    dtype or shape is added afterwards, as NumPy would."""
    rng = np.random.default_rng(3)
    a, b = _operands(kind, 128, 96, 160, dtype, rng)
    bias = rng.standard_normal(160).astype(dtype)
    tolerance = {"rtol": 1e-5, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12}
    np.testing.assert_allclose(blas_direct.matmul(a, b, bias), a @ b + bias, **tolerance)
    other = bias.astype(np.float16 if dtype == np.float32 else np.float32)[None, :]
    got = blas_direct.matmul(a, b, other)
    assert got.dtype == dtype and got.shape == (128, 160)
    np.testing.assert_allclose(got, a @ b + other.astype(dtype), **tolerance)


def test_without_numba_loaded_python_makes_the_same_gemm_call(monkeypatch, use_mkl):
    """Before numba is imported (or with compiled loops off) Python runs gemm_into's own steps
    and calls the same gemm (MKL's) through ctypes: the very same numbers as the compiled
    call."""
    if not jit.available():
        pytest.skip("numba is not installed")
    rng = np.random.default_rng(5)
    a, b = _operands("ct", 128, 512, 64, np.float32, rng)
    bias = rng.standard_normal(64).astype(np.float32)
    compiled = blas_direct.matmul(a, b, bias)
    monkeypatch.setattr(jit, "_enabled", False)
    assert not jit.loaded()
    calls = []
    in_python = blas_direct.gemm_into.in_python

    def spy(*args):
        calls.append(len(args))
        return in_python(*args)

    monkeypatch.setattr(type(blas_direct.gemm_into), "in_python", property(lambda loop: spy))
    np.testing.assert_array_equal(blas_direct.matmul(a, b, bias), compiled)
    assert calls == [7]


def test_operand_layout_names_what_gemm_can_read():
    """The compiled layout test's Python twin on the layouts gemm reads and one it cannot."""

    def layout(x):
        return blas_direct.operand_layout.python(x, False)

    x = np.zeros((6, 10), np.float32)
    assert layout(x) == (blas_direct.NO_TRANS, 10)
    assert layout(x.T) == (blas_direct.TRANS, 10)
    assert blas_direct.operand_layout.python(x, True) == (blas_direct.TRANS, 10)  # x.T, given x
    assert layout(x[:, :4]) == (blas_direct.NO_TRANS, 10)  # a slice keeps its row step
    broadcast = np.broadcast_to(np.zeros(10, np.float32), (6, 10))
    assert layout(broadcast) == (blas_direct.UNREADABLE, 0)
    assert layout(x[:, ::2]) == (blas_direct.UNREADABLE, 0)  # every other column


def test_one_compiled_form_serves_every_layout_of_a_layer(monkeypatch):
    """A Linear layer's three products (x W^T, g W, g^T x) reach gemm_into with arguments of
    one set of numba types: numba compiles, and loads, one machine-code body for them, not one
    per layout."""
    if blas_direct.threaded_fast_gemm(np.float32) is None or not jit.available():
        pytest.skip("MKL or numba is not installed")
    import numba

    seen = set()
    gemm_into = blas_direct.gemm_into

    def spy(*args):
        seen.add(tuple(numba.typeof(arg) for arg in args))
        return gemm_into(*args)

    spy.in_python = gemm_into.in_python
    monkeypatch.setattr(blas_direct, "gemm_into", spy)
    rng = np.random.default_rng(8)
    x, w, g = (
        rng.standard_normal(s).astype(np.float32) for s in [(128, 784), (512, 784), (128, 512)]
    )
    for a, b in ((x, w.T), (g, w), (g.T, x)):
        np.testing.assert_allclose(blas_direct.matmul(a, b), a @ b, rtol=1e-4, atol=1e-3)
    assert len(seen) == 1, seen
    ((_, a_type, _, b_type, _, _, out_type),) = seen
    assert a_type.layout == b_type.layout == out_type.layout == "C"


def test_mkl_on_one_thread_leaves_python_products_to_openblas(monkeypatch, use_mkl):
    """MKL's sequential layer serves the compiled loops, not ``matmul`` (OpenBLAS is faster
    on every core than MKL on one)."""
    monkeypatch.setattr(mkl_library, "threading_layer", lambda: "sequential")
    assert blas_direct.threaded_fast_gemm(np.float32) is not blas_direct.fast_gemm(np.float32)
    assert blas_direct.gemm_function(np.float32) is blas_direct.fast_gemm(np.float32)
    assert not blas_direct._worth_a_python_call(np.float32)


def test_openblas_before_numba_is_numpys_own_call(monkeypatch, fresh_lookups):
    """Without MKL, and before numba is imported, a large product is np.matmul itself (the
    same OpenBLAS, for 1 us a call instead of ctypes' 9): NumPy's very bits."""
    monkeypatch.setattr(mkl_library, "library", lambda: None)
    if blas_direct.threaded_fast_gemm(np.float32) is None:  # found and checked before the spy
        pytest.skip("NumPy's BLAS has no 64-bit CBLAS gemm to call")
    monkeypatch.setattr(jit, "_enabled", False)
    assert not jit.loaded()

    def refuse(*args):
        raise AssertionError("gemm_into called through ctypes")

    monkeypatch.setattr(type(blas_direct.gemm_into), "in_python", property(lambda loop: refuse))
    rng = np.random.default_rng(6)
    a, b = _operands("ct", 128, 512, 64, np.float32, rng)
    bias = rng.standard_normal(64).astype(np.float32)
    np.testing.assert_array_equal(blas_direct.matmul(a, b, bias), np.matmul(a, b) + bias)
