"""SGD: stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .optimizer import Array, Group, Optimizer, State, descent_gradient, update_in_blocks
from .update_loops import fused_or_numpy_update, gradient_numbers, run_fused, sgd_loop


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

    options = dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)
    keyword_options = dict(maximize=False)
    nonnegative_options = ("lr", "momentum", "weight_decay")

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires momentum > 0 and dampening = 0, got "
                f"momentum={options['momentum']!r}, dampening={options['dampening']!r}"
            )

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One SGD step for one parameter (the fast twin of ``sgd_update_reference``): one
        compiled pass for a large parameter (``fused_loop_pays``), and for a small one once
        numba is imported (the loop's numbers are the NumPy path's, bit for bit), else NumPy
        calls."""
        fused_or_numpy_update(self, sgd_update_fused, sgd_update, param, grad, state, group, work=2)


def sgd_update_reference(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """SGD's update of one parameter, written as the formula reads (one new array a line).

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``SGD``).
    """
    lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
    d = descent_gradient(param, grad, group["weight_decay"], group["maximize"])
    if momentum != 0:
        if "momentum_buffer" not in state:
            buf = d.copy()  # the first step starts the buffer at the gradient itself
        else:
            buf = momentum * state["momentum_buffer"] + (1 - dampening) * d
        state["momentum_buffer"] = buf
        d = d + momentum * buf if group["nesterov"] else buf
    param[...] = param - lr * d


def sgd_update(param: Array, grad: Array, state: State, group: Group, work: list[Array]) -> None:
    """``sgd_update_reference`` computed in place: no array is allocated after the first step.

    ``work`` holds two arrays shaped like ``param`` whose contents do not matter. The passes
    run on every core and block by block (``update_in_blocks``).
    """
    lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
    weight_decay, maximize, nesterov = group["weight_decay"], group["maximize"], group["nesterov"]
    first, buf = sgd_buffer(param, state, momentum)

    def kernel(param: Array, grad: Array, buf: Array | None, tmp: Array, g_work: Array) -> None:
        d = descent_gradient(param, grad, weight_decay, maximize, out=g_work)
        if buf is not None:
            if first:
                np.copyto(buf, d)
            else:
                buf *= momentum
                if dampening != 0:
                    np.multiply(d, 1 - dampening, out=tmp)
                    buf += tmp
                else:
                    buf += d  # buf = momentum buf + (1 - dampening) d
            if nesterov:
                np.multiply(buf, momentum, out=tmp)
                tmp += d  # d + momentum buf: one momentum step ahead
                d = tmp
            else:
                d = buf
        np.multiply(d, lr, out=tmp)
        param -= tmp

    update_in_blocks(kernel, param, grad, buf, *work)


def sgd_update_fused(param: Array, grad: Array, state: State, group: Group) -> None:
    """``sgd_update_reference`` as one compiled pass (``update_loops.sgd_loop``) per core.

    The arrays must be C-contiguous (``fused_loop_pays``); no array is allocated after the
    first step.
    """
    momentum = group["momentum"]
    first, buf = sgd_buffer(param, state, momentum)
    numbers = (*gradient_numbers(group), group["lr"], momentum, 1 - group["dampening"])
    flags = int(buf is not None), int(first), int(group["nesterov"])
    run_fused(sgd_loop, (param, grad, buf), numbers, *flags)


def sgd_buffer(param: Array, state: State, momentum: float) -> tuple[bool, Array | None]:
    """``(first, buffer)``: SGD's momentum buffer (None without momentum) and whether this is
    its first step (then it is new, its contents meaningless: the step starts it at ``d``)."""
    if momentum == 0:
        return False, None
    first = "momentum_buffer" not in state
    if first:
        state["momentum_buffer"] = np.empty_like(param)
    return first, state["momentum_buffer"]
