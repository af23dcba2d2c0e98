"""The Adam family's shared parts (Adam, AdamW, Adamax, NAdam, RAdam): option checks, state, moments."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, State, count_step


class AdamFamily(Optimizer):
    """Base of the optimizers that keep running averages with decay rates ``betas``.

    Their options share names and rules: ``lr``, ``eps`` and ``weight_decay`` are numbers >= 0
    and ``betas = (beta1, beta2)`` a pair in [0, 1). Each member states its own options and its
    update in its own file.
    """

    nonnegative_options = ("lr", "eps", "weight_decay")
    has_betas = True


def adam_count_step(param: np.ndarray, state: State, amsgrad: bool) -> int:
    """Count one more Adam step of a parameter; return its number ``t`` (1 at the first step).

    The first step makes the state: ``step``, the running averages ``exp_avg`` and
    ``exp_avg_sq`` (zeros) and, for AMSGrad, ``max_exp_avg_sq`` (zeros). NAdam and RAdam keep
    the same.
    """
    t = count_step(param, state, "exp_avg", "exp_avg_sq")
    if amsgrad and "max_exp_avg_sq" not in state:
        state["max_exp_avg_sq"] = np.zeros_like(param)
    return t


def adam_moments(
    state: State, g: np.ndarray, beta1: float, beta2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Adam's running averages of the gradient and of its square, updated (as formulas):

    ``m = beta1 m + (1 - beta1) g`` and ``v = beta2 v + (1 - beta2) g^2``; returns ``(m, v)``.
    """
    m = state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * g
    v = state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
    return m, v
