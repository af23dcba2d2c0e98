"""`glassnet explain RUN [--sample N]`: how a saved run's model classifies one test sample."""

from __future__ import annotations

import argparse

from ..errors import CLIError
from ..run_reader import read_run_data

__all__ = ["cmd_explain"]


def cmd_explain(args: argparse.Namespace) -> int:
    """Print ``glassnet.why`` for test sample ``--sample`` of the run: layer by layer, the
    softmax step by step, the prediction, and the loss and its gradient for the true label."""
    from ...inspect import why

    run = read_run_data(args.run, "test", args.data_dir)
    if run.config["task"] != "classification":
        raise CLIError(f"{args.run} is a regression run; explain shows how a classifier decides")
    if not 0 <= args.sample < len(run.X):
        raise CLIError(
            f"--sample must be a test sample from 0 to {len(run.X) - 1}, got {args.sample}"
        )
    label = int(run.y[args.sample])
    print(f"Run: {args.run}, test sample {args.sample} of {len(run.X)} (true class {label})")
    print(why(run.model, run.X[args.sample], label=label, class_names=run.classes))
    return 0
