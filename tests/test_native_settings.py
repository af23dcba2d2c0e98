"""glassnet's settings of the native libraries: OpenBLAS's thread timeout, malloc's kept memory."""

import os
import subprocess
import sys

import pytest

PROGRAM = """
import os, sys
import glassnet
from glassnet import native_settings
print(os.environ.get("OPENBLAS_THREAD_TIMEOUT"), "numpy" in sys.modules)
"""


def _run(program, **env_changes):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    env.update(env_changes)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_glassnet_sets_the_short_timeout():
    assert _run(PROGRAM) == ["4", "True"]


def test_the_users_own_value_is_kept():
    assert _run(PROGRAM, OPENBLAS_THREAD_TIMEOUT="12") == ["12", "True"]


@pytest.mark.parametrize("numpy_first, expected", [(False, "True"), (True, "False")],
                         ids=["glassnet-first", "numpy-first"])  # fmt: skip
def test_it_says_whether_the_setting_can_still_take_effect(numpy_first, expected):
    program = ("import numpy\n" if numpy_first else "") + (
        "import sys\nsys.path.insert(0, {src!r})\n"
        "import importlib.util\n"
        "spec = importlib.util.spec_from_file_location('native_settings', {path!r})\n"
        "module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)\n"
        "print(module.prefer_sleeping_blas_threads())\n"
    )
    import glassnet.native_settings as native_settings

    path = native_settings.__file__
    src = os.path.dirname(os.path.dirname(path))
    assert _run(program.format(src=src, path=path)) == [expected]


def test_malloc_keeps_freed_memory_on_linux_unless_the_user_chose():
    from glassnet import native_settings

    if not sys.platform.startswith("linux"):
        assert native_settings.keep_freed_memory() is False
        return
    assert native_settings.keep_freed_memory() is True  # glibc accepts the setting


def test_malloc_settings_of_the_user_win(monkeypatch):
    from glassnet import native_settings

    monkeypatch.setenv("MALLOC_TOP_PAD_", "0")
    assert native_settings.keep_freed_memory() is False


FAULTS = """
import resource
import glassnet, numpy as np
keep = []
def cycle():
    a = np.ones(2_000_000, np.float32)   # 8 MB, touched
    b = a * 2                            # and another
    keep.append(float(b[-1]))
cycle()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    cycle()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_megabytes_are_reused_instead_of_mapped_again():
    """With memory kept, 20 rounds of two 8 MB arrays fault in almost no new pages; with the
    user's MALLOC_TOP_PAD_=0 (glassnet's setting off) every round maps them again."""
    kept = int(_run(FAULTS)[0])
    returned = int(_run(FAULTS, MALLOC_TOP_PAD_="0", MALLOC_TRIM_THRESHOLD_="0")[0])
    pages_per_round = 2 * 8_000_000 // 4096  # as 4 KiB pages (huge pages fault fewer times)
    assert kept < pages_per_round // 10, (kept, returned)
    assert returned > 2 * pages_per_round, (kept, returned)
