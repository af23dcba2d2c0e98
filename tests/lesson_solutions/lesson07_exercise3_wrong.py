# glassnet lesson 7, exercise 3: softmax probabilities
# A typical mistake: dividing by the sum over the whole matrix, not each row.
import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum()
