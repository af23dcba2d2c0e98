"""LBFGS: a quasi-Newton method that builds a curvature model from the last few steps."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .line_search import strong_wolfe
from .optimizer import Optimizer, bump_version, run_closure

LINE_SEARCHES = (None, "strong_wolfe")
#: what one call of ``step`` hands on to the next (kept in the state, in this order)
CARRIED_STATE = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), as ``torch.optim.LBFGS``.

    All parameters are treated as one flat vector :math:`x` with gradient :math:`g`. Newton's
    method would step by :math:`-H^{-1} g`; L-BFGS estimates :math:`H^{-1}` from the last
    ``history_size`` pairs of steps and gradient changes,

    .. math::

        s_k = x_{k+1} - x_k, \qquad y_k = g_{k+1} - g_k, \qquad \rho_k = 1 / (y_k \cdot s_k),

    (a pair is kept only if :math:`y_k \cdot s_k > 10^{-10}`, i.e. the loss curves upwards
    along :math:`s_k`), and computes the direction :math:`d = -H g` by the *two-loop recursion*
    without ever forming a matrix:

    .. math::

        q &\leftarrow -g; \quad \text{for } i = k, \dots, 1:\ \
            \alpha_i = \rho_i\, s_i \cdot q,\ \ q \leftarrow q - \alpha_i y_i \\
        r &\leftarrow \gamma\, q \qquad (\gamma = s_k \cdot y_k / y_k \cdot y_k,
            \text{ the initial scale } H_0 = \gamma I) \\
        \text{for } i &= 1, \dots, k:\ \ \beta_i = \rho_i\, y_i \cdot r,\ \
            r \leftarrow r + (\alpha_i - \beta_i)\, s_i; \qquad d = r

    The first iteration has no history: :math:`d = -g` with step
    :math:`t = \eta \min(1, 1 / \lVert g \rVert_1)`; later ones try :math:`t = \eta`, or let a
    strong-Wolfe line search (``line_search_fn="strong_wolfe"``) choose it. Then
    :math:`x \leftarrow x + t d`.

    One call of ``step(closure)`` runs up to ``max_iter`` such iterations (and evaluates the
    closure up to ``max_eval`` times), stopping early when the largest gradient entry is at
    most ``tolerance_grad``, or when the step or the change in loss is below
    ``tolerance_change``. The closure must clear the gradients, compute the loss, call
    ``backward()`` and return the loss::

        def closure():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss

        opt.step(closure)

    Args:
        params: the tensors to optimize (one group only: L-BFGS has no per-group options).
        lr: learning rate :math:`\eta` (default 1).
        max_iter: most iterations per ``step`` (default 20).
        max_eval: most closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when ``max |g| <= tolerance_grad`` (default 1e-7).
        tolerance_change: stop when the step or the loss changes by less (default 1e-9).
        history_size: how many ``(s, y)`` pairs to remember (default 100).
        line_search_fn: None (fixed step ``lr``) or ``"strong_wolfe"``.

    State (kept under the first parameter, as in PyTorch): ``func_evals``, ``n_iter``, ``d``,
    ``t``, ``old_dirs`` (the :math:`y_i`), ``old_stps`` (the :math:`s_i`), ``ro``, ``H_diag``
    (:math:`\gamma`), ``prev_flat_grad``, ``prev_loss``, ``al`` (the :math:`\alpha_i`).
    Memory: ``history_size`` times twice the parameters.
    """

    nonnegative_options = ("lr", "tolerance_grad", "tolerance_change")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4 if _is_count(max_iter) else max_iter
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        for name in ("max_iter", "max_eval", "history_size"):
            if not _is_count(options[name]):
                raise ValueError(
                    f"Invalid {name}: expected an integer >= 1, got {name}={options[name]!r}"
                )
        if options["line_search_fn"] not in LINE_SEARCHES:
            raise ValueError(
                "Invalid line_search_fn: expected None or 'strong_wolfe', got "
                f"line_search_fn={options['line_search_fn']!r}"
            )

    # ------------------------------------------------------------------ the flat vector
    @property
    def _params(self) -> list[Tensor]:
        return self.param_groups[0]["params"]

    def _flat_grad(self) -> np.ndarray:
        """All gradients as one vector (zeros for a parameter without a gradient)."""
        return np.concatenate(
            [
                np.zeros(p.array.size, p.array.dtype)
                if p.grad is None
                else p.grad.array.reshape(-1)
                for p in self._params
            ]
        )

    def _move(self, t: float, d: np.ndarray) -> None:
        """x <- x + t d, on the parameters themselves."""
        offset = 0
        for p in self._params:
            n = p.array.size
            p.array += t * d[offset : offset + n].reshape(p.array.shape)
            bump_version(p)
            offset += n

    def _set(self, values: list[np.ndarray]) -> None:
        for p, value in zip(self._params, values):
            p.array[...] = value
            bump_version(p)

    def _loss(self, closure: Callable[[], Any]) -> float:
        return float(run_closure(closure))

    def _evaluate_along(
        self, closure: Callable[[], Any], start: list[np.ndarray], d: np.ndarray, t: float
    ) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at ``start + t d``; the parameters go back to ``start``."""
        self._move(t, d)
        loss = self._loss(closure)
        grad = self._flat_grad()
        self._set(start)
        return loss, grad

    # ------------------------------------------------------------------ one step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; return the closure's first loss.

        Args:
            closure: clears the gradients, computes the loss, calls ``backward()`` and returns
                the loss (required: L-BFGS evaluates the loss several times per step).
        """
        if closure is None:
            raise ValueError(
                "LBFGS.step needs a closure that recomputes the loss and its gradients, "
                "e.g. opt.step(closure); got none"
            )
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = run_closure(closure)
        loss = float(first_loss)
        evaluations = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return first_loss  # already at a stationary point

        d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss = (
            state.get(name) for name in CARRIED_STATE
        )

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # The direction d = -H g.
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1.0
            else:
                y = flat_grad - prev_flat_grad  # change of gradient
                s = d * t  # the last step
                ys = float(y.dot(s))
                if ys > 1e-10:  # curvature along s is positive: remember the pair
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y.dot(y))
                if "al" not in state:
                    state["al"] = [None] * history_size
                d = two_loop_direction(flat_grad, old_dirs, old_stps, ro, H_diag, state["al"])

            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # The step length t.
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr
            else:
                t = lr
            gtd = float(flat_grad.dot(d))  # the slope along d
            if gtd > -tolerance_change:
                break  # d is not a descent direction (any more)

            if group["line_search_fn"] == "strong_wolfe":
                start = [p.array.copy() for p in self._params]
                along = functools.partial(self._evaluate_along, closure, start, d)
                loss, flat_grad, t, searched = strong_wolfe(
                    along, t, d, loss, flat_grad, gtd, max_ls=max_eval - evaluations
                )
                self._move(t, d)
                at_optimum = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._move(t, d)
                searched = 0
                at_optimum = False
                if n_iter != max_iter:  # the last iteration's loss is never needed
                    loss = self._loss(closure)
                    flat_grad = self._flat_grad()
                    at_optimum = np.abs(flat_grad).max() <= tolerance_grad
                    searched = 1
            evaluations += searched
            state["func_evals"] += searched

            if n_iter == max_iter or evaluations >= max_eval or at_optimum:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break  # the step has become too small
            if abs(loss - prev_loss) < tolerance_change:
                break  # the loss no longer changes

        carried = (d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss)
        state.update(zip(CARRIED_STATE, carried))
        return first_loss

    def _load_state_value(self, p: Tensor, index: int, key: str, value: Any) -> Any:
        """L-BFGS keeps flat vectors (all parameters' length) and lists of them, not arrays
        shaped like one parameter; numbers stay numbers."""
        numel = sum(q.array.size for q in self._params)
        dtype = self._params[0].array.dtype

        def vector(v: Any) -> Any:
            if isinstance(v, Tensor):
                v = v.array
            if isinstance(v, np.ndarray) and v.ndim == 0:
                return v.item()
            if isinstance(v, np.ndarray):
                if v.size != numel:
                    raise ValueError(
                        f"loaded L-BFGS state {key!r} has {v.size} entries, but the "
                        f"parameters have {numel}"
                    )
                return np.array(v, dtype=dtype).reshape(-1)
            return v

        if isinstance(value, (list, tuple)):
            return [vector(v) for v in value]
        if key in ("func_evals", "n_iter"):
            return int(vector(value))
        return vector(value)


def two_loop_direction(
    grad: np.ndarray,
    old_dirs: list[np.ndarray],
    old_stps: list[np.ndarray],
    ro: list[float],
    H_diag: float,
    al: list[Any],
) -> np.ndarray:
    """The L-BFGS direction ``-H grad`` by the two-loop recursion (see ``LBFGS``).

    ``old_dirs`` are the gradient changes ``y_i``, ``old_stps`` the steps ``s_i`` (oldest
    first), ``ro`` the ``1 / (y_i . s_i)``, ``H_diag`` the initial scale; ``al`` receives the
    ``alpha_i`` of the first loop.
    """
    q = -grad
    for i in range(len(old_dirs) - 1, -1, -1):  # newest pair first
        al[i] = float(old_stps[i].dot(q)) * ro[i]
        q = q - al[i] * old_dirs[i]
    r = q * H_diag
    for i in range(len(old_dirs)):  # oldest pair first
        be_i = float(old_dirs[i].dot(r)) * ro[i]
        r = r + (al[i] - be_i) * old_stps[i]
    return r


def _is_count(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1
