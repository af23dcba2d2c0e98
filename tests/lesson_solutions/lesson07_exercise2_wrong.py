# glassnet lesson 7, exercise 2: a confusion matrix by hand
# A typical mistake: rows and columns swapped (rows the predicted class).
import numpy as np


def confusion_matrix(predicted, true, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for p, t in zip(predicted, true):
        matrix[p, t] += 1
    return matrix
