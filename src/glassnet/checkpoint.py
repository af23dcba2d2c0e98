"""Resumable checkpoints: one file with everything needed to continue training exactly where it stopped.

A model's weights alone are not enough to resume training as if it had never stopped. The
next epochs also depend on

* the optimizer's memory (Adam's moment estimates, SGD's momentum buffers, step counts),
* the learning-rate scheduler's position in its schedule,
* how many epochs are done, and the history of losses and metrics so far,
* the random-number generators: the global one (``glassnet.random``) draws the next epoch's
  shuffle order and dropout masks, and a DataLoader may have its own,
* what the callbacks remember (EarlyStopping's patience counter, ...).

``save_checkpoint`` puts all of these in one file, written with ``glassnet.save`` (atomic, no
pickle); ``load_checkpoint`` puts them back into freshly built objects. Training with a seed,
stopping after any epoch and resuming gives the same final weights, bit for bit, as training
straight through (the tests check this).

Layout of the saved object (a dict)::

    {"format": "glassnet-checkpoint", "format_version": 1,
     "epoch": 2,                       # epochs completed
     "model": model.state_dict(),
     "optimizer": optimizer.state_dict() or None,
     "scheduler": scheduler.state_dict() or None,
     "history": {"epoch": [0, 1], "history": {"loss": [...], ...}},
     "rng": glassnet.random.get_rng_state(),
     "loader_rng": the DataLoader generator's state, or None,
     "callbacks": {"0:EarlyStopping": {...}, ...},
     "extra": {...}}                   # anything else the caller wants to keep

Usage in a hand-written loop::

    for epoch in range(start, epochs):
        train_one_epoch(...)
        save_checkpoint("run.ckpt.npz", model=model, optimizer=opt, epoch=epoch + 1)
    ...
    info = load_checkpoint("run.ckpt.npz", model=model, optimizer=opt)
    start = info.epoch

``glassnet.fit(..., checkpoint=path)`` and ``fit(..., resume_from=path)`` do this for you.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import random as gn_random
from .serialization import SerializationError, load, save

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointInfo",
    "apply_checkpoint",
    "load_checkpoint",
    "read_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "glassnet-checkpoint"
CHECKPOINT_VERSION = 1
_KEYS = ("epoch", "model", "optimizer", "scheduler", "history", "rng", "loader_rng", "callbacks")


@dataclass
class CheckpointInfo:
    """What ``load_checkpoint`` returns besides the states it restored into your objects.

    Attributes:
        path: the file.
        epoch: how many epochs were completed when it was written.
        history: ``{"epoch": [...], "history": {name: [values]}}`` (empty dicts if none).
        callbacks: saved callback memories, by key (see ``glassnet.train``).
        extra: whatever the writer passed as ``extra``.
        split: saved validation-split indices (used by fit), or None.
    """

    path: str
    epoch: int
    history: dict[str, Any] = field(default_factory=dict)
    callbacks: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    split: Any = None


def _loader_generator(loader: Any) -> np.random.Generator | None:
    gen = getattr(loader, "generator", None) if loader is not None else None
    return gen if isinstance(gen, np.random.Generator) else None


def save_checkpoint(
    path: str | os.PathLike[str],
    *,
    model: Any,
    optimizer: Any = None,
    scheduler: Any = None,
    epoch: int = 0,
    history: Any = None,
    loader: Any = None,
    callbacks: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    split: Any = None,
) -> None:
    """Write a resumable checkpoint to ``path`` (atomically; a ``.npz`` file).

    Args:
        path: the file to write (its folder must exist).
        model: the Module; its ``state_dict()`` is saved.
        optimizer, scheduler: saved through their ``state_dict()`` when given.
        epoch: the number of completed epochs.
        history: a History (or a dict ``{"epoch": [...], "history": {...}}``).
        loader: a DataLoader whose own random generator (if any) should be saved too.
        callbacks: callback memories by key.
        extra: any other savable data (config, notes).
        split: indices of a train/validation split to reuse when resuming.

    The global random generator's state is always saved (``glassnet.random.get_rng_state``).
    """
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"save_checkpoint: epoch must be an integer >= 0, got {epoch!r}")
    if history is not None and not isinstance(history, dict):
        history = {"epoch": list(history.epoch), "history": dict(history.history)}
    gen = _loader_generator(loader)
    obj = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "epoch": int(epoch),
        "model": model.state_dict(),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "history": history or {"epoch": [], "history": {}},
        "rng": gn_random.get_rng_state(),
        "loader_rng": None if gen is None else gen.bit_generator.state,
        "callbacks": callbacks or {},
        "extra": extra or {},
        "split": split,
    }
    save(obj, path)


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load and check a checkpoint file without applying it (raises SerializationError)."""
    where = os.fspath(path)
    obj = load(path)
    if not isinstance(obj, dict) or obj.get("format") != CHECKPOINT_FORMAT:
        raise SerializationError(
            where,
            "it is a glassnet file but not a training checkpoint (for weights saved with "
            "glassnet.save(model.state_dict(), ...), use model.load_state_dict(glassnet.load(path)))",
        )
    version = obj.get("format_version")
    if not isinstance(version, int) or version > CHECKPOINT_VERSION:
        raise SerializationError(
            where,
            f"checkpoint format version {version!r} is newer than this glassnet understands "
            f"({CHECKPOINT_VERSION}); upgrade glassnet",
        )
    missing = [k for k in _KEYS if k not in obj]
    if missing:
        raise SerializationError(where, f"the checkpoint is missing {', '.join(missing)}")
    return obj


