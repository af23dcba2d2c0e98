# glassnet lesson 8, exercise 2: dropout in training mode
# A typical mistake: zeroing the dropped elements but not scaling the survivors.
import numpy as np


def dropout(x, p, keep):
    return np.where(keep, x, 0.0)
