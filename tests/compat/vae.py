"""A variational autoencoder on 8x8 digits: encoder, reparameterisation, decoder, ELBO loss.

Usage: vae.py DIGITS.npz (see digits_cnn.py). Prints ``final loss=...``: the test loss (the
negative ELBO) per image.
"""

import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
arrays = np.load(sys.argv[1])
flat = lambda a: torch.tensor(a.reshape(len(a), 64))  # noqa: E731 - pixels in [0, 1]
train_loader = DataLoader(TensorDataset(flat(arrays["x_train"])), batch_size=64, shuffle=True)
x_test = flat(arrays["x_test"])


class VAE(nn.Module):
    def __init__(self, latent=4):
        super().__init__()
        self.fc1 = nn.Linear(64, 48)
        self.fc21 = nn.Linear(48, latent)  # mean of q(z | x)
        self.fc22 = nn.Linear(48, latent)  # log-variance of q(z | x)
        self.fc3 = nn.Linear(latent, 48)
        self.fc4 = nn.Linear(48, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std  # z = mu + sigma * eps keeps z differentiable in mu and sigma

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
    # KL(q(z|x) || N(0, I)) = -1/2 * sum(1 + log sigma^2 - mu^2 - sigma^2)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


model = VAE()
optimizer = optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(1, 9):
    model.train()
    train_loss = 0.0
    for (data,) in train_loader:
        optimizer.zero_grad()
        recon, mu, logvar = model(data)
        loss = loss_function(recon, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    print(f"====> Epoch: {epoch} Average loss: {train_loss / len(train_loader.dataset):.4f}")

model.eval()
with torch.no_grad():
    recon, mu, logvar = model(x_test)
    test_loss = loss_function(recon, x_test, mu, logvar).item() / len(x_test)
    sample = model.decode(torch.randn(16, 4))
assert sample.shape == (16, 64)
print(f"final loss={test_loss:.3f}")
