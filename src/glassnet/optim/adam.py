"""Adam: momentum plus per-coordinate scaling by running averages of the gradient and its square."""

from __future__ import annotations

import math

import numpy as np

from .adam_family import AdamFamily, adam_count_step, adam_moments
from .optimizer import Array, Group, State, decayed_gradient, update_in_blocks
from .update_loops import adam_gradient_numbers, adam_loop, fused_or_numpy_update, run_fused


class Adam(AdamFamily):
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; weight decay here only if not decoupled}) \\
        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1}
              \qquad (\text{only if decoupled\_weight\_decay: AdamW}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \qquad (m_0 = 0) \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \qquad (v_0 = 0) \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{ if amsgrad, else } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\,
                    \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    :math:`m` (a momentum) and :math:`v` (a per-coordinate scale) start at zero, so early on
    they are biased towards zero; dividing by :math:`1 - \beta^t` removes that bias. The
    first step therefore moves every coordinate by about :math:`\eta` against the sign of its
    gradient. AMSGrad keeps the largest :math:`v` seen, so step sizes never grow again.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 1e-3).
        betas: :math:`(\beta_1, \beta_2)`, decay rates of the two running averages
            (default (0.9, 0.999)); each in [0, 1).
        eps: :math:`\epsilon`, added to the denominator for stability (default 1e-8).
        weight_decay: :math:`\lambda` (default 0): an L2 penalty added to the gradient, or,
            with ``decoupled_weight_decay=True``, a direct shrinking of the weights (AdamW).
        amsgrad: use the AMSGrad variant (Reddi, Kale & Kumar, 2018).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: apply weight decay as in AdamW (default False).

    State per parameter: ``step`` (int), ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`),
    ``max_exp_avg_sq`` (:math:`\hat v`, if amsgrad).
    """

    options = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)
    keyword_options = dict(maximize=False, decoupled_weight_decay=False)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Adam step for one parameter (the fast twin of ``adam_update_reference``): one
        compiled pass for a large parameter (``fused_loop_pays``), else NumPy calls."""
        fused_or_numpy_update(
            self, adam_update_fused, adam_update, param, grad, state, group, work=2
        )


def adam_update_reference(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """Adam's update of one parameter, written as the formula reads (one new array a line).

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``Adam``).
    """
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    # g = ±grad (+ weight_decay * param, unless the decay is decoupled: then param shrinks)
    g = decayed_gradient(param, grad, group)
    t = adam_count_step(param, state, group["amsgrad"])  # this step's number, 1 at the first
    m, v = adam_moments(state, g, beta1, beta2)  # m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2
    if group["amsgrad"]:
        v = state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
    m_hat = m / (1 - beta1**t)  # remove the bias towards m_0 = 0
    v_hat = v / (1 - beta2**t)
    param[...] = param - lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_update(param: Array, grad: Array, state: State, group: Group, work: list[Array]) -> None:
    """``adam_update_reference`` computed in place: no array is allocated.

    ``work`` holds two arrays shaped like ``param`` whose contents do not matter. Twelve NumPy
    calls (one more with decoupled weight decay), run on every core and block by block
    (``update_in_blocks``); the algebra differs from the reference only in rounding:
    ``lr m_hat / (sqrt(v_hat) + eps) = (lr c / b1) m / (sqrt(v) + eps c)`` with
    ``b1 = 1 - beta1^t``, ``c = sqrt(1 - beta2^t)``.
    """
    beta1, beta2 = group["betas"]
    step_size, eps_c = adam_step_sizes(param, state, group)

    def kernel(
        param: Array,
        grad: Array,
        m: Array,
        v: Array,
        v_max: Array | None,
        tmp: Array,
        g_work: Array,
    ) -> None:
        g = decayed_gradient(param, grad, group, out=g_work)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - beta1
        m += tmp  # m = beta1 m + (1 - beta1) g: m moves (1 - beta1) of the way towards g
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - beta2
        v += tmp  # v = beta2 v + (1 - beta2) g^2
        if v_max is not None:  # amsgrad
            v = np.maximum(v_max, v, out=v_max)
        np.sqrt(v, out=tmp)
        tmp += eps_c  # the denominator sqrt(v) + eps c
        np.divide(m, tmp, out=tmp)
        tmp *= step_size
        param -= tmp

    v_max = state["max_exp_avg_sq"] if group["amsgrad"] else None
    update_in_blocks(kernel, param, grad, state["exp_avg"], state["exp_avg_sq"], v_max, *work)


def adam_update_fused(param: Array, grad: Array, state: State, group: Group) -> None:
    """``adam_update_reference`` as one compiled pass (``update_loops.adam_loop``) per core.

    The arrays must be C-contiguous (``fused_loop_pays``); no array is allocated after the
    first step.
    """
    beta1, beta2 = group["betas"]
    step_size, eps_c = adam_step_sizes(param, state, group)
    numbers = (*adam_gradient_numbers(group), 1 - beta1, beta2, 1 - beta2, step_size, eps_c)
    arrays = (param, grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq"))
    run_fused(adam_loop, arrays, numbers, int(group["amsgrad"]))


def adam_step_sizes(param: Array, state: State, group: Group) -> tuple[float, float]:
    """Count one more Adam step and return ``(step_size, eps_c)`` of that step, the numbers of
    the in-place update ``param -= step_size * m / (sqrt(v) + eps_c)``:
    ``step_size = lr c / (1 - beta1^t)`` and ``eps_c = eps c`` with ``c = sqrt(1 - beta2^t)``.
    """
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    t = adam_count_step(param, state, group["amsgrad"])
    c = math.sqrt(1 - beta2**t)
    return lr * c / (1 - beta1**t), eps * c
