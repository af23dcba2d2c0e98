"""Muon: momentum whose update matrix is orthogonalized by a Newton–Schulz iteration (2-D parameters)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..ops.blas_direct import matmul
from .adafactor import _is_number, lerp
from .optimizer import Group, Optimizer, State

#: Keller Jordan's quintic Newton–Schulz coefficients (a, b, c), torch's defaults
NS_COEFFICIENTS = (3.4445, -4.775, 2.0315)
#: the ways of scaling the learning rate to a matrix's shape (None means "original")
ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


class Muon(Optimizer):
    r"""Muon (Jordan et al., 2024), as ``torch.optim.Muon``: for weight *matrices* only.

    For each 2-D parameter :math:`\theta` (shape :math:`A \times B`) with gradient
    :math:`G_t` at step :math:`t = 1, 2, \dots`:

    .. math::

        M_t &= \mu\, M_{t-1} + (1 - \mu)\, G_t \qquad (M_0 = 0:\ \text{the momentum buffer}) \\
        D_t &= \begin{cases} (1 - \mu)\, G_t + \mu\, M_t & \text{nesterov} \\
                              M_t & \text{otherwise} \end{cases} \\
        O_t &= \mathrm{NS}^{(a,b,c)}_k(D_t) \approx U V^\top
              \qquad (D_t = U S V^\top,\ \text{its singular value decomposition}) \\
        \theta_t &= (1 - \eta\lambda)\, \theta_{t-1} - \eta'\, O_t,
              \qquad \eta' = \eta \sqrt{\max(1, A / B)}
              \ \ (\text{or } 0.2\, \eta \sqrt{\max(A, B)} \text{ for "match_rms_adamw"})

    **Why orthogonalize.** A gradient (or momentum) matrix :math:`D = U S V^\top` is a sum of
    rank-one directions :math:`s_i u_i v_i^\top`, and in practice a few of its singular values
    :math:`s_i` are far larger than the rest: an ordinary step moves the weights almost only
    along those few directions. Muon replaces :math:`S` by the identity, :math:`O = U V^\top`,
    so that every direction the gradient points along moves by the same amount: the step keeps
    *where* the gradient points and forgets *how unevenly*. :math:`U V^\top` is also the matrix
    of spectral norm 1 that is most aligned with :math:`D` (it maximizes
    :math:`\langle D, O \rangle` over :math:`\|O\|_2 \le 1`): steepest descent when the size of
    a step is measured by the largest factor by which it can stretch a layer's input.

    **What Newton–Schulz computes.** An SVD is slow; a polynomial in :math:`X` built from
    matrix products only is not. The odd polynomial

    .. math::

        p(X) = a X + b\, (X X^\top) X + c\, (X X^\top)^2 X

    acts on the singular values alone: with :math:`X = U S V^\top`,
    :math:`X X^\top X = U S^3 V^\top`, so :math:`p(X) = U\, p(S)\, V^\top` with
    :math:`p(s) = a s + b s^3 + c s^5` applied to each :math:`s_i`. Iterating it
    :math:`k` times (``ns_steps``) drives every singular value in :math:`(0, 1]` towards 1.
    First :math:`X_0 = D / \max(\|D\|_F, \epsilon)`: the Frobenius norm is at least the
    largest singular value, so all :math:`s_i \le 1`, inside the range where the iteration
    works. The default coefficients make the slope at 0 large (:math:`a = 3.4445`), so tiny
    singular values grow fast, at the price of not converging exactly: after 5 steps every
    :math:`s_i` from 0.01 to 1 lands between about 0.68 and 1.2, which works as well as exact
    1s in training. A tall matrix (:math:`A > B`) is transposed first so that the Gram
    matrix :math:`X X^\top` is the smaller one, :math:`\min(A, B)^2` numbers. Each step costs
    three matrix products.

    **The learning rate** is scaled to the shape: :math:`O` has entries of size about
    :math:`1/\sqrt{\max(A, B)}`; "original" (Keller Jordan's) gives tall matrices
    :math:`\sqrt{A/B}` more, "match_rms_adamw" (Moonshot's) makes the update's root mean
    square about 0.2, near AdamW's, so AdamW's ``lr`` and ``weight_decay`` can be reused.
    Weight decay is decoupled (it shrinks the weights by the unscaled :math:`\eta\lambda`).

    torch runs the Newton–Schulz iteration in bfloat16 (fast on GPUs); glassnet has no
    bfloat16 and runs it in the parameter's dtype, so the two agree to bfloat16's precision
    (two or three significant digits of :math:`O`), not to the last bit.

    Args:
        params: 2-D tensors or parameter groups to optimize (see ``Optimizer``); biases,
            norms' scales and other non-matrix parameters are refused (optimize them with
            AdamW, say, in a second optimizer).
        lr: learning rate :math:`\eta` (default 1e-3).
        weight_decay: decoupled weight decay :math:`\lambda` (default 0.1).
        momentum: :math:`\mu`, the decay of the momentum buffer (default 0.95).
        nesterov: use Nesterov's look-ahead :math:`D_t` (default True).
        ns_coefficients: :math:`(a, b, c)` of the polynomial (default (3.4445, -4.775, 2.0315)).
        eps: :math:`\epsilon`, the least norm the update is divided by (default 1e-7).
        ns_steps: :math:`k`, the number of Newton–Schulz steps, below 100 (default 5).
        adjust_lr_fn: None or "original" (the default), or "match_rms_adamw".

    State per parameter: ``momentum_buffer`` (:math:`M`).

    Example::

        >>> matrices = [p for p in model.parameters() if p.ndim == 2]
        >>> others = [p for p in model.parameters() if p.ndim != 2]
        >>> muon = glassnet.optim.Muon(matrices, lr=0.02)
        >>> adamw = glassnet.optim.AdamW(others, lr=3e-4)
    """

    options = dict(
        lr=1e-3,
        weight_decay=0.1,
        momentum=0.95,
        nesterov=True,
        ns_coefficients=NS_COEFFICIENTS,
        eps=1e-7,
        ns_steps=5,
        adjust_lr_fn=None,
    )
    nonnegative_options = ("lr", "momentum", "weight_decay", "eps")

    def _check_options(self, options: Mapping[str, Any]) -> None:
        super()._check_options(options)
        coefficients = options["ns_coefficients"]
        if (
            not isinstance(coefficients, (tuple, list))
            or len(coefficients) != 3
            or not all(_is_number(c) for c in coefficients)
        ):
            raise ValueError(
                f"Invalid ns_coefficients: expected three numbers (a, b, c), got {coefficients!r}"
            )
        steps = options["ns_steps"]
        if (
            not isinstance(steps, numbers.Integral)
            or isinstance(steps, bool)
            or not 0 <= steps < 100
        ):
            raise ValueError(
                f"Invalid ns_steps: expected an integer 0 <= ns_steps < 100, got ns_steps={steps!r}"
            )
        if options["adjust_lr_fn"] not in ADJUST_LR_FNS:
            raise ValueError(
                "Invalid adjust_lr_fn: expected None, 'original' or 'match_rms_adamw', got "
                f"{options['adjust_lr_fn']!r}"
            )

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """As ``Optimizer.add_param_group``, but every parameter must be a matrix (2-D)."""
        super().add_param_group(param_group)
        for i, p in enumerate(self.param_groups[-1]["params"]):
            if p.ndim != 2:
                self.param_groups.pop()  # the optimizer stays as it was
                raise ValueError(
                    f"Muon only supports 2D parameters, but parameter {i} of the group has "
                    f"shape {tuple(p.shape)}; optimize it with another optimizer (AdamW, say)"
                )

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """One Muon step for one parameter (``muon_update_reference``, its products through
        BLAS's gemm: ``blas_direct.matmul``).

        There is no in-place twin: the three matrix products per Newton–Schulz step cost
        ``O(A B min(A, B))`` and dwarf the few elementwise passes; reusing work arrays made no
        measurable difference (a 256 x 1024 matrix: 36 ms either way).
        """
        muon_update_reference(param, grad, state, group, product=matmul)


def muon_update_reference(
    param: np.ndarray, grad: np.ndarray, state: State, group: Group, product: Any = np.matmul
) -> None:
    """Muon's update of one 2-D parameter, written as the formula reads.

    Changes ``param`` and ``state`` in place; ``group`` holds the options (see ``Muon``);
    ``product(x, y)`` is the matrix product (``np.matmul``, or ``blas_direct.matmul``).
    """
    mu, lr = group["momentum"], group["lr"]
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = np.zeros_like(param)  # M_0 = 0
    # M = mu M + (1 - mu) G: the buffer moves (1 - mu) of the way towards the gradient
    m = state["momentum_buffer"] = lerp(state["momentum_buffer"], grad, 1 - mu)
    d = lerp(grad, m, mu) if group["nesterov"] else m  # (1 - mu) G + mu M: a look ahead
    o = newton_schulz(d, group["ns_coefficients"], group["ns_steps"], group["eps"], product)
    param *= 1 - lr * group["weight_decay"]  # decoupled weight decay, with the unscaled lr
    param -= adjusted_lr(lr, group["adjust_lr_fn"], param.shape) * o


def newton_schulz(
    d: np.ndarray,
    coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
    steps: int = 5,
    eps: float = 1e-7,
    product: Any = np.matmul,
) -> np.ndarray:
    """``steps`` Newton–Schulz steps from ``d`` (A, B): close to ``U V^T`` for ``d = U S V^T``.

    ``X_0 = d / max(||d||_F, eps)`` (all singular values <= 1), then
    ``X <- a X + (b X X^T + c (X X^T)^2) X``, which maps each singular value ``s`` to
    ``a s + b s^3 + c s^5`` and leaves the singular vectors alone (see ``Muon``). A tall ``d``
    is worked on transposed, so that the Gram matrix ``X X^T`` is min(A, B) square. Returns a
    new (A, B) array of ``d``'s dtype; ``product`` is the matrix product.
    """
    a, b, c = coefficients
    tall = d.shape[0] > d.shape[1]
    x = d.T if tall else d
    x = x / max(float(np.linalg.norm(x)), eps)  # the Frobenius norm bounds the largest s
    for _ in range(steps):
        gram = product(x, x.T)  # X X^T = U S^2 U^T
        poly = b * gram + c * product(gram, gram)  # U (b S^2 + c S^4) U^T
        x = a * x + product(poly, x)  # U (a S + b S^3 + c S^5) V^T
    return x.T if tall else x


def adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    """The learning rate of the orthogonalized step of an (A, B) matrix:
    ``lr sqrt(max(1, A / B))`` ("original", and None) or ``0.2 lr sqrt(max(A, B))``
    ("match_rms_adamw")."""
    rows, cols = shape[:2]
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1.0, rows / cols))
