"""The names fit understands: losses, optimizers, schedulers and default metrics, and how each is built.

``fit(loss="cross_entropy", optimizer="adam", scheduler="cosine")`` looks its strings up here;
objects and factories are accepted too and checked, so a mistake is reported in one line before
training starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..metrics import MetricSpec, accuracy, get_metric
from ..nn import functional as F
from ..nn import loss as nn_loss
from ..nn.module import Module
from ..optim import SGD, Adagrad, Adam, AdamW, RMSprop
from ..optim import lr_scheduler as sched_mod
from ..optim.optimizer import Optimizer
from ..tensor import Tensor

__all__ = ["LOSSES", "OPTIMIZERS", "SCHEDULERS", "get_loss", "make_optimizer"]

LOSSES: dict[str, Callable[..., Tensor]] = {
    "cross_entropy": F.cross_entropy,
    "nll": F.nll_loss,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "huber": F.huber_loss,
    "smooth_l1": F.smooth_l1_loss,
    "bce": F.binary_cross_entropy,
    "bce_with_logits": F.binary_cross_entropy_with_logits,
}
_LOSS_ALIASES = {
    "ce": "cross_entropy", "crossentropy": "cross_entropy", "nll_loss": "nll",
    "mse_loss": "mse", "mae": "l1", "l1_loss": "l1", "huber_loss": "huber",
    "binary_cross_entropy": "bce", "binary_cross_entropy_with_logits": "bce_with_logits",
}  # fmt: skip
_CLASSIFICATION_LOSSES = {"cross_entropy", "nll", "bce", "bce_with_logits"}
_CLASSIFICATION_MODULES = (nn_loss.CrossEntropyLoss, nn_loss.NLLLoss, nn_loss.BCELoss)

# name -> (class, default learning rate)
OPTIMIZERS: dict[str, tuple[type[Optimizer], float]] = {
    "sgd": (SGD, 0.01),
    "adam": (Adam, 1e-3),
    "adamw": (AdamW, 1e-3),
    "rmsprop": (RMSprop, 1e-3),
    "adagrad": (Adagrad, 0.01),
}

SCHEDULERS: dict[str, str] = {
    "cosine": "CosineAnnealingLR over all epochs (down to 0)",
    "step": "StepLR: multiply the rate by 0.1 every third of the epochs",
    "plateau": "ReduceLROnPlateau on val_loss (or loss): x0.1 after 5 epochs without progress",
    "onecycle": "OneCycleLR peaking at lr, stepped every batch",
}


def get_loss(loss: str | Callable) -> tuple[Callable[[Any, Any], Tensor], str | None]:
    """``(loss function, canonical name or None)`` for a name (``LOSSES`` or an alias such as
    ``"ce"``), a loss Module (``nn.CrossEntropyLoss()``) or any ``f(output, target) -> Tensor``."""
    if isinstance(loss, str):
        key = _LOSS_ALIASES.get(loss, loss)
        if key not in LOSSES:
            raise ValueError(
                f"unknown loss {loss!r}; known losses: {', '.join(LOSSES)} (or pass a loss "
                "module such as nn.CrossEntropyLoss() or a function f(output, target))"
            )
        return LOSSES[key], key
    if callable(loss):
        for key, fn in LOSSES.items():
            if loss is fn:
                return fn, key
        return loss, None
    raise TypeError(f"loss must be a name or a callable, got {type(loss).__name__}")


def _is_classification(loss: Any, key: str | None) -> bool:
    return key in _CLASSIFICATION_LOSSES or isinstance(
        loss, (*_CLASSIFICATION_MODULES, nn_loss.BCEWithLogitsLoss)
    )


def _default_metrics(loss: Any, key: str | None) -> list[MetricSpec]:
    """accuracy for classification losses (threshold 0 on logits for BCE-with-logits), else none."""
    if key == "bce_with_logits" or isinstance(loss, nn_loss.BCEWithLogitsLoss):
        return [MetricSpec("accuracy", lambda o, t: accuracy(o, t, threshold=0.0))]
    return [get_metric("accuracy")] if _is_classification(loss, key) else []


def make_optimizer(
    optimizer: str | Optimizer | Callable, model: Module, lr: float | None = None
) -> Optimizer:
    """An optimizer over ``model``'s parameters from a name (``OPTIMIZERS``; ``lr`` or the
    default rate), an optimizer class or factory ``f(params, lr=...)``, or a ready optimizer
    (which must hold the model's parameters; ``lr`` must then be None)."""
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError(
                "lr= only applies to an optimizer given by name; this optimizer was already "
                f"built with lr={optimizer.param_groups[0]['lr']}"
            )
        mine = {id(p) for p in model.parameters()}
        held = {id(p) for g in optimizer.param_groups for p in g["params"]}
        if mine and not mine & held:
            raise ValueError(
                "the optimizer holds none of the model's parameters (was it built for another "
                "model, or before the model was rebuilt?)"
            )
        return optimizer
    if lr is not None and (isinstance(lr, bool) or not lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if isinstance(optimizer, str):
        key = optimizer.lower()
        if key not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {optimizer!r}; known optimizers: {', '.join(OPTIMIZERS)} "
                "(or pass a glassnet.optim optimizer)"
            )
        cls, default_lr = OPTIMIZERS[key]
        return cls(model.parameters(), lr=default_lr if lr is None else float(lr))
    if callable(optimizer):
        made = optimizer(model.parameters()) if lr is None else optimizer(model.parameters(), lr=lr)
        if not isinstance(made, Optimizer):
            raise TypeError(
                f"the optimizer factory returned {type(made).__name__}, not an Optimizer"
            )
        return made
    raise TypeError(f"optimizer must be a name or an Optimizer, got {type(optimizer).__name__}")


def _make_scheduler(
    scheduler: Any, optimizer: Optimizer, epochs: int, steps: int | None
) -> sched_mod.LRScheduler | None:
    if scheduler is None:
        return None
    if isinstance(scheduler, sched_mod.LRScheduler):
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                "scheduler= drives a different optimizer than the one fit trains with; pass a "
                "function optimizer -> scheduler (fit calls it with its optimizer), or a name"
            )
        return scheduler
    if isinstance(scheduler, str):
        if scheduler == "cosine":
            return sched_mod.CosineAnnealingLR(optimizer, T_max=max(epochs, 1))
        if scheduler == "step":
            return sched_mod.StepLR(optimizer, step_size=max(epochs // 3, 1), gamma=0.1)
        if scheduler == "plateau":
            return sched_mod.ReduceLROnPlateau(optimizer, factor=0.1, patience=5)
        if scheduler == "onecycle":
            if steps is None:
                raise ValueError("scheduler='onecycle' needs data with a known number of batches")
            return sched_mod.OneCycleLR(
                optimizer, max_lr=optimizer.param_groups[0]["lr"], total_steps=epochs * steps
            )
        raise ValueError(
            f"unknown scheduler {scheduler!r}; known schedulers: {', '.join(SCHEDULERS)}"
        )
    if callable(scheduler):
        made = scheduler(optimizer)
        if not isinstance(made, sched_mod.LRScheduler):
            raise TypeError(
                f"the scheduler factory returned {type(made).__name__}, not a "
                "glassnet.optim.lr_scheduler scheduler"
            )
        return made
    raise TypeError(
        "scheduler must be a name, a glassnet.optim.lr_scheduler scheduler or a function "
        f"optimizer -> scheduler, got {type(scheduler).__name__}"
    )


def _check_metrics(metrics: Any, loss: Any, key: str | None) -> list[MetricSpec]:
    """The metrics to tally: those given (names, functions, specs; unique, none called "loss"),
    or the loss's usual ones when ``metrics`` is None."""
    if metrics is None:
        return _default_metrics(loss, key)
    if isinstance(metrics, (str, MetricSpec)) or callable(metrics):
        metrics = [metrics]
    specs = [get_metric(m) for m in metrics]
    names = [s.name for s in specs]
    if len(set(names)) != len(names) or "loss" in names:
        raise ValueError(f"metric names must be unique and not 'loss', got {names}")
    return specs
