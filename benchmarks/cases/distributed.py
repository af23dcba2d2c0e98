"""Case 10: data-parallel MLP epoch on 1 and 2 processes (MPI), and the time spent communicating.

Both runs train the suite's MLP (784-512-512-10, global batch 128, SGD) with
DistributedDataParallel on the same synthetic data; the 1-process run gets both cores for its
BLAS, each of the 2 processes gets one. Scaling efficiency = t(1) / (2 t(2)): 100 % would be
perfect. On one 2-core machine the processes share memory bandwidth and caches, so expect far
less than on two machines; the point of the row is honesty, not a target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from .. import REPO_ROOT
from ..common import CaseResult, Context

SCRIPT = REPO_ROOT / "benchmarks" / "mpi_mlp_epoch.py"


def _epochs(processes: int, samples: int, repeat: int, threads: int) -> list[list[float]]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               PYTHONPATH=str(REPO_ROOT / "src"))  # fmt: skip
    done = subprocess.run(
        [shutil.which("mpiexec") or "mpiexec", "-n", str(processes), sys.executable, str(SCRIPT),
         str(samples), str(repeat)],
        capture_output=True, text=True, timeout=1800, env=env, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])["epochs"]


def run(ctx: Context) -> CaseResult:
    result = CaseResult("mlp_distributed", "10", "MLP epoch, 2 MPI processes", "s", {})
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        result.extra["skipped"] = "mpi4py is not installed (pip install 'glassnet[mpi]')"
        return result
    if shutil.which("mpiexec") is None:
        result.extra["skipped"] = "no mpiexec on PATH"
        return result
    samples = 2_048 if ctx.tiny else 60_000
    cores = os.cpu_count() or 2
    one = _epochs(1, samples, ctx.repeat, cores)
    two = _epochs(2, samples, ctx.repeat, max(1, cores // 2))
    t1 = sorted(e[0] for e in one)[len(one) // 2]
    t2 = sorted(e[0] for e in two)[len(two) // 2]
    comm = sorted(e[1] for e in two)[len(two) // 2]
    result.samples = {"glassnet": [e[0] for e in two]}
    result.rows.append(("1 process (both cores)", {"glassnet": t1}, "s", None))
    result.rows.append(("communication, 2 processes", {"glassnet": comm}, "s", None))
    result.rows.append(
        ("scaling efficiency t1 / (2 t2)", {"glassnet": 100 * t1 / (2 * t2)}, "%", None)
    )
    result.extra.update(one_process=t1, two_processes=t2, communication=comm, samples=samples)
    return result
