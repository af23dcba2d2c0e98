"""`glassnet train`: load and standardize the data, build the model, fit it, test it, and save
the run folder whole (or, after Ctrl-C, the part that was trained)."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._version import __version__
from ...callbacks import CSVLogger, Diagnostics, EarlyStopping, LiveView
from ...models import build_model
from ...nn import functional as F
from ...random import manual_seed
from ...serialization import save
from ...train import History, evaluate, fit, predict
from ..errors import CLIError
from ..memory import check_fits
from ..plots import PlotWorker, draw_run_plots
from ..reports import describe_task, report_classification, report_regression
from ..runs import RunWriter, open_run, write_json
from ..tasks import Task, fit_normalize, load_task, normalize, task_source

__all__ = ["cmd_train", "PRESETS", "CNN_PRESETS"]

_TWO_D = ("spiral", "moons", "circles", "xor", "blobs")
INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT)

# Training defaults per kind of data (an option given on the command line always wins).
PRESETS: dict[str, dict[str, Any]] = {
    "digits": dict(hidden=[256, 128], dropout=0.2, lr=1e-3, epochs=30, batch_size=32),
    "mnist": dict(hidden=[256, 128], dropout=0.2, lr=1e-3, epochs=10, batch_size=128),
    "2d": dict(hidden=[64, 64], dropout=0.0, lr=1e-2, epochs=100, batch_size=32),
    "sine": dict(
        hidden=[64, 64], dropout=0.0, lr=1e-2, epochs=100, batch_size=32, activation="tanh"
    ),
    "csv": dict(hidden=[64, 64], dropout=0.0, lr=1e-3, epochs=50, batch_size=32),
}
CNN_PRESETS: dict[str, dict[str, Any]] = {
    "digits": dict(channels=[32, 64], hidden=[128], dropout=0.2, lr=2e-3, epochs=15, batch_size=32),
    "mnist": dict(channels=[32, 64], hidden=[128], dropout=0.2, lr=1e-3, epochs=5, batch_size=128),
}


@dataclass
class Prepared:
    """The data and model of a run, ready to fit."""

    task: Task
    settings: dict[str, Any]  # hidden, dropout, lr, epochs, batch_size, activation, channels
    spec: dict[str, Any]  # the model's description (config.json's "model")
    norm: dict[str, Any]  # the input standardization (config.json's "data.normalize")
    X_train: np.ndarray
    X_test: np.ndarray
    n_val: int


def cmd_train(args: argparse.Namespace) -> int:
    """`glassnet train`: claim the run folder, prepare, fit, test, save, commit."""
    if args.patience and not args.val_split:
        raise CLIError("--patience watches the validation loss: it needs --val-split > 0")
    source = task_source(args)  # a bad --data fails before the run folder is claimed
    rank = _process_rank(args)
    if rank > 0:  # another process of `mpiexec -n N`: train its shard, print and save nothing
        args.quiet = True
        prepared = _prepare(args, load_task(source, image=args.model == "cnn"))
        manual_seed(args.seed)
        _fit(args, prepared, build_model(prepared.spec), _NoRun())
        return 0
    # The plots' process starts before the data is loaded: it imports matplotlib meanwhile.
    with open_run(args) as run, PlotWorker.running(not args.no_plots) as worker:
        try:
            prepared = _prepare(args, load_task(source, image=args.model == "cnn"))
            manual_seed(args.seed)  # the initial weights depend on the seed too
            model = build_model(prepared.spec)
            _show(args, prepared, model)
            history, seconds = _fit(args, prepared, model, run)
            files = _test_and_save(args, prepared, model, history, seconds, run, worker)
            run.commit()
        except KeyboardInterrupt:  # a second Ctrl-C, or one outside fit: abort, save nothing
            raise KeyboardInterrupt(f"nothing was saved; {run.destination} is as it was") from None
    print(f"Saved the run to {run.destination}{os.sep}: {', '.join(files)}")
    if history.interrupted:
        print(
            f"glassnet: interrupted: the run holds what was applied: {applied(history)}",
            file=sys.stderr,
        )
        return INTERRUPTED
    if not args.quiet:
        folder = run.destination
        print(f"Use it: glassnet evaluate {folder}   |   glassnet predict {folder} INPUT.csv")
    return 0


def _process_rank(args: argparse.Namespace) -> int:
    """0 for a single process or rank 0 of `mpiexec`; refuses --distributed without mpiexec."""
    from ...distributed import process_group as pg

    if not pg.launched_by_mpiexec():
        if args.distributed:
            raise CLIError(
                "--distributed runs one glassnet per process: start it as "
                "`mpiexec -n 2 glassnet train --distributed ...` (pip install 'glassnet[mpi]' "
                "brings mpiexec)"
            )
        return 0
    if not pg.is_available():
        raise CLIError("started by mpiexec, but mpi4py is missing: pip install 'glassnet[mpi]'")
    pg.init_process_group("mpi")
    return pg.get_rank()


class _NoRun:
    """Stands in for the run folder in the processes that do not save (ranks above 0)."""

    destination = None

    @contextlib.contextmanager
    def writing(self, name: str) -> Any:
        yield os.devnull

    def commit(self) -> None:
        pass


# ----------------------------------------------------------------------------------------------
# Before fitting: settings, the model's description, standardized inputs
# ----------------------------------------------------------------------------------------------


def _preset_key(name: str) -> str:
    if name in ("mnist", "fashion-mnist"):
        return "mnist"
    if name in _TWO_D:
        return "2d"
    return name if name in PRESETS else "csv"


def _settings(args: argparse.Namespace, task: Task) -> dict[str, Any]:
    key = _preset_key(task.name)
    preset = dict(PRESETS[key])
    if args.model == "cnn":
        preset.update(CNN_PRESETS[key])
    given = {
        "hidden": args.hidden,
        "dropout": args.dropout,
        "lr": args.lr,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "activation": args.activation,
        "channels": args.channels,
    }
    out = {**preset, **{k: v for k, v in given.items() if v is not None}}
    out.setdefault("activation", "relu")
    out.setdefault("channels", [32, 64])
    return out


def _model_spec(args: argparse.Namespace, task: Task, s: dict[str, Any]) -> dict[str, Any]:
    if args.model == "cnn":
        if len(s["hidden"]) != 1:
            raise CLIError(
                f"--hidden for --model cnn is the width of its one fully connected layer, "
                f"e.g. --hidden 128; got {','.join(map(str, s['hidden'])) or 'none'}"
            )
        return {
            "kind": "cnn",
            "in_shape": list(task.X_train.shape[1:]),
            "num_classes": task.num_outputs,
            "channels": list(s["channels"]),
            "hidden": s["hidden"][0],
            "activation": s["activation"],
            "dropout": s["dropout"],
        }
    return {
        "kind": "mlp",
        "in_features": int(np.prod(task.X_train.shape[1:])),
        "hidden": list(s["hidden"]),
        "out_features": task.num_outputs,
        "activation": s["activation"],
        "dropout": s["dropout"],
    }


def input_shape(spec: dict[str, Any]) -> tuple[int, ...]:
    """The shape of one sample the model ``spec`` takes."""
    if spec["kind"] == "cnn":
        return tuple(spec["in_shape"])
    return (spec["in_features"],)


def _prepare(args: argparse.Namespace, task: Task) -> Prepared:
    if task.kind == "classification" and len(task.classes or []) < 2:
        raise CLIError(f"{task.name}: a classifier needs at least 2 classes, the data has 1")
    s = _settings(args, task)
    spec = _model_spec(args, task, s)
    check_fits(spec, batch_size=s["batch_size"])  # before the model is allocated
    norm = fit_normalize(task.X_train, args.model == "cnn")
    X_train = normalize(norm, task.X_train).reshape(len(task.X_train), *input_shape(spec))
    X_test = normalize(norm, task.X_test).reshape(len(task.X_test), *input_shape(spec))
    n_val = int(round(len(X_train) * args.val_split)) if args.val_split else 0
    return Prepared(task, s, spec, norm, X_train, X_test, n_val)


def _show(args: argparse.Namespace, p: Prepared, model: Any) -> None:
    """Print the data, the model's summary and the training settings (not with --quiet)."""
    if args.quiet:
        return
    print(describe_task(p.task, len(p.X_train) - p.n_val, p.n_val))
    print("  inputs standardized with the training set's mean and standard deviation")
    print("")
    model.summary((1, *input_shape(p.spec)))
    print("")
    s, smoothing = p.settings, _smoothing(args, p.task)
    print(
        f"Training: {args.optimizer} lr {s['lr']:g}, schedule {args.schedule}, {s['epochs']} "
        f"epochs, batch size {s['batch_size']}"
        + (f", label smoothing {smoothing:g}" if smoothing else "")
        + f", seed {args.seed}"
    )


