"""Weight averaging (SWA and EMA): AveragedModel, its averaging rules, the SWALR schedule and update_bn.

Stochastic weight averaging (Izmailov et al., 2018) trains as usual and, late in training,
keeps the plain mean of the weights visited (once per epoch, say) with a constant or cyclic
learning rate; the mean often lies in a flatter, better-generalizing region than any single
point of the trajectory. An exponential moving average (EMA, Polyak averaging with decaying
weights) keeps ``avg = decay * avg + (1 - decay) * current`` instead, usually at every step.
As in ``torch.optim.swa_utils``::

    swa_model = AveragedModel(model)                # a copy of model, holding the average
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)   # anneal the lr to 0.05, then hold it
    for epoch in range(100):
        train_one_epoch(model, optimizer)
        if epoch >= 75:
            swa_model.update_parameters(model)      # fold the current weights into the mean
            swa_scheduler.step()
    update_bn(loader, swa_model)                    # BatchNorm statistics for the averaged weights
    predictions = swa_model(x)

The averaged weights were never trained with the BatchNorm statistics of the model, so
``update_bn`` recomputes them with one pass over the data (or average the buffers too, with
``use_buffers=True``).
"""

from __future__ import annotations

import copy
import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..autograd import no_grad, wrap
from ..nn.module import Module
from ..nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm
from ..tensor import Tensor
from .lr_scheduler import LRScheduler, _check, _is_number, _per_group
from .optimizer import Optimizer

__all__ = [
    "AveragedModel",
    "update_bn",
    "SWALR",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]

#: ``avg_fn(averaged, current, n_averaged) -> new averaged``: one tensor's averaging rule.
AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
#: ``multi_avg_fn(averaged_list, current_list, n_averaged)``: updates the averaged list in place.
MultiAvgFn = Callable[[Sequence[Tensor], Sequence[Tensor], Any], None]

#: The layers ``update_bn`` recomputes: the BatchNorms (not InstanceNorm, which keeps no
#: statistics by default and in PyTorch is no BatchNorm).
_BATCH_NORMS = (BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm)


