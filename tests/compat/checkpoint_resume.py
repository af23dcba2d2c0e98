"""Saving and resuming training as in PyTorch's checkpoint recipe: torch.save of a dict holding
the epoch, model_state_dict, optimizer_state_dict, the scheduler's state_dict and the loss;
torch.load(..., weights_only=True) and map_location; load_state_dict for all three; model.train()
and model.eval() around a BatchNorm layer.

A small regression net with Adam and StepLR is trained for a few epochs, saved, loaded into a
fresh model, optimizer and scheduler, and both copies train on. Prints ``final loss=...
match=...``: the loss after resuming, and 1 when the resumed copy follows the original exactly.
"""

import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


def make():
    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
    return model, optimizer, scheduler


x = torch.randn(128, 4)
y = x.sum(1, keepdim=True) + 0.5 * x[:, :1] ** 2
criterion = nn.MSELoss()


def train(model, optimizer, scheduler, epochs):
    model.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
    return loss


model, optimizer, scheduler = make()
loss = train(model, optimizer, scheduler, 30)
folder = tempfile.mkdtemp()
path = os.path.join(folder, "checkpoint.pt")
torch.save(
    {
        "epoch": 30,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict(),
        "loss": loss,
    },
    path,
)

resumed, resumed_optimizer, resumed_scheduler = make()
checkpoint = torch.load(path, weights_only=True)
resumed.load_state_dict(checkpoint["model_state_dict"])
resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
resumed_scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
print(f"resuming at epoch {checkpoint['epoch']}, saved loss {checkpoint['loss'].item():.4f}")
print("learning rate", resumed_scheduler.get_last_lr(), resumed_optimizer.param_groups[0]["lr"])

model.eval()
resumed.eval()
with torch.no_grad():
    same_eval = torch.allclose(model(x), resumed(x))
again = torch.load(path, map_location=torch.device("cpu"))
print(
    "keys",
    sorted(again),
    "num_batches_tracked",
    again["model_state_dict"]["bn.num_batches_tracked"],
)

first = train(model, optimizer, scheduler, 30)
second = train(resumed, resumed_optimizer, resumed_scheduler, 30)
match = same_eval and abs(first.item() - second.item()) < 1e-6
print(f"final loss={second.item():.4f} match={int(match)}")
