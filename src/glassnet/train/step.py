"""One training step and one epoch: train_step (forward, loss, zero_grad, backward, step) and run_epoch.

These are the two pieces every hand-written training loop repeats; ``fit`` is built from them,
and a script can use them on their own::

    opt = glassnet.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        logs, batches = run_epoch(model, loader, F.cross_entropy, opt, metrics=["accuracy"])
        print(epoch, logs)        # {'loss': ..., 'accuracy': ...}

    loss, outputs = train_step(model, F.cross_entropy, opt, x, y)   # a single batch
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..callbacks import CallbackList
from ..metrics import MetricSpec, get_metric
from ..nn.module import Module
from ..optim.optimizer import Optimizer
from ..tensor import Tensor
from .inputs import _split_batch
from .tallies import Tally

__all__ = ["run_epoch", "train_step"]


def train_step(
    model: Module,
    loss_fn: Callable[[Tensor, Any], Tensor],
    optimizer: Optimizer,
    inputs: Any,
    targets: Any,
    *,
    who: str = "train_step",
) -> tuple[Tensor, Tensor]:
    r"""Train ``model`` on one batch: one step of gradient descent. Returns ``(loss, outputs)``.

    The five steps of every training loop (as Keras' ``Model.train_step``), for the parameters
    :math:`\theta` of the model :math:`f`:

    1. forward: ``outputs = model(inputs)``, the predictions :math:`\hat y = f_\theta(x)`;
    2. loss: ``loss = loss_fn(outputs, targets)``, one number :math:`L(\hat y, y)`, how wrong
       they are;
    3. zero_grad: ``optimizer.zero_grad()`` forgets the previous batch's gradients (backward
       adds to ``.grad``, it does not overwrite it);
    4. backward: ``loss.backward()`` computes :math:`g = \partial L / \partial \theta` for
       every parameter, by backpropagation;
    5. step: ``optimizer.step()`` moves every parameter a little downhill; for plain SGD with
       learning rate :math:`\eta`, :math:`\theta \leftarrow \theta - \eta\, g`.

    Example, one SGD step by hand. The model :math:`\hat y = w x` with :math:`w = 2`, one sample
    :math:`x = 3` with target :math:`y = 3`, the loss :math:`L = (\hat y - y)^2` and
    :math:`\eta = 0.01`: forward :math:`\hat y = 6`; loss :math:`L = 9`; backward
    :math:`\partial L / \partial w = 2 (\hat y - y)\, x = 18`; step
    :math:`w \leftarrow 2 - 0.01 \cdot 18 = 1.82`, after which the loss is
    :math:`(5.46 - 3)^2 \approx 6.05`, lower than 9::

        model = nn.Linear(1, 1, bias=False)
        model.weight.data.fill_(2.0)
        opt = optim.SGD(model.parameters(), lr=0.01)
        loss, out = train_step(model, F.mse_loss, opt, tensor([[3.0]]), tensor([[3.0]]))
        loss.item(), model.weight.item()        # 9.0 and 1.82 (in float32: 1.8200000524...)

    Args:
        model: the Module to train (in train mode, usually: ``model.train()``).
        loss_fn: ``loss_fn(outputs, targets) -> Tensor`` with one element (``F.cross_entropy``,
            ``nn.MSELoss()``, ...).
        optimizer: an optimizer over the model's parameters.
        inputs: the batch's inputs, shape (N, ...); a tuple is several inputs, passed as
            ``model(*inputs)``.
        targets: the batch's targets (an array or Tensor with N rows).
        who: the name error messages start with (fit passes ``"fit"``).

    Returns:
        ``(loss, outputs)``: the loss Tensor (before the step; ``loss.item()`` is the number)
        and the model's outputs, shape (N, ...).

    Raises:
        TypeError: the model did not return one Tensor.
        ValueError: the loss is not a single number (e.g. ``reduction="none"``).
    """
    outputs = _output_tensor(model(*inputs) if isinstance(inputs, tuple) else model(inputs), who)
    loss = _scalar_loss(loss_fn(outputs, targets), who)  # how wrong the predictions are
    optimizer.zero_grad()  # forget the previous batch's gradients
    loss.backward()  # d(loss)/d(every parameter), by backpropagation
    optimizer.step()  # move every parameter a little downhill
    return loss, outputs


def run_epoch(
    model: Module,
    loader: Iterable[Any],
    loss_fn: Callable[[Tensor, Any], Tensor],
    optimizer: Optimizer,
    *,
    metrics: Sequence[str | Callable | MetricSpec] = (),
    callbacks: CallbackList | None = None,
    should_stop: Callable[[], bool] | None = None,
    who: str = "run_epoch",
) -> tuple[dict[str, float], int]:
    """Train ``model`` for one pass over ``loader``: ``train_step`` on every batch, in train mode.

    Per batch: ``callbacks.on_batch_begin``, ``train_step``, the batch counted in the epoch's
    running tallies (see ``glassnet.train.tallies``), ``callbacks.on_batch_end`` with the
    running means and the batch's own loss (``"batch_loss"``), then ``should_stop()``: when it
    returns True the epoch ends after this batch (fit passes "Ctrl-C was pressed or a callback
    asked to stop").

    Args:
        model: the Module to train; ``model.train()`` is called first (Dropout on, BatchNorm
            on batch statistics).
        loader: batches ``(x, y)`` (or ``(x1, x2, ..., y)`` for a model of several inputs),
            e.g. a DataLoader.
        loss_fn, optimizer: as for :func:`train_step`.
        metrics: names or functions (see ``glassnet.metrics``) to tally besides the loss.
        callbacks: a CallbackList whose per-batch hooks to call, or None.
        should_stop: asked after every batch; True ends the epoch early.
        who: the name error messages start with.

    Returns:
        ``(logs, batches)``: the epoch's training means ``{"loss": ..., "accuracy": ...}`` over
        the batches trained on (weighted by batch size), and how many batches that was.
    """
    specs = [get_metric(m) for m in metrics]
    model.train()  # Dropout on, BatchNorm uses batch statistics
    tally = Tally(specs)
    batches_done = 0
    for batch_index, batch in enumerate(loader):
        inputs, targets = _split_batch(batch, who)
        if callbacks is not None:
            callbacks.on_batch_begin(batch_index, {})

        loss, outputs = train_step(model, loss_fn, optimizer, inputs, targets, who=who)

        batch_loss = loss.item()
        target_array = targets.array if isinstance(targets, Tensor) else np.asarray(targets)
        tally.add(batch_loss, outputs.array, target_array)
        batches_done += 1
        if callbacks is not None:
            batch_logs = tally.running_logs()
            batch_logs["batch_loss"] = batch_loss
            callbacks.on_batch_end(batch_index, batch_logs)
        if should_stop is not None and should_stop():
            break
    return tally.logs(), batches_done


# ----------------------------------------------------------------------------------------------
# What the model and the loss must give back
# ----------------------------------------------------------------------------------------------


def _scalar_loss(loss: Any, who: str) -> Tensor:
    """``loss`` itself when it is a one-element Tensor; otherwise one clear error."""
    if not isinstance(loss, Tensor) or loss.array.size != 1:
        shape = getattr(loss, "shape", None)
        raise ValueError(
            f"{who}: the loss must be a single number (a Tensor with one element), got "
            f"{type(loss).__name__}"
            + (f" of shape {shape}" if shape is not None else "")
            + "; use reduction='mean' or 'sum'"
        )
    return loss


def _output_tensor(out: Any, who: str) -> Tensor:
    """``out`` itself when the model returned one Tensor; otherwise one clear error."""
    if not isinstance(out, Tensor):
        raise TypeError(
            f"{who} needs the model to return one Tensor, got {type(out).__name__} (wrap the "
            "model so that forward returns the predictions only)"
        )
    return out
