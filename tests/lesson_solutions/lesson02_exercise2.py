# glassnet lesson 2, exercise 2: a layer's forward pass


def layer_forward(X, W, b):
    return X @ W.T + b
