"""Case 9: normalization layers, forward + backward: LayerNorm, GroupNorm and BatchNorm2d.

Each sub-case runs ``steps`` forward and backward passes of one layer with its affine
parameters (weight and bias) on a fixed float32 input that requires a gradient, the loss
being ``(y * g).sum()`` with a fixed random ``g`` (so that the backward starts from a
non-trivial gradient):

* 9a: ``LayerNorm(512)`` on (4096, 512), the size of issue 14;
* 9b: ``GroupNorm(8, 64)`` on (32, 64, 16, 16);
* 9c: ``BatchNorm2d(64)`` in training mode on (32, 64, 16, 16).

Reported in milliseconds per forward + backward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import CaseResult, Context

NORM_TARGET = 1.2


@dataclass(frozen=True)
class NormConfig:
    layer_shape: tuple[int, ...]
    spatial_shape: tuple[int, ...]
    groups: int
    steps: int  # forward + backward passes per timed call


def config(size: str) -> NormConfig:
    if size == "tiny":
        return NormConfig(layer_shape=(64, 32), spatial_shape=(4, 8, 4, 4), groups=2, steps=2)
    return NormConfig(layer_shape=(4096, 512), spatial_shape=(32, 64, 16, 16), groups=8, steps=20)


# The three layers, built the same way from glassnet.nn or torch.nn.
LAYERS: dict[str, Callable[[Any, NormConfig], Any]] = {
    "layer_norm": lambda nn, cfg: nn.LayerNorm(cfg.layer_shape[-1]),
    "group_norm": lambda nn, cfg: nn.GroupNorm(cfg.groups, cfg.spatial_shape[1]),
    "batch_norm": lambda nn, cfg: nn.BatchNorm2d(cfg.spatial_shape[1]),
}


def _input_shape(kind: str, cfg: NormConfig) -> tuple[int, ...]:
    return cfg.layer_shape if kind == "layer_norm" else cfg.spatial_shape


def _arrays(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape, dtype=np.float32) * 2 + 0.5
    g = rng.standard_normal(shape, dtype=np.float32)
    return x, g


def runner(
    make_tensor: Callable[..., Any], nn: Any, kind: str, cfg: NormConfig
) -> Callable[[], None]:
    """``steps`` forward + backward passes of the layer, built from ``nn`` (glassnet or torch)."""
    layer = LAYERS[kind](nn, cfg)
    x_np, g_np = _arrays(_input_shape(kind, cfg))
    x, g = make_tensor(x_np, requires_grad=True), make_tensor(g_np)

    def run() -> None:
        for _ in range(cfg.steps):
            x.grad = None
            layer.zero_grad()
            (layer(x) * g).sum().backward()

    return run


def _run(ctx: Context, kind: str, number: str, title: str) -> CaseResult:
    cfg = config(ctx.size)
    import glassnet as gn
    import glassnet.nn as gnn

    runners = {"glassnet": runner(gn.tensor, gnn, kind, cfg)}
    if ctx.torch is not None:
        runners["torch"] = runner(ctx.torch.tensor, ctx.torch.nn, kind, cfg)
    samples, profile = ctx.measure(runners, scale=1e3 / cfg.steps)
    res = CaseResult(
        key=f"{kind}_step",
        number=number,
        title=title,
        unit="ms",
        samples=samples,
        target=NORM_TARGET,
        profile=profile,
    )
    res.extra = {"input_shape": list(_input_shape(kind, cfg)), "steps_per_call": cfg.steps}
    return res


def run_layer_norm(ctx: Context) -> CaseResult:
    shape = config(ctx.size).layer_shape
    return _run(ctx, "layer_norm", "9a", f"LayerNorm fwd+bwd {shape}")


def run_group_norm(ctx: Context) -> CaseResult:
    cfg = config(ctx.size)
    return _run(ctx, "group_norm", "9b", f"GroupNorm({cfg.groups}) fwd+bwd {cfg.spatial_shape}")


def run_batch_norm(ctx: Context) -> CaseResult:
    shape = config(ctx.size).spatial_shape
    return _run(ctx, "batch_norm", "9c", f"BatchNorm2d fwd+bwd {shape}")
