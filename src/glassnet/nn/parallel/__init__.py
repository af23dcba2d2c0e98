"""glassnet.nn.parallel: DistributedDataParallel, under PyTorch's path (re-exports only).

It lives in glassnet.distributed (the core never imports MPI); it is loaded on first use.
"""


def __getattr__(name: str):
    if name in ("DistributedDataParallel", "DDP"):
        from ...distributed.data_parallel import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module 'glassnet.nn.parallel' has no attribute {name!r}")