# ------------------------------------------------------------------ averaging rules
def _check_decay(decay: Any) -> None:
    if not isinstance(decay, numbers.Real) or isinstance(decay, bool) or not 0 <= decay <= 1:
        raise ValueError(f"Invalid decay: expected a number in [0, 1], got decay={decay!r}")


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    r"""The exponential moving average of one tensor, as an ``avg_fn`` for ``AveragedModel``.

    .. math::

        W^{\text{EMA}}_0 = W_0, \qquad
        W^{\text{EMA}}_{t} = \text{decay}\; W^{\text{EMA}}_{t-1} + (1 - \text{decay})\; W_t

    (the first value is a copy: ``AveragedModel`` does that step). Recent weights count most:
    a weight seen :math:`k` updates ago has the weight :math:`(1 - \text{decay})\,
    \text{decay}^k`, about the last :math:`1 / (1 - \text{decay})` updates in all.

    Args:
        decay: how much of the average to keep at each update, in [0, 1] (default 0.999).
    """
    _check_decay(decay)

    def ema_update(ema: Tensor, current: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema + (1 - decay) * current

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    r"""The running mean of one tensor (stochastic weight averaging), as an ``avg_fn``.

    After :math:`n` weights have been averaged, the :math:`(n+1)`-th moves the mean
    :math:`1/(n+1)` of the way towards it, which keeps it the plain mean of all of them:

    .. math::

        \bar W_{n+1} = \bar W_n + \frac{W - \bar W_n}{n + 1}
    """

    def swa_update(averaged: Tensor, current: Tensor, num_averaged: Any) -> Tensor:
        return averaged + (current - averaged) / (num_averaged + 1)

    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """``get_ema_avg_fn``'s average for a list of tensors at once, in place (a ``multi_avg_fn``).

    ``ema = decay * ema + (1 - decay) * current``, written ``ema.lerp_(current, 1 - decay)``
    (move ``1 - decay`` of the way towards ``current``) for floating tensors.
    """
    _check_decay(decay)

    def ema_update(ema_list: Sequence[Tensor], current_list: Sequence[Tensor], _: Any) -> None:
        with no_grad():
            for ema, current in zip(ema_list, current_list):
                if ema.is_floating_point():
                    ema.lerp_(current, 1 - decay)
                else:  # an integer buffer: the formula, rounded back into its dtype
                    ema.copy_(ema * decay + current * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """``get_swa_avg_fn``'s running mean for a list of tensors at once, in place.

    ``mean += (current - mean) / (n + 1)``, written ``mean.lerp_(current, 1 / (n + 1))``.
    """

    def swa_update(
        averaged_list: Sequence[Tensor], current_list: Sequence[Tensor], num_averaged: Any
    ) -> None:
        weight = 1.0 / (float(num_averaged) + 1)
        with no_grad():
            for averaged, current in zip(averaged_list, current_list):
                if averaged.is_floating_point():
                    averaged.lerp_(current, weight)
                else:
                    averaged.copy_(averaged + (current - averaged) * weight)

    return swa_update


# ------------------------------------------------------------------ the averaged model
class AveragedModel(Module):
    r"""A copy of a model whose parameters are a running average of the model's, as
    ``torch.optim.swa_utils.AveragedModel``.

    ``update_parameters(model)`` folds the model's current weights into the average: the first
    call copies them; each later one applies the averaging rule, by default the plain mean of
    all weights seen (SWA, ``get_swa_avg_fn``):

    .. math::

        \bar W_1 = W_1, \qquad \bar W_{n+1} = \bar W_n + \frac{W_{n+1} - \bar W_n}{n + 1}

    Calling the averaged model runs its copy (``self.module``) with the averaged weights.
    Buffers (BatchNorm's running statistics) are copied from the model at every update, or,
    with ``use_buffers=True``, averaged like the parameters.

    Args:
        model: the model to average (it is deep-copied; the copy is ``self.module``).
        device: where to keep the copy (glassnet runs on the CPU: None or ``"cpu"``).
        avg_fn: ``avg_fn(averaged, current, n_averaged) -> new averaged`` for one tensor
            (``get_ema_avg_fn(0.99)``, say); None for the plain mean.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, n_averaged)``, updating the
            averaged tensors in place (``get_ema_multi_avg_fn``); give at most one of the two.
        use_buffers: average the buffers too (and take parameters and buffers from the copy).

    Attributes:
        module: the averaged copy of the model.
        n_averaged: a buffer, how many times ``update_parameters`` ran (an int64 tensor).

    Example::

        >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))
        >>> for x, y in loader:
        ...     opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
        ...     ema.update_parameters(model)
        >>> ema(x_test)
    """

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: AvgFn | None = None,
        multi_avg_fn: MultiAvgFn | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(
                f"AveragedModel expects a Module to average, got {type(model).__name__}"
            )
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give avg_fn or multi_avg_fn, not both")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"AveragedModel: {name} must be a function, got {fn!r}")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)  # raises DeviceError for a device but the CPU
        self.register_buffer("n_averaged", wrap(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the averaged copy: ``self.module(*args, **kwargs)``."""
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model: Module) -> tuple[list[Tensor], list[Tensor]]:
        """The tensors to average, ours and the model's, in matching order (checked)."""
        if self.use_buffers:
            ours = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
            what = "parameters and buffers"
        else:
            ours, theirs, what = list(self.parameters()), list(model.parameters()), "parameters"
        if len(ours) != len(theirs):
            raise ValueError(
                f"update_parameters: the model has {len(theirs)} {what}, but the averaged model "
                f"has {len(ours)}; pass the model this AveragedModel was made from"
            )
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if a.shape != b.shape:
                raise ValueError(
                    f"update_parameters: {what} number {i} of the model has shape {b.shape}, "
                    f"but the averaged one has shape {a.shape}"
                )
        return ours, theirs

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters into the average (the first call copies them)."""
        if not isinstance(model, Module):
            raise TypeError(f"update_parameters expects a Module, got {type(model).__name__}")
        ours, theirs = self._averaged_tensors(model)
        theirs = [t.detach() for t in theirs]
        with no_grad():
            if int(self.n_averaged) == 0:
                for averaged, current in zip(ours, theirs):
                    averaged.copy_(current)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn([a.detach() for a in ours], theirs, self.n_averaged)
            else:
                avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
                for averaged, current in zip(ours, theirs):
                    averaged.copy_(avg_fn(averaged.detach(), current, self.n_averaged))
            if not self.use_buffers:  # the buffers follow the model's (update_bn redoes BN's)
                for ours_b, theirs_b in zip(self.module.buffers(), model.buffers()):
                    ours_b.copy_(theirs_b.detach())
            self.n_averaged.add_(1)


# ------------------------------------------------------------------ BatchNorm statistics
def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running mean and variance of every BatchNorm layer with one pass over data.

    Each BatchNorm's statistics are reset and its ``momentum`` set to None for the pass, so
    the running mean and variance become the plain averages over all batches of the batch
    statistics (``running = running + (batch - running) / n`` for the n-th batch), computed
    with the model in training mode and without recording gradients. Momenta and the
    training mode are put back afterwards (however the pass ends). A model without BatchNorm
    is left alone.

    Args:
        loader: the batches: each a Tensor, or a list/tuple whose first element is the input
            (a DataLoader of ``(x, y)`` pairs, say).
        model: the model (an ``AveragedModel``, typically).
        device: where to move each input first (glassnet runs on the CPU: None or ``"cpu"``).
    """
    norms = [m for m in model.modules() if isinstance(m, _BATCH_NORMS)]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
    was_training = model.training
    model.train()
    for m in norms:
        m.momentum = None  # a cumulative average: every batch counts the same
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                if device is not None:
                    batch = batch.to(device)
                model(batch)
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        model.train(was_training)


# ------------------------------------------------------------------ the SWA learning rate
class SWALR(LRScheduler):
    r"""Anneal each group's learning rate to ``swa_lr`` in ``anneal_epochs`` steps, then hold it,
    as ``torch.optim.swa_utils.SWALR``.

    With :math:`\eta_{\text{start}}` the learning rate when the schedule starts, step
    :math:`t` (0 at construction) sets

    .. math::

        \eta_t = a(s_t)\, \eta_{\text{swa}} + (1 - a(s_t))\, \eta_{\text{start}}, \qquad
        s_t = \min\Bigl(1, \frac{t}{\max(1, E)}\Bigr), \qquad
        a(s) = \begin{cases} \tfrac12 (1 - \cos \pi s) & \text{"cos"} \\
                             s & \text{"linear"} \end{cases}

    (with :math:`E` = ``anneal_epochs``; for :math:`E = 0` step 0 already sets
    :math:`\eta_{\text{swa}}`). As the other schedules, it is computed in the recursive form
    (PyTorch's): each step recovers :math:`\eta_{\text{start}}` from the group's current
    learning rate and the previous step's :math:`a`, so another scheduler's changes carry on.
    The target is kept in each group as ``group["swa_lr"]``.

    Args:
        optimizer: the optimizer.
        swa_lr: the learning rate to anneal to, or a list with one per parameter group.
        anneal_epochs: the number of steps of the annealing (an int >= 0, default 10).
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        last_epoch: see ``LRScheduler``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | Sequence[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for lr in swa_lrs:
            _check(_is_number(lr) and lr >= 0, "swa_lr", "a number >= 0 (or one per group)", lr)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"Invalid anneal_strategy: expected 'cos' or 'linear', got {anneal_strategy!r}"
            )
        ok = isinstance(anneal_epochs, int) and not isinstance(anneal_epochs, bool)
        _check(ok and anneal_epochs >= 0, "anneal_epochs", "an int >= 0", anneal_epochs)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        self.anneal_epochs = anneal_epochs
        self._anneal_strategy = anneal_strategy
        super().__init__(optimizer, last_epoch)

    def anneal(self, s: float) -> float:
        """The share ``a(s)`` of the way from the starting lr to ``swa_lr`` at progress ``s``."""
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * s)) / 2
        return s

    def get_lr(self) -> list[float]:
        step = self._step_count - 1  # 0 for the constructor's step
        if self.anneal_epochs == 0:
            step = max(1, step)  # no annealing: the first step already lands on swa_lr
        length = max(1, self.anneal_epochs)
        a_prev = self.anneal(max(0.0, min(1.0, (step - 1) / length)))
        a = self.anneal(max(0.0, min(1.0, step / length)))
        lrs = []
        for group in self.optimizer.param_groups:
            lr, swa_lr = group["lr"], group["swa_lr"]
            # the current lr is a_prev swa_lr + (1 - a_prev) start: solve it for start
            start = swa_lr if a_prev == 1 else (lr - a_prev * swa_lr) / (1 - a_prev)
            lrs.append(a * swa_lr + (1 - a) * start)
        return lrs