# ----------------------------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------------------------


def _smoothing(args: argparse.Namespace, task: Task) -> float:
    return args.label_smoothing if task.kind == "classification" else 0.0


def training_loss(kind: str, smoothing: float) -> Any:
    """The loss fit and evaluate use: mse, cross-entropy, or cross-entropy with smoothing."""
    if kind != "classification":
        return "mse"
    if not smoothing:
        return "cross_entropy"

    def cross_entropy(output: Any, target: Any) -> Any:
        return F.cross_entropy(output, target, label_smoothing=smoothing)

    return cross_entropy


def _fit(
    args: argparse.Namespace, p: Prepared, model: Any, run: RunWriter
) -> tuple[History, float]:
    """fit() with the run's settings; history.csv is written into the run as epochs end."""
    with run.writing("history.csv") as history_csv:
        # The run's folder is hidden until it is complete (runs.py), so the rows need no fsync
        # per epoch: one at the end (a sync per epoch cost 0.3 s over the default 30 epochs).
        callbacks: list[Any] = [CSVLogger(history_csv, sync_every_epoch=False)]
        if args.patience:
            callbacks.append(EarlyStopping(patience=args.patience, restore_best_weights=True))
        if not args.no_diagnostics:  # hints in plain words as they appear (kept in config.json)
            callbacks.append(Diagnostics(verbose=not args.quiet))
        live = _live_view(args, p) if args.live else None
        if live is not None:
            callbacks.append(live)
        started = time.perf_counter()
        history = fit(
            model,
            (p.X_train, p.task.y_train),
            loss=training_loss(p.task.kind, _smoothing(args, p.task)),
            optimizer=args.optimizer,
            lr=p.settings["lr"],
            epochs=p.settings["epochs"],
            batch_size=p.settings["batch_size"],
            validation_split=args.val_split,
            metrics=["accuracy"] if p.task.kind == "classification" else ["mae"],
            callbacks=callbacks,
            scheduler=None if args.schedule == "none" else args.schedule,
            seed=args.seed,
            verbose=0 if args.quiet else 1,
            detect_anomaly=args.detect_anomaly,
            check_gradients_every=args.check_gradients_every,
            distributed=True if args.distributed else None,
        )
    seconds = time.perf_counter() - started
    if live is not None:  # the stream the page was fed, for `glassnet view RUN`
        live.close()
        with run.writing("live.jsonl.gz") as path:
            live.save(path)
    if not args.quiet:
        done = len(history.epoch)
        processes = getattr(history, "processes", 1)
        on = f" on {processes} processes" if processes > 1 else ""
        print(f"Trained {done} epoch{'s' if done != 1 else ''}{on} in {seconds:.1f} s.")
        print("")
    return history, seconds


