"""Data-parallel training on MPI: shards, equality with one process, clear failures."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet.data import DistributedSampler

SCRIPTS = Path(__file__).parent / "mpi_scripts"
SRC = Path(__file__).resolve().parent.parent / "src"


def _mpiexec():
    pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'glassnet[mpi]')")
    program = shutil.which("mpiexec")
    if program is None:
        pytest.skip("no mpiexec on PATH (pip install 'glassnet[mpi]' brings MPICH's)")
    return program


def _run(script, *args, n=2, timeout=120):
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               GLASSNET_DIST_TIMEOUT="30", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")  # fmt: skip
    return subprocess.run(
        [_mpiexec(), "-n", str(n), sys.executable, str(SCRIPTS / script), *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (12, 4, False),
                                                    (5, 2, False), (3, 4, False)])  # fmt: skip
def test_sampler_shards_are_disjoint_and_cover(n, replicas, drop_last):
    shards = [list(DistributedSampler(range(n), replicas, r, shuffle=True, seed=3,
                                      drop_last=drop_last)) for r in range(replicas)]  # fmt: skip
    sizes = {len(s) for s in shards}
    assert len(sizes) == 1  # every process takes the same number of steps
    flat = [i for s in shards for i in s]
    if drop_last:
        assert len(set(flat)) == len(flat) == (n // replicas) * replicas
    else:
        assert set(flat) == set(range(n))  # covering (padding repeats a few)
        assert len(flat) - len(set(flat)) == len(flat) - n


def test_sampler_set_epoch_reshuffles_the_same_way_everywhere():
    a = DistributedSampler(range(20), 2, 0, seed=5)
    b = DistributedSampler(range(20), 2, 1, seed=5)
    first = list(a)
    a.set_epoch(1)
    b.set_epoch(1)
    assert list(a) != first and not set(a) & set(b)


def test_sampler_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    for drop_last in (False, True):
        for rank in range(3):
            ours = DistributedSampler(range(11), 3, rank, shuffle=False, drop_last=drop_last)
            theirs = TorchSampler(range(11), 3, rank, shuffle=False, drop_last=drop_last)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert torch is not None


def test_sampler_checks_its_arguments():
    with pytest.raises(
        ValueError, match=r"invalid rank 2, rank should be in the interval \[0, 1\]"
    ):
        DistributedSampler(range(4), num_replicas=2, rank=2)


def test_two_processes_train_like_one():
    done = _run("ddp_matches_one_process.py")
    assert done.returncode == 0, done.stderr
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("max difference")][0]
    assert float(line.split()[2]) < 1e-12, line
    assert "over 2 processes" in line


def test_a_failing_process_stops_all_with_one_clear_line():
    done = _run("ddp_matches_one_process.py", "--fail", timeout=90)
    assert done.returncode != 0
    assert (
        "glassnet.distributed: rank 1 failed: RuntimeError: boom; stopping all processes"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_without_mpi_the_process_group_is_a_single_process():
    from glassnet import distributed as dist

    assert dist.get_world_size() == 1 and dist.get_rank() == 0
    x = np.ones(3)
    dist.all_reduce(x)  # nothing to combine with: unchanged
    assert x.tolist() == [1, 1, 1]


def test_fit_on_two_processes_matches_one(tmp_path):
    done = _run("fit_matches_one_process.py", str(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("Data-parallel training on 2 processes (MPI)") == 1  # rank 0 alone prints
    assert out.count("Epoch 3/3") == 1
    line = [ln for ln in out.splitlines() if ln.startswith("max difference")][0]
    assert float(line.split()[2].rstrip(";")) < 1e-12 and line.endswith("processes 2"), line
    losses = [ln for ln in out.splitlines() if ln.startswith("loss two")][0].split()
    assert abs(float(losses[2]) - float(losses[4])) < 1e-12  # the metrics are averaged right
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npz"]  # saved once, whole


def test_fit_distributed_without_mpiexec_says_how_to_start(monkeypatch):
    import glassnet as gn
    from glassnet import nn

    for name in ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "HYDI_CONTROL_FD", "OMPI_COMM_WORLD_SIZE",
                 "SLURM_NTASKS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match=r"start the script with `mpiexec -n 2 python script.py`"):
        gn.fit(nn.Linear(2, 2), (np.zeros((4, 2)), np.zeros(4, dtype=np.int64)), distributed=True,
               verbose=0)  # fmt: skip


def test_glassnet_train_on_two_processes_saves_one_run(tmp_path):
    _mpiexec()
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               GLASSNET_DIST_TIMEOUT="60")  # fmt: skip
    folder = tmp_path / "run"
    done = subprocess.run(
        [shutil.which("mpiexec"), "-n", "2", sys.executable, "-m", "glassnet", "train",
         "--distributed", "--epochs", "2", "--hidden", "32", "--out", str(folder)],
        capture_output=True, text=True, timeout=240, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Saved the run to") == 1
    assert done.stdout.count("Trained 2 epochs on 2 processes") == 1
    import json

    assert json.loads((folder / "config.json").read_text())["training"]["processes"] == 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "run"]
    assert leftovers == [] or all(name.endswith(".lock") for name in leftovers)
