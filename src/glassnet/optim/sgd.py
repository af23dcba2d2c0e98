"""SGD: stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .optimizer import Optimizer, bump_version, check_nonnegative, gradient, run_closure


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t`:

    .. math::

        g_t &\leftarrow \pm g_t + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize; } \lambda = \text{weight\_decay}) \\
        b_t &= \begin{cases} g_t & t = 1 \\
                              \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 1 \end{cases}
              \qquad (\text{only if } \mu = \text{momentum} \ne 0) \\
        d_t &= \begin{cases} g_t + \mu\, b_t & \text{nesterov} \\
                              b_t & \text{momentum, not nesterov} \\
                              g_t & \mu = 0 \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta\, d_t

    With momentum the buffer :math:`b` is a running sum of past gradients, so steps build up
    speed along directions where gradients agree and cancel where they oscillate. Nesterov's
    variant looks one momentum step ahead. (This is PyTorch's form: :math:`\eta` multiplies
    the buffer at each step rather than being folded into it.)

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 1e-3, as in PyTorch).
        momentum: momentum factor :math:`\mu` (default 0: plain gradient descent).
        dampening: dampening :math:`\tau` of the gradient added to the buffer (default 0).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: climb the objective instead of descending it.

    State per parameter: ``momentum_buffer`` (only when momentum != 0).

    Example::

        >>> opt = glassnet.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        check_nonnegative(options, "lr", "momentum", "weight_decay")
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires momentum > 0 and dampening = 0, got "
                f"momentum={options['momentum']!r}, dampening={options['dampening']!r}"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one SGD step for every parameter that has a gradient; return the closure's loss."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, nesterov = group["dampening"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d, owned = gradient(p, group["weight_decay"], group["maximize"])
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(d, dtype=p.array.dtype)
                    else:
                        buf *= momentum
                        if dampening != 0:
                            buf += (1 - dampening) * d
                        else:
                            buf += d
                    if nesterov:  # d = g + momentum * buf
                        ahead = np.multiply(buf, momentum)
                        ahead += d
                        d, owned = ahead, True
                    else:
                        d, owned = buf, False
                # theta -= lr * d   (scale d in place when it is ours to change)
                if owned:
                    d *= lr
                    p.array -= d
                else:
                    p.array -= lr * d
                bump_version(p)
        return loss
