"""Fused loss ops: softmax cross-entropy in one step, one-class-per-position picking, binary CE.

Why fuse? Written as ``-log_softmax(x)[target]`` a cross-entropy takes several ops, each
keeping its own copy of an (N, C) array, and its gradient travels back through all of them.
Taken as one op, the forward computes log-softmax once (shifted by the row maximum so exp
never overflows) and the backward is a single closed form:

    loss_i = -sum_c q_ic * log softmax(x_i)_c
    dL/dx_i = (softmax(x_i) * sum_c q_ic - q_i) * dL/dloss_i

where q_i is the *target distribution* of sample i: a one-hot vector for a class index, the
given probabilities for probability targets, mixed with the uniform distribution by label
smoothing and multiplied by the class weights. (Without weights sum_c q_ic = 1 and the rule
is the familiar softmax - target.)

Class axis: dimension 1 of the input, as in PyTorch: (N, C) or (N, C, d1, d2, ...).

Every backward here has two paths: the everyday first-order one works on arrays directly
(nothing is being recorded), and when the backward itself is recorded (``create_graph=True``)
the same formula is written with Tensor operations so it can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, is_grad_enabled
from ..autograd import as_tensor as _as_tensor

_REDUCTIONS = ("none", "mean", "sum")


def _class_view(w: np.ndarray, ndim: int) -> np.ndarray:
    """Per-class values of shape (C,) reshaped to (1, C, 1, ...) to broadcast along dim 1."""
    return w.reshape((1, -1) + (1,) * (ndim - 2))


def _target_entries(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``a[i, index[i], ...]`` for every position: each one's entry at its target class (dim 1).

    For (N, C) that is the fancy index ``a[arange(N), index]`` (what nearly every classifier
    has); for (N, C, d...) the same pick by ``np.take_along_axis``.
    """
    if a.ndim == 2:
        return a[np.arange(a.shape[0]), index]
    return np.take_along_axis(a, index[:, None], axis=1)[:, 0]


