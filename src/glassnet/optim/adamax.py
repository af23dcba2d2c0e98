"""Adamax: Adam with the second moment replaced by a running maximum of |gradient| (infinity norm)."""

from __future__ import annotations

import numpy as np

from .adam_family import AdamFamily
from .optimizer import Group, State, count_step, descent_gradient
from .update_loops import adamax_loop, fused_or_numpy_update, gradient_numbers, run_fused


class Adamax(AdamFamily):
    r"""Adamax (Kingma & Ba, 2015, section 7), as ``torch.optim.Adamax``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; } \lambda = \text{weight\_decay}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \qquad (m_0 = 0) \\
        u_t &= \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \qquad (u_0 = 0) \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\, \frac{m_t}{u_t}

    Adam divides by an exponentially weighted :math:`L^2` norm of past gradients; letting
    the power go to infinity gives a decaying maximum, which needs no bias correction.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 2e-3).
        betas: :math:`(\beta_1, \beta_2)` (default (0.9, 0.999)); each in [0, 1).
        eps: :math:`\epsilon`, keeps :math:`u` above zero (default 1e-8).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default 0).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``exp_avg`` (:math:`m`), ``exp_inf`` (:math:`u`).
    """

    options = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    keyword_options = dict(maximize=False)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Adamax step for one parameter: one compiled pass for a large parameter
        (``fused_loop_pays``), else ``adamax_update_reference``."""
        fused_or_numpy_update(
            self, adamax_update_fused, adamax_update_reference, param, grad, state, group
        )


def adamax_update_reference(
    param: np.ndarray, grad: np.ndarray, state: State, group: Group
) -> None:
    """Adamax's update of one parameter, as the formula reads (in place)."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    g = descent_gradient(param, grad, group["weight_decay"], group["maximize"])
    t = count_step(param, state, "exp_avg", "exp_inf")  # this step's number, 1 at the first

    m = state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * g
    u = state["exp_inf"] = np.maximum(beta2 * state["exp_inf"], np.abs(g) + eps)
    param -= lr / (1 - beta1**t) * (m / u)


def adamax_update_fused(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """``adamax_update_reference`` as one compiled pass (``update_loops.adamax_loop``) per core
    (C-contiguous arrays: ``fused_loop_pays``)."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    t = count_step(param, state, "exp_avg", "exp_inf")
    numbers = (*gradient_numbers(group), beta1, 1 - beta1, beta2, eps, lr / (1 - beta1**t))
    run_fused(adamax_loop, (param, grad, state["exp_avg"], state["exp_inf"]), numbers)
