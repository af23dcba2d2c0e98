"""`glassnet report RUN`: write the run's HTML report (report.html in its folder) and say where."""

from __future__ import annotations

import argparse
import os
from types import SimpleNamespace
from typing import Any

from ..run_reader import read_history, read_run_data

__all__ = ["cmd_report", "write_run_report"]


def write_run_report(path: str, config: dict[str, Any], model: Any, history: Any, X: Any, y: Any,
                     classes: list[str] | None, input_shape: tuple) -> str:  # fmt: skip
    """The report of one run (the same for `glassnet train --report` and `glassnet report`)."""
    from ...inspect.report import write_report

    data = config.get("data", {})
    summary = {k: data[k] for k in ("name", "path", "train_samples", "validation_samples",
                                     "test_samples", "classes") if data.get(k) is not None}  # fmt: skip
    image_shape = None
    if len(input_shape) == 3:
        image_shape = tuple(input_shape[1:])
    elif len(input_shape) == 1 and int(input_shape[0] ** 0.5) ** 2 == input_shape[0] > 15:
        side = int(input_shape[0] ** 0.5)
        image_shape = (side, side)
    classify = config.get("task") == "classification"
    return write_report(
        path,
        model=model,
        history=history,
        config={**config.get("training", {}), "model": config.get("model")},
        data_summary=summary,
        X_test=X if classify else None,
        y_test=y if classify else None,
        class_names=classes,
        image_shape=image_shape,
        hints=config.get("training", {}).get("hints"),
        title=f"glassnet run: {config.get('model', {}).get('kind', 'model')} on {data.get('name', '?')}",
    )


def cmd_report(args: argparse.Namespace) -> int:
    run = read_run_data(args.run, "test", args.data_dir)
    history = SimpleNamespace(history=read_history(args.run))
    path = os.path.join(args.run, "report.html")
    write_run_report(path, run.config, run.model, history, run.X, run.y, run.classes,
                     run.input_shape)  # fmt: skip
    print(os.path.abspath(path))
    return 0
