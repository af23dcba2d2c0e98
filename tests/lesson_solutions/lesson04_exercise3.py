# glassnet lesson 4, exercise 3: one step of SGD with momentum


def momentum_step(weight, gradient, buffer, learning_rate, momentum):
    buffer = gradient if buffer is None else momentum * buffer + gradient
    return weight - learning_rate * buffer, buffer