def _live_view(args: argparse.Namespace, p: Prepared) -> LiveView:
    image_shape = None
    shape = input_shape(p.spec)
    if len(shape) == 3:
        image_shape = shape[1:]
    return LiveView(
        data=(p.X_train, p.task.y_train),
        port=args.port,
        class_names=p.task.classes,
        image_shape=image_shape,
        announce=True,
    )


def applied(history: History) -> str:
    """What training applied, e.g. ``"5 epochs and 16 of 41 batches of epoch 6"``.

    Uses ``history.stopped_at = (epochs completed, batches into the next epoch, batches per
    epoch)`` where fit records it, else the completed epochs and fit's stop_reason text."""
    stopped = getattr(history, "stopped_at", None)
    if stopped:
        epochs, batches, per_epoch = stopped
    else:
        epochs, batches, per_epoch = len(history.epoch), 0, None
        found = re.search(r"after (\d+) of (\S+) batches", history.stop_reason or "")
        if found:
            batches, per_epoch = int(found.group(1)), found.group(2)
    text = f"{epochs} epoch{'s' if epochs != 1 else ''}"
    if batches:
        text += f" and {batches} of {per_epoch} batches of epoch {epochs + 1}"
    return text


# ----------------------------------------------------------------------------------------------
# After fitting: test, then write everything into the run
# ----------------------------------------------------------------------------------------------


