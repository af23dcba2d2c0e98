"""Strong-Wolfe line search: how far to go along a direction (used by L-BFGS).

Given a point :math:`x`, a descent direction :math:`d` and the objective along it,
:math:`\\phi(t) = f(x + t d)`, the search looks for a step :math:`t` that satisfies the
**strong Wolfe conditions**

.. math::

    \\phi(t) \\le \\phi(0) + c_1\\, t\\, \\phi'(0) \\qquad \\text{(enough decrease)} \\\\
    |\\phi'(t)| \\le c_2\\, |\\phi'(0)| \\qquad \\text{(the slope has flattened)}

with :math:`\\phi'(t) = \\nabla f(x + t d) \\cdot d` and :math:`0 < c_1 < c_2 < 1`. It runs in
two phases (Nocedal & Wright, *Numerical Optimization*, algorithms 3.5 and 3.6, in the form
of Schmidt's minFunc, which PyTorch follows too): first grow :math:`t` until an interval is
known to hold an acceptable step (a *bracket*), then shrink that interval ("zoom"), each new
trial step the minimizer of the cubic that fits :math:`\\phi` and :math:`\\phi'` at the two ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

#: phi evaluated at a step: objective_along(t) -> (f(x + t d), gradient at x + t d)
ObjectiveAlong = Callable[[float], tuple[float, np.ndarray]]


def cubic_interpolate(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimizer of the cubic through values ``f1, f2`` and slopes ``g1, g2`` at ``x1, x2``.

    Clipped to ``bounds`` (default: the interval between ``x1`` and ``x2``). With
    ``d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2)`` and ``d2 = sqrt(d1^2 - g1 g2)`` the minimizer is
    ``x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)``; when ``d1^2 < g1 g2`` the cubic has
    no minimum and the midpoint of the bounds is returned.
    """
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, low), high)


def strong_wolfe(
    objective_along: ObjectiveAlong,
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, float, int]:
    """Search along ``d`` for a step satisfying the strong Wolfe conditions.

    Args:
        objective_along: ``t -> (loss, flat gradient)`` at ``x + t d`` (leaving ``x`` as it was).
        t: the first step to try.
        d: the search direction (flat), a descent direction: ``gtd < 0``.
        f, g, gtd: loss, flat gradient and slope ``g . d`` at ``t = 0``.
        c1, c2: the constants of the two conditions.
        tolerance_change: stop zooming when the interval, times ``max |d|``, is this small.
        max_ls: the most evaluations of ``objective_along``.

    Returns:
        ``(loss, gradient, t, evaluations)`` at the step chosen.
    """
    d_norm = float(np.abs(d).max())
    f_new, g_new = objective_along(t)
    evaluations = 1
    gtd_new = float(g_new.dot(d))
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0

    # Phase 1: step further until [t_prev, t] brackets an acceptable step (or t is one).
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket = [t_prev, t]  # not enough decrease at t: the step lies before it
            bracket_f, bracket_g, bracket_gtd = (
                [f_prev, f_new],
                [g_prev, g_new],
                [gtd_prev, gtd_new],
            )
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]  # both conditions hold
            done = True
            break
        if gtd_new >= 0:
            bracket = [t_prev, t]  # the slope turned positive: a minimum lies between
            bracket_f, bracket_g, bracket_gtd = (
                [f_prev, f_new],
                [g_prev, g_new],
                [gtd_prev, gtd_new],
            )
            break
        # Still going down steeply: extrapolate by a cubic, between 1.01 and 10 times t.
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        t_prev, t = (
            t,
            cubic_interpolate(
                t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
            ),
        )
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = objective_along(t)
        evaluations += 1
        gtd_new = float(g_new.dot(d))
        ls_iter += 1
    if ls_iter >= max_ls:  # out of evaluations: choose the better of t = 0 and the last t
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # Phase 2: zoom into the bracket until a step satisfies both conditions.
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)  # low: the lower loss
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # A trial step too close to an end of the bracket makes little progress: move it to
        # 10% inside, unless the previous step was already there.
        margin = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < margin:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - margin
                else:
                    t = min(bracket) + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new = objective_along(t)
        evaluations += 1
        gtd_new = float(g_new.dot(d))
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            # not enough decrease: t becomes the high end
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = (
                t,
                f_new,
                g_new,
                gtd_new,
            )
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the slope at t points away from the old high end: the old low end replaces it
                bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = (
                    bracket[low],
                    bracket_f[low],
                    bracket_g[low],
                    bracket_gtd[low],
                )
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = (
                t,
                f_new,
                g_new,
                gtd_new,
            )

    return bracket_f[low], bracket_g[low], bracket[low], evaluations
