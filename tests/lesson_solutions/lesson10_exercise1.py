# glassnet lesson 10, exercise 1: a causal attention mask
import numpy as np


def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool))
