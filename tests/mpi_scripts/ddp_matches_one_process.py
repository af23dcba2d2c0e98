"""Run with mpiexec -n 2: data-parallel training equals one process on the whole batch."""

import sys

import numpy as np

import glassnet as gn
from glassnet import distributed as dist
from glassnet import nn
from glassnet.nn.parallel import DistributedDataParallel

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(0)
X = rng.normal(size=(96, 5))
y = rng.integers(0, 3, size=96)
GLOBAL_BATCH = 16
STEPS = 12


def make_model():
    gn.manual_seed(rank)  # different on purpose: DDP must broadcast rank 0's weights
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)).double()


def batches():
    order = np.random.default_rng(1).permutation(len(X))
    for step in range(STEPS):
        yield order[(step * GLOBAL_BATCH) % len(X) :][:GLOBAL_BATCH]


model = DistributedDataParallel(make_model(), bucket_cap_mb=0.0005)  # several buckets
optimizer = gn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for indices in batches():
    mine = indices[rank::world]  # this process's shard of the global batch
    optimizer.zero_grad()
    loss = gn.nn.functional.cross_entropy(model(gn.tensor(X[mine])), gn.tensor(y[mine]))
    loss.backward()
    optimizer.step()
if "--fail" in sys.argv and rank == 1:
    raise RuntimeError("boom")
distributed = {k: v.numpy().copy() for k, v in model.module.state_dict().items()}
if rank == 0:
    gn.manual_seed(0)
    alone = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)).double()
    opt = gn.optim.SGD(alone.parameters(), lr=0.1, momentum=0.9)
    for indices in batches():
        opt.zero_grad()
        gn.nn.functional.cross_entropy(
            alone(gn.tensor(X[indices])), gn.tensor(y[indices])
        ).backward()
        opt.step()
    worst = max(
        float(np.abs(distributed[k] - v.numpy()).max()) for k, v in alone.state_dict().items()
    )
    print(f"max difference {worst:.3e} over {world} processes")
dist.barrier()
