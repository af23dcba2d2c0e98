"""Shared pytest fixtures: a fixed seed for every test, and MKL used on any processor."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import mkl_library, threads
from glassnet.ops import blas_direct


@pytest.fixture(autouse=True)
def _seed_everything():
    """Every test starts from the same global random state."""
    gn.manual_seed(0)
    np.random.seed(0)
    yield


def _forget_blas_lookups() -> None:
    for cached in (mkl_library.library, blas_direct.fast_gemm, blas_direct.threaded_fast_gemm):
        cached.cache_clear()
    for cached in (blas_direct.gemm_function, blas_direct.gemm_address, blas_direct.numpy_gemm):
        cached.cache_clear()
    blas_direct.threaded_gemm_address.cache_clear()
    blas_direct._worth_a_python_call.cache_clear()
    threads._numpy_blas.cache_clear()  # its handle holds MKL or not


@pytest.fixture
def use_mkl(monkeypatch):
    """MKL as glassnet's BLAS for one test, whatever the processor (``GLASSNET_BLAS=mkl``), so
    that its paths are tested on machines where ``auto`` leaves it out; skipped where it is not
    installed. The lookups are forgotten before and after."""
    if mkl_library.installed() is None:
        pytest.skip("MKL is not installed")
    monkeypatch.setenv(mkl_library.ENV_VARIABLE, "mkl")
    _forget_blas_lookups()
    yield
    monkeypatch.delenv(mkl_library.ENV_VARIABLE)
    _forget_blas_lookups()
