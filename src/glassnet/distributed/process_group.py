"""The process group: which process am I, how many are we, and the collective operations.

glassnet does not implement message passing itself: it uses MPI through mpi4py (the optional
extra ``glassnet[mpi]``), the standard of scientific computing. Start N processes with
``mpiexec -n N python train.py``; each runs the same script, and these functions let them
agree: ``all_reduce`` sums (or averages) a tensor across all processes, ``broadcast`` copies
one process's tensor to all, ``barrier`` waits until everyone is there.

Every collective here is started non-blocking and waited for with a deadline, so a process
that died or hangs makes the others stop with one clear line instead of waiting forever.
"""

from __future__ import annotations

import os
import sys
import time
from enum import Enum
from typing import Any

import numpy as np

__all__ = [
    "DistributedError",
    "ReduceOp",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "launched_by_mpiexec",
]

# Variables the common MPI launchers set in every process they start.
_LAUNCHER_VARIABLES = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE",
                       "MPI_LOCALRANKID", "HYDI_CONTROL_FD", "SLURM_PROCID")  # fmt: skip
DEFAULT_TIMEOUT = float(os.environ.get("GLASSNET_DIST_TIMEOUT", "120"))


class DistributedError(RuntimeError):
    """A problem with the process group (not started, a peer gone, a timeout)."""


class ReduceOp(Enum):
    """How all_reduce combines the processes' tensors."""

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"


class _Group:
    comm: Any = None
    timeout: float = DEFAULT_TIMEOUT


_group = _Group()


def launched_by_mpiexec() -> bool:
    """True when this process was started by mpiexec/mpirun/srun (one of several)."""
    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS"):
        value = os.environ.get(name)
        if value and value.isdigit() and int(value) > 1:
            return True
    return any(name in os.environ for name in ("PMI_RANK", "PMIX_RANK", "HYDI_CONTROL_FD"))


def is_available() -> bool:
    """True when mpi4py (and an MPI library) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError:
        raise DistributedError(
            "distributed training needs MPI: pip install 'glassnet[mpi]' (mpi4py and MPICH)"
        ) from None
    return MPI


def init_process_group(backend: str = "mpi", timeout: float | None = None, **_: Any) -> None:
    """Join the processes started by ``mpiexec`` (PyTorch's name; ``backend`` must be "mpi").

    Args:
        backend: "mpi" (the only one glassnet has; PyTorch's "gloo" is accepted as a synonym
            so that scripts written for it run).
        timeout: seconds a collective may wait for the slowest process before giving up
            (default 120, or the GLASSNET_DIST_TIMEOUT environment variable).
    """
    if backend not in ("mpi", "gloo"):
        raise ValueError(f"glassnet's only distributed backend is 'mpi', got {backend!r}")
    if _group.comm is not None:
        return
    MPI = _mpi()
    _group.comm = MPI.COMM_WORLD
    if timeout is not None:
        _group.timeout = float(
            timeout.total_seconds() if hasattr(timeout, "total_seconds") else timeout
        )
    if _group.comm.Get_size() > 1:
        _install_failure_handler()


def destroy_process_group() -> None:
    """Leave the process group (MPI itself shuts down when the program ends)."""
    _group.comm = None


def is_initialized() -> bool:
    return _group.comm is not None


def _comm() -> Any:
    if _group.comm is None:
        raise DistributedError(
            "the process group is not initialized: call glassnet.distributed.init_process_group() "
            "in a program started with `mpiexec -n N`"
        )
    return _group.comm


def get_rank() -> int:
    """This process's number, 0 to world_size - 1 (0 when not distributed)."""
    return _group.comm.Get_rank() if _group.comm is not None else 0


def get_world_size() -> int:
    """How many processes take part (1 when not distributed)."""
    return _group.comm.Get_size() if _group.comm is not None else 1


def _wait(request: Any, what: str) -> None:
    """Wait for a non-blocking MPI request, giving up with one clear line after the timeout."""
    deadline = time.monotonic() + _group.timeout
    pause = 0.0
    while not request.Test():
        if time.monotonic() > deadline:
            _fail(
                f"rank {get_rank()}: {what} waited {_group.timeout:.0f} s for the other processes; "
                "one of them has stopped or hangs (set GLASSNET_DIST_TIMEOUT to wait longer)"
            )
        time.sleep(pause)
        pause = min(pause + 1e-5, 1e-3)  # spin first (fast collectives), then sleep a little


#: How long a failing process waits between printing its line and ending every process: the
#: line goes to mpiexec through a pipe, and an abort at once lost it in one run of the tests.
ABORT_PAUSE_SECONDS = 0.2


def _fail(message: str) -> None:
    print(f"glassnet.distributed: {message}", file=sys.stderr, flush=True)
    time.sleep(ABORT_PAUSE_SECONDS)
    _group.comm.Abort(1)


def _install_failure_handler() -> None:
    """An uncaught error in any process ends all of them at once, with one line saying why."""
    previous = sys.excepthook

    def handler(kind: type, error: BaseException, trace: Any) -> None:
        if _group.comm is None or kind is SystemExit:
            return previous(kind, error, trace)
        if os.environ.get("GLASSNET_DIST_TRACEBACK"):  # the full story, when debugging
            previous(kind, error, trace)
        _fail(f"rank {get_rank()} failed: {kind.__name__}: {error}; stopping all processes")

    sys.excepthook = handler


def start_all_reduce(array: np.ndarray, op: ReduceOp = ReduceOp.SUM) -> Any:
    """Start summing ``array`` in place across processes; returns a request to ``finish``."""
    MPI = _mpi()
    mpi_op = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.MAX: MPI.MAX,
              ReduceOp.MIN: MPI.MIN}[op]  # fmt: skip
    return _comm().Iallreduce(MPI.IN_PLACE, array, op=mpi_op)


