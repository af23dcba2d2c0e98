"""SparseAdam: Adam that updates only the rows a step's gradient touches (embedding tables)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Group, Optimizer, State, check_betas


class SparseAdam(Optimizer):
    r"""Lazy Adam for embedding tables, as ``torch.optim.SparseAdam``.

    A batch of token ids reads only a few rows of an embedding table, so only those rows get
    a gradient. Adam would still decay the running averages of *every* row at every step and
    move rows the batch never saw (their momentum is not zero); SparseAdam updates only the
    rows :math:`r \in R_t` present in the step's gradient and leaves the others, values and
    moments, exactly as they were. For each parameter :math:`\theta` with gradient
    :math:`g_t` at step :math:`t = 1, 2, \dots` (:math:`t` counts every step with a gradient):

    .. math::

        g_t &\leftarrow \pm g_t \qquad (- \text{ if maximize}) \\
        R_t &= \{ r : \text{row } r \text{ of } g_t \text{ is not all zero} \} \\
        m_t[r] &= \beta_1 m_{t-1}[r] + (1 - \beta_1)\, g_t[r] \qquad (r \in R_t;\ m_0 = 0) \\
        v_t[r] &= \beta_2 v_{t-1}[r] + (1 - \beta_2)\, g_t[r]^2 \qquad (r \in R_t;\ v_0 = 0) \\
        \theta_t[r] &= \theta_{t-1}[r] - \eta\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\,
                      \frac{m_t[r]}{\sqrt{v_t[r]} + \epsilon} \qquad (r \in R_t)

    and rows :math:`r \notin R_t` keep :math:`\theta`, :math:`m` and :math:`v`. A row is one
    index along the first axis (a token's vector in an (N, D) table; one number in a vector).
    The bias correction is Adam's, but :math:`\epsilon` is added to :math:`\sqrt{v}` itself,
    not to :math:`\sqrt{v / (1 - \beta_2^t)}` (as torch does).

    **Dense gradients.** torch's SparseAdam needs a *sparse* gradient (the rows an
    ``nn.Embedding(sparse=True)`` gave, with their indices) and refuses a dense one. glassnet
    has no sparse tensors: its ``nn.Embedding(sparse=True)`` gives an ordinary gradient, zero
    in every row the batch did not read. SparseAdam takes that and treats the rows that are
    not all zero as the present ones, which is what torch does with the sparse gradient of the
    same embedding. One case differs: a row that was read but whose gradient came out exactly
    zero is present in torch's sparse gradient (so its moments decay and it moves) and absent
    here. Finding the rows reads the whole gradient once; the update then touches only them.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``); usually the
            weight of an ``nn.Embedding``.
        lr: learning rate :math:`\eta` > 0 (default 1e-3).
        betas: :math:`(\beta_1, \beta_2)`, decay rates of the two running averages
            (default (0.9, 0.999)); each in [0, 1).
        eps: :math:`\epsilon` > 0, added to the denominator for stability (default 1e-8).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (an int, as torch keeps it), ``exp_avg`` (:math:`m`),
    ``exp_avg_sq`` (:math:`v`).

    Example::

        >>> emb = glassnet.nn.Embedding(10_000, 64, sparse=True)
        >>> opt = glassnet.optim.SparseAdam(emb.parameters(), lr=1e-2)
        >>> opt.zero_grad(); loss_fn(emb(ids), y).backward(); opt.step()  # rows of ids only
    """

    options = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False)
    has_betas = True

    def _check_options(self, options: Mapping[str, Any]) -> None:
        for name, label in (("lr", "learning rate"), ("eps", "epsilon value")):
            value = options[name]
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"Invalid {label}: expected {name} > 0, got {name}={value!r}")
        check_betas(options)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One SparseAdam step for one parameter (the fast twin of
        ``sparse_adam_update_reference``): reads and writes only the present rows."""
        sparse_adam_update(param, grad, state, group)

    def _load_state_value(self, p: Tensor, index: int, key: str, value: Any) -> Any:
        """As the base class, but ``step`` stays a plain int (torch's SparseAdam keeps one)."""
        if key == "step":
            return int(value.item() if isinstance(value, (Tensor, np.ndarray)) else value)
        return super()._load_state_value(p, index, key, value)


def sparse_adam_update_reference(
    param: np.ndarray, grad: np.ndarray, state: State, group: Group
) -> None:
    """SparseAdam's update of one parameter as the formula reads: Adam's update of every row,
    kept only in the present rows (``np.where``). Changes ``param`` and ``state`` in place."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    t = sparse_adam_count_step(param, state)
    g = -grad if group["maximize"] else grad
    present = present_rows(g)  # True for each row with a nonzero gradient
    # broadcast the (rows,) mask over the other axes: (rows, 1, 1, ...)
    mask = present.reshape(present.shape + (1,) * (param.ndim - 1)) if param.ndim else present[0]
    m = np.where(mask, beta1 * state["exp_avg"] + (1 - beta1) * g, state["exp_avg"])
    v = np.where(mask, beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g, state["exp_avg_sq"])
    step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    new = np.where(mask, param - step_size * m / (np.sqrt(v) + eps), param)
    state["exp_avg"][...], state["exp_avg_sq"][...], param[...] = m, v, new


def sparse_adam_update(param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
    """``sparse_adam_update_reference`` computed on the present rows only: they are gathered
    (by integer indices, not a boolean mask), updated, and written back; the others are never
    touched. The arithmetic follows torch's order (``m + (1 - beta1)(g - m)``), so float64
    results agree with torch's to the last bits."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    t = sparse_adam_count_step(param, state)
    # a scalar parameter is one row: view it as a vector of one (a view, so writes count)
    p, g = (param.reshape(1), grad.reshape(1)) if param.ndim == 0 else (param, grad)
    m_all, v_all = (
        state[k].reshape(1) if param.ndim == 0 else state[k] for k in ("exp_avg", "exp_avg_sq")
    )
    rows = np.flatnonzero(present_rows(g))
    if rows.size == 0:
        return  # no row present: only the step was counted (as torch, for an empty gradient)
    g_rows = -g[rows] if group["maximize"] else g[rows]
    m, v = m_all[rows], v_all[rows]  # copies of the present rows
    m += (1 - beta1) * (g_rows - m)  # m moves (1 - beta1) of the way towards g
    v += (1 - beta2) * (g_rows * g_rows - v)
    m_all[rows], v_all[rows] = m, v
    step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    denom = np.sqrt(v)
    denom += eps
    np.divide(m, denom, out=m)
    m *= step_size
    p[rows] -= m


def present_rows(grad: np.ndarray) -> np.ndarray:
    """A (rows,) boolean array: whether each row (index along the first axis) of ``grad`` has a
    nonzero number. A scalar gradient is one row."""
    if grad.ndim == 0:
        return np.array([grad != 0])
    return grad.reshape(grad.shape[0], -1).any(axis=1)


def sparse_adam_count_step(param: np.ndarray, state: State) -> int:
    """Count one more step; return its number ``t`` (1 at the first). The first step makes the
    state: ``step`` (an int, as torch keeps it) and ``exp_avg``, ``exp_avg_sq`` (zeros)."""
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    return state["step"]
