"""C functions called at their address: the same call from compiled loops and from Python."""

import ctypes
import sys

import numpy as np
import pytest

from glassnet import jit
from glassnet.c_function import c_function, function_address
from glassnet.ops import blas_direct

if not sys.platform.startswith("linux"):
    pytest.skip("the tests call libc's memset, found as on Linux", allow_module_level=True)

# memset(pointer, byte, count) returns its pointer, which a C function of no result ignores
memset = c_function(("pointer", "int32", "int64"))
MEMSET = function_address(ctypes.CDLL(None).memset)


@jit.loop
def fill_bytes(address, buffer, byte, count):
    memset(address, (buffer.ctypes.data, byte, count))


@pytest.fixture
def compiled():
    pytest.importorskip("numba")
    jit.set_enabled(True)
    yield
    jit.set_enabled(None)


def test_python_calls_the_function_at_the_address():
    buffer = np.zeros(16, np.uint8)
    memset(MEMSET, (buffer.ctypes.data, 7, 5))
    assert buffer.tolist() == [7] * 5 + [0] * 11
    fill_bytes.in_python(MEMSET, buffer, 9, 2)
    assert buffer.tolist() == [9, 9] + [7] * 3 + [0] * 11


def test_a_compiled_loop_makes_the_same_call_and_stays_cached(compiled):
    buffer = np.zeros(16, np.uint8)
    fill_bytes(MEMSET, buffer, 3, 12)
    assert buffer.tolist() == [3] * 12 + [0] * 4
    _, cacheable = jit._calling_compiled(fill_bytes.python)
    assert cacheable  # the function is declared in the loop's own file
    _, gemm_cacheable = jit._calling_compiled(blas_direct.gemm_into.python)
    assert gemm_cacheable


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_at_its_address_from_python_and_compiled_code(dtype, compiled):
    gemm = blas_direct.gemm_function(dtype)
    if gemm is None:
        pytest.skip("no CBLAS gemm found")
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 7)).astype(dtype), rng.standard_normal((7, 3)).astype(dtype)
    bias = rng.standard_normal(3).astype(dtype)
    results = []
    for into in (blas_direct.gemm_into, blas_direct.gemm_into.in_python):
        out = np.full((5, 3), np.nan, dtype)
        assert into(function_address(gemm), a, False, b, False, bias, out)
        results.append(out)
    np.testing.assert_array_equal(results[0], results[1])  # the same C call, the same bits
    np.testing.assert_allclose(
        results[0], a @ b + bias, rtol=1e-5 if dtype == np.float32 else 1e-12
    )


def test_bad_declarations_and_calls_are_one_clear_line():
    with pytest.raises(
        ValueError, match=r"must be among \['int32', 'int64', 'pointer', 'float'\], got \['char'\]"
    ):
        c_function(("int32", "char"))
    with pytest.raises(ValueError, match="expected 3 C arguments, got 2"):
        memset(MEMSET, (0, 0))
