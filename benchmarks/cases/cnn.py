"""Case 2: a small CNN, one training epoch of 6,400 random 28x28 images in batches of 128.

Network: conv 32 (3x3, pad 1) - ReLU - maxpool 2 - conv 64 (3x3, pad 1) - ReLU - maxpool 2 -
linear 10, softmax cross-entropy, plain SGD. glassnet reads its batches with its DataLoader,
PyTorch by indexing whole tensors with a ``randperm``.

The hand-written NumPy version is what a careful person writes: channels-last (NHWC) layout, so
that im2col is one copy of a ``sliding_window_view`` and each convolution is one matmul; 2x2
max-pooling as a reshape and a max, its gradient routed by the mask ``h == max`` (ties only
happen at ReLU's zeros, whose gradient is zero anyway); col2im as nine strided additions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import CaseResult, Context
from ..peers import add_relative_row, add_runners

CNN_TARGET = 1.0  # issue 14: at PyTorch's speed


@dataclass(frozen=True)
class CNNConfig:
    n: int
    size: int  # image side (28)
    channels: tuple[int, int]
    batch: int
    classes: int = 10
    lr: float = 0.01


def config(size: str) -> CNNConfig:
    if size == "tiny":
        return CNNConfig(n=64, size=8, channels=(4, 8), batch=32)
    return CNNConfig(n=6_400, size=28, channels=(32, 64), batch=128)


def make_data(cfg: CNNConfig, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((cfg.n, 1, cfg.size, cfg.size), dtype=np.float32)
    y = rng.integers(0, cfg.classes, size=cfg.n, dtype=np.int64)
    return X, y


def train_flops(cfg: CNNConfig) -> float:
    """Matmul FLOPs of an epoch: forward, weight gradients, input gradients but the first."""
    c1, c2 = cfg.channels
    s1, s2 = cfg.size * cfg.size, (cfg.size // 2) ** 2
    conv1 = 2.0 * s1 * 9 * 1 * c1
    conv2 = 2.0 * s2 * 9 * c1 * c2
    fc = 2.0 * (cfg.size // 4) ** 2 * c2 * cfg.classes
    return cfg.n * (2 * conv1 + 3 * conv2 + 3 * fc)


# ---------------------------------------------------------------------------------------------
# glassnet and PyTorch
# ---------------------------------------------------------------------------------------------


def _layers(nn: Any, cfg: CNNConfig) -> Any:
    c1, c2 = cfg.channels
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * (cfg.size // 4) ** 2, cfg.classes),
    )


def glassnet_train(cfg: CNNConfig, X: np.ndarray, y: np.ndarray) -> Any:
    import glassnet as gn
    import glassnet.data as gdata
    import glassnet.nn as nn
    import glassnet.nn.functional as F
    import glassnet.optim as optim

    gn.manual_seed(0)
    model = _layers(nn, cfg)
    opt = optim.SGD(model.parameters(), lr=cfg.lr)
    loader = gdata.DataLoader(gdata.TensorDataset(X, y), batch_size=cfg.batch, shuffle=True)

    def epoch() -> float:
        loss = None
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        return float(loss.item())

    return epoch


def torch_train(torch: Any, cfg: CNNConfig, X: np.ndarray, y: np.ndarray) -> Any:
    F = torch.nn.functional
    torch.manual_seed(0)
    model = _layers(torch.nn, cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    n = len(X)

    def epoch() -> float:
        perm = torch.randperm(n)
        loss = None
        for s in range(0, n, cfg.batch):
            idx = perm[s : s + cfg.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(tX[idx]), ty[idx])
            loss.backward()
            opt.step()
        return float(loss.item())

    return epoch


# ---------------------------------------------------------------------------------------------
# NumPy by hand (NHWC, im2col)
# ---------------------------------------------------------------------------------------------


def _im2col(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) -> (N*H*W, C*9): the 3x3 windows of x padded by 1, one row per position."""
    n, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))
    return windows.reshape(n * h * w, c * 9)  # one copy: (N, H, W, C, 3, 3) made contiguous


