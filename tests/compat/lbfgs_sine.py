"""Fitting sine waves with an LSTM cell trained by L-BFGS and a closure (the time-sequence example).

Needs ``torch.optim.LBFGS`` (the "optim" work); the test skips it until glassnet has it.
Prints ``final loss=...`` (mean squared error of the next-step prediction).
"""

import numpy as np
import torch
import torch.nn as nn

np.random.seed(2)
T, L, N = 20, 40, 24
x = np.empty((N, L), np.float64)
x[:] = np.arange(L) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
data = np.sin(x / 1.0 / T)
inputs, target = torch.from_numpy(data[:, :-1]), torch.from_numpy(data[:, 1:])


class Sequence(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, 16)
        self.linear = nn.Linear(16, 1)

    def forward(self, inp):
        h = torch.zeros(inp.size(0), 16, dtype=torch.double)
        c = torch.zeros(inp.size(0), 16, dtype=torch.double)
        outputs = []
        for step in range(inp.size(1)):
            h, c = self.lstm1(inp[:, step : step + 1], (h, c))
            outputs.append(self.linear(h))
        return torch.cat(outputs, dim=1)


torch.manual_seed(0)
seq = Sequence().double()
criterion = nn.MSELoss()
optimizer = torch.optim.LBFGS(seq.parameters(), lr=0.8)
for i in range(4):

    def closure():
        optimizer.zero_grad()
        loss = criterion(seq(inputs), target)
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        loss = criterion(seq(inputs), target)
    print(f"step {i}: loss {loss.item():.6f}")
print(f"final loss={loss.item():.6f}")
