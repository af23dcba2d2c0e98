"""Case 8: one optimizer step on the MLP's parameters — Adam, AdamW, RMSprop, SGD with momentum.

The parameters are those of the MLP 784-512-512-10 (six float32 tensors, 669,706 numbers at
full size). Each framework gets the same starting weights and the same fixed gradients, set
once, so a timed call is ``steps`` calls of ``optimizer.step()`` and nothing else: the cost of
the update rule itself, which for a model this size is several full passes over memory.

* 8a Adam (defaults, lr 1e-3), 8b AdamW (weight_decay 1e-2), 8c RMSprop (lr 1e-3),
  8d SGD with momentum 0.9; PyTorch with its defaults (on the CPU, its per-tensor loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import CaseResult, Context

OPTIM_TARGET = 1.0

# (case key, number, optimizer name, keyword arguments)
OPTIMIZERS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("adam_step", "8a", "Adam", {"lr": 1e-3}),
    ("adamw_step", "8b", "AdamW", {"lr": 1e-3, "weight_decay": 1e-2}),
    ("rmsprop_step", "8c", "RMSprop", {"lr": 1e-3}),
    ("sgd_momentum_step", "8d", "SGD", {"lr": 1e-3, "momentum": 0.9}),
]


@dataclass(frozen=True)
class OptimConfig:
    dims: tuple[int, ...]
    steps: int  # optimizer steps per timed call


def config(size: str) -> OptimConfig:
    if size == "tiny":
        return OptimConfig(dims=(784, 64, 64, 10), steps=2)
    return OptimConfig(dims=(784, 512, 512, 10), steps=20)


def make_params(cfg: OptimConfig, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight or bias, its gradient) for every layer of the MLP, float32, PyTorch's shapes."""
    rng = np.random.default_rng(seed)
    pairs = []
    for i, o in zip(cfg.dims[:-1], cfg.dims[1:]):
        for shape in ((o, i), (o,)):
            value = rng.standard_normal(shape, dtype=np.float32) * 0.05
            grad = rng.standard_normal(shape, dtype=np.float32) * 0.01
            pairs.append((value, grad))
    return pairs


def glassnet_step(cfg: OptimConfig, name: str, kwargs: dict[str, Any]) -> Any:
    import glassnet as gn
    import glassnet.optim as optim

    params = []
    for value, grad in make_params(cfg):
        p = gn.tensor(value.copy(), requires_grad=True)
        p.grad = gn.tensor(grad)
        params.append(p)
    opt = getattr(optim, name)(params, **kwargs)

    def run() -> None:
        for _ in range(cfg.steps):
            opt.step()

    return run


def torch_step(torch: Any, cfg: OptimConfig, name: str, kwargs: dict[str, Any]) -> Any:
    params = []
    for value, grad in make_params(cfg):
        p = torch.from_numpy(value.copy()).requires_grad_()
        p.grad = torch.from_numpy(grad)
        params.append(p)
    opt = getattr(torch.optim, name)(params, **kwargs)

    def run() -> None:
        with torch.no_grad():
            for _ in range(cfg.steps):
                opt.step()

    return run


def _run(ctx: Context, key: str) -> CaseResult:
    cfg = config(ctx.size)
    _, number, name, kwargs = next(entry for entry in OPTIMIZERS if entry[0] == key)
    runners = {"glassnet": glassnet_step(cfg, name, kwargs)}
    if ctx.torch is not None:
        runners["torch"] = torch_step(ctx.torch, cfg, name, kwargs)
    # with --threads N, setup_threads gave glassnet's split work N threads, as PyTorch
    samples, profile = ctx.measure(runners, scale=1e3 / cfg.steps)
    n_params = sum(value.size for value, _ in make_params(cfg))
    options = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k != "lr")
    res = CaseResult(
        key=key,
        number=number,
        title=f"{name} step{' (' + options + ')' if options else ''}, {n_params:,} params",
        unit="ms",
        samples=samples,
        target=OPTIM_TARGET,
        profile=profile,
    )
    res.extra = {
        "optimizer": name,
        "kwargs": kwargs,
        "dims": list(cfg.dims),
        "params": n_params,
        "steps_per_call": cfg.steps,
    }
    return res


def run_adam(ctx: Context) -> CaseResult:
    return _run(ctx, "adam_step")


def run_adamw(ctx: Context) -> CaseResult:
    return _run(ctx, "adamw_step")


def run_rmsprop(ctx: Context) -> CaseResult:
    return _run(ctx, "rmsprop_step")


def run_sgd_momentum(ctx: Context) -> CaseResult:
    return _run(ctx, "sgd_momentum_step")
