"""NAdam: Adam with Nesterov momentum (the step looks ahead along the momentum)."""

from __future__ import annotations

import numpy as np

from .adam_family import AdamFamily, adam_count_step, adam_moments
from .optimizer import Group, State, decayed_gradient
from .update_loops import adam_gradient_numbers, fused_or_numpy_update, moments_loop, run_fused


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
        """One NAdam step for one parameter: one compiled pass for a large parameter
        (``fused_loop_pays``), else ``nadam_update_reference``."""
        fused_or_numpy_update(
            self, nadam_update_fused, nadam_update_reference, param, grad, state, group
        )


def nadam_update_reference(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """NAdam's update of one parameter, as the formula reads (in place)."""
    (beta1, beta2), eps = group["betas"], group["eps"]
    g = decayed_gradient(param, grad, group)  # weight decay as in Adam
    t, gradient_step, momentum_step = nadam_step_sizes(param, state, group)
    m, v = adam_moments(state, g, beta1, beta2)
    denom = np.sqrt(v / (1 - beta2**t)) + eps
    param -= gradient_step * (g / denom)
    param -= momentum_step * (m / denom)


def nadam_update_fused(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """``nadam_update_reference`` as one compiled pass (``update_loops.moments_loop``) per
    core (C-contiguous arrays: ``fused_loop_pays``)."""
    (beta1, beta2), eps = group["betas"], group["eps"]
    t, gradient_step, momentum_step = nadam_step_sizes(param, state, group)
    numbers = (
        *adam_gradient_numbers(group),
        *(beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta2**t),
        *(eps, gradient_step, momentum_step),
    )
    run_fused(moments_loop, (param, grad, state["exp_avg"], state["exp_avg_sq"]), numbers, 1)


def nadam_step_sizes(param: np.ndarray, state: State, group: Group) -> tuple[int, float, float]:
    """Count one more step; return ``(t, a, b)``, the step's number and the factors of
    ``g / d`` and ``m / d`` in ``param -= a g / d + b m / d``:
    ``a = lr (1 - mu_t) / (1 - Pi_t)``, ``b = lr mu_{t+1} / (1 - Pi_t mu_{t+1})``, with the
    momentum schedule ``mu_t = beta1 (1 - 0.96^(t psi) / 2)`` and ``Pi_t`` its running product
    (kept in ``state["mu_product"]``).
    """
    lr, beta1, psi = group["lr"], group["betas"][0], group["momentum_decay"]
    t = adam_count_step(param, state, amsgrad=False)
    state.setdefault("mu_product", 1.0)
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    mu_product = state["mu_product"] = state["mu_product"] * mu
    return t, lr * (1 - mu) / (1 - mu_product), lr * mu_next / (1 - mu_product * mu_next)
