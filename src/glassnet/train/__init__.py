"""Training in one call: fit, evaluate, predict, resume, and the History that fit returns (re-exports).

``fit`` is the training loop every PyTorch user writes by hand, written once as a short,
commented recipe, plus what a practitioner wants around it: validation, metrics, callbacks, a
progress bar, a clean stop on Ctrl-C, and checkpoints that resume bit for bit::

    import glassnet as gn

    X, y = gn.data.load_digits("train")
    model = gn.nn.Sequential(gn.nn.Linear(64, 128), gn.nn.ReLU(), gn.nn.Linear(128, 10))
    history = gn.fit(model, (X, y), loss="cross_entropy", optimizer="adam", lr=1e-3,
                     epochs=20, batch_size=32, validation_split=0.1, seed=0)
    history.history["val_accuracy"][-1]          # e.g. 0.97
    gn.evaluate(model, gn.data.load_digits("test"))   # {'loss': ..., 'accuracy': ...}
    gn.predict(model, X[:5]).argmax(dim=1)        # predicted digits

Reading order, from the top of a training step down:

    loop.py        fit (the recipe) and resume
    step.py        run_epoch (one pass over the batches) and train_step (forward, loss,
                   zero_grad, backward, step)
    evaluation.py  evaluate and predict (and fit's validation)
    history.py     History, what fit returns
    choices.py     the names fit understands: losses, optimizers, schedulers, metrics
    inputs.py      arrays, Datasets and DataLoaders in; batches out
    tallies.py     running means of the loss and metrics over an epoch
    interrupt.py   the Ctrl-C guard: stop after the current batch
    modes.py       putting every module's train/eval mode back

Speed. Batches come from the DataLoader's whole-array fast path (one fancy-index per batch,
no per-sample Python); validation, ``evaluate`` and ``predict`` run under ``no_grad`` in
evaluation mode with large batches; per-epoch metrics that are means over samples (accuracy,
MSE, ...) are accumulated batch by batch, and the others (precision, F1, ...) are computed
once from the epoch's outputs.
"""

from .choices import (
    _CLASSIFICATION_LOSSES,
    _CLASSIFICATION_MODULES,
    _LOSS_ALIASES,
    LOSSES,
    OPTIMIZERS,
    SCHEDULERS,
    _check_metrics,
    _default_metrics,
    _is_classification,
    _make_scheduler,
    get_loss,
    make_optimizer,
)
from .evaluation import _evaluate_loader, _infer_loss, evaluate, predict
from .history import History
from .inputs import (
    _as_dataset,
    _features,
    _is_array,
    _length,
    _loader,
    _param_dtype,
    _split_batch,
    _validation_split,
)
from .interrupt import StopOnCtrlC
from .loop import fit, resume
from .modes import ModeKeeper
from .step import _output_tensor, _scalar_loss, run_epoch, train_step
from .tallies import Tally

# The names these classes had when train was one module, kept importable.
_StopOnCtrlC = StopOnCtrlC
_Tally = Tally
_ModeKeeper = ModeKeeper

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "SCHEDULERS",
    "History",
    "evaluate",
    "fit",
    "get_loss",
    "make_optimizer",
    "predict",
    "resume",
    "run_epoch",
    "train_step",
]
