# glassnet lesson 4, exercise 1: one gradient-descent step by hand
# A typical mistake: stepping up the slope (+) instead of down it (-).
import numpy as np


def gradient_descent_step(w, b, x, y, learning_rate):
    error = w * x + b - y
    dw = np.mean(2 * error * x)
    db = np.mean(2 * error)
    return w + learning_rate * dw, b + learning_rate * db
