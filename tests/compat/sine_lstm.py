"""An LSTM that predicts the next value of noisy sine waves (a time-sequence example).

Each sample is 24 steps of sin(w t + phase) with its own frequency and phase; the model reads
the sequence and predicts every next value. Trained with Adam (the original uses LBFGS; see
lbfgs_sine.py). Prints ``final loss=...`` (mean squared error on held-out waves).
"""

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(0)


def waves(n):
    t = np.arange(25)
    w = rng.uniform(0.3, 0.6, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    y = np.sin(w * t + phase) + rng.normal(0, 0.02, size=(n, 25))
    y = torch.tensor(y.astype(np.float32)).unsqueeze(-1)  # (n, 25, 1)
    return y[:, :-1], y[:, 1:]


x_train, y_train = waves(256)
x_test, y_test = waves(64)


class Sequence(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, (h, c) = self.lstm(x)  # out: (batch, steps, hidden)
        return self.head(out)


torch.manual_seed(0)
model = Sequence()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(120):
    idx = torch.randint(0, len(x_train), (32,))
    loss = criterion(model(x_train[idx]), y_train[idx])
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % 30 == 0:
        print(f"step {step:3d} loss {loss.item():.5f}")

model.eval()
with torch.no_grad():
    test_loss = criterion(model(x_test), y_test).item()
print(f"final loss={test_loss:.5f}")