def _add_to_target_entries(a: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """``a[i, index[i], ...] += values[i, ...]`` in place (each position has one target entry)."""
    if a.ndim == 2:
        a[np.arange(a.shape[0]), index] += values
        return
    entries = np.take_along_axis(a, index[:, None], axis=1)
    entries += values[:, None]
    np.put_along_axis(a, index[:, None], entries, axis=1)


class SoftmaxCrossEntropy(Op):
    """loss_i = -sum_c q_ic log softmax(x_i)_c;   dL/dx_i = (softmax(x_i) sum_c q_ic - q_i) g_i

    Args (of the constructor):
        probabilities: False when the target holds class indices of shape (N, d...), True
            when it holds class probabilities of the input's shape (N, C, d...).
        weight: per-class weights as an array of shape (C,), or None.
        ignore_index: a class-index target equal to it contributes nothing (and does not count
            in the 'mean' denominator).
        reduction: 'none' (one loss per position), 'sum', or 'mean' (sum divided by the total
            weight of the non-ignored targets for class indices, by the number of positions
            for probabilities), as in PyTorch.
        label_smoothing: epsilon in [0, 1]; the target becomes (1 - eps) * target + eps / C.

    Inputs: the logits x (float) and the target (int64 indices, or float probabilities; a
    probability target may require grad: dL/dtarget_ic = -(1 - eps) w_c log softmax(x_i)_c g_i).
    """

    def __init__(
        self,
        probabilities: bool,
        weight: np.ndarray | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.probabilities = probabilities
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = reduction
        self.eps = float(label_smoothing)

    def forward(self, x, target):
        dtype = x.dtype
        n_classes = x.shape[1]
        # Array methods, not np.max / np.sum: on the small arrays of a classifier's batch,
        # NumPy's function wrappers cost more than the arithmetic.
        shifted = x - x.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        total = p.sum(axis=1, keepdims=True)
        shifted -= np.log(total)  # now log softmax
        p /= total  # now softmax
        logp = shifted
        self.p = p
        self.plain = (
            not self.probabilities
            and self.weight is None
            and x.ndim == 2
            and not (target == self.ignore_index).any()
        )
        if self.plain:
            losses = self._plain_losses(logp, target)
            return self._reduced(losses, dtype)
        eps = self.eps
        w = None if self.weight is None else _class_view(self.weight.astype(dtype), x.ndim)
        self.w = w
        if self.probabilities:
            self.logp = logp
            q = target.astype(dtype, copy=False)
            if eps:
                q = q * (1 - eps) + eps / n_classes
            if w is not None:
                q = q * w
            losses = -np.sum(q * logp, axis=1)
            self.denominator = losses.size
        else:
            valid = target != self.ignore_index
            safe = target if valid.all() else np.where(valid, target, 0)
            self.safe = safe
            picked = _target_entries(logp, safe)
            if w is None:
                pick_weight = valid.astype(dtype)
            else:
                pick_weight = self.weight.astype(dtype)[safe] * valid
            self.valid = valid.astype(dtype)
            self.pick_weight = pick_weight  # w[target_i], 0 where ignored
            losses = -(picked * pick_weight)
            if eps:
                spread = np.sum(logp if w is None else logp * w, axis=1)
                losses = (1 - eps) * losses - (eps / n_classes) * spread * self.valid
            self.denominator = float(pick_weight.sum())
        return self._reduced(losses, dtype)

    def _reduced(self, losses: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """The per-position ``losses`` as the reduction asks: all of them, their sum, or their
        sum over ``self.denominator``."""
        if self.reduction == "none":
            return losses.astype(dtype, copy=False)
        total_loss = losses.sum()
        if self.reduction == "mean":
            total_loss = total_loss * self._inverse_denominator()
        return np.asarray(total_loss, dtype=dtype)

    def _plain_losses(self, logp: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``forward``'s losses for the everyday case, in fewer NumPy calls: logits (N, C),
        class indices with none ignored, no class weights. Then q_i is (1 - eps) at the target
        class plus eps / C everywhere, so

            loss_i = -(1 - eps) logp_i[t_i] - (eps / C) sum_c logp_ic

        (``forward``'s formula with every weight 1, which the tests compare it with)."""
        n, n_classes = logp.shape
        eps = self.eps
        self.safe, self.w, self.denominator = target, None, n
        picked = logp[np.arange(n), target]
        if not eps:
            return -picked
        return (eps - 1) * picked - (eps / n_classes) * logp.sum(axis=1)

    def _plain_backward(self, coef: np.ndarray) -> np.ndarray:
        """``backward``'s dL/dx for ``_plain_forward``: sum_c q_ic = 1, so
        dL/dx_i = (softmax(x_i) - eps / C) coef_i, minus (1 - eps) coef_i at the target."""
        p, target = self.p, self.safe
        coef_b = coef[:, None] if coef.ndim else coef
        gx = p * coef_b
        if self.eps:
            gx -= (self.eps / p.shape[1]) * coef_b
        gx[np.arange(p.shape[0]), target] -= (1 - self.eps) * coef
        return gx

    def _inverse_denominator(self) -> float:
        # 0 / 0 is nan in PyTorch too (every target ignored, or an empty batch).
        return 1.0 / self.denominator if self.denominator else float("nan")

    def _coefficient(self, g):
        """dL/dloss_i for every position (times 1/denominator for 'mean'), as an array or Tensor."""
        if self.reduction == "mean":
            return g * self._inverse_denominator()
        return g

    def _q_sum_and_dense_q(self, dtype):
        """For class-index targets: sum_c q_ic (N, d...) and the dense q (N, C, d...) as arrays."""
        eps, shape = self.eps, self.p.shape
        n_classes = shape[1]
        q = np.zeros(shape, dtype=dtype)
        if eps:
            spread = np.full(shape[1:2], eps / n_classes, dtype=dtype)
            if self.w is not None:
                spread = spread * self.w.reshape(-1)
            q += _class_view(spread, len(shape)) * self.valid[:, None]
        np.put_along_axis(
            q,
            self.safe[:, None],
            (
                np.take_along_axis(q, self.safe[:, None], axis=1)
                + ((1 - eps) * self.pick_weight)[:, None]
            ),
            axis=1,
        )
        return q.sum(axis=1), q

    def backward(self, g):
        if is_grad_enabled():
            return self._backward_recorded(g)
        eps = self.eps
        coef = np.asarray(self._coefficient(g.array), dtype=self.p.dtype)
        if self.plain:
            gx = self._plain_backward(coef) if self.parents[0] is not None else None
            return (None if gx is None else _as_tensor(gx), None)
        coef_b = coef[:, None] if coef.ndim else coef
        gx = gt = None
        if self.probabilities:
            n_classes = self.p.shape[1]
            target = self.inputs[1].array.astype(self.p.dtype, copy=False)
            q = target * (1 - eps) + eps / n_classes if eps else target
            if self.w is not None:
                q = q * self.w
            if self.parents[0] is not None:
                gx = self.p * np.sum(q, axis=1, keepdims=True)
                gx -= q
                gx *= coef_b
            if self.parents[1] is not None:
                scale = -(1 - eps) if self.w is None else -(1 - eps) * self.w
                gt = (self.logp * scale) * coef_b
        elif self.parents[0] is not None:
            n_classes = self.p.shape[1]
            q_sum = (1 - eps) * self.pick_weight
            if eps:
                total_w = n_classes if self.w is None else float(self.w.sum())
                q_sum = q_sum + (eps / n_classes) * total_w * self.valid
            gx = self.p * (q_sum * coef)[:, None]
            if eps:
                spread = eps / n_classes if self.w is None else (eps / n_classes) * self.w
                gx -= spread * (self.valid * coef)[:, None]
            _add_to_target_entries(gx, self.safe, -((1 - eps) * self.pick_weight * coef))
        return (None if gx is None else _as_tensor(gx), None if gt is None else _as_tensor(gt))

    def _backward_recorded(self, g):
        """The same rule with Tensor operations, so that it can be differentiated again."""
        from .api import log_softmax, softmax

        x = self.inputs[0]
        eps = self.eps
        dtype = self.p.dtype
        coef = self._coefficient(g)
        coef_b = coef.unsqueeze(1) if coef.ndim else coef
        p = softmax(x, dim=1)
        gx = gt = None
        if self.probabilities:
            n_classes = self.p.shape[1]
            target = self.inputs[1]
            if target.dtype != dtype:
                target = target.to(dtype)
            q = target * (1 - eps) + eps / n_classes if eps else target
            if self.w is not None:
                q = q * _as_tensor(self.w)
            if self.parents[0] is not None:
                gx = (p * q.sum(dim=1, keepdim=True) - q) * coef_b
            if self.parents[1] is not None:
                scale = -(1 - eps) if self.w is None else _as_tensor(-(1 - eps) * self.w)
                gt = log_softmax(x, dim=1) * scale * coef_b
        elif self.parents[0] is not None:
            if self.plain:  # every target counts, with weight 1
                self.valid = self.pick_weight = np.ones(self.p.shape[0], dtype)
            q_sum, q = self._q_sum_and_dense_q(dtype)
            gx = (p * _as_tensor(q_sum[:, None]) - _as_tensor(q)) * coef_b
        return gx, gt


class PickClass(Op):
    """y[n, *] = x[n, index[n, *], *];   dL/dx = g put back at those entries (zeros elsewhere)"""

    def __init__(self, index: np.ndarray):
        self.index = index  # integer array of shape (N, d...), every entry in [0, C)

    def forward(self, x):
        self.in_shape = x.shape
        return _target_entries(x, self.index)

    def backward(self, g):
        return (PlaceClass(self.index, self.in_shape)(g),)


class PlaceClass(Op):
    """y = zeros with y[n, index[n, *], *] = g[n, *];   dL/dg = dL/dy at those entries"""

    def __init__(self, index: np.ndarray, shape: tuple):
        self.index = index
        self.shape = shape

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        _add_to_target_entries(out, self.index, g)  # one entry per position: 0 + g there
        return out

    def backward(self, gg):
        return (PickClass(self.index)(gg),)


class BinaryCrossEntropy(Op):
    """l = -(t log p + (1 - t) log(1 - p));   dL/dp = g (p - t) / max(p (1 - p), 1e-12)

    Elementwise (the reduction is applied outside). Both logs are clamped at -100, which keeps
    the loss finite at p = 0 or 1 (PyTorch does the same), and the 1e-12 floor keeps the
    gradient finite there. dL/dt = g (log(1 - p) - log p), with the same clamped logs.
    """

    def forward(self, p, t):
        with np.errstate(divide="ignore"):
            self.log_p = np.maximum(np.log(p), -100)
            self.log_1mp = np.maximum(np.log1p(-p), -100)
        t = np.asarray(t, dtype=p.dtype)
        return -(t * self.log_p + (1 - t) * self.log_1mp)

    def backward(self, g):
        p, t = self.inputs
        if is_grad_enabled():
            from .api import clamp, log

            gp = gt = None
            if self.parents[0] is not None:
                gp = g * (p - t) / clamp(p * (1 - p), min=1e-12)
            if self.parents[1] is not None:
                gt = g * (clamp(log(1 - p), min=-100) - clamp(log(p), min=-100))
            return gp, gt
        pd = p.array
        td = np.asarray(t.array if hasattr(t, "array") else t, dtype=pd.dtype)
        gp = gt = None
        if self.parents[0] is not None:
            gp = _as_tensor(g.array * (pd - td) / np.maximum(pd * (1 - pd), 1e-12))
        if self.parents[1] is not None:
            gt = _as_tensor(g.array * (self.log_1mp - self.log_p))
        return gp, gt
