"""Adam: momentum plus per-coordinate scaling by running averages of the gradient and its square."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    bump_version,
    check_betas,
    check_nonnegative,
    gradient,
    run_closure,
)


class Adam(Optimizer):
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

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, list) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        check_nonnegative(options, "lr", "eps", "weight_decay")
        check_betas(options)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Adam step for every parameter that has a gradient."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, decoupled = group["weight_decay"], group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, _ = gradient(p, 0 if decoupled else weight_decay, group["maximize"])
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(p.array)
                    state["exp_avg_sq"] = np.zeros_like(p.array)
                state["step"] += 1
                step = state["step"]
                if decoupled and weight_decay != 0:
                    p.array *= 1 - lr * weight_decay

                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                tmp = np.empty_like(p.array)
                np.subtract(g, exp_avg, out=tmp)
                tmp *= 1 - beta1
                exp_avg += tmp  # m moves (1 - beta1) of the way towards g
                exp_avg_sq *= beta2
                np.multiply(g, g, out=tmp)
                tmp *= 1 - beta2
                exp_avg_sq += tmp  # v = beta2 v + (1 - beta2) g^2

                second = exp_avg_sq
                if group["amsgrad"]:
                    if "max_exp_avg_sq" not in state:
                        state["max_exp_avg_sq"] = np.zeros_like(p.array)
                    second = state["max_exp_avg_sq"]
                    np.maximum(second, exp_avg_sq, out=second)

                bias_correction1 = 1 - beta1**step
                bias_correction2_sqrt = math.sqrt(1 - beta2**step)
                np.sqrt(second, out=tmp)
                tmp /= bias_correction2_sqrt
                tmp += eps  # denominator
                np.divide(exp_avg, tmp, out=tmp)
                tmp *= lr / bias_correction1
                p.array -= tmp
                bump_version(p)
        return loss
