"""Case 3: LSTM and GRU training — sequences of 40 steps, batch 64, hidden 128, input 32.

A one-layer recurrent network reads each sequence (time-major, PyTorch's default layout
(L, N, features)); a linear head classifies the last step's hidden state into 10 classes;
softmax cross-entropy and plain SGD. One timed call trains on a few batches of random data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import CaseResult, Context

RNN_TARGET = 1.0  # issue 14: LSTM and GRU training at least as fast as PyTorch


@dataclass(frozen=True)
class RNNConfig:
    batches: int
    seq: int
    batch: int
    input_size: int
    hidden: int
    classes: int = 10
    lr: float = 0.01


def config(size: str) -> RNNConfig:
    if size == "tiny":
        return RNNConfig(batches=2, seq=5, batch=8, input_size=4, hidden=16)
    return RNNConfig(batches=10, seq=40, batch=64, input_size=32, hidden=128)


def make_data(cfg: RNNConfig, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((cfg.batches, cfg.seq, cfg.batch, cfg.input_size), dtype=np.float32)
    y = rng.integers(0, cfg.classes, size=(cfg.batches, cfg.batch), dtype=np.int64)
    return X, y


def _train(lib: Any, to_tensor: Any, kind: str, cfg: RNNConfig, X: Any, y: Any) -> Any:
    """The same training loop for glassnet and PyTorch: both spell it with PyTorch's names."""
    F = lib.nn.functional
    lib.manual_seed(0)
    rnn = getattr(lib.nn, kind)(cfg.input_size, cfg.hidden)
    head = lib.nn.Linear(cfg.hidden, cfg.classes)
    opt = lib.optim.SGD(list(rnn.parameters()) + list(head.parameters()), lr=cfg.lr)
    xs = [to_tensor(x) for x in X]
    ys = [to_tensor(t) for t in y]

    def run() -> float:
        loss = None
        for xb, yb in zip(xs, ys):
            opt.zero_grad()
            out, _ = rnn(xb)
            loss = F.cross_entropy(head(out[-1]), yb)
            loss.backward()
            opt.step()
        return float(loss.item())

    return run


def glassnet_train(kind: str, cfg: RNNConfig, X: np.ndarray, y: np.ndarray) -> Any:
    import glassnet as gn

    return _train(gn, gn.tensor, kind, cfg, X, y)


def torch_train(torch: Any, kind: str, cfg: RNNConfig, X: np.ndarray, y: np.ndarray) -> Any:
    return _train(torch, torch.from_numpy, kind, cfg, X, y)


def _run(ctx: Context, kind: str, key: str, number: str) -> CaseResult:
    cfg = config(ctx.size)
    X, y = make_data(cfg)
    runners = {"glassnet": glassnet_train(kind, cfg, X, y)}
    if ctx.torch is not None:
        runners["torch"] = torch_train(ctx.torch, kind, cfg, X, y)
    samples, profile = ctx.measure(runners)
    res = CaseResult(
        key=key,
        number=number,
        title=f"{kind} training ({cfg.batches} batches)",
        unit="s",
        samples=samples,
        target=RNN_TARGET,
        profile=profile,
    )
    res.extra = {
        "batches": cfg.batches,
        "seq_len": cfg.seq,
        "batch": cfg.batch,
        "input_size": cfg.input_size,
        "hidden": cfg.hidden,
        "ms_per_batch": {fw: 1000 * res.median(fw) / cfg.batches for fw in samples},
        "final_loss": dict(ctx.last),
    }
    return res


def run_lstm(ctx: Context) -> CaseResult:
    return _run(ctx, "LSTM", "lstm_train", "3a")


def run_gru(ctx: Context) -> CaseResult:
    return _run(ctx, "GRU", "gru_train", "3b")
