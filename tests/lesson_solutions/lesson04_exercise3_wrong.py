# glassnet lesson 4, exercise 3: one step of SGD with momentum
# A typical mistake: an average of the gradients (momentum and 1 - momentum) instead of
# PyTorch's running sum.


def momentum_step(weight, gradient, buffer, learning_rate, momentum):
    if buffer is None:
        buffer = 0 * gradient
    buffer = momentum * buffer + (1 - momentum) * gradient
    return weight - learning_rate * buffer, buffer
