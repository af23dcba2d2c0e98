"""Writing your own differentiable operation with torch.autograd.Function, and checking it.

y = a + b P3(c + d x) with the Legendre polynomial P3(t) = (5 t^3 - 3 t) / 2 written as a
Function with its own backward (P3'(t) = 1.5 (5 t^2 - 1)), fitted to sin(x), and checked
with gradcheck. Needs ``torch.autograd.Function`` (the "engine" work); the test skips it until
glassnet has it. Prints ``final loss=... gradcheck=1``.
"""

import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


dtype = torch.double
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for _ in range(1000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None

probe = torch.linspace(-1, 1, 7, dtype=dtype, requires_grad=True)
ok = torch.autograd.gradcheck(LegendrePolynomial3.apply, (probe,))
print(f"Result: y = {a.item():.3f} + {b.item():.3f} * P3({c.item():.3f} + {d.item():.3f} x)")
print(f"final loss={loss.item():.4f} gradcheck={int(ok)}")
