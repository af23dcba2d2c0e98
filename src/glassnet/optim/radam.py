"""RAdam: Adam whose adaptive step is switched on gradually, as the variance estimate firms up."""

from __future__ import annotations

import math

import numpy as np

from .adam_family import AdamFamily, adam_count_step, adam_moments
from .optimizer import Group, State, decayed_gradient
from .update_loops import adam_gradient_numbers, fused_or_numpy_update, moments_loop, run_fused


class RAdam(AdamFamily):
    r"""RAdam, rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`,
    after weight decay and ``maximize`` as in ``Adam`` (:math:`g_t \leftarrow \pm g_t +
    \lambda\theta_{t-1}`, or with ``decoupled_weight_decay`` :math:`\theta_{t-1} \leftarrow
    (1 - \eta\lambda)\,\theta_{t-1}`):

    .. math::

        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad
        \hat m_t = m_t / (1 - \beta_1^t) \\
        \rho_\infty &= \frac{2}{1 - \beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
        \theta_t &= \begin{cases}
            \theta_{t-1} - \eta\, \hat m_t\, \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon}\, r_t
                & \rho_t > 5, \quad r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                                                  {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
            \theta_{t-1} - \eta\, \hat m_t & \text{otherwise (SGD with momentum)}
        \end{cases}

    :math:`\rho_t` is the length of the simple moving average that :math:`v_t` approximates.
    While it is short the variance of the adaptive scale is large (or undefined), so the first
    steps are plain momentum steps; the factor :math:`r_t` then brings the adaptive step in.

    Args:
        params, lr, betas, eps, weight_decay, maximize: as ``Adam``'s (defaults: ``options``).
        decoupled_weight_decay: shrink the weights directly, as AdamW does (default False).

    State per parameter: ``step`` (int), ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`).
    """

    options = dict(
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False
    )
    keyword_options = dict(maximize=False)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One RAdam step for one parameter: one compiled pass for a large parameter
        (``fused_loop_pays``), else ``radam_update_reference``."""
        fused_or_numpy_update(
            self, radam_update_fused, radam_update_reference, param, grad, state, group
        )


def radam_update_reference(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """RAdam's update of one parameter, as the formula reads (in place)."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    g = decayed_gradient(param, grad, group)  # weight decay as in Adam
    t = adam_count_step(param, state, amsgrad=False)

    m, v = adam_moments(state, g, beta1, beta2)
    bias_correction2 = 1 - beta2**t
    m_hat = m / (1 - beta1**t)
    rect = radam_rectification(t, beta2)
    if rect is not None:
        adaptive_lr = math.sqrt(bias_correction2) / (np.sqrt(v) + eps)
        param -= m_hat * lr * adaptive_lr * rect
    else:
        param -= m_hat * lr


def radam_update_fused(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """``radam_update_reference`` as one compiled pass (``update_loops.moments_loop``) per
    core (C-contiguous arrays: ``fused_loop_pays``)."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    t = adam_count_step(param, state, amsgrad=False)
    rect = radam_rectification(t, beta2)
    step_size = lr / (1 - beta1**t)  # the momentum step, m_hat lr
    if rect is not None:
        step_size *= rect * math.sqrt(1 - beta2**t)
    numbers = (
        *adam_gradient_numbers(group),
        *(beta1, 1 - beta1, beta2, 1 - beta2, 1.0, eps, 0.0, step_size),
    )
    arrays = (param, grad, state["exp_avg"], state["exp_avg_sq"])
    run_fused(moments_loop, arrays, numbers, int(rect is not None))


def radam_rectification(t: int, beta2: float) -> float | None:
    """The factor ``r_t`` of step ``t``'s adaptive step, or None while ``rho_t <= 5`` (the
    variance estimate is too short-lived: the step is then a plain momentum step)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t <= 5:
        return None
    return math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
