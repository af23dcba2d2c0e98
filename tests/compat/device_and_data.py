"""The boilerplate around real scripts: picking a device, seeding, samplers and loader options.

Checks what a tutorial takes for granted (the device is the CPU, ``.to(device)`` is harmless,
seeds repeat runs) and draws an imbalanced data set through a WeightedRandomSampler. Prints
``final minority=... repeat=...``: the share of the rare class in the balanced batches
(about 0.5) and 1.0 if re-seeding repeated a draw exactly.
"""

import random

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    SequentialSampler,
    TensorDataset,
    WeightedRandomSampler,
)

if torch.cuda.is_available():
    device = torch.device("cuda")
elif torch.backends.mps.is_available():
    device = torch.device("mps")
else:
    device = torch.device("cpu")
print("device:", device, repr(device))

torch.manual_seed(42)
torch.cuda.manual_seed_all(42)
np.random.seed(42)
random.seed(42)
first = torch.randn(3, device=device)
g = torch.manual_seed(42)
assert bool((torch.randn(3).to(device) == first).all())
repeat = 1.0

x = torch.zeros(4, device=device).to(device).cpu()
assert x.device == torch.device("cpu") and str(x.device) == "cpu"
torch.set_printoptions(precision=3)
print("a tensor:", torch.tensor([1.0 / 3.0, 2.0 / 3.0]))


@torch.inference_mode()
def predict(w, inputs):
    return inputs @ w


w = torch.randn(2, 1, requires_grad=True)
assert not predict(w, torch.ones(5, 2)).requires_grad

# An imbalanced data set: 950 samples of class 0 and 50 of class 1.
labels = torch.cat([torch.zeros(950, dtype=torch.long), torch.ones(50, dtype=torch.long)])
features = torch.randn(1000, 3)
dataset = TensorDataset(features, labels)
class_count = torch.tensor([950.0, 50.0])
sample_weights = (1.0 / class_count)[labels]
sampler = WeightedRandomSampler(sample_weights, num_samples=2000, replacement=True)


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


loader = DataLoader(
    dataset,
    batch_size=100,
    sampler=sampler,
    num_workers=2,
    pin_memory=True,
    worker_init_fn=seed_worker,
    persistent_workers=True,
    generator=torch.Generator().manual_seed(0),
)
minority = 0.0
for xb, yb in loader:
    xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
    minority += yb.float().mean().item() / len(loader)

batches = list(BatchSampler(SequentialSampler(range(10)), batch_size=4, drop_last=False))
assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
ints = torch.randint(10, (3,))
assert ints.shape == (3,) and int(ints.max()) < 10
print(f"final minority={minority:.3f} repeat={repeat:.1f}")
