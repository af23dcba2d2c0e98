# glassnet lesson 7, exercise 3: softmax probabilities
import numpy as np


def softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
