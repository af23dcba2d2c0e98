"""tinygrad (the ``tinygrad`` package) on its CPU device, on the suite's cases 1, 2 and 4a.

tinygrad is lazy: operations build a graph that is compiled into kernels (C, by clang, on the
CPU device) and run when a value is needed. The training cases are written as tinygrad's own
MNIST example writes them: the step under ``TinyJit`` (captured on its second call, replayed
from the third, so the warm-up epoch pays the compilation), ``nn.optim.SGD``,
``sparse_categorical_crossentropy``, inside ``Context(TRAINING=1)``. The JIT needs fixed shapes, so
the short last batch of an epoch gets a JIT of its own. Case 4a runs eagerly (no JIT: a step of
three ops is what the case measures), realizing the three gradients every step. (tinygrad
0.14's ``backward`` gives every floating-point tensor in the graph a gradient; there is no
``requires_grad``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _train(tinygrad: Any, model: Any, lr: float, X: np.ndarray, y: np.ndarray, batch: int) -> Any:
    from tinygrad import Context, Tensor, TinyJit, nn

    opt = nn.optim.SGD(nn.state.get_parameters(model), lr=lr)

    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = model(xb).sparse_categorical_crossentropy(yb).backward()
        opt.step()
        return loss.realize()

    steps: dict[int, Any] = {}  # batch size -> its JIT
    rng = np.random.default_rng(1)
    n = len(X)

    def epoch() -> float:
        perm = rng.permutation(n)
        loss = None
        with Context(TRAINING=1):
            for s in range(0, n, batch):
                idx = perm[s : s + batch]
                jit = steps.setdefault(len(idx), TinyJit(step))
                loss = jit(Tensor(X[idx]), Tensor(y[idx]))
        return float(loss.item())

    return epoch


def mlp_train(tinygrad: Any, cfg: Any, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one tinygrad training epoch of the MLP of case 1."""
    from tinygrad import Tensor, nn

    Tensor.manual_seed(0)
    layers = [nn.Linear(i, o) for i, o in zip(cfg.dims[:-1], cfg.dims[1:])]

    def model(x: Any) -> Any:
        for layer in layers[:-1]:
            x = layer(x).relu()
        return layers[-1](x)

    return _train(tinygrad, _Holder(model, layers), cfg.lr, X, y, cfg.batch)


def cnn_train(tinygrad: Any, cfg: Any, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one tinygrad training epoch of the CNN of case 2."""
    from tinygrad import Tensor, nn

    Tensor.manual_seed(0)
    c1, c2 = cfg.channels
    conv1 = nn.Conv2d(1, c1, 3, padding=1)
    conv2 = nn.Conv2d(c1, c2, 3, padding=1)
    fc = nn.Linear(c2 * (cfg.size // 4) ** 2, cfg.classes)

    def model(x: Any) -> Any:
        x = conv1(x).relu().max_pool2d(2)
        x = conv2(x).relu().max_pool2d(2)
        return fc(x.flatten(1))

    return _train(tinygrad, _Holder(model, [conv1, conv2, fc]), cfg.lr, X, y, cfg.batch)


class _Holder:
    """A model for tinygrad: callable, with its layers where ``get_parameters`` looks."""

    def __init__(self, forward: Any, layers: list[Any]) -> None:
        self.forward = forward
        self.layers = layers

    def __call__(self, x: Any) -> Any:
        return self.forward(x)


def small_op(tinygrad: Any, steps: int, vectors: list[np.ndarray]) -> Any:
    """Case 4a: ``steps`` times, ``(a * b + c).sum()``, backward, the three gradients realized."""
    from tinygrad import Tensor

    a, b, c = (Tensor(v).realize() for v in vectors)

    def run() -> None:
        for _ in range(steps):
            a.grad = b.grad = c.grad = None
            (a * b + c).sum().backward()
            Tensor.realize(a.grad, b.grad, c.grad)

    return run
