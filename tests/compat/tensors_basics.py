"""Tensor basics in the style of a first PyTorch tutorial: making tensors, shapes, maths, NumPy.

Prints ``final value=...``: a checksum of everything computed (no randomness in it).
"""

import numpy as np
import torch

torch.manual_seed(0)

# Tensors from Python data, from NumPy, and from other tensors.
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
x_np = torch.from_numpy(np.array(data))
x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
print(f"ones like x_data:\n{x_ones}\nrandom like x_data has shape {tuple(x_rand.shape)}")

shape = (2, 3)
zeros = torch.zeros(shape)
print("dtype of zeros:", zeros.dtype, "device:", zeros.device)

# Indexing, slicing, joining.
t = torch.ones(4, 4)
t[:, 1] = 0
print("first row:", t[0], "last column:", t[..., -1])
joined = torch.cat([t, t, t], dim=1)
stacked = torch.stack([t, t])
assert joined.shape == (4, 12) and stacked.shape == (2, 4, 4)

# Arithmetic: matrix product three ways, element-wise product two ways.
y1 = t @ t.T
y2 = t.matmul(t.T)
y3 = torch.matmul(t, t.T)
z1 = t * t
z2 = t.mul(t)
assert bool((y1 == y2).all()) and bool((y1 == y3).all()) and bool((z1 == z2).all())

total = t.sum()
print(f"sum of t: {total.item()} ({type(total.item()).__name__}), formatted {total:.2f}")

# In-place operations end with an underscore.
t.add_(5)
print("after add_(5):", t[0])

# The NumPy bridge: from_numpy shares memory, so changing the array changes the tensor.
n = np.ones(5)
shared = torch.from_numpy(n)
np.add(n, 1, out=n)
assert shared[0].item() == 2.0
back = shared.numpy()
assert back is n or np.shares_memory(back, n)

# Reshaping and reducing.
a = torch.arange(12).reshape(3, 4).float()
col_means = a.mean(dim=0)
row_max = a.max(dim=1).values
b = a.view(4, 3).t().unsqueeze(0)
checksum = (
    y1.sum().item()
    + z1.sum().item()
    + col_means.sum().item()
    + row_max.sum().item()
    + b.pow(2).sum().sqrt().item()
    + shared.sum().item()
)
print(f"final value={checksum:.4f}")
