# glassnet lesson 6, exercise 2: a chain-rule product by hand
# A typical mistake: following only the path of y through sin, forgetting the direct "+ y".
import math


def chain_rule(x, y):
    outer = math.cos(x * y)
    return outer * y, outer * x
