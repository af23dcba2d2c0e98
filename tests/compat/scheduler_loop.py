"""A hand-written training loop: SGD with momentum, a warm-up then cosine learning-rate schedule,
gradient clipping, a validation split, and a checkpoint of the best model.

The data are two interleaved half-moons (NumPy). Prints ``final loss=... accuracy=...`` of the
restored best model on the validation points.
"""

import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR
from torch.utils.data import DataLoader, TensorDataset, random_split

rng = np.random.default_rng(3)
angle = rng.uniform(0, np.pi, 800)
upper = rng.integers(0, 2, 800)
points = np.stack([np.cos(angle) + upper, np.sin(angle) * (1 - 2 * upper) + 0.5 * upper], 1)
points += rng.normal(0, 0.15, points.shape)
dataset = TensorDataset(torch.tensor(points, dtype=torch.float32), torch.tensor(upper))

torch.manual_seed(0)
train_set, valid_set = random_split(dataset, [0.75, 0.25])
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, drop_last=True)
valid_loader = DataLoader(valid_set, batch_size=200)

model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
epochs = 20
warmup = LinearLR(optimizer, start_factor=0.1, total_iters=2)
cosine = CosineAnnealingLR(optimizer, T_max=epochs - 2)


def evaluate():
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for x, y in valid_loader:
            logits = model(x)
            loss_sum += criterion(logits, y).item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


best = float("inf")
with tempfile.TemporaryDirectory() as folder:
    checkpoint = os.path.join(folder, "best.pt")
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
        (warmup if epoch < 2 else cosine).step()
        val_loss, val_acc = evaluate()
        lr = optimizer.param_groups[0]["lr"]
        print(
            f"epoch {epoch:2d}  lr {lr:.4f}  train {loss.item():.4f}  valid {val_loss:.4f}  acc {val_acc:.3f}"
        )
        if val_loss < best:
            best = val_loss
            torch.save({"epoch": epoch, "model": model.state_dict()}, checkpoint)
    state = torch.load(checkpoint)
    model.load_state_dict(state["model"])
val_loss, val_acc = evaluate()
print(f"best epoch {state['epoch']}")
print(f"final loss={val_loss:.4f} accuracy={val_acc:.4f}")
