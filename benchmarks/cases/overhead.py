"""Case 4: framework overhead — tiny tensors, where the time is bookkeeping, not arithmetic.

* 4a: forward and backward of ``(a * b + c).sum()`` on 16-element tensors (three ops), in
  microseconds per step; NumPy computes the same values and gradients by hand.
* 4b: one training step (zero_grad, forward, MSE loss, backward, SGD step) of a 100-layer MLP
  of width 16 with ReLU between the layers, batch 16, in milliseconds per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import CaseResult, Context
from ..peers import add_relative_row, add_runners

OVERHEAD_TARGET = 1.0  # issue 14: small-op overhead stays at PyTorch's or below (was 1.5)


@dataclass(frozen=True)
class OverheadConfig:
    op_steps: int  # steps per timed call of 4a
    width: int
    layers: int
    batch: int
    mlp_steps: int  # steps per timed call of 4b
    lr: float = 0.01


def config(size: str) -> OverheadConfig:
    if size == "tiny":
        return OverheadConfig(op_steps=50, width=16, layers=10, batch=16, mlp_steps=2)
    return OverheadConfig(op_steps=2_000, width=16, layers=100, batch=16, mlp_steps=50)


# ---------------------------------------------------------------------------------------------
# 4a: three ops
# ---------------------------------------------------------------------------------------------


def _three(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(16, dtype=np.float32) for _ in range(3)]


def glassnet_small_op(steps: int) -> Any:
    import glassnet as gn

    a, b, c = (gn.tensor(v, requires_grad=True) for v in _three())

    def run() -> None:
        for _ in range(steps):
            a.grad = b.grad = c.grad = None
            (a * b + c).sum().backward()

    return run


def torch_small_op(torch: Any, steps: int) -> Any:
    a, b, c = (torch.tensor(v, requires_grad=True) for v in _three())

    def run() -> None:
        for _ in range(steps):
            a.grad = b.grad = c.grad = None
            (a * b + c).sum().backward()

    return run


def numpy_small_op(steps: int) -> Any:
    a, b, c = _three()

    def run() -> None:
        for _ in range(steps):
            (a * b + c).sum()
            g = np.ones_like(a)  # d sum / d (a*b + c)
            _ = (g * b, g * a, g)  # gradients of a, b, c

    return run


# ---------------------------------------------------------------------------------------------
# 4b: a deep, narrow MLP
# ---------------------------------------------------------------------------------------------


def _deep_data(cfg: OverheadConfig) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((cfg.batch, cfg.width), dtype=np.float32)
    t = rng.standard_normal((cfg.batch, cfg.width), dtype=np.float32)
    return x, t


def _deep_layers(nn: Any, cfg: OverheadConfig) -> Any:
    layers: list[Any] = []
    for k in range(cfg.layers):
        layers.append(nn.Linear(cfg.width, cfg.width))
        if k < cfg.layers - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def glassnet_deep_mlp(cfg: OverheadConfig) -> Any:
    import glassnet as gn
    import glassnet.nn as nn
    import glassnet.nn.functional as F
    import glassnet.optim as optim

    gn.manual_seed(0)
    model = _deep_layers(nn, cfg)
    opt = optim.SGD(model.parameters(), lr=cfg.lr)
    x, t = (gn.tensor(v) for v in _deep_data(cfg))

    def run() -> None:
        for _ in range(cfg.mlp_steps):
            opt.zero_grad()
            F.mse_loss(model(x), t).backward()
            opt.step()

    return run


def torch_deep_mlp(torch: Any, cfg: OverheadConfig) -> Any:
    F = torch.nn.functional
    torch.manual_seed(0)
    model = _deep_layers(torch.nn, cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    x, t = (torch.from_numpy(v) for v in _deep_data(cfg))

    def run() -> None:
        for _ in range(cfg.mlp_steps):
            opt.zero_grad()
            F.mse_loss(model(x), t).backward()
            opt.step()

    return run


def run_small_op(ctx: Context) -> CaseResult:
    cfg = config(ctx.size)
    runners = {"glassnet": glassnet_small_op(cfg.op_steps)}
    if ctx.torch is not None:
        runners["torch"] = torch_small_op(ctx.torch, cfg.op_steps)
    runners["numpy"] = numpy_small_op(cfg.op_steps)
    unavailable = add_runners(runners, "small_op", cfg.op_steps, _three())
    samples, profile = ctx.measure(runners, scale=1e6 / cfg.op_steps)
    res = CaseResult(
        key="small_op",
        number="4a",
        title="3-op fwd+bwd, 16 elements",
        unit="us",
        samples=samples,
        target=OVERHEAD_TARGET,
        profile=profile,
        unavailable=unavailable,
    )
    add_relative_row(res)
    res.extra = {"expression": "(a * b + c).sum().backward()", "steps_per_call": cfg.op_steps}
    return res


def run_deep_mlp(ctx: Context) -> CaseResult:
    cfg = config(ctx.size)
    runners = {"glassnet": glassnet_deep_mlp(cfg)}
    if ctx.torch is not None:
        runners["torch"] = torch_deep_mlp(ctx.torch, cfg)
    samples, profile = ctx.measure(runners, scale=1e3 / cfg.mlp_steps)
    res = CaseResult(
        key="deep_mlp_step",
        number="4b",
        title=f"{cfg.layers}-layer MLP step, width {cfg.width}",
        unit="ms",
        samples=samples,
        target=OVERHEAD_TARGET,
        profile=profile,
    )
    res.extra = {
        "layers": cfg.layers,
        "width": cfg.width,
        "batch": cfg.batch,
        "steps_per_call": cfg.mlp_steps,
    }
    return res
