"""Lesson 8's exercises: one Adam step by hand, dropout in training mode, a cosine schedule."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn

from ..exercises import Report, exercise

ADAM_TEMPLATE = '''
import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step for one parameter (NumPy arrays of one shape); returns (param, m, v).

    t is the number of this step, counting from 1. With m and v the running means:
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t)          (bias corrections: m and v start at 0)
        v_hat = v / (1 - beta2**t)
        param = param - lr * m_hat / (sqrt(v_hat) + eps)
    Return new arrays; do not change the ones you were given.
    """
    ...
'''


@exercise(8, 1, "one Adam step by hand", ADAM_TEMPLATE, "adam_step")
def check_adam(adam_step: Callable, report: Report) -> None:
    rng = np.random.default_rng(8)
    for lr, betas in ((1e-3, (0.9, 0.999)), (0.1, (0.5, 0.9))):
        start = rng.normal(size=5)
        weight = gn.tensor(start.copy(), dtype=gn.float64, requires_grad=True)
        optimizer = gn.optim.Adam([weight], lr=lr, betas=betas, eps=1e-8)
        param, m, v = start.copy(), np.zeros(5), np.zeros(5)
        for t in range(1, 5):
            grad = rng.normal(size=5) * 10 ** rng.uniform(-2, 1)
            weight.grad = gn.tensor(grad, dtype=gn.float64)
            optimizer.step()  # glassnet's Adam: the expected values
            param, m, v = adam_step(param.copy(), grad.copy(), m.copy(), v.copy(), t, lr,
                                    betas[0], betas[1], 1e-8)  # fmt: skip
            where = f"Adam(lr={lr}, betas={betas}), param after step {t}"
            if not report.compare(where, param, weight.numpy(), rtol=1e-7, atol=1e-10):
                break


DROPOUT_TEMPLATE = '''
import numpy as np


def dropout(x, p, keep):
    """Dropout in training mode: zero the elements not kept, scale the kept ones by 1/(1 - p).

    x: a NumPy array; p: the probability of dropping an element (0 <= p < 1);
    keep: a boolean array of x's shape, True where the element survives (the random draw,
    made for you, so that your answer can be compared with glassnet's).
    """
    ...
'''


@exercise(8, 2, "dropout in training mode", DROPOUT_TEMPLATE, "dropout")
def check_dropout(dropout: Callable, report: Report) -> None:
    rng = np.random.default_rng(80)
    for seed, (shape, p) in enumerate((((10,), 0.5), ((4, 6), 0.2), ((3, 5), 0.75))):
        x = rng.normal(size=shape).astype(np.float32)
        gn.manual_seed(seed)  # the same draw twice: once for the answer, once for the mask
        expected = gn.nn.functional.dropout(gn.tensor(x), p, training=True).numpy()
        gn.manual_seed(seed)
        keep = gn.nn.functional.dropout(gn.ones(*shape), p, training=True).numpy() != 0
        got = dropout(x.copy(), p, keep.copy())
        report.compare(f"dropout(x of shape {shape}, p={p}, keep)", got, expected, rtol=1e-6)


COSINE_TEMPLATE = '''
import math


def cosine_lr(t, lr0, T_max, lr_min=0.0):
    """The learning rate of CosineAnnealingLR at epoch t (t = 0 is the start):

        lr_t = lr_min + (lr0 - lr_min) * (1 + cos(pi * t / T_max)) / 2
    """
    ...
'''


@exercise(8, 3, "a learning-rate schedule", COSINE_TEMPLATE, "cosine_lr")
def check_cosine(cosine_lr: Callable, report: Report) -> None:
    for lr0, T_max, lr_min in ((0.1, 8, 0.0), (0.5, 10, 0.01)):
        optimizer = gn.optim.SGD([gn.zeros(1, requires_grad=True)], lr=lr0)
        schedule = gn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=T_max, eta_min=lr_min)
        expected, got = [], []
        for t in range(T_max + 1):
            expected.append(optimizer.param_groups[0]["lr"])
            got.append(cosine_lr(t, lr0, T_max, lr_min))
            optimizer.step()
            schedule.step()
        report.compare(f"cosine_lr(t, lr0={lr0}, T_max={T_max}, lr_min={lr_min}) for t = 0..{T_max}",
                       got, expected, rtol=1e-9, atol=1e-12)  # fmt: skip
