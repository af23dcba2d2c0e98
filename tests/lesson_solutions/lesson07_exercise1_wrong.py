# glassnet lesson 7, exercise 1: accuracy from logits
# A typical mistake: comparing the largest logit itself (max) with the label, not its place (argmax).
import numpy as np


def accuracy(logits, labels):
    return float(np.mean(logits.max(axis=1) == labels))
