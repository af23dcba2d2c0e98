# glassnet lesson 5, exercise 1: a layer's backward
# A typical mistake: the weight gradient transposed (x.T @ grad_y has W.T's shape).


def linear_backward(x, W, b, grad_y):
    return grad_y @ W, x.T @ grad_y, grad_y.sum(axis=0)
