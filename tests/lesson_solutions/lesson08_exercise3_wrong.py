# glassnet lesson 8, exercise 3: a learning-rate schedule
# A typical mistake: a whole cosine period instead of half (2 pi t / T_max).
import math


def cosine_lr(t, lr0, T_max, lr_min=0.0):
    return lr_min + (lr0 - lr_min) * (1 + math.cos(2 * math.pi * t / T_max)) / 2
