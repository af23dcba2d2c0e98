# glassnet lesson 8, exercise 2: dropout in training mode
import numpy as np


def dropout(x, p, keep):
    return np.where(keep, x / (1 - p), 0.0)
