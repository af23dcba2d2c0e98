"""DeZero (the ``dezero`` package, "Deep Learning from Scratch 3") on the suite's cases 1, 2, 4a.

Written as DeZero's own examples write it: ``dezero.models`` / ``dezero.layers`` with
``F.relu``, ``F.pooling``, ``F.softmax_cross_entropy``, ``optimizers.SGD(...).setup(model)``,
``model.cleargrads()``; batches are taken by indexing the whole arrays with a permutation, as
for PyTorch. DeZero computes on NumPy arrays in float32 like the others, but on NumPy 2 some of
its gradients become float64 (it multiplies by Python floats wrapped as 0-d float64 arrays,
which NumPy 2 no longer casts down): that is DeZero as installed, measured as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def mlp_train(dezero: Any, cfg: Any, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one DeZero training epoch of the MLP of case 1."""
    import dezero.functions as F
    import dezero.models as M
    import dezero.optimizers as O

    np.random.seed(0)  # DeZero draws its weights from NumPy's global generator
    model = M.MLP(list(cfg.dims[1:]), activation=F.relu)
    opt = O.SGD(lr=cfg.lr).setup(model)
    return _epoch(model, opt, F, X, y, cfg.batch)


def cnn_train(dezero: Any, cfg: Any, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one DeZero training epoch of the CNN of case 2."""
    import dezero.functions as F
    import dezero.layers as L
    import dezero.optimizers as O

    c1, c2 = cfg.channels
    flat = c2 * (cfg.size // 4) ** 2

    class CNN(dezero.Model):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = L.Conv2d(c1, 3, pad=1, in_channels=1)
            self.conv2 = L.Conv2d(c2, 3, pad=1, in_channels=c1)
            self.fc = L.Linear(cfg.classes, in_size=flat)

        def forward(self, x: Any) -> Any:
            x = F.pooling(F.relu(self.conv1(x)), 2, 2)
            x = F.pooling(F.relu(self.conv2(x)), 2, 2)
            return self.fc(F.reshape(x, (len(x), flat)))

    np.random.seed(0)
    model = CNN()
    opt = O.SGD(lr=cfg.lr).setup(model)
    return _epoch(model, opt, F, X, y, cfg.batch)


def _epoch(model: Any, opt: Any, F: Any, X: np.ndarray, y: np.ndarray, batch: int) -> Any:
    rng = np.random.default_rng(1)
    n = len(X)

    def epoch() -> float:
        perm = rng.permutation(n)
        loss = None
        for s in range(0, n, batch):
            idx = perm[s : s + batch]
            loss = F.softmax_cross_entropy(model(X[idx]), y[idx])
            model.cleargrads()
            loss.backward()
            opt.update()
        return float(loss.data)

    return epoch


def small_op(dezero: Any, steps: int, vectors: list[np.ndarray]) -> Any:
    """Case 4a: ``steps`` times, clear the gradients, ``F.sum(a * b + c)`` and backward."""
    import dezero.functions as F

    a, b, c = (dezero.Variable(v.copy()) for v in vectors)

    def run() -> None:
        for _ in range(steps):
            a.cleargrad()
            b.cleargrad()
            c.cleargrad()
            F.sum(a * b + c).backward()

    return run
