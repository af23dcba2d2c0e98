# glassnet lesson 6, exercise 3: a Function of two inputs
# A typical mistake: the inner derivative d(a**2)/da = 2a taken as a, so a factor 1/2 too small.
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
        return g * a / (2 * r), g * b / (2 * r)
