"""Adafactor: Adam-like scaling with the second moment of a matrix kept as one row and one column."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Group, Optimizer, State, check_nonnegative, count_step, descent_gradient


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018), as ``torch.optim.Adafactor``.

    Adam divides each gradient coordinate by the root of a running mean of its square, which
    costs one extra number per weight. Adafactor keeps, for a matrix of :math:`n \times m`
    weights, only the running mean of each *row* (:math:`R`, n numbers) and of each *column*
    (:math:`C`, m numbers) of :math:`g^2`, and rebuilds the full table from them as the
    rank-one product :math:`R\,C / \operatorname{mean}(R)`. A parameter of three or more
    dimensions is seen as a stack of matrices (the last two dimensions); a vector or a scalar
    keeps its full running mean :math:`V`. There is no momentum.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`
    (:math:`\operatorname{rms}(x) = \sqrt{\operatorname{mean}(x^2)}`, over all of :math:`x`):

    .. math::

        g_t &\leftarrow \pm g_t \qquad (- \text{ if maximize}) \\
        \hat\beta_t &= t^{\tau} \qquad (\tau = \text{beta2\_decay} \le 0:
            \text{ the weight of the newest } g^2) \\
        \rho_t &= \min(\text{lr},\ 1/\sqrt t), \qquad
        a_t = \max(\epsilon_2,\ \operatorname{rms}(\theta_{t-1}))\ \rho_t \\
        \theta_{t-1} &\leftarrow (1 - \text{lr}\cdot\lambda)\, \theta_{t-1}
            \qquad (\lambda = \text{weight\_decay}) \\
        R_t &= (1 - \hat\beta_t) R_{t-1} + \hat\beta_t\, \operatorname{mean}_{\text{cols}}(g_t^2),
        \quad
        C_t = (1 - \hat\beta_t) C_{t-1} + \hat\beta_t\, \operatorname{mean}_{\text{rows}}(g_t^2)
        \\
        \hat V_t &= \frac{R_t\, C_t}{\max(\operatorname{mean}(R_t),\ \epsilon_1)}
            \quad (\ge 2 \text{ dimensions; } R_t C_t \text{ an outer product}), \qquad
        \hat V_t = V_t = (1 - \hat\beta_t) V_{t-1} + \hat\beta_t\, g_t^2 \quad (\text{else}) \\
        u_t &= \frac{g_t}{\sqrt{\max(\hat V_t,\ \epsilon_1^2)}} \\
        \theta_t &= \theta_{t-1} - \frac{a_t}{\max(1,\ \operatorname{rms}(u_t) / d)}\, u_t

    :math:`\hat\beta_t = t^{-0.8}` is 1 at the first step (the mean starts at :math:`g_1^2`,
    no bias correction needed) and falls slowly, so the mean remembers more and more of the
    past. The step is *relative*: :math:`a_t` scales it by the size of the weights
    (:math:`\operatorname{rms}(\theta)`, at least :math:`\epsilon_2`), and an update whose rms
    exceeds :math:`d` is scaled back to it (update clipping). Weight decay shrinks the weights
    directly, as AdamW does.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: :math:`\text{lr}`, the largest relative step size (default 1e-2).
        beta2_decay: :math:`\tau \le 0`, how fast the weight of new squared gradients
            falls with the step (default -0.8).
        eps: :math:`(\epsilon_1, \epsilon_2)` (default (None, 1e-3)): :math:`\epsilon_1`
            keeps denominators above zero (None: the machine epsilon of the parameter's
            dtype); :math:`\epsilon_2` is the smallest weight rms a step is scaled by.
        d: :math:`d \ge 1`, the clipping threshold of the update's rms (default 1.0).
        weight_decay: :math:`\lambda`, decoupled weight decay (default 0).
        foreach: accepted for PyTorch's sake; glassnet has one implementation.
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int) and, for two or more dimensions, ``row_var``
    (:math:`R`, shaped like the parameter with a last dimension of 1) and ``col_var``
    (:math:`C`, with a second-to-last dimension of 1); else ``variance`` (:math:`V`).

    Example::

        >>> opt = glassnet.optim.Adafactor(model.parameters(), lr=1e-2)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    options = dict(lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0)
    keyword_options = dict(foreach=None, maximize=False)
    nonnegative_options = ("lr", "weight_decay")

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        tau = options["beta2_decay"]
        if not _is_number(tau) or not tau <= 0:
            raise ValueError(f"Invalid beta2_decay: expected a number <= 0, got {tau!r}")
        eps = options["eps"]
        if not isinstance(eps, (tuple, list)) or len(eps) != 2:
            raise ValueError(f"Invalid eps: expected a pair (eps1 or None, eps2), got {eps!r}")
        if eps[0] is not None:
            check_nonnegative({"eps1": eps[0]}, "eps1")
        check_nonnegative({"eps2": eps[1]}, "eps2")
        d = options["d"]
        if not _is_number(d) or not d >= 1:
            raise ValueError(f"Invalid d: expected a clipping threshold d >= 1, got d={d!r}")

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Adafactor step for one parameter, as the formula reads
        (``adafactor_update_reference``)."""
        adafactor_update_reference(param, grad, state, group)

    def _load_state_value(self, p: Tensor, index: int, key: str, value: Any) -> Any:
        """As the base class, but ``row_var`` and ``col_var`` have their own shapes."""
        if key not in ("row_var", "col_var"):
            return super()._load_state_value(p, index, key, value)
        array = np.asarray(value.array if isinstance(value, Tensor) else value)
        expected = factored_shape(p.shape, -1 if key == "row_var" else -2)
        if p.ndim < 2 or array.shape != expected:
            raise ValueError(
                f"loaded state {key!r} of parameter {index} has shape {array.shape}, but a "
                f"parameter of shape {p.shape} needs {expected if p.ndim >= 2 else 'none'}"
            )
        return np.array(array, dtype=p.dtype, copy=True, order="C")


