# glassnet lesson 3, exercise 2: a gradient by nudging
import numpy as np


def gradient(f, point, h=1e-5):
    result = np.zeros_like(point, dtype=float)
    for i in range(point.size):
        up, down = point.copy(), point.copy()
        up[i] += h
        down[i] -= h
        result[i] = (f(up) - f(down)) / (2 * h)
    return result
