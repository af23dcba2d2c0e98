# glassnet lesson 2, exercise 1: a neuron's output
import numpy as np


def neuron(x, w, b):
    return float(np.dot(w, x) + b)
