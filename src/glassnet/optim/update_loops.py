"""The optimizers' fused update loops: one compiled pass over a parameter per step (numba).

An update rule written with NumPy calls (``adam_update``, say) makes a dozen passes over the
parameter's arrays, each reading them from memory and writing a result back; the arithmetic is
cheap and the memory traffic is not. Each loop here computes the same rule number by number in
ONE pass: it reads ``param[i]``, ``grad[i]`` and the state at ``i`` once and writes the new
``param[i]`` and state once. ``glassnet.jit`` compiles it (numba), and ``run_fused`` runs it on
every core: on numba's TBB threads where oneTBB is installed (``jit.parallel_loop``: each ``i``
is independent), else a contiguous range of the flattened arrays per ``split_work`` thread (the
loops release Python's global lock).

The loops take 1-D C-contiguous arrays of one float dtype (flat views of the parameter's
arrays), the rule's numbers already worked out in Python and cast to that dtype (so float32
stays float32, as in the NumPy path, and each loop compiles once per dtype), and the options as
ints (0 or 1). A state array an option does not use is passed as an empty array and never
read. ``maximize`` is ``sign = -1`` (``sign * grad`` is exact). Branches on the options are the
same at every ``i``, so the compiler moves them out of the loop and vectorizes it.

The readable twins are each rule's ``*_update_reference`` (the formula) and its in-place NumPy
path; the tests check all three agree step by step. A loop may order a rule's operations
otherwise than its NumPy path does (rounding then differs in the last bits); SGD's makes the
same operations in the same order, so its numbers are the NumPy path's, bit for bit. NaN and
infinity propagate as in NumPy.

Whether a parameter gets its fused loop: ``fused_loop_pays`` (large, contiguous, numba there;
for SGD also a small parameter, once numba is imported). A parameter too small to share out
runs the loop's one-thread form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import jit
from ..jit import prange
from .optimizer import SPLIT_MIN_SIZE, Group, Optimizer, State, update_in_blocks

#: The fewest numbers of a parameter updated by a compiled loop. Below it the NumPy path runs:
#: its dozen calls on a small array cost some tens of microseconds, so a run whose parameters
#: are all smaller would not win back the half second that importing numba costs, and it never
#: imports numba. (The default ``glassnet train`` model's largest weight has 256 x 128 = 2**15
#: numbers; from 2**16 on, the NumPy path would also start splitting the work over the cores.)
FUSED_MIN_SIZE = 2**16


#: The empty array passed for an unused state array, one per dtype. Its own allocation, never
#: an empty view of the parameter: the compiled loop checks at run time that its arrays do not
#: overlap before taking its vectorized version, and an empty view at the parameter's address
#: counts as overlapping (the loop then runs number by number, three times slower).
_UNUSED = {char: np.empty(0, dtype=char) for char in "fd"}


def fused_loop_pays(param: np.ndarray, grad: np.ndarray) -> bool:
    """Whether ``param``'s update runs as a compiled loop (``run_fused``) instead of NumPy calls.

    Yes when the parameter is large (``FUSED_MIN_SIZE``; checked first, so small runs never
    import numba), it and its gradient are C-contiguous float32 or float64 arrays of one dtype
    (their flat views are then views, not copies), and compiled loops are available. A small
    parameter keeps the NumPy path even once numba is imported: one compiled call with all
    its arguments costs about 4.4 us, the NumPy path 2.2 us (SGD on 256 numbers; BENCHMARKS.md,
    tenth round), and a 100-layer MLP's step was 15 % slower the other way.
    """
    if param.size < FUSED_MIN_SIZE:  # first: small parameters never import numba
        return False
    return (
        grad.dtype == param.dtype
        and param.flags.c_contiguous
        and grad.flags.c_contiguous
        and jit.pays(param.size, param.dtype, FUSED_MIN_SIZE)
    )


def fused_or_numpy_update(
    optimizer: Optimizer,
    fused: Callable[..., None],
    numpy_path: Callable[..., None],
    param: np.ndarray,
    grad: np.ndarray,
    state: State,
    group: Group,
    work: int = 0,
) -> None:
    """One parameter's update (an optimizer's ``update``): ``fused(param, grad, state, group)``
    if ``fused_loop_pays``, else ``numpy_path(param, grad, state,
    group)``, which is given ``work`` scratch arrays (``optimizer.scratch``) as a fifth
    argument when ``work > 0``."""
    if fused_loop_pays(param, grad):
        fused(param, grad, state, group)
    elif work:
        numpy_path(param, grad, state, group, optimizer.scratch(param, work))
    else:
        numpy_path(param, grad, state, group)


def gradient_numbers(group: Mapping[str, Any]) -> tuple[float, float]:
    """``(sign, weight_decay)`` of a loop's ``g = sign * grad + weight_decay * param``: ``sign``
    is -1 when maximizing (``descent_gradient``'s rule, number by number)."""
    return -1.0 if group["maximize"] else 1.0, group["weight_decay"]


def adam_gradient_numbers(group: Mapping[str, Any]) -> tuple[float, float, float]:
    """``(sign, weight_decay, shrink)`` of the Adam family's loops (``decayed_gradient``'s rule,
    number by number): with ``decoupled_weight_decay`` the weight first shrinks,
    ``param *= shrink = 1 - lr * weight_decay``, and the gradient gets no decay term
    (``weight_decay`` 0); otherwise ``shrink`` is 1 and the decay is an L2 term."""
    sign, weight_decay = gradient_numbers(group)
    if group["decoupled_weight_decay"]:
        return sign, 0.0, 1 - group["lr"] * weight_decay
    return sign, weight_decay, 1.0


def run_fused(
    loop: jit.Loop, arrays: Sequence[np.ndarray | None], numbers: Sequence[float], *flags: int
) -> None:
    """Run ``loop(*flat arrays, *numbers, *flags)`` over the arrays, split over the cores.

    ``arrays`` are the parameter, its gradient and its state arrays (all C-contiguous, of the
    parameter's shape), ``None`` for a state array the options leave unused (an empty array is
    passed instead). ``numbers`` are cast to the parameter's dtype. Each thread runs the loop
    once over its range (``update_in_blocks`` without blocks: a single pass has no reason to
    revisit a block while it is in the cache).
    """
    param = arrays[0]
    size = param.size  # the compiled loop does not check its indices: every array must fit
    if not all(a is None or (a.flags.c_contiguous and a.size == size) for a in arrays):
        raise ValueError(
            f"a fused optimizer update needs C-contiguous state arrays of the parameter's size "
            f"{size}; got arrays of sizes {[None if a is None else a.size for a in arrays]} "
            f"with C-contiguous {[None if a is None else a.flags.c_contiguous for a in arrays]}"
        )
    unused = _UNUSED[param.dtype.char]
    flat = [unused if a is None else a.ravel() for a in arrays]  # views: C-contiguous
    scalars = list(np.array(numbers, dtype=param.dtype))  # NumPy scalars of that dtype

    if size < SPLIT_MIN_SIZE:  # one core is done before a second thread would have woken
        loop.one_thread(*flat, *scalars, *flags)
        return
    if loop.compiled_parallel():  # numba's own threads: one call, no hand-off to split_work's
        loop(*flat, *scalars, *flags)
        return

    def kernel(*pieces: np.ndarray) -> None:
        loop(*pieces, *scalars, *flags)

    update_in_blocks(kernel, *flat, blocks=False)


@jit.parallel_loop
def sgd_loop(
    param: np.ndarray,
    grad: np.ndarray,
    buf: np.ndarray,
    sign: float,
    weight_decay: float,
    lr: float,
    momentum: float,
    one_minus_dampening: float,
    use_momentum: int,
    first: int,
    nesterov: int,
) -> None:
    r"""SGD, one pass (see ``SGD``): for every :math:`i`,

    .. math::

        d &= \pm g_i + \lambda\,\theta_i \\
        b_i &\leftarrow d \ \text{(first step) or } \mu\, b_i + (1 - \tau)\, d
              \qquad (\text{if use\_momentum}) \\
        \theta_i &\leftarrow \theta_i - \eta\,(d + \mu\, b_i \text{ if nesterov, else } b_i)
              \quad (\text{or } \theta_i - \eta\, d \text{ without momentum})
    """
    for i in prange(param.size):
        d = sign * grad[i]
        if weight_decay != 0:
            d += weight_decay * param[i]
        if use_momentum:
            b = d if first else momentum * buf[i] + one_minus_dampening * d
            buf[i] = b
            d = d + momentum * b if nesterov else b
        param[i] -= lr * d


@jit.parallel_loop
def adam_loop(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray,
    sign: float,
    weight_decay: float,
    shrink: float,
    one_minus_beta1: float,
    beta2: float,
    one_minus_beta2: float,
    step_size: float,
    eps_c: float,
    amsgrad: int,
) -> None:
    r"""Adam and AdamW, one pass (see ``Adam``): for every :math:`i`,

    .. math::

        \theta_i &\leftarrow s\,\theta_i \qquad (s = 1 - \eta\lambda \text{ if decoupled, else 1}) \\
        g &= \pm g_i + \lambda\,\theta_i \qquad (\lambda = 0 \text{ here if decoupled}) \\
        m_i &\leftarrow m_i + (1 - \beta_1)(g - m_i), \qquad
        v_i \leftarrow \beta_2 v_i + (1 - \beta_2)\, g^2 \\
        \hat v &= \max(\hat v_i, v_i) \text{ (stored in } \hat v_i \text{) if amsgrad, else } v_i \\
        \theta_i &\leftarrow \theta_i - \frac{\eta c}{1 - \beta_1^t}\, \frac{m_i}{\sqrt{\hat v} + \epsilon c}
              \qquad (c = \sqrt{1 - \beta_2^t}: \text{ step\_size and eps\_c})
    """
    for i in prange(param.size):
        p = shrink * param[i]
        g = sign * grad[i]
        if weight_decay != 0:
            g += weight_decay * p
        m_i = m[i] + one_minus_beta1 * (g - m[i])
        v_i = beta2 * v[i] + one_minus_beta2 * (g * g)
        m[i] = m_i
        v[i] = v_i
        if amsgrad:
            largest = v_max[i]
            if largest > v_i or largest != largest:  # np.maximum's rule: a NaN wins
                v_i = largest
            v_max[i] = v_i
        param[i] = p - step_size * m_i / (math.sqrt(v_i) + eps_c)


@jit.parallel_loop
def rmsprop_loop(
    param: np.ndarray,
    grad: np.ndarray,
    v: np.ndarray,
    g_avg: np.ndarray,
    buf: np.ndarray,
    sign: float,
    weight_decay: float,
    alpha: float,
    one_minus_alpha: float,
    eps: float,
    lr: float,
    momentum: float,
    centered: int,
    use_momentum: int,
) -> None:
    r"""RMSprop, one pass (see ``RMSprop``): for every :math:`i`,

    .. math::

        g &= \pm g_i + \lambda\,\theta_i, \qquad v_i \leftarrow \alpha v_i + (1 - \alpha)\, g^2 \\
        \bar g_i &\leftarrow \bar g_i + (1 - \alpha)(g - \bar g_i), \qquad
        r = \sqrt{v_i - \bar g_i^2} + \epsilon \qquad (\text{if centered, else }
        r = \sqrt{v_i} + \epsilon) \\
        b_i &\leftarrow \mu\, b_i + g / r \qquad (\text{if use\_momentum}) \\
        \theta_i &\leftarrow \theta_i - \eta\, b_i \ \text{ (or } \theta_i - \eta\, g / r
                  \text{ without momentum)}
    """
    for i in prange(param.size):
        g = sign * grad[i]
        if weight_decay != 0:
            g += weight_decay * param[i]
        v_i = alpha * v[i] + one_minus_alpha * (g * g)
        v[i] = v_i
        if centered:
            a = g_avg[i] + one_minus_alpha * (g - g_avg[i])
            g_avg[i] = a
            step = g / (math.sqrt(v_i - a * a) + eps)
        else:
            step = g / (math.sqrt(v_i) + eps)
        if use_momentum:
            step += momentum * buf[i]
            buf[i] = step
        param[i] -= lr * step


@jit.parallel_loop
def adagrad_loop(
    param: np.ndarray,
    grad: np.ndarray,
    total: np.ndarray,
    sign: float,
    weight_decay: float,
    lr_t: float,
    eps: float,
) -> None:
    r"""Adagrad, one pass (see ``Adagrad``): for every :math:`i`,

    .. math::

        g = \pm g_i + \lambda\,\theta_i, \qquad s_i \leftarrow s_i + g^2, \qquad
        \theta_i \leftarrow \theta_i - \tilde\eta_t\, \frac{g}{\sqrt{s_i} + \epsilon}
        \qquad (\tilde\eta_t = \text{lr\_t})
    """
    for i in prange(param.size):
        g = sign * grad[i]
        if weight_decay != 0:
            g += weight_decay * param[i]
        s_i = total[i] + g * g
        total[i] = s_i
        param[i] -= lr_t * (g / (math.sqrt(s_i) + eps))


@jit.parallel_loop
def adamax_loop(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    u: np.ndarray,
    sign: float,
    weight_decay: float,
    beta1: float,
    one_minus_beta1: float,
    beta2: float,
    eps: float,
    step_size: float,
) -> None:
    r"""Adamax, one pass (see ``Adamax``): for every :math:`i`,

    .. math::

        g &= \pm g_i + \lambda\,\theta_i, \qquad
        m_i \leftarrow \beta_1 m_i + (1 - \beta_1)\, g, \qquad
        u_i \leftarrow \max(\beta_2 u_i,\ |g| + \epsilon) \\
        \theta_i &\leftarrow \theta_i - \frac{\eta}{1 - \beta_1^t}\, \frac{m_i}{u_i}
        \qquad (\text{step\_size} = \eta / (1 - \beta_1^t))
    """
    for i in prange(param.size):
        g = sign * grad[i]
        if weight_decay != 0:
            g += weight_decay * param[i]
        m_i = beta1 * m[i] + one_minus_beta1 * g
        u_i = np.maximum(beta2 * u[i], abs(g) + eps)  # np.maximum: a NaN wins, as in NumPy
        m[i] = m_i
        u[i] = u_i
        param[i] -= step_size * (m_i / u_i)


@jit.parallel_loop
def moments_loop(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    sign: float,
    weight_decay: float,
    shrink: float,
    beta1: float,
    one_minus_beta1: float,
    beta2: float,
    one_minus_beta2: float,
    bias_correction2: float,
    eps: float,
    gradient_step: float,
    momentum_step: float,
    adaptive: int,
) -> None:
    r"""NAdam and RAdam, one pass (see ``NAdam``, ``RAdam``): for every :math:`i`, after the
    decay as in ``adam_loop``,

    .. math::

        m_i &\leftarrow \beta_1 m_i + (1 - \beta_1)\, g, \qquad
        v_i \leftarrow \beta_2 v_i + (1 - \beta_2)\, g^2 \\
        \theta_i &\leftarrow \theta_i - \frac{a\, g + b\, m_i}{d}, \qquad
        d = \sqrt{v_i / c} + \epsilon \ \text{ if adaptive, else } 1

    (:math:`a` = gradient_step, :math:`b` = momentum_step, :math:`c` = bias_correction2).
    NAdam: :math:`a = \eta (1 - \mu_t) / (1 - \Pi_t)`, :math:`b = \eta \mu_{t+1} / (1 - \Pi_t
    \mu_{t+1})`, :math:`c = 1 - \beta_2^t`. RAdam: :math:`a = 0`, :math:`c = 1`, and
    :math:`b = \eta r_t \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)` once :math:`\rho_t > 5`
    (adaptive), :math:`b = \eta / (1 - \beta_1^t)` before.
    """
    for i in prange(param.size):
        p = shrink * param[i]
        g = sign * grad[i]
        if weight_decay != 0:
            g += weight_decay * p
        m_i = beta1 * m[i] + one_minus_beta1 * g
        v_i = beta2 * v[i] + one_minus_beta2 * (g * g)
        m[i] = m_i
        v[i] = v_i
        step = momentum_step * m_i
        if gradient_step != 0:  # (not 0 * g: an infinite g would make it NaN)
            step += gradient_step * g
        if adaptive:
            step /= math.sqrt(v_i / bias_correction2) + eps
        param[i] = p - step