def adafactor_update_reference(
    param: np.ndarray, grad: np.ndarray, state: State, group: Group
) -> None:
    """Adafactor's update of one parameter, written as the formula reads.

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``Adafactor``).
    """
    lr, d, weight_decay = group["lr"], group["d"], group["weight_decay"]
    eps1, eps2 = group["eps"]
    if eps1 is None:
        eps1 = float(np.finfo(param.dtype).eps)
    g = descent_gradient(param, grad, 0, group["maximize"])  # ±grad (the decay is decoupled)
    factored = param.ndim >= 2
    t = count_step(param, state, *(() if factored else ("variance",)))
    if factored and "row_var" not in state:  # the running means start at zero
        state["row_var"] = np.zeros(factored_shape(param.shape, -1), dtype=param.dtype)
        state["col_var"] = np.zeros(factored_shape(param.shape, -2), dtype=param.dtype)

    beta2_t = t ** group["beta2_decay"]  # the weight of this step's g^2 in the running means
    rho = min(lr, 1 / math.sqrt(t))
    step_size = max(eps2, rms(param)) * rho  # relative to the weights' size (before decay)
    if weight_decay != 0:
        param *= 1 - lr * weight_decay

    g2 = g * g
    if factored:
        r = state["row_var"] = lerp(state["row_var"], g2.mean(axis=-1, keepdims=True), beta2_t)
        c = state["col_var"] = lerp(state["col_var"], g2.mean(axis=-2, keepdims=True), beta2_t)
        # (..., n, 1) * (..., 1, m) broadcasts to the outer product R C of every matrix
        v_hat = r * c / np.maximum(r.mean(axis=-2, keepdims=True), eps1)
    else:
        v_hat = state["variance"] = lerp(state["variance"], g2, beta2_t)

    u = g / np.sqrt(np.maximum(v_hat, eps1 * eps1))  # eps1 squared: it is compared with a square
    clip = max(1.0, rms(u) / d)  # scale an update of rms above d back to d
    param -= (step_size / clip) * u


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start + weight * (end - start)``: ``weight`` of the way from ``start`` to ``end``
    (a running mean that gives the new value ``end`` the weight ``weight``), in ``start``'s dtype."""
    return (start + weight * (end - start)).astype(start.dtype, copy=False)


def rms(x: np.ndarray) -> float:
    """The root mean square ``sqrt(mean(x^2)) = ||x|| / sqrt(x.size)`` of all of ``x``."""
    return float(np.linalg.norm(x.reshape(-1))) / math.sqrt(x.size)


def factored_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """``shape`` with dimension ``axis`` (-1: the row means ``R``, -2: the column means ``C``)
    replaced by 1."""
    dims = list(shape)
    dims[axis] = 1
    return tuple(dims)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
