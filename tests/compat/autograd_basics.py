"""Autograd basics: a one-layer network's gradients, gradients of a known function, no_grad.

Prints ``final grad_sum=... max_error=...`` (the error of autograd against the derivative
worked out by hand).
"""

import math

import torch
import torch.nn.functional as F

# A one-layer network with a binary cross-entropy loss, as the autograd tutorial starts.
x = torch.ones(5)
y = torch.zeros(3)
w = torch.linspace(-1.0, 1.0, 15).reshape(5, 3).requires_grad_()
b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = F.binary_cross_entropy_with_logits(z, y)
print("gradient function of z:", type(z.grad_fn).__name__)
loss.backward()
print(f"loss {loss.item():.4f}; dL/db = {b.grad}")

# By hand: dL/dz_j = (sigmoid(z_j) - y_j) / 3, dL/dw_ij = x_i * dL/dz_j, dL/db_j = dL/dz_j.
dz = (torch.sigmoid(z.detach()) - y) / 3
error = (b.grad - dz).abs().max().item()
error = max(error, (w.grad - x.unsqueeze(1) * dz.unsqueeze(0)).abs().max().item())

# Outside the graph: no_grad and detach.
with torch.no_grad():
    z2 = torch.matmul(x, w) + b
assert not z2.requires_grad
assert not z.detach().requires_grad

# f(t) = t^3 + sin(t): f'(t) = 3 t^2 + cos(t).
t = torch.linspace(-2.0, 2.0, 9, dtype=torch.float64, requires_grad=True)
f = t**3 + torch.sin(t)
f.sum().backward()
expected = [3 * v * v + math.cos(v) for v in t.detach().tolist()]
error = max(error, max(abs(g - e) for g, e in zip(t.grad.tolist(), expected)))

# A vector output needs the vector it is multiplied with (a vector-Jacobian product).
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
first = inp.grad.clone()
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
assert bool((inp.grad == first).all())  # zeroed, so the second call gives the same gradient

grad_sum = w.grad.sum().item() + b.grad.sum().item() + t.grad.sum().item() + first.sum().item()
print(f"final grad_sum={grad_sum:.5f} max_error={error:.2e}")
