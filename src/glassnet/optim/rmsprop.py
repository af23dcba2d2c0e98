"""RMSprop: divide each gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .optimizer import Optimizer, bump_version, check_nonnegative, gradient, run_closure


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes, 2012), as ``torch.optim.RMSprop``.

    For each parameter :math:`\theta` with gradient :math:`g_t`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; } \lambda = \text{weight\_decay}) \\
        v_t &= \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \qquad (v_0 = 0) \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t
              \qquad (\text{only if centered; } \bar g_0 = 0) \\
        r_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{ if centered, else }
               \sqrt{v_t} + \epsilon \\
        b_t &= \mu\, b_{t-1} + g_t / r_t \qquad (\text{only if } \mu = \text{momentum} > 0) \\
        \theta_t &= \theta_{t-1} - \eta\, b_t \ \text{ if } \mu > 0, \text{ else }
                    \theta_{t-1} - \eta\, g_t / r_t

    :math:`v` is a running mean of squared gradients, so every coordinate is rescaled to a
    step of roughly :math:`\eta` whatever the size of its gradients. Centered RMSprop
    subtracts the squared running mean, i.e. divides by an estimate of the standard deviation.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 1e-2).
        alpha: smoothing constant :math:`\alpha` of the running averages (default 0.99).
        eps: :math:`\epsilon`, added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default 0).
        momentum: momentum factor :math:`\mu` (default 0).
        centered: normalize by the estimated variance instead of the raw second moment.
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``square_avg`` (:math:`v`), ``momentum_buffer``
    (:math:`b`, if momentum > 0), ``grad_avg`` (:math:`\bar g`, if centered).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        check_nonnegative(options, "lr", "alpha", "eps", "weight_decay", "momentum")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one RMSprop step for every parameter that has a gradient."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, alpha, momentum = group["lr"], group["alpha"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, _ = gradient(p, group["weight_decay"], group["maximize"])
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(p.array)
                state["step"] += 1

                square_avg, tmp = state["square_avg"], np.empty_like(p.array)
                square_avg *= alpha
                np.multiply(g, g, out=tmp)
                tmp *= 1 - alpha
                square_avg += tmp  # v = alpha v + (1 - alpha) g^2
                if group["centered"]:
                    if "grad_avg" not in state:
                        state["grad_avg"] = np.zeros_like(p.array)
                    grad_avg = state["grad_avg"]
                    np.subtract(g, grad_avg, out=tmp)
                    tmp *= 1 - alpha
                    grad_avg += tmp  # gbar moves (1 - alpha) of the way towards g
                    np.multiply(grad_avg, grad_avg, out=tmp)
                    np.subtract(square_avg, tmp, out=tmp)
                    np.sqrt(tmp, out=tmp)
                else:
                    np.sqrt(square_avg, out=tmp)
                tmp += group["eps"]
                np.divide(g, tmp, out=tmp)  # g / r
                if momentum > 0:
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = np.zeros_like(p.array)
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += tmp
                    np.multiply(buf, lr, out=tmp)
                else:
                    tmp *= lr
                p.array -= tmp
                bump_version(p)
        return loss
