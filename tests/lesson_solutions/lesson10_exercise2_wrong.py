# glassnet lesson 10, exercise 2: attention weights
# A typical mistake: forgetting to divide the scores by sqrt(d).
import numpy as np


def attention_weights(q, k):
    scores = q @ k.T
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
