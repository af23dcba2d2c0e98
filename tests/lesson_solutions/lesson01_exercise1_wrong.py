# glassnet lesson 1, exercise 1: a dot product by hand
# A typical mistake: multiplying without adding up.


def dot(u, v):
    return [a * b for a, b in zip(u, v)][-1]
