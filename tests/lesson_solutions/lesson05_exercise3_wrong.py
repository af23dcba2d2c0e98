# glassnet lesson 5, exercise 3: ReLU's backward
# A typical mistake: the local derivative alone, without the upstream gradient.


def relu_backward(x, grad_y):
    return (x > 0).astype(float)
