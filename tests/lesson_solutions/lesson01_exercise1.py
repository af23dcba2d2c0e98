# glassnet lesson 1, exercise 1: a dot product by hand


def dot(u, v):
    total = 0
    for a, b in zip(u, v):
        total += a * b
    return total
