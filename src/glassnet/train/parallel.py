"""fit on several processes: what changes when fit runs under ``mpiexec`` (data parallelism).

Started as ``mpiexec -n N python script.py``, every process runs the same ``fit``. Then:

* all processes draw the same random numbers (rank 0's seed is broadcast), so they build the
  same batches in the same order;
* the model is wrapped in DistributedDataParallel: rank 0's weights are broadcast and the
  gradients are averaged in every backward;
* each process trains on its shard of every batch, rows ``rank, rank + N, ...``; with a batch
  size divisible by N the averaged gradient is exactly the whole batch's, so N processes
  reach the same weights as one, up to rounding;
* the epoch's training loss and metrics are averaged over the processes; validation runs on
  every process over the whole validation set (the numbers are the same everywhere);
* only rank 0 prints, saves checkpoints and runs the callbacks that write files.

Nothing here is imported unless fit runs distributed (the MPI extra stays optional).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["ParallelRun", "ShardedBatches", "start_parallel_run"]

# Callbacks that write files or print: only rank 0 keeps them.
_RANK_ZERO_ONLY = ("ModelCheckpoint", "TrainingCheckpoint", "CSVLogger", "ProgressBar", "LiveView")


@dataclass
class ParallelRun:
    rank: int
    world: int
    ddp: Any  # the DistributedDataParallel wrapper fit trains through

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self, loader: Any) -> ShardedBatches:
        return ShardedBatches(loader, self.rank, self.world)

    def average_logs(self, logs: dict[str, float]) -> dict[str, float]:
        """Each process's epoch means -> the means over all processes' samples."""
        from ..distributed.process_group import ReduceOp, all_reduce_numbers

        keys = sorted(logs)
        values = all_reduce_numbers([float(logs[k]) for k in keys], ReduceOp.AVG)
        return dict(zip(keys, values))

    def keep_callback(self, callback: Any) -> bool:
        return self.is_main or type(callback).__name__ not in _RANK_ZERO_ONLY


def _slice(value: Any, rank: int, world: int) -> Any:
    if isinstance(value, (Tensor, np.ndarray)):
        return value[rank::world]
    if isinstance(value, (tuple, list)):
        return type(value)(_slice(v, rank, world) for v in value)
    return value


class ShardedBatches:
    """The batches of a loader, each cut to this process's rows (``rank::world``)."""

    def __init__(self, loader: Any, rank: int, world: int) -> None:
        self.loader = loader
        self.rank = rank
        self.world = world

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[Any]:
        for batch in self.loader:
            yield _slice(batch, self.rank, self.world)


def start_parallel_run(
    model: Any, seed: int | None, distributed: bool | None
) -> tuple[ParallelRun | None, int | None]:
    """``(the run, the seed every process uses)``, or ``(None, seed)`` when not distributed.

    ``distributed=None`` means: distributed exactly when started by mpiexec with more than
    one process and MPI is installed.
    """
    from ..distributed import process_group as pg

    if distributed is None:
        distributed = pg.launched_by_mpiexec() and pg.is_available()
    if not distributed:
        return None, seed
    if not pg.launched_by_mpiexec():
        raise ValueError(
            "fit(distributed=True) needs several processes; start the script with "
            "`mpiexec -n 2 python script.py` (pip install 'glassnet[mpi]' brings mpiexec)"
        )
    pg.init_process_group("mpi")
    if pg.get_world_size() == 1:
        return None, seed
    first = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
    chosen = np.array([first], dtype=np.int64)
    pg.broadcast(chosen, src=0)  # everyone shuffles (and drops out) alike
    from ..distributed.data_parallel import DistributedDataParallel

    ddp = model if isinstance(model, DistributedDataParallel) else DistributedDataParallel(model)
    return ParallelRun(pg.get_rank(), pg.get_world_size(), ddp), int(chosen[0])
