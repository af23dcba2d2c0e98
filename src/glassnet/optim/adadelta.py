"""Adadelta: steps scaled by the ratio of running RMS of past updates to that of gradients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .optimizer import Group, Optimizer, State, check_in_range, count_step, descent_gradient


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    For each parameter :math:`\theta` with gradient :math:`g_t`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; } \lambda = \text{weight\_decay}) \\
        v_t &= \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \qquad (v_0 = 0) \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2 \qquad (u_0 = 0) \\
        \theta_t &= \theta_{t-1} - \eta\, \Delta_t

    The ratio of two root-mean-squares gives each step the *units* of the parameter (those of
    past steps), so the method needs no learning rate in principle (:math:`\eta = 1` by
    default, as in the paper).

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: :math:`\eta`, a factor on the step (default 1.0).
        rho: decay rate :math:`\rho` of the running averages, in [0, 1] (default 0.9).
        eps: :math:`\epsilon`, added inside both square roots (default 1e-6).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default 0).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``square_avg`` (:math:`v`), ``acc_delta`` (:math:`u`).
    """

    options = dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0)
    keyword_options = dict(maximize=False)
    nonnegative_options = ("lr", "eps", "weight_decay")

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        check_in_range(options, "rho", 0.0, 1.0)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Adadelta step for one parameter, as the formula reads."""
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        g = descent_gradient(param, grad, group["weight_decay"], group["maximize"])
        count_step(param, state, "square_avg", "acc_delta")  # zeros at the first step

        v = state["square_avg"] = rho * state["square_avg"] + (1 - rho) * g * g
        u = state["acc_delta"]
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        state["acc_delta"] = rho * u + (1 - rho) * delta * delta
        param -= lr * delta
