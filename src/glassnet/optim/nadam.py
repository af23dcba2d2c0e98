"""NAdam: Adam with Nesterov momentum (the step looks ahead along the momentum)."""

from __future__ import annotations

import numpy as np

from .adam_family import AdamFamily, adam_count_step, adam_moments
from .optimizer import Group, State, decayed_gradient


class NAdam(AdamFamily):
    r"""NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`,
    after weight decay and ``maximize`` as in ``Adam`` (:math:`g_t \leftarrow \pm g_t +
    \lambda\theta_{t-1}`, or with ``decoupled_weight_decay`` :math:`\theta_{t-1} \leftarrow
    (1 - \eta\lambda)\,\theta_{t-1}`):

    .. math::

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
        params, lr, betas, eps, weight_decay, maximize: as ``Adam``'s (defaults: ``options``).
        momentum_decay: :math:`\psi` of the momentum schedule (default 4e-3).
        decoupled_weight_decay: shrink the weights directly, as AdamW does (default False).

    State per parameter: ``step`` (int), ``mu_product`` (:math:`\Pi_t`, a float),
    ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`).
    """

    options = dict(
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
    )
    keyword_options = dict(maximize=False)
    nonnegative_options = (*AdamFamily.nonnegative_options, "momentum_decay")

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One NAdam step for one parameter, as the formula reads."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        psi = group["momentum_decay"]
        g = decayed_gradient(param, grad, group)  # weight decay as in Adam
        t = adam_count_step(param, state, amsgrad=False)
        state.setdefault("mu_product", 1.0)

        mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state["mu_product"] = state["mu_product"] * mu
        m, v = adam_moments(state, g, beta1, beta2)
        denom = np.sqrt(v / (1 - beta2**t)) + eps
        param -= lr * (1 - mu) / (1 - mu_product) * (g / denom)
        param -= lr * mu_next / (1 - mu_product * mu_next) * (m / denom)
