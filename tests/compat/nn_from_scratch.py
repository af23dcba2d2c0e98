"""Logistic regression from scratch, then the same model rewritten with nn, optim and DataLoader.

In the spirit of "what is torch.nn really?": first raw tensors and a hand-written update, then
each piece replaced by the library's. The data are ten Gaussian clusters in 20 dimensions.
Prints ``final loss=... accuracy=...`` on the validation set.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
centres = rng.normal(0.0, 1.0, size=(10, 20))
labels = rng.integers(0, 10, size=3000)
points = centres[labels] + rng.normal(0.0, 1.2, size=(3000, 20))
x_train, y_train, x_valid, y_valid = map(
    torch.tensor,
    (
        points[:2400].astype(np.float32),
        labels[:2400],
        points[2400:].astype(np.float32),
        labels[2400:],
    ),
)
n, c = x_train.shape
torch.manual_seed(0)

# ---- step 1: only tensors. Weights scaled by 1/sqrt(n_in) (Xavier), then marked for grad.
weights = torch.randn(20, 10) / math.sqrt(20)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(log_probs, target):
    return -log_probs[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    return (torch.argmax(out, dim=1) == yb).float().mean()


bs, lr, epochs = 64, 0.5, 2
for _ in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb, yb = x_train[i * bs : i * bs + bs], y_train[i * bs : i * bs + bs]
        loss = nll(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(
    f"from scratch: loss {nll(model(x_valid), y_valid):.4f}, accuracy {accuracy(model(x_valid), y_valid):.3f}"
)


# ---- step 2: nn.Module, nn.Linear, F.cross_entropy, optim.SGD, TensorDataset, DataLoader.
class Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(20, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, f"{val_loss:.4f}")
    return val_loss


train_dl, valid_dl = get_data(TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid), bs)
net = Logistic()
val_loss = fit(
    4, net, F.cross_entropy, optim.SGD(net.parameters(), lr=0.1, momentum=0.9), train_dl, valid_dl
)
with torch.no_grad():
    acc = accuracy(net(x_valid), y_valid).item()
print(f"final loss={val_loss:.4f} accuracy={acc:.4f}")
