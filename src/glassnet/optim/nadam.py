"""NAdam: Adam with Nesterov momentum (the step looks ahead along the momentum)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .adam import adam_moments, adam_state
from .optimizer import Group, Optimizer, State, decayed_gradient


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; weight decay here only if not decoupled}) \\
        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1}
              \qquad (\text{only if decoupled\_weight\_decay}) \\
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{\,t\psi}\right), \qquad
        \Pi_t = \prod_{i \le t} \mu_i \qquad (\psi = \text{momentum\_decay}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        d_t &= \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{1 - \mu_t}{1 - \Pi_t}\, \frac{g_t}{d_t}
                    - \eta\, \frac{\mu_{t+1}}{1 - \Pi_t\, \mu_{t+1}}\, \frac{m_t}{d_t}

    The step mixes the current gradient with the *next* step's momentum (Nesterov's look
    ahead); the schedule :math:`\mu_t` warms the momentum up slowly.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 2e-3).
        betas: :math:`(\beta_1, \beta_2)` (default (0.9, 0.999)); each in [0, 1).
        eps: :math:`\epsilon`, added to the denominator for stability (default 1e-8).
        weight_decay: :math:`\lambda` (default 0), an L2 penalty unless decoupled.
        momentum_decay: :math:`\psi` of the momentum schedule (default 4e-3).
        decoupled_weight_decay: shrink the weights directly, as AdamW does (default False).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``mu_product`` (:math:`\Pi_t`, a float),
    ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`).
    """

    nonnegative_options = ("lr", "eps", "weight_decay", "momentum_decay")
    has_betas = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One NAdam step for one parameter, as the formula reads."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        psi = group["momentum_decay"]
        g = decayed_gradient(param, grad, group)  # weight decay as in Adam
        t = state["step"] = adam_state(param, state, amsgrad=False) + 1
        state.setdefault("mu_product", 1.0)

        mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state["mu_product"] = state["mu_product"] * mu
        m, v = adam_moments(state, g, beta1, beta2)
        denom = np.sqrt(v / (1 - beta2**t)) + eps
        param -= lr * (1 - mu) / (1 - mu_product) * (g / denom)
        param -= lr * mu_next / (1 - mu_product * mu_next) * (m / denom)
