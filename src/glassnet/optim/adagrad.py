"""Adagrad: per-coordinate learning rates that shrink with the sum of all past squared gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Group, Optimizer, State, descent_gradient
from .step_count import advance_step, step_tensor
from .update_loops import adagrad_loop, fused_or_numpy_update, gradient_numbers, run_fused


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), as ``torch.optim.Adagrad``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; } \lambda = \text{weight\_decay}) \\
        \tilde\eta_t &= \frac{\eta}{1 + (t - 1)\,\delta}
              \qquad (\delta = \text{lr\_decay}) \\
        s_t &= s_{t-1} + g_t^2 \qquad (s_0 = \text{initial\_accumulator\_value}) \\
        \theta_t &= \theta_{t-1} - \tilde\eta_t\, \frac{g_t}{\sqrt{s_t} + \epsilon}

    Each coordinate gets its own step size: coordinates that have seen large gradients move
    slowly, rarely-updated ones keep moving fast. Since :math:`s` only grows, steps shrink
    forever (RMSprop and Adam replace the sum by a running average).

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 1e-2).
        lr_decay: :math:`\delta`, decay of the learning rate with the step count (default 0).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default 0).
        initial_accumulator_value: starting value :math:`s_0` of the sum (default 0).
        eps: :math:`\epsilon`, added to the denominator for stability (default 1e-10).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``sum`` (:math:`s`, created at the first step).
    """

    options = dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10)
    keyword_options = dict(maximize=False)
    nonnegative_options = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Adagrad step for one parameter: one compiled pass for a large parameter
        (``fused_loop_pays``), else ``adagrad_update_reference``."""
        fused_or_numpy_update(
            self, adagrad_update_fused, adagrad_update_reference, param, grad, state, group
        )


def adagrad_update_reference(
    param: np.ndarray, grad: np.ndarray, state: State, group: Group
) -> None:
    """Adagrad's update of one parameter, as the formula reads (in place)."""
    g = descent_gradient(param, grad, group["weight_decay"], group["maximize"])
    lr = adagrad_step_lr(param, state, group)
    state["sum"] += g * g  # s = s + g^2
    param -= lr * (g / (np.sqrt(state["sum"]) + group["eps"]))


def adagrad_update_fused(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """``adagrad_update_reference`` as one compiled pass (``update_loops.adagrad_loop``) per
    core (C-contiguous arrays: ``fused_loop_pays``)."""
    lr = adagrad_step_lr(param, state, group)
    numbers = (*gradient_numbers(group), lr, group["eps"])
    run_fused(adagrad_loop, (param, grad, state["sum"]), numbers)


def adagrad_step_lr(param: np.ndarray, state: State, group: Group) -> float:
    """Count one more step (making the state at the first: ``step`` and ``sum`` filled with
    ``initial_accumulator_value``) and return its learning rate ``lr / (1 + (t - 1) lr_decay)``."""
    if not state:
        state["step"] = step_tensor(0)
        state["sum"] = np.full_like(param, group["initial_accumulator_value"])
    t = advance_step(state)
    return group["lr"] / (1 + (t - 1) * group["lr_decay"])
