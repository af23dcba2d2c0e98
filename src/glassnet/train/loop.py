"""fit and resume: the training loop, written once as a short commented recipe of run_epoch and train_step."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .. import random as gn_random
from ..callbacks import (
    Callback,
    CallbackList,
    FitState,
    GradientCheck,
    LearningRateScheduler,
    ProgressBar,
    TrainingCheckpoint,
)
from ..checkpoint import apply_checkpoint, read_checkpoint, save_checkpoint
from ..data.loader import DataLoader
from ..nn.module import Module
from ..optim import lr_scheduler as sched_mod
from ..optim.optimizer import Optimizer
from ..threads import blas_threads, change_blas_threads, forward_flops, threads_for_work
from .choices import _check_metrics, _make_scheduler, get_loss, make_optimizer
from .evaluation import _evaluate_loader
from .history import History
from .inputs import _as_dataset, _loader, _validation_split
from .interrupt import StopOnCtrlC
from .modes import ModeKeeper
from .parallel import start_parallel_run
from .step import run_epoch

__all__ = ["fit", "resume"]


def fit(
    model: Module,
    data: Any,
    *,
    loss: str | Callable = "cross_entropy",
    optimizer: str | Optimizer | Callable = "adam",
    lr: float | None = None,
    epochs: int = 10,
    batch_size: int | None = None,
    shuffle: bool = True,
    validation_data: Any = None,
    validation_split: float = 0.0,
    metrics: Sequence[str | Callable] | None = None,
    callbacks: Iterable[Callback] = (),
    scheduler: Any = None,
    seed: int | None = None,
    verbose: int = 1,
    checkpoint: str | None = None,
    resume_from: str | None = None,
    detect_anomaly: bool = False,
    check_gradients_every: int | None = None,
    distributed: bool | None = None,
) -> History:
    """Train ``model`` on ``data`` for ``epochs`` epochs; return the :class:`History`.

    The recipe (each step is one commented block of the code below)::

        1. seed the random generator           (split, shuffles and dropout repeat)
        2. loss, metrics, data -> DataLoaders  (a validation split held out if asked)
        3. optimizer and learning-rate schedule
        4. callbacks, in order: schedule, yours, History, checkpoints, progress bar
        5. resuming: weights, optimizer, schedule, history, callbacks, random state back
        6. for each epoch:
               run_epoch: for each batch, train_step =
                   forward, loss, zero_grad, backward, step
               validation (no_grad, eval mode), then the epoch-end callbacks
        7. report how it ended (history.stop_reason, history.stopped_at)

    Args:
        model: the Module to train (its parameters change in place).
        data: ``(X, y)`` (NumPy arrays, Tensors or lists; floating X is converted to the
            model's dtype), a Dataset of ``(x, y)`` samples, or a DataLoader of ``(x, y)``
            batches (``(x1, x2, ..., y)`` calls ``model(x1, x2, ...)``).
        loss: a name (``"cross_entropy"``, ``"mse"``, ... see ``LOSSES``), a loss module
            (``nn.CrossEntropyLoss()``) or a function ``f(output, target) -> Tensor``.
        optimizer: a name (``"adam"``, ``"sgd"``, ... see ``OPTIMIZERS``; ``lr`` sets its
            learning rate), an optimizer over ``model.parameters()``, or a class.
        lr: the learning rate for an optimizer given by name (default: Adam 1e-3, SGD 0.01).
        epochs: the total number of epochs (when resuming, training continues up to it).
        batch_size: samples per batch for arrays and Datasets (default 32).
        shuffle: draw a new sample order every epoch (arrays and Datasets).
        validation_data: data to evaluate after every epoch, in any form ``data`` takes.
        validation_split: instead, hold out this fraction of ``data`` (a random subset,
            chosen with ``seed``) for validation.
        metrics: names or functions (see ``glassnet.metrics``); default ``["accuracy"]`` for
            classification losses and none for regression losses.
        callbacks: Callback objects (see ``glassnet.callbacks``).
        scheduler: a learning-rate scheduler: a name (``"cosine"``, ``"step"``, ``"plateau"``,
            ``"onecycle"``), a scheduler built on ``optimizer``, or a function
            ``optimizer -> scheduler``.
        seed: seeds glassnet's global random generator first, so shuffling, dropout and the
            validation split repeat exactly (build the model after ``glassnet.manual_seed``
            for its initial weights to repeat too).
        verbose: 0 silent, 1 a progress bar per epoch (a plain line when the output is not a
            terminal), 2 one line per epoch.
        checkpoint: write a resumable checkpoint to this path after every epoch.
        resume_from: continue from a checkpoint written by ``checkpoint=`` (or
            ``glassnet.checkpoint.save_checkpoint``): the model, optimizer, scheduler, history,
            callbacks and random state are restored and training goes on from the next epoch.
        detect_anomaly: stop at the first op, forward or backward, that makes a NaN or Inf,
            naming it and its layer (``glassnet.detect_anomaly``; slower).
        check_gradients_every: every N batches compare every parameter's gradient with a
            numerical one on a few samples (``glassnet.check_gradients``) and stop with the
            table at the first disagreement: a wrong custom layer is caught while it trains.
        distributed: data-parallel training on MPI (see glassnet/train/parallel.py). None (the
            default) turns it on exactly when the script was started by ``mpiexec -n N``.

    Returns:
        The History: ``history.history["loss"]``, ``["val_accuracy"]``, ... per epoch, and
        ``history.stopped_at``, where training ended.

    Ctrl-C while fit runs stops training cleanly at the end of the current batch: the model
    keeps its weights, the history its completed epochs (``history.interrupted`` is True), and
    fit returns normally. Press Ctrl-C twice to abort at once.
    """
    who = "fit"
    started = time.perf_counter()
    epochs = _check_settings(model, epochs, verbose, validation_data, validation_split)

    # ---- 0. Several processes (mpiexec)? Then one seed for all, and rank 0 alone reports.
    parallel, seed = start_parallel_run(model, seed, distributed)
    if parallel is not None and not parallel.is_main:
        verbose, checkpoint = 0, None

    # ---- 1. Randomness first: everything random below (split, shuffles, dropout) follows it.
    if seed is not None:
        gn_random.manual_seed(seed)
    saved = read_checkpoint(resume_from) if resume_from is not None else None

    # ---- 2. The loss, the metrics, the data as batches (and a validation split if asked).
    loss_fn, loss_key = get_loss(loss)
    metric_specs = _check_metrics(metrics, loss, loss_key)
    train_loader, val_loader, split = _prepare_data(
        model, data, batch_size, shuffle, validation_data, validation_split, seed, saved, who
    )
    steps = len(train_loader)
    if steps == 0:
        raise ValueError(f"{who}: the training data is empty (0 batches)")

    # ---- 3. The optimizer and the learning-rate schedule.
    opt = make_optimizer(optimizer, model, lr)
    sched = _make_scheduler(scheduler, opt, epochs, steps)

    # ---- 4. Callbacks: the schedule first, the user's, then History, checkpoints, progress.
    user = [cb for cb in callbacks if parallel is None or parallel.keep_callback(cb)]
    if check_gradients_every is not None:
        user.append(GradientCheck(check_gradients_every, loss_fn))
    history = History()
    ordered, bars = _arrange_callbacks(user, history, sched, checkpoint, verbose)
    state = FitState(
        model=model,
        optimizer=opt,
        epochs=epochs,
        steps_per_epoch=steps,
        history=history,
        verbose=verbose,
        train_data=train_loader,
        params={
            "epochs": epochs,
            "batch_size": train_loader.batch_size,
            "steps": steps,
            "samples": len(train_loader.dataset),
            "metrics": [m.name for m in metric_specs],
        },
    )
    history.params = state.params
    cb_list = CallbackList(ordered, state)
    user_keys = {f"{i}:{type(cb).__name__}": cb for i, cb in enumerate(user)}
    state.save_checkpoint = _checkpoint_writer(state, sched, train_loader, user_keys, split)

    # ---- 5. Resuming: put back the weights, optimizer, schedule, history, callbacks, rng.
    initial_epoch = 0
    if saved is not None:
        initial_epoch = _restore(saved, resume_from, state, sched, train_loader, user_keys)
    state.initial_epoch = state.epoch = initial_epoch

    # ---- 6. The loop: an epoch of train_steps, validation, the epoch-end callbacks.
    modes = ModeKeeper(model)
    logs: dict[str, float] = {}
    epochs_done, batches_into_next = initial_epoch, 0  # what the weights were trained on
    mid_epoch = False  # did Ctrl-C stop an epoch half-way?
    batches_of_mine = train_loader if parallel is None else parallel.shard(train_loader)
    if parallel is not None and verbose:
        share = train_loader.batch_size // parallel.world
        print(f"Data-parallel training on {parallel.world} processes (MPI): each trains on "
              f"{share} of every {train_loader.batch_size} samples.", flush=True)  # fmt: skip
    try:
        with contextlib.ExitStack() as guards:
            ctrl_c = guards.enter_context(StopOnCtrlC())
            # BLAS threads for the size of the work: one for a small model (thread hand-offs
            # cost more than they save, and far more on a busy machine), otherwise every core
            # other programs leave free, asked again before every batch (threads_for_work).
            work = forward_flops(model, train_loader.batch_size or 1)
            world = 1 if parallel is None else parallel.world  # processes share the cores

            def blas_threads_now() -> int:
                return max(1, threads_for_work(work) // world)

            guards.enter_context(blas_threads(blas_threads_now()))  # restored at the end
            if detect_anomaly:
                from ..inspect.anomaly import detect_anomaly as anomaly_checks

                guards.enter_context(anomaly_checks())
            cb_list.on_train_begin(logs)
            for epoch in range(initial_epoch, epochs):
                if ctrl_c.requested:  # Ctrl-C came between batches (validation, callbacks)
                    state.interrupted = True
                    state.stop_reason = f"interrupted by Ctrl-C after epoch {epoch}"
                    break
                if state.stop_training:
                    break
                state.epoch = epoch
                lr_now = opt.param_groups[0]["lr"]  # the rate this epoch starts with (for logs)
                cb_list.on_epoch_begin(epoch, {})

                epoch_logs, batches = run_epoch(
                    model,
                    _following_free_cores(batches_of_mine, blas_threads_now),
                    loss_fn,
                    opt,
                    metrics=metric_specs,
                    callbacks=cb_list,
                    should_stop=lambda: ctrl_c.requested or state.stop_training,
                    who=who,
                )

                if batches == steps:  # every batch of the epoch was trained on
                    epochs_done, batches_into_next = epoch + 1, 0
                else:
                    batches_into_next = batches
                if ctrl_c.requested:  # keep only complete epochs in the history
                    state.interrupted = mid_epoch = True
                    state.stop_reason = (
                        f"interrupted by Ctrl-C during epoch {epoch + 1} after {batches} "
                        f"of {steps} batches"
                    )
                    break

                # ---- end of the epoch: training means, validation, callbacks
                logs = epoch_logs if parallel is None else parallel.average_logs(epoch_logs)
                if val_loader is not None:
                    logs.update(_evaluate_loader(model, val_loader, loss_fn, metric_specs, "val_"))
                logs["lr"] = lr_now
                cb_list.on_epoch_end(epoch, logs)
            # Known before on_train_end, so a callback that saves the run can record it.
            history.stopped_at = (epochs_done, batches_into_next, steps)
            cb_list.on_train_end(logs)
    finally:  # also after an error or a second Ctrl-C: modes back, progress bars closed
        modes.restore()
        for bar in bars:
            bar.close()
        if parallel is not None and parallel.ddp is not model:
            parallel.ddp.close()  # the model trains alone again after fit

    # ---- 7. Report how it ended.
    history.interrupted = state.interrupted
    history.stop_reason = state.stop_reason
    history.seconds = time.perf_counter() - started
    history.processes = 1 if parallel is None else parallel.world
    _report_end(history, mid_epoch, verbose)
    return history


def resume(checkpoint: str, model: Module, data: Any, **fit_kwargs: Any) -> History:
    """Continue a run from its checkpoint: ``fit(model, data, resume_from=checkpoint,
    checkpoint=checkpoint, **fit_kwargs)``. Pass the same settings as the first run (loss,
    optimizer, lr, epochs = the total wanted, batch_size, seed, scheduler, ...)."""
    fit_kwargs.setdefault("checkpoint", checkpoint)
    return fit(model, data, resume_from=checkpoint, **fit_kwargs)


# ----------------------------------------------------------------------------------------------
# The steps of the recipe that take more than a few lines
# ----------------------------------------------------------------------------------------------


def _check_settings(
    model: Any, epochs: Any, verbose: Any, validation_data: Any, validation_split: float
) -> int:
    """Refuse, in one line each, the settings that are wrong whatever the data; the epochs."""
    if not isinstance(model, Module):
        raise TypeError(f"fit expects a glassnet.nn.Module to train, got {type(model).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
    if validation_data is not None and validation_split:
        raise ValueError("give fit validation_data or validation_split, not both")
    return int(epochs)


def _prepare_data(
    model: Module,
    data: Any,
    batch_size: Any,
    shuffle: bool,
    validation_data: Any,
    validation_split: float,
    seed: int | None,
    saved: dict[str, Any] | None,
    who: str,
) -> tuple[DataLoader, DataLoader | None, np.ndarray | None]:
    """``(train loader, validation loader or None, split permutation or None)``.

    A validation split reuses the permutation saved in the checkpoint when resuming, so the
    resumed run validates on the same samples."""
    train_set = _as_dataset(data, model, who)
    if isinstance(train_set, DataLoader) and batch_size is not None:
        raise ValueError(
            f"batch_size applies to arrays and Datasets; this DataLoader has its own "
            f"(batch_size={train_set.batch_size})"
        )
    if batch_size is None:
        batch_size = 32
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    split = None
    if validation_split:
        if isinstance(train_set, DataLoader):
            raise ValueError(
                "validation_split needs arrays or a Dataset, not a DataLoader; pass "
                "validation_data= instead"
            )
        train_set, val_set, split = _validation_split(
            train_set, validation_split, seed, saved.get("split") if saved else None
        )
    elif validation_data is not None:
        val_set = _as_dataset(validation_data, model, who, "validation_data")
    else:
        val_set = None
    train_loader = _loader(train_set, batch_size, shuffle)
    val_loader = _loader(val_set, max(batch_size, 256), False) if val_set is not None else None
    return train_loader, val_loader, split


def _arrange_callbacks(
    user: list[Callback],
    history: History,
    sched: sched_mod.LRScheduler | None,
    checkpoint: str | None,
    verbose: int,
) -> tuple[list[Callback], list[ProgressBar]]:
    """``(every callback in calling order, the progress bars)``.

    The schedule steps first (so the logs show the new rate's effect next epoch), the user's
    callbacks may change the logs before History records them, checkpoints save what History
    holds, and the progress bar prints last, when everything is known."""
    internal_sched = [LearningRateScheduler(sched)] if sched is not None else []
    checkpoints = [cb for cb in user if isinstance(cb, TrainingCheckpoint)]
    if checkpoint is not None:
        checkpoints.append(TrainingCheckpoint(checkpoint))
    bars = [cb for cb in user if isinstance(cb, ProgressBar)]
    if verbose and not bars:
        bars = [ProgressBar(verbose)]
    others = [cb for cb in user if not isinstance(cb, (TrainingCheckpoint, ProgressBar))]
    return internal_sched + others + [history] + checkpoints + bars, bars


def _checkpoint_writer(
    state: FitState,
    sched: sched_mod.LRScheduler | None,
    loader: DataLoader,
    user_keys: dict[str, Callback],
    split: np.ndarray | None,
) -> Callable[[str], None]:
    """``write(path)``: a resumable checkpoint of the run as it is at the end of an epoch."""

    def write(path: str) -> None:
        save_checkpoint(
            path,
            model=state.model,
            optimizer=state.optimizer,
            scheduler=sched,
            epoch=state.epoch + 1,
            history=state.history,
            loader=loader,
            callbacks={k: cb.state_dict() for k, cb in user_keys.items() if cb.state_dict()},
            split=split,
        )

    return write


def _restore(
    saved: dict[str, Any],
    path: str,
    state: FitState,
    sched: sched_mod.LRScheduler | None,
    loader: DataLoader,
    user_keys: dict[str, Callback],
) -> int:
    """Put a read checkpoint back into this run's objects; the number of epochs it completed."""
    if saved["scheduler"] is not None and sched is None:
        raise ValueError(
            f"the checkpoint {path} was written with a learning-rate scheduler; "
            "pass the same scheduler= to resume it"
        )
    info = apply_checkpoint(
        saved, path, model=state.model, optimizer=state.optimizer, scheduler=sched, loader=loader
    )
    history = state.history
    history.epoch = list(info.history.get("epoch", []))
    history.history = {k: list(v) for k, v in info.history.get("history", {}).items()}
    for key, cb_state in info.callbacks.items():
        if key in user_keys:
            user_keys[key].load_state_dict(cb_state)
    return info.epoch


def _following_free_cores(batches: Iterable[Any], threads_now: Callable[[], int]) -> Iterator[Any]:
    """The batches of ``batches``, NumPy's BLAS put on ``threads_now()`` threads before each one
    it changes for (asking costs about a microsecond, a change some microseconds): when another
    program starts keeping a core busy mid-epoch, the next batch leaves that core alone."""
    current = None
    for batch in batches:
        wanted = threads_now()
        if wanted != current:
            change_blas_threads(wanted)
            current = wanted
        yield batch


def _report_end(history: History, mid_epoch: bool, verbose: int) -> None:
    """Say why training stopped early: always after Ctrl-C (on stderr), else at verbose > 0."""
    if history.interrupted:
        done = len(history.epoch)
        kept = "its weights" + (", including that epoch's updates" if mid_epoch else "")
        print(
            f"Training stopped: {history.stop_reason}. The model keeps {kept}; the history holds "
            f"the {done} completed epoch{'s' if done != 1 else ''}.",
            file=sys.stderr,
            flush=True,
        )
    elif history.stop_reason and verbose:
        print(f"Training stopped: {history.stop_reason}.", flush=True)


# `model.fit(...)` is this same function (nn cannot import train, so train registers itself).
Module._fit_function = fit
