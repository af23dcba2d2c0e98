"""glassnet.nn.parallel: DataParallel and DistributedDataParallel, under PyTorch's paths (re-exports only).

DistributedDataParallel lives in glassnet.distributed (the core never imports MPI); it is
loaded on first use.
"""

from .data_parallel import DataParallel

__all__ = ["DataParallel"]


def __getattr__(name: str):
    if name in ("DistributedDataParallel", "DDP"):
        from ...distributed.data_parallel import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module 'glassnet.nn.parallel' has no attribute {name!r}")
