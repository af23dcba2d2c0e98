"""Cases 1 and 5: the MLP 784-512-512-10 — one training epoch, and inference throughput.

Each framework trains the same network on the same random data (60,000 x 784 float32 at full
size) with plain SGD and softmax cross-entropy, reading the data in shuffled batches of 128:

* glassnet as a user writes it: ``DataLoader(TensorDataset(X, y), shuffle=True)``, a
  ``Sequential`` of ``Linear``/``ReLU``, ``F.cross_entropy``, ``optim.SGD``;
* PyTorch as a speed-aware user writes it: the same modules, batches taken by indexing the
  whole tensors with a ``randperm`` (PyTorch's own DataLoader would collate per sample, which
  is several times slower);
* NumPy as a careful person writes it without a framework: preallocated buffers, matmuls with
  ``out=``, in-place ReLU and updates, no boolean-mask indexing, softmax and cross-entropy
  fused into one gradient, bias gradients as a product with a row of ones.

FLOPs counted are those of the matrix multiplies (everything else is O(batch x width)):
forward 2·N·Σ in·out, weight gradients the same again, input gradients for all layers but
the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import CaseResult, Context
from ..peers import add_relative_row, add_runners

MLP_TARGET = 1.0  # issue 14: an MLP epoch at least as fast as PyTorch (was 1.10)
PEAK_TARGET = 70.0  # % of the matmul peak (issue 14 asks for 70; the suite had issue 5's 75)


@dataclass(frozen=True)
class MLPConfig:
    n: int
    dims: tuple[int, ...]
    batch: int
    lr: float = 0.01
    infer_n: int = 60_000
    infer_batch: int = 1_000


def config(size: str) -> MLPConfig:
    if size == "tiny":
        return MLPConfig(n=512, dims=(784, 64, 64, 10), batch=128, infer_n=512, infer_batch=128)
    return MLPConfig(n=60_000, dims=(784, 512, 512, 10), batch=128)


def make_data(cfg: MLPConfig, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs (float32, drawn directly so no float64 copy ever exists) and labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((cfg.n, cfg.dims[0]), dtype=np.float32)
    y = rng.integers(0, cfg.dims[-1], size=cfg.n, dtype=np.int64)
    return X, y


def train_flops(cfg: MLPConfig) -> float:
    """Matmul FLOPs of one training epoch: forward, weight gradients, input gradients."""
    pairs = list(zip(cfg.dims[:-1], cfg.dims[1:]))
    forward = 2.0 * sum(i * o for i, o in pairs)
    input_grads = 2.0 * sum(i * o for i, o in pairs[1:])  # no gradient for the data
    return cfg.n * (2 * forward + input_grads)


def infer_flops(cfg: MLPConfig) -> float:
    return cfg.infer_n * 2.0 * sum(i * o for i, o in zip(cfg.dims[:-1], cfg.dims[1:]))


# ---------------------------------------------------------------------------------------------
# glassnet
# ---------------------------------------------------------------------------------------------


def glassnet_model(cfg: MLPConfig) -> Any:
    import glassnet.nn as nn

    layers: list[Any] = []
    for k, (i, o) in enumerate(zip(cfg.dims[:-1], cfg.dims[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(cfg.dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def glassnet_train(cfg: MLPConfig, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one glassnet training epoch."""
    import glassnet as gn
    import glassnet.data as gdata
    import glassnet.nn.functional as F
    import glassnet.optim as optim

    gn.manual_seed(0)
    model = glassnet_model(cfg)
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


def glassnet_infer(cfg: MLPConfig, X: np.ndarray) -> Any:
    import glassnet as gn

    gn.manual_seed(0)
    model = glassnet_model(cfg)
    model.eval()
    data = gn.tensor(X[: cfg.infer_n])

    def run() -> None:
        with gn.no_grad():
            for s in range(0, cfg.infer_n, cfg.infer_batch):
                model(data[s : s + cfg.infer_batch])

    return run


# ---------------------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------------------


