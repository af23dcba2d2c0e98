"""ASGD: averaged stochastic gradient descent, SGD with a decaying step that keeps a running average of the weights."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from .optimizer import Group, Optimizer, State, descent_gradient
from .step_count import advance_step, step_tensor


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky, 1992; the schedule of Bottou, 2012), as ``torch.optim.ASGD``.

    Plain SGD whose step size :math:`\eta_t` shrinks slowly, plus a running average
    :math:`\bar\theta` of the weights it visits. For each parameter :math:`\theta` with gradient
    :math:`g_t` at step :math:`t = 1, 2, \dots`:

    .. math::

        g_t &\leftarrow \pm g_t + w\,\theta_{t-1}
              \qquad (- \text{ if maximize; } w = \text{weight\_decay}) \\
        \theta_t &= (1 - \lambda\,\eta_{t-1})\, \theta_{t-1} - \eta_{t-1}\, g_t
              \qquad (\eta_0 = \text{lr}) \\
        \bar\theta_t &= \begin{cases} \theta_t & \mu_{t-1} = 1 \\
              \bar\theta_{t-1} + \mu_{t-1}\,(\theta_t - \bar\theta_{t-1}) & \text{otherwise}
              \end{cases} \qquad (\mu_0 = 1) \\
        \eta_t &= \frac{\text{lr}}{(1 + \lambda\, \text{lr}\; t)^{\alpha}}, \qquad
        \mu_t = \frac{1}{\max(1,\ t - t_0)}

    :math:`\lambda` shrinks the weights a little at every step (the ``lambd`` of Bottou's
    schedule). Until step :math:`t_0` the "average" :math:`\bar\theta` is just the current
    weights (:math:`\mu = 1`); after it, :math:`\mu_t = 1 / (t - t_0)` makes :math:`\bar\theta`
    the plain mean of all weights since :math:`t_0`. The optimizer itself steps with
    :math:`\theta`; the average is kept in ``state[p]["ax"]`` for you to evaluate with (copy it
    into the model at the end).

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate, the starting step size :math:`\eta_0` (default 1e-2).
        lambd: decay term :math:`\lambda` (default 1e-4).
        alpha: power :math:`\alpha` of the step size's decay (default 0.75).
        t0: the step :math:`t_0` at which averaging starts (default 1e6).
        weight_decay: L2 penalty :math:`w` added to the gradient (default 0).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``eta`` (:math:`\eta_t`, a number), ``mu``
    (:math:`\mu_t`, a number), ``ax`` (:math:`\bar\theta`, the averaged weights).

    Example::

        >>> opt = glassnet.optim.ASGD(model.parameters(), lr=0.05, t0=100)
        >>> ...  # train
        >>> averaged = [opt.state[p]["ax"] for p in model.parameters()]
    """

    options = dict(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0)
    keyword_options = dict(maximize=False)
    nonnegative_options = ("lr", "weight_decay")

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        for name in ("lambd", "alpha", "t0"):
            value = options[name]
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise ValueError(f"Invalid {name}: expected a number, got {value!r}")

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One ASGD step for one parameter, as the formula reads (``asgd_update_reference``)."""
        asgd_update_reference(param, grad, state, group)


def asgd_update_reference(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """ASGD's update of one parameter, written as the formula reads.

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``ASGD``).
    """
    lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
    g = descent_gradient(param, grad, group["weight_decay"], group["maximize"])
    if not state:
        state.update(step=step_tensor(0), eta=float(lr), mu=1.0)  # eta_0 = lr; no averaging yet
        state["ax"] = np.zeros_like(param)  # overwritten by the weights while mu = 1
    t = advance_step(state)

    eta = state["eta"]
    param *= 1 - lambd * eta  # the decay term
    param -= eta * g  # the SGD step
    if state["mu"] != 1:
        state["ax"] += state["mu"] * (param - state["ax"])  # move the mean towards param
    else:
        state["ax"][...] = param  # before t0 the "average" is the current weights

    state["eta"] = lr / (1 + lambd * lr * t) ** alpha
    state["mu"] = 1 / max(1, t - t0)
