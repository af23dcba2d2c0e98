"""glassnet.distributed: data-parallel training on MPI, under PyTorch's names (re-exports only).

Needs the optional extra ``glassnet[mpi]``; without it importing this package still works and
``is_available()`` says False. See docs/distributed.md.
"""

from .process_group import (
    DistributedError,
    ReduceOp,
    all_reduce,
    barrier,
    broadcast,
    destroy_process_group,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    launched_by_mpiexec,
)