def torch_model(torch: Any, cfg: MLPConfig) -> Any:
    layers: list[Any] = []
    for k, (i, o) in enumerate(zip(cfg.dims[:-1], cfg.dims[1:])):
        layers.append(torch.nn.Linear(i, o))
        if k < len(cfg.dims) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_train(torch: Any, cfg: MLPConfig, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one PyTorch training epoch."""
    F = torch.nn.functional
    torch.manual_seed(0)
    model = torch_model(torch, cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    n = len(X)

    def epoch() -> float:
        perm = torch.randperm(n)
        loss = None
        for s in range(0, n, cfg.batch):
            idx = perm[s : s + cfg.batch]
            xb, yb = tX[idx], ty[idx]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        return float(loss.item())

    return epoch


def torch_infer(torch: Any, cfg: MLPConfig, X: np.ndarray) -> Any:
    torch.manual_seed(0)
    model = torch_model(torch, cfg)
    model.eval()
    data = torch.from_numpy(X[: cfg.infer_n])

    def run() -> None:
        with torch.no_grad():
            for s in range(0, cfg.infer_n, cfg.infer_batch):
                model(data[s : s + cfg.infer_batch])

    return run


# ---------------------------------------------------------------------------------------------
# NumPy, written by hand with care
# ---------------------------------------------------------------------------------------------


def numpy_params(cfg: MLPConfig, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer, W stored (in, out) so that the forward pass is x @ W (no transpose);
    drawn from U(-1/sqrt(in), 1/sqrt(in)) like PyTorch's default initialisation."""
    rng = np.random.default_rng(seed)
    params = []
    for i, o in zip(cfg.dims[:-1], cfg.dims[1:]):
        bound = 1.0 / np.sqrt(i)
        W = rng.uniform(-bound, bound, size=(i, o)).astype(np.float32)
        b = rng.uniform(-bound, bound, size=o).astype(np.float32)
        params.append((W, b))
    return params


def numpy_train(cfg: MLPConfig, X: np.ndarray, y: np.ndarray) -> Any:
    """A callable running one careful hand-written NumPy training epoch (any depth)."""
    params = numpy_params(cfg)
    n, bs, lr = len(X), cfg.batch, np.float32(cfg.lr)
    f32 = np.float32
    rng = np.random.default_rng(1)
    acts = [np.empty((bs, d), f32) for d in cfg.dims[1:]]  # h1 .. logits
    grads = [np.empty((bs, d), f32) for d in cfg.dims[1:-1]]  # dL/dh of hidden layers
    dWs = [np.empty_like(W) for W, _ in params]
    dbs = [np.empty((1, len(b)), f32) for _, b in params]
    ones = np.ones((1, bs), f32)
    rows = np.arange(bs)
    last = len(params) - 1

    def epoch() -> float:
        perm = rng.permutation(n)
        loss = 0.0
        for s in range(0, n, bs):
            idx = perm[s : s + bs]
            m = len(idx)
            x = X[idx]  # one gather (np.take with out= is many times slower)
            yb = y[idx]
            # forward: h = relu(x W + b), in place
            hs = [x]
            for k, (W, b) in enumerate(params):
                h = np.matmul(hs[-1], W, out=acts[k][:m])
                h += b
                if k < last:
                    np.maximum(h, 0, out=h)
                hs.append(h)
            # fused softmax + cross-entropy: dL/dz = (softmax(z) - onehot(y)) / m
            z = hs[-1]
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            loss = -float(np.log(z[rows[:m], yb]).mean())
            z[rows[:m], yb] -= 1
            z *= f32(1.0 / m)
            # backward
            g = z
            for k in range(last, -1, -1):
                W, _ = params[k]
                np.matmul(hs[k].T, g, out=dWs[k])
                np.matmul(ones[:, :m], g, out=dbs[k])
                if k > 0:
                    gh = np.matmul(g, W.T, out=grads[k - 1][:m])
                    gh *= hs[k] > 0  # ReLU'(pre-activation) = (h > 0)
                    g = gh
            # SGD, in place
            for (W, b), dW, db in zip(params, dWs, dbs):
                dW *= lr
                W -= dW
                db *= lr
                b -= db[0]
        return loss

    return epoch


def numpy_infer(cfg: MLPConfig, X: np.ndarray) -> Any:
    params = numpy_params(cfg)
    bs = cfg.infer_batch
    acts = [np.empty((bs, d), np.float32) for d in cfg.dims[1:]]
    last = len(params) - 1

    def run() -> None:
        for s in range(0, cfg.infer_n, bs):
            h = X[s : s + bs]
            m = len(h)
            for k, (W, b) in enumerate(params):
                h = np.matmul(h, W, out=acts[k][:m])
                h += b
                if k < last:
                    np.maximum(h, 0, out=h)

    return run


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------


def run_train(ctx: Context) -> CaseResult:
    cfg = config(ctx.size)
    X, y = make_data(cfg)
    runners = {"glassnet": glassnet_train(cfg, X, y)}
    if ctx.torch is not None:
        runners["torch"] = torch_train(ctx.torch, cfg, X, y)
    runners["numpy"] = numpy_train(cfg, X, y)
    unavailable = add_runners(runners, "mlp_train", cfg, X, y)
    samples, profile = ctx.measure(runners)
    res = CaseResult(
        key="mlp_train",
        number="1",
        title="MLP training epoch",
        unit="s",
        samples=samples,
        target=MLP_TARGET,
        profile=profile,
        unavailable=unavailable,
    )
    add_relative_row(res)
    flops = train_flops(cfg)
    gflops = {fw: flops / res.median(fw) / 1e9 for fw in samples}
    res.rows.append(("GFLOP/s (matmuls)", gflops, "GFLOP/s", None))
    res.peak_target = PEAK_TARGET  # run.py adds the "% of matmul peak" row after the run
    res.extra = {
        "samples": cfg.n,
        "dims": list(cfg.dims),
        "batch": cfg.batch,
        "gflop_per_epoch": flops / 1e9,
        "gflops": gflops,
        "final_loss": dict(ctx.last),
    }
    return res


def run_infer(ctx: Context) -> CaseResult:
    cfg = config(ctx.size)
    X, _ = make_data(cfg)
    runners = {"glassnet": glassnet_infer(cfg, X)}
    if ctx.torch is not None:
        runners["torch"] = torch_infer(ctx.torch, cfg, X)
    runners["numpy"] = numpy_infer(cfg, X)
    samples, profile = ctx.measure(runners)
    res = CaseResult(
        key="mlp_inference",
        number="5",
        title="MLP inference (eval, no_grad)",
        unit="s",
        samples=samples,
        profile=profile,
    )
    throughput = {fw: cfg.infer_n / res.median(fw) for fw in samples}
    res.rows.append(("samples/s", throughput, "/s", None))
    res.extra = {
        "samples": cfg.infer_n,
        "batch": cfg.infer_batch,
        "samples_per_s": throughput,
        "gflops": {fw: infer_flops(cfg) / res.median(fw) / 1e9 for fw in samples},
    }
    return res
