# glassnet lesson 6, exercise 2: a chain-rule product by hand
import math


def chain_rule(x, y):
    outer = math.cos(x * y)  # d sin(u) / du at u = x * y
    return outer * y, outer * x + 1
