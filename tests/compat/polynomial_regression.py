"""Fitting y = sin(x) with a cubic polynomial, written with nn.Sequential and optim.SGD.

Prints ``final loss=...`` (the summed squared error after training).
"""

import math

import torch
from torch import nn

torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Features x, x^2, x^3 make the cubic a linear layer: y_hat = a + b x + c x^2 + d x^3.
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
loss_fn = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)

for step in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if step % 500 == 499:
        print(step, f"{loss.item():.3f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear = model[0]
a, (b, c, d) = linear.bias.item(), linear.weight[0].tolist()
print(f"result: y = {a:.3f} + {b:.3f} x + {c:.3f} x^2 + {d:.3f} x^3")
print(f"final loss={loss.item():.4f}")
