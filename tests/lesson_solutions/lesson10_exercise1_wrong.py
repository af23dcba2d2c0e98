# glassnet lesson 10, exercise 1: a causal attention mask
# A typical mistake: the upper triangle, so that each position looks at the future.
import numpy as np


def causal_mask(T):
    return np.triu(np.ones((T, T), dtype=bool))