def _col2im(cols: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
    """Adjoint of _im2col: add each window's gradient back onto the padded input, then crop."""
    n, h, w, c = shape
    g = cols.reshape(n, h, w, c, 3, 3)
    out = np.zeros((n, h + 2, w + 2, c), cols.dtype)
    for i in range(3):
        for j in range(3):
            out[:, i : i + h, j : j + w, :] += g[..., i, j]
    return out[:, 1:-1, 1:-1, :]


def _pool(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max-pooling of (N, H, W, C); returns the pooled map and the mask of the maxima."""
    n, hh, ww, c = h.shape
    blocks = h.reshape(n, hh // 2, 2, ww // 2, 2, c)
    pooled = blocks.max(axis=(2, 4))
    mask = blocks == pooled[:, :, None, :, None, :]
    return pooled, mask


def _unpool(g: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, ho, _, wo, _, c = mask.shape
    return (mask * g[:, :, None, :, None, :]).reshape(n, 2 * ho, 2 * wo, c)


def numpy_train(cfg: CNNConfig, X: np.ndarray, y: np.ndarray) -> Any:
    rng = np.random.default_rng(1)
    c1, c2 = cfg.channels
    flat = c2 * (cfg.size // 4) ** 2

    def uniform(fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=shape).astype(np.float32)

    params = [
        uniform(9, (9, c1)),
        uniform(9, (c1,)),
        uniform(9 * c1, (9 * c1, c2)),
        uniform(9 * c1, (c2,)),
        uniform(flat, (flat, cfg.classes)),
        uniform(flat, (cfg.classes,)),
    ]
    Xh = np.ascontiguousarray(X.transpose(0, 2, 3, 1))  # NHWC once, outside the epoch
    n, bs, lr = len(X), cfg.batch, np.float32(cfg.lr)

    def step(x: np.ndarray, yb: np.ndarray) -> float:
        W1, b1, W2, b2, W3, b3 = params
        m, s = len(x), cfg.size
        cols1 = _im2col(x)
        h1 = (cols1 @ W1).reshape(m, s, s, c1)
        h1 += b1
        np.maximum(h1, 0, out=h1)
        p1, mask1 = _pool(h1)
        cols2 = _im2col(p1)
        h2 = (cols2 @ W2).reshape(m, s // 2, s // 2, c2)
        h2 += b2
        np.maximum(h2, 0, out=h2)
        p2, mask2 = _pool(h2)
        f = p2.reshape(m, flat)
        z = f @ W3
        z += b3
        # fused softmax + cross-entropy gradient
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        rows = np.arange(m)
        loss = -float(np.log(z[rows, yb]).mean())
        z[rows, yb] -= 1
        z *= np.float32(1.0 / m)
        ones = np.ones((1, m), np.float32)
        grads = [None] * 6
        grads[4], grads[5] = f.T @ z, (ones @ z)[0]
        dh2 = _unpool((z @ W3.T).reshape(p2.shape), mask2)
        dh2 *= h2 > 0
        dh2 = dh2.reshape(-1, c2)
        grads[2], grads[3] = cols2.T @ dh2, dh2.sum(axis=0)
        dp1 = _col2im(dh2 @ W2.T, p1.shape)
        dh1 = _unpool(dp1, mask1)
        dh1 *= h1 > 0
        dh1 = dh1.reshape(-1, c1)
        grads[0], grads[1] = cols1.T @ dh1, dh1.sum(axis=0)
        for p, g in zip(params, grads):
            g *= lr
            p -= g
        return loss

    def epoch() -> float:
        perm = rng.permutation(n)
        loss = 0.0
        for s in range(0, n, bs):
            idx = perm[s : s + bs]
            loss = step(Xh[idx], y[idx])
        return loss

    return epoch


def run(ctx: Context) -> CaseResult:
    cfg = config(ctx.size)
    X, y = make_data(cfg)
    runners = {"glassnet": glassnet_train(cfg, X, y)}
    if ctx.torch is not None:
        runners["torch"] = torch_train(ctx.torch, cfg, X, y)
    runners["numpy"] = numpy_train(cfg, X, y)
    unavailable = add_runners(runners, "cnn_train", cfg, X, y)
    samples, profile = ctx.measure(runners)
    res = CaseResult(
        key="cnn_train",
        number="2",
        title="CNN training epoch",
        unit="s",
        samples=samples,
        target=CNN_TARGET,
        profile=profile,
        unavailable=unavailable,
    )
    add_relative_row(res)
    flops = train_flops(cfg)
    gflops = {fw: flops / res.median(fw) / 1e9 for fw in samples}
    res.rows.append(("GFLOP/s (convs as matmuls)", gflops, "GFLOP/s", None))
    res.extra = {
        "images": cfg.n,
        "image_size": cfg.size,
        "channels": list(cfg.channels),
        "batch": cfg.batch,
        "gflop_per_epoch": flops / 1e9,
        "gflops": gflops,
        "final_loss": dict(ctx.last),
    }
    return res
