# glassnet lesson 6, exercise 3: a Function of two inputs
import glassnet as gn


class Hypot(gn.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        r = (a * a + b * b).sqrt()
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, b, r = ctx.saved_tensors
        return g * a / r, g * b / r
