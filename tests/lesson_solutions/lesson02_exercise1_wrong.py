# glassnet lesson 2, exercise 1: a neuron's output
# A typical mistake: forgetting the bias.
import numpy as np


def neuron(x, w, b):
    return float(np.dot(w, x))
