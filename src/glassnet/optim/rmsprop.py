"""RMSprop: divide each gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Array, Group, Optimizer, State, descent_gradient, update_in_blocks
from .step_count import advance_step, step_tensor
from .update_loops import fused_or_numpy_update, gradient_numbers, rmsprop_loop, run_fused


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

    options = dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False)
    keyword_options = dict(maximize=False)
    nonnegative_options = ("lr", "alpha", "eps", "weight_decay", "momentum")

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One RMSprop step for one parameter (the fast twin of ``rmsprop_update_reference``):
        one compiled pass for a large parameter (``fused_loop_pays``), else NumPy calls."""
        fused_or_numpy_update(
            self, rmsprop_update_fused, rmsprop_update, param, grad, state, group, work=2
        )


def rmsprop_update_reference(
    param: np.ndarray, grad: np.ndarray, state: State, group: Group
) -> None:
    """RMSprop's update of one parameter, written as the formula reads (one new array a line).

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``RMSprop``).
    """
    lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
    g = descent_gradient(param, grad, group["weight_decay"], group["maximize"])
    v, g_avg, buf = rmsprop_state(param, state, group)
    advance_step(state)

    v = state["square_avg"] = alpha * v + (1 - alpha) * g * g
    if group["centered"]:
        g_avg = state["grad_avg"] = alpha * g_avg + (1 - alpha) * g
        rms = np.sqrt(v - g_avg * g_avg) + eps  # an estimate of the gradient's std
    else:
        rms = np.sqrt(v) + eps
    if momentum > 0:
        buf = state["momentum_buffer"] = momentum * buf + g / rms
        param[...] = param - lr * buf
    else:
        param[...] = param - lr * g / rms


def rmsprop_update(
    param: Array, grad: Array, state: State, group: Group, work: list[Array]
) -> None:
    """``rmsprop_update_reference`` computed in place: no array is allocated.

    ``work`` holds two arrays shaped like ``param`` whose contents do not matter. The passes
    run on every core and block by block (``update_in_blocks``).
    """
    lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
    weight_decay, maximize = group["weight_decay"], group["maximize"]
    v, g_avg, buf = rmsprop_state(param, state, group)
    advance_step(state)

    def kernel(
        param: Array,
        grad: Array,
        v: Array,
        g_avg: Array | None,
        buf: Array | None,
        tmp: Array,
        g_work: Array,
    ) -> None:
        g = descent_gradient(param, grad, weight_decay, maximize, out=g_work)
        v *= alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1 - alpha
        v += tmp  # v = alpha v + (1 - alpha) g^2
        if g_avg is not None:  # centered
            np.subtract(g, g_avg, out=tmp)
            tmp *= 1 - alpha
            g_avg += tmp  # g_avg moves (1 - alpha) of the way towards g
            np.multiply(g_avg, g_avg, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp += eps  # rms
        np.divide(g, tmp, out=tmp)  # g / rms
        if buf is not None:  # momentum > 0
            buf *= momentum
            buf += tmp
            np.multiply(buf, lr, out=tmp)
        else:
            tmp *= lr
        param -= tmp

    g_avg = g_avg if group["centered"] else None
    buf = buf if momentum > 0 else None
    update_in_blocks(kernel, param, grad, v, g_avg, buf, *work)


def rmsprop_update_fused(param: Array, grad: Array, state: State, group: Group) -> None:
    """``rmsprop_update_reference`` as one compiled pass (``update_loops.rmsprop_loop``) per
    core. The arrays must be C-contiguous (``fused_loop_pays``); nothing is allocated after
    the first step.
    """
    alpha, momentum, centered = group["alpha"], group["momentum"], group["centered"]
    v, g_avg, buf = rmsprop_state(param, state, group)
    advance_step(state)
    numbers = (*gradient_numbers(group), alpha, 1 - alpha, group["eps"], group["lr"], momentum)
    use_momentum = momentum > 0
    arrays = (param, grad, v, g_avg if centered else None, buf if use_momentum else None)
    run_fused(rmsprop_loop, arrays, numbers, int(centered), int(use_momentum))


def rmsprop_state(
    param: np.ndarray, state: State, group: Group
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """RMSprop's ``(square_avg, grad_avg, momentum_buffer)`` of a parameter, zeros at first.

    ``grad_avg`` is None unless centered, ``momentum_buffer`` None unless momentum > 0. Also
    creates ``step`` (0).
    """
    if not state:
        state["step"] = step_tensor(0)
        state["square_avg"] = np.zeros_like(param)
    if group["centered"] and "grad_avg" not in state:
        state["grad_avg"] = np.zeros_like(param)
    if group["momentum"] > 0 and "momentum_buffer" not in state:
        state["momentum_buffer"] = np.zeros_like(param)
    return state["square_avg"], state.get("grad_avg"), state.get("momentum_buffer")
