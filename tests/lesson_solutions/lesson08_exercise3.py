# glassnet lesson 8, exercise 3: a learning-rate schedule
import math


def cosine_lr(t, lr0, T_max, lr_min=0.0):
    return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * t / T_max)) / 2
