# glassnet lesson 2, exercise 3: two layers composed
# A typical mistake: forgetting the ReLU between the layers.


def two_layers(X, W1, b1, W2, b2):
    return (X @ W1.T + b1) @ W2.T + b2
