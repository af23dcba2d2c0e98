# glassnet lesson 2, exercise 3: two layers composed
import numpy as np


def two_layers(X, W1, b1, W2, b2):
    hidden = np.maximum(X @ W1.T + b1, 0)
    return hidden @ W2.T + b2
