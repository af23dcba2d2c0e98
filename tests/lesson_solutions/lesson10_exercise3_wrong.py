# glassnet lesson 10, exercise 3: a bigram table from counts
# A typical mistake: dividing each column by its sum instead of each row.
import numpy as np


def bigram_probabilities(ids, V):
    counts = np.ones((V, V))
    for a, b in zip(ids[:-1], ids[1:]):
        counts[a, b] += 1
    return counts / counts.sum(axis=0, keepdims=True)
