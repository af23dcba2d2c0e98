"""`glassnet datasets`: the datasets `glassnet train --data` accepts, one line each."""

from __future__ import annotations

import argparse

from ...data import DATASETS

__all__ = ["cmd_datasets"]


def cmd_datasets(args: argparse.Namespace) -> int:
    """Print every dataset name with its one-line description."""
    width = max(len(n) for n in DATASETS)
    print("Datasets for `glassnet train --data NAME`:")
    for name, text in DATASETS.items():
        print(f"  {name:<{width}}  {text}")
    print("Or your own numbers: glassnet train --data FILE.csv --target COLUMN")
    return 0
