"""Callbacks: code that fit() runs at fixed points of training (stop early, save, schedule, log, show).

How fit calls them. ``glassnet.fit`` keeps a list of callbacks and calls, in this order::

    on_train_begin(logs)
    for each epoch:
        on_epoch_begin(epoch, logs)
        for each batch:
            on_batch_begin(batch, logs)
            train_step: forward, loss, zero_grad, backward, step
            on_batch_end(batch, logs)      # logs: running means over the epoch so far
        ... validation ...
        on_epoch_end(epoch, logs)          # logs: loss, metrics, val_loss, val_*, lr
    on_train_end(logs)

``epoch`` and ``batch`` count from 0. ``logs`` is a dict of floats (``"loss"``, ``"accuracy"``,
``"val_loss"``, ...); a callback may add entries to it, which later callbacks, the History and
the progress bar then see.

What a callback can see and do. Before training starts, fit gives every callback a
:class:`FitState` as ``self.state``: the model, the optimizer, the epoch counts, the history so
far, and ``state.stop_training`` -- set it to True to end training after the current batch
(``state.stop_reason`` says why, for the user). ``self.model`` and ``self.optimizer`` are
shortcuts. Messages for the user go through ``self.state.echo(text)``, which stays silent at
``verbose=0`` and does not break a progress bar.

Writing one::

    class PrintBest(Callback):
        def on_train_begin(self, logs=None):
            self.best = float("inf")

        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < self.best:
                self.best = logs["loss"]
                self.state.echo(f"epoch {epoch + 1}: new best loss {self.best:.4f}")

Resuming. A callback whose behaviour depends on past epochs (EarlyStopping's patience
counter, CSVLogger's rows) returns that memory from ``state_dict()`` and takes it back in
``load_state_dict()``; resumable checkpoints store it, so a resumed run behaves exactly as an
uninterrupted one.

Where each lives (one file per callback or concern)::

    base.py              FitState, Callback, CallbackList
    monitor.py           reading a monitored log value, "min"/"max" modes, "improved"
    early_stopping.py    EarlyStopping
    checkpoints.py       ModelCheckpoint (weights), TrainingCheckpoint (resumable)
    schedulers.py        LearningRateScheduler
    csv_logger.py        CSVLogger
    terminate_on_nan.py  TerminateOnNaN
    progress.py          ProgressBar (and format_logs)
    diagnostics.py       Diagnostics (plain-word hints: dead units, gradients, loss, overfitting)
    gradient_check.py    GradientCheck (fit's check_gradients_every)
    live.py              LiveView (the live page in the browser; server in glassnet.inspect.live)
"""

from .base import Callback, CallbackList, FitState, _overrides
from .checkpoints import ModelCheckpoint, TrainingCheckpoint
from .csv_logger import CSVLogger, _read_csv_rows
from .diagnostics import Diagnostics, Hint
from .early_stopping import EarlyStopping
from .gradient_check import GradientCheck
from .live import LiveView
from .monitor import _improved, _monitored, _resolve_mode
from .progress import _BAR_FORMAT, ProgressBar, _in_notebook, _load_tqdm, format_logs
from .schedulers import LearningRateScheduler
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "Diagnostics",
    "EarlyStopping",
    "FitState",
    "GradientCheck",
    "LearningRateScheduler",
    "LiveView",
    "ModelCheckpoint",
    "ProgressBar",
    "TerminateOnNaN",
    "TrainingCheckpoint",
]
