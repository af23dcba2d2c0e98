# glassnet lesson 1, exercise 2: a layer's outputs
# A typical mistake: the transpose on the wrong side.


def layer_outputs(X, W):
    return (X.T @ W).T if X.shape[0] == W.shape[1] else W @ X.T
