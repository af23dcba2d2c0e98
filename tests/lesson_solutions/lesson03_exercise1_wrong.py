# glassnet lesson 3, exercise 1: the sigmoid's derivative
# A typical mistake: forgetting the second factor.
import numpy as np


def sigmoid_derivative(x):
    return 1 / (1 + np.exp(-x))