def all_reduce(tensor: Any, op: ReduceOp = ReduceOp.SUM, async_op: bool = False) -> Any:
    """Combine ``tensor`` across all processes, in place (every process gets the result).

    ``op=ReduceOp.AVG`` divides the sum by the world size: the average of the processes'
    gradients is what data-parallel training needs. Without a process group it does nothing.
    """
    array = _writable_array(tensor)
    if _group.comm is None or get_world_size() == 1:
        return None
    request = start_all_reduce(array, op)
    _wait(request, "all_reduce")
    if op is ReduceOp.AVG:
        array /= get_world_size()
    return None


def broadcast(tensor: Any, src: int = 0, async_op: bool = False) -> Any:
    """Copy process ``src``'s ``tensor`` into everyone's, in place."""
    array = _writable_array(tensor)
    if _group.comm is None or get_world_size() == 1:
        return None
    if not 0 <= src < get_world_size():
        raise ValueError(
            f"broadcast: src must be a rank from 0 to {get_world_size() - 1}, got {src}"
        )
    _wait(_comm().Ibcast(array, root=src), "broadcast")
    return None


def barrier() -> None:
    """Wait until every process has reached this line."""
    if _group.comm is None or get_world_size() == 1:
        return
    _wait(_comm().Ibarrier(), "barrier")


def all_reduce_numbers(values: list[float], op: ReduceOp = ReduceOp.SUM) -> list[float]:
    """Sum (or max/min/average) a few Python numbers across processes (for metrics)."""
    array = np.asarray(values, dtype=np.float64).copy()
    if _group.comm is not None and get_world_size() > 1:
        _wait(start_all_reduce(array, op), "all_reduce of metrics")
        if op is ReduceOp.AVG:
            array /= get_world_size()
    return array.tolist()


def _writable_array(tensor: Any) -> np.ndarray:
    array = tensor.array if hasattr(tensor, "array") else tensor
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected a glassnet Tensor or a NumPy array, got {type(tensor).__name__}")
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ValueError("collectives work in place on a contiguous, writable tensor")
    return array
