"""NumPy's own BLAS gemm, called through ctypes (ops/blas_direct.py), computes np.matmul."""

import numpy as np
import pytest

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


def test_no_library_found_means_none(monkeypatch):
    """Without a shared library to call, the callers keep their NumPy loops."""
    monkeypatch.setattr(blas_direct, "_numpy_blas_paths", lambda: ["/nonexistent/libblas.so"])
    blas_direct.gemm_function.cache_clear()
    try:
        assert blas_direct.gemm_function(np.float32) is None
    finally:
        blas_direct.gemm_function.cache_clear()


def test_a_function_that_disagrees_is_not_used(monkeypatch):
    """Each function found is checked on a small product before it is handed out."""
    monkeypatch.setattr(blas_direct, "_agrees_with_numpy", lambda gemm, dtype: False)
    blas_direct.gemm_function.cache_clear()
    try:
        assert blas_direct.gemm_function(np.float64) is None
    finally:
        blas_direct.gemm_function.cache_clear()
