"""Rprop: resilient backpropagation, a per-coordinate step size grown or shrunk by the gradient's sign."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from .optimizer import Group, Optimizer, State, count_step, descent_gradient


class Rprop(Optimizer):
    r"""Rprop, resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

    Only the *sign* of each gradient coordinate is used; its size is ignored. Every coordinate
    keeps its own step size :math:`s`, which grows while the gradient keeps its sign and
    shrinks when the sign flips (the last step jumped over a minimum). For each parameter
    :math:`\theta` with gradient :math:`g_t` at step :math:`t`:

    .. math::

        g_t &\leftarrow \pm g_t \qquad (- \text{ if maximize}) \\
        f_t &= \begin{cases} \eta_+ & g_t\, g_{t-1} > 0 \quad \text{(same sign: speed up)} \\
                              \eta_- & g_t\, g_{t-1} < 0 \quad \text{(sign flipped: slow down)} \\
                              1      & g_t\, g_{t-1} = 0 \end{cases} \\
        s_t &= \operatorname{clip}(f_t\, s_{t-1},\ s_{\min},\ s_{\max})
              \qquad (s_0 = \text{lr}) \\
        g_t &\leftarrow 0 \quad \text{where } g_t\, g_{t-1} < 0 \\
        \theta_t &= \theta_{t-1} - \operatorname{sign}(g_t)\, s_t

    :math:`g_{t-1}` is the gradient remembered from the previous step (``prev``, 0 at first).
    Where the sign flipped, the step is skipped and 0 is remembered instead of the gradient,
    so the next step counts as "no information" (:math:`f = 1`) rather than flipping again.
    Rprop is meant for full-batch gradients: the sign of a noisy mini-batch gradient says
    little.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: the starting step size :math:`s_0` of every coordinate (default 1e-2).
        etas: :math:`(\eta_-, \eta_+)`, the factors that shrink and grow the step size, with
            :math:`0 < \eta_- < 1 < \eta_+` (default (0.5, 1.2)).
        step_sizes: :math:`(s_{\min}, s_{\max})`, the bounds of the step size
            (default (1e-6, 50)).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``prev`` (:math:`g_{t-1}`), ``step_size``
    (:math:`s`).

    Example::

        >>> opt = glassnet.optim.Rprop(model.parameters(), lr=0.01)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    options = dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    keyword_options = dict(maximize=False)
    nonnegative_options = ("lr",)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        etas = _number_pair(options, "etas", "(etaminus, etaplus)")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(
                f"Invalid etas: expected 0 < etaminus < 1 < etaplus, got etas={tuple(etas)!r}"
            )
        low, high = _number_pair(options, "step_sizes", "(min_step, max_step)")
        if not 0.0 <= low <= high:
            raise ValueError(
                "Invalid step_sizes: expected 0 <= min_step <= max_step, got "
                f"step_sizes={(low, high)!r}"
            )

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Rprop step for one parameter, as the formula reads (``rprop_update_reference``)."""
        rprop_update_reference(param, grad, state, group)


def rprop_update_reference(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """Rprop's update of one parameter, written as the formula reads.

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``Rprop``).
    """
    eta_minus, eta_plus = group["etas"]
    step_min, step_max = group["step_sizes"]
    g = descent_gradient(param, grad, 0, group["maximize"])  # ±grad (Rprop has no weight decay)
    count_step(param, state, "prev")  # prev = 0 at the first step: "no information"
    if "step_size" not in state:
        state["step_size"] = np.full_like(param, group["lr"])  # s_0 = lr, for every coordinate

    agreement = np.sign(g * state["prev"])  # +1 same sign as last step, -1 flipped, 0 unknown
    factor = np.where(agreement > 0, eta_plus, np.where(agreement < 0, eta_minus, 1.0))
    s = state["step_size"]
    s *= factor  # in place: keeps the parameter's dtype (factor is float64)
    np.clip(s, step_min, step_max, out=s)

    g = np.where(agreement < 0, 0, g)  # a flipped sign: no step now, and forget the gradient
    param -= np.sign(g) * s
    state["prev"] = g.astype(param.dtype, copy=False)


def _number_pair(options: Mapping[str, Any], name: str, what: str) -> tuple[float, float]:
    """The option ``name`` as a pair of numbers, else a ValueError naming what was expected."""
    pair = options[name]
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in pair)
    ):
        raise ValueError(f"Invalid {name}: expected a pair of numbers {what}, got {pair!r}")
    return pair[0], pair[1]
