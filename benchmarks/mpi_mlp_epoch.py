"""One MLP epoch with DistributedDataParallel; run under mpiexec by benchmarks/cases/distributed.py.

Every process trains on its shard of each global batch (batch 128 split over the processes)
and rank 0 prints one JSON line: seconds per epoch and seconds spent communicating.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

import glassnet as gn
from glassnet import distributed as dist
from glassnet import nn
from glassnet.nn.parallel import DistributedDataParallel


def main(samples: int, repeat: int) -> None:
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=samples)
    gn.manual_seed(0)
    model = DistributedDataParallel(
        nn.Sequential(
            nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
        )
    )
    optimizer = gn.optim.SGD(model.parameters(), lr=0.01)
    batch = 128
    times = []
    for _ in range(repeat + 1):  # the first epoch warms up
        dist.barrier()
        start = time.perf_counter()
        comm_before = model.communication_seconds
        for first in range(0, samples - batch + 1, batch):
            mine = slice(first + rank * batch // world, first + (rank + 1) * batch // world)
            optimizer.zero_grad()
            loss = gn.nn.functional.cross_entropy(model(gn.tensor(X[mine])), gn.tensor(y[mine]))
            loss.backward()
            optimizer.step()
        dist.barrier()
        times.append((time.perf_counter() - start, model.communication_seconds - comm_before))
    if rank == 0:
        print(json.dumps({"processes": world, "epochs": times[1:]}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