def _test_and_save(
    args: argparse.Namespace,
    p: Prepared,
    model: Any,
    history: History,
    seconds: float,
    run: RunWriter,
    worker: PlotWorker | None = None,
) -> list[str]:
    """Test the model, write model.npz, config.json, metrics.json and the plots; the names."""
    plots = not args.no_plots and bool(history.epoch)
    if plots and worker is not None:
        worker.ask(history, p.task.kind, run.path(""))  # drawn meanwhile, in the other process
    loss = training_loss(p.task.kind, _smoothing(args, p.task))
    output = predict(model, p.X_test).array
    # The test loss is the training loss (label smoothing included), comparable with val_loss.
    test_loss = evaluate(model, (p.X_test, p.task.y_test), loss=loss)["loss"]
    if p.task.kind == "classification":
        classes = p.task.classes or []
        results = report_classification(output, p.task.y_test, classes, test_loss, "test")
    else:
        results = report_regression(output, p.task.y_test, "test")
    with run.writing("model.npz") as path:
        save(model.state_dict(), path)
    with run.writing("config.json") as path:
        write_json(path, _config(args, p, history, seconds))
    with run.writing("metrics.json") as path:
        write_json(path, {"test": results})
    files = ["model.npz", "config.json", "history.csv", "metrics.json"]
    if plots:
        files += draw_run_plots(history, p.task.kind, run, worker)
    if args.live:
        files.append("live.jsonl.gz")
    if args.report:
        from .report import write_run_report

        config = _config(args, p, history, seconds)
        with run.writing("report.html") as path:
            write_run_report(path, config, model, history, p.X_test, p.task.y_test,
                             p.task.classes, input_shape(p.spec))  # fmt: skip
        files.append("report.html")
    return files


def _config(args: argparse.Namespace, p: Prepared, history: History, seconds: float) -> dict:
    """config.json: what was trained on, the model, how it was trained."""
    classify = p.task.kind == "classification"
    training = {
        "loss": "cross_entropy" if classify else "mse",
        "label_smoothing": _smoothing(args, p.task),
        "optimizer": args.optimizer,
        "lr": p.settings["lr"],
        "schedule": args.schedule,
        "epochs": p.settings["epochs"],
        "epochs_run": len(history.epoch),
        "batch_size": p.settings["batch_size"],
        "seed": args.seed,
        "val_split": args.val_split,
        "patience": args.patience,
        "interrupted": history.interrupted,
        "stop_reason": history.stop_reason,
        "seconds": round(seconds, 3),
    }
    if history.interrupted:
        training["applied"] = applied(history)
    hints = getattr(history, "hints", None)
    if hints is not None or not args.no_diagnostics:
        training["hints"] = [dict(h) for h in hints or []]
    if getattr(history, "processes", 1) > 1:
        training["processes"] = history.processes
    return {
        "format": "glassnet-run",
        "format_version": 1,
        "glassnet_version": __version__,
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": "glassnet " + " ".join(shlex.quote(a) for a in args._argv),
        "task": p.task.kind,
        "data": {
            **p.task.source,
            "classes": p.task.classes,
            "feature_names": p.task.feature_names,
            "input_shape": list(input_shape(p.spec)),
            "normalize": p.norm,
            "train_samples": len(p.X_train) - p.n_val,
            "validation_samples": p.n_val,
            "test_samples": len(p.X_test),
        },
        "model": p.spec,
        "training": training,
    }
