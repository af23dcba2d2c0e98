"""MKL from PyPI (mkl_library): found where installed, on TBB's threads, off when asked, and
its thread count set with NumPy's BLAS."""

import os
import subprocess
import sys

import pytest

from glassnet import mkl_library, threads

needs_mkl = pytest.mark.skipif(mkl_library.installed() is None, reason="MKL is not installed")


def _ask(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (MKL is loaded once per process) with ``env``;
    MKL on any processor (``GLASSNET_BLAS=mkl``) unless ``env`` says otherwise."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, mkl_library.ENV_VARIABLE: "mkl", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_glassnet_blas_numpy_keeps_mkl_unloaded():
    done = _ask(
        "import glassnet.mkl_library as m, glassnet.ops.blas_direct as b, numpy as np;"
        "print(m.library_path(), b.fast_gemm(np.float32))",
        GLASSNET_BLAS="numpy",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None"]


def test_a_wrong_glassnet_blas_says_what_it_takes():
    done = _ask("import glassnet.mkl_library as m; m.library()", GLASSNET_BLAS="fastest")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last == "ValueError: GLASSNET_BLAS must be one of auto, mkl, numpy, got 'fastest'"


@pytest.mark.parametrize(
    "choice, vendor, wanted",
    [
        ("auto", "GenuineIntel", True),
        ("auto", "AuthenticAMD", False),
        ("auto", None, False),
        ("mkl", "AuthenticAMD", True),
        ("mkl", None, True),
        ("numpy", "GenuineIntel", False),
    ],
)
def test_mkl_is_chosen_by_default_on_intel_processors_only(choice, vendor, wanted):
    """MKL runs its fast kernels on Intel's processors only (1.4-2.7x slower than OpenBLAS on
    an AMD EPYC): ``auto`` takes it there, ``mkl`` everywhere, ``numpy`` nowhere."""
    assert mkl_library._wanted(choice, vendor) is wanted


def test_the_processor_maker_is_read_where_the_system_tells_it():
    vendor = mkl_library.cpu_vendor()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as info:
            named = [line.split(":", 1)[1].strip() for line in info if line.startswith("vendor_id")]
        if named:
            assert vendor == named[0]
    assert vendor is None or (isinstance(vendor, str) and vendor)


@needs_mkl
def test_auto_loads_mkl_exactly_on_intel():
    done = _ask("import glassnet.mkl_library as m; print(m.cpu_vendor(), m.library_path())",
                GLASSNET_BLAS="auto")  # fmt: skip
    assert done.returncode == 0, done.stderr
    vendor, path = done.stdout.rsplit(maxsplit=1)
    assert (path != "None") is (vendor == mkl_library.INTEL)


@needs_mkl
def test_mkl_runs_on_tbb_unless_told_otherwise(use_mkl):
    assert mkl_library.threading_layer() == "tbb"
    done = _ask(
        "import glassnet.mkl_library as m; print(m.threading_layer())",
        MKL_THREADING_LAYER="SEQUENTIAL",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sequential"


@needs_mkl
def test_blas_threads_sets_mkl_with_numpys_blas(use_mkl):
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info

    mkl = mkl_library.library_path()

    def counts():
        """MKL's thread count and NumPy's BLAS's (other BLAS libraries, as SciPy's, aside)."""
        found = {}
        for info in threadpool_info():
            if info["filepath"] == mkl:
                found["mkl"] = info["num_threads"]
            elif "numpy" in info["filepath"] and info["user_api"] == "blas":
                found["numpy"] = info["num_threads"]
        return found

    before = counts()  # MKL, loaded for this test, may not share NumPy's count of earlier tests
    with threads.blas_threads(1):
        inside = counts()
    assert inside == {"mkl": 1, "numpy": 1}
    assert counts() == before  # both restored


@needs_mkl
def test_mkl_products_survive_fork():
    """DataLoader workers and the plot worker are forked: MKL must work in the child."""
    done = _ask(
        "import os, numpy as np, glassnet.ops.blas_direct as b\n"
        "a = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)\n"
        "ok = lambda: bool(np.allclose(b.matmul(a, a), a @ a, rtol=1e-3, atol=1e-3))\n"
        "assert ok()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if ok() else 3)\n"
        "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), ok())\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"]