def load_checkpoint(
    path: str | os.PathLike[str],
    *,
    model: Any,
    optimizer: Any = None,
    scheduler: Any = None,
    loader: Any = None,
    restore_rng: bool = True,
    saved: dict[str, Any] | None = None,
) -> CheckpointInfo:
    """Restore a checkpoint into freshly built objects; all or nothing.

    The model (and the optimizer and scheduler, when given) must be built the same way as when
    the checkpoint was written; their states are checked and loaded. The global random
    generator (and ``loader``'s own generator, if it has one) get their saved states back,
    unless ``restore_rng=False``. If any part does not fit, nothing is changed and the error
    says which part. ``saved`` is the checkpoint as ``read_checkpoint(path)`` returned it, when
    it has been read already (fit reads it first, to see where to resume); by default the file
    is read here.

    Returns:
        A :class:`CheckpointInfo` with the epoch count, history, callback memories and extras.

    Raises:
        SerializationError: the file is not a glassnet checkpoint, or is corrupt.
        ValueError: a saved state does not fit the object given (names which).
    """
    obj = read_checkpoint(path) if saved is None else saved
    where = os.fspath(path)
    if optimizer is not None and obj["optimizer"] is None:
        raise ValueError(f"{where} holds no optimizer state, but an optimizer was given")
    if scheduler is not None and obj["scheduler"] is None:
        raise ValueError(f"{where} holds no scheduler state, but a scheduler was given")
    gen = _loader_generator(loader)

    # Keep what is there now, so that a failure half-way can put everything back.
    model_before = {k: v.array.copy() for k, v in model.state_dict().items()}
    optimizer_before = None if optimizer is None else optimizer.state_dict()
    scheduler_before = None if scheduler is None else scheduler.state_dict()
    part = "model"
    try:
        model.load_state_dict(obj["model"])
        if optimizer is not None:
            part = "optimizer"
            optimizer.load_state_dict(obj["optimizer"])
        if scheduler is not None:
            part = "scheduler"
            scheduler.load_state_dict(obj["scheduler"])
    except (ValueError, TypeError, KeyError) as e:
        model.load_state_dict(model_before)
        if optimizer_before is not None:
            optimizer.load_state_dict(optimizer_before)
        if scheduler_before is not None:
            scheduler.load_state_dict(scheduler_before)
        raise ValueError(
            f"the checkpoint {where} does not fit the {part} given (was it built differently?): {e}"
        ) from None
    if restore_rng:
        gn_random.set_rng_state(obj["rng"])
        if gen is not None and obj["loader_rng"] is not None:
            gen.bit_generator.state = obj["loader_rng"]
    history = obj["history"] or {}
    return CheckpointInfo(
        path=where,
        epoch=int(obj["epoch"]),
        history={
            "epoch": [int(e) for e in history.get("epoch", [])],
            "history": {k: [float(v) for v in vs] for k, vs in history.get("history", {}).items()},
        },
        callbacks=dict(obj["callbacks"] or {}),
        extra=dict(obj.get("extra") or {}),
        split=obj.get("split"),
    )


def apply_checkpoint(
    saved: dict[str, Any], path: str | os.PathLike[str], **objects: Any
) -> CheckpointInfo:
    """``load_checkpoint(path, saved=saved, **objects)``: for a checkpoint already read with
    ``read_checkpoint``; ``objects`` are load_checkpoint's keywords (model=, optimizer=, ...)."""
    return load_checkpoint(path, saved=saved, **objects)
