"""glassnet sets OpenBLAS's thread timeout before NumPy loads it, unless the user chose one."""

import os
import subprocess
import sys

import pytest

PROGRAM = """
import os, sys
import glassnet
from glassnet import blas_env
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
        "spec = importlib.util.spec_from_file_location('blas_env', {path!r})\n"
        "module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)\n"
        "print(module.prefer_sleeping_blas_threads())\n"
    )
    import glassnet.blas_env as blas_env

    path = blas_env.__file__
    src = os.path.dirname(os.path.dirname(path))
    assert _run(program.format(src=src, path=path)) == [expected]
