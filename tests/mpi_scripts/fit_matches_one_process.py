"""Run with mpiexec -n 2: fit on two processes reaches the weights fit reaches on one."""

import os
import sys

import numpy as np

import glassnet as gn
from glassnet import distributed as dist
from glassnet import nn

folder = sys.argv[1]
rng = np.random.default_rng(0)
X = rng.normal(size=(96, 5))
y = rng.integers(0, 3, size=96)


def model_for(rank):
    gn.manual_seed(rank)  # the ranks start different: fit must broadcast rank 0's weights
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)).double()


settings = dict(epochs=3, batch_size=16, optimizer="sgd", lr=0.1, seed=7, verbose=2)
model = model_for(int(os.environ.get("PMI_RANK", "0")))
history = gn.fit(model, (X, y), checkpoint=os.path.join(folder, "ckpt.npz"), **settings)
rank = dist.get_rank()
if rank == 0:
    alone = model_for(0)
    reference = gn.fit(alone, (X, y), distributed=False, **{**settings, "verbose": 0})
    worst = max(float(np.abs(a.numpy() - b.numpy()).max())
                for a, b in zip(model.parameters(), alone.parameters()))  # fmt: skip
    print(f"max difference {worst:.3e}; processes {history.processes}")
    print(f"loss two {history.history['loss'][-1]:.12f} one {reference.history['loss'][-1]:.12f}")
