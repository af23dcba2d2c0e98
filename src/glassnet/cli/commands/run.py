"""`glassnet run SCRIPT.py [ARGS...]`: hand the script and its arguments to glassnet.run."""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["cmd_run"]


def cmd_run(args: argparse.Namespace) -> int:
    """Call ``glassnet.run.main([script, *args])``, imported only now (it may be absent)."""
    try:
        runner = importlib.import_module("glassnet.run")
    except ModuleNotFoundError as e:
        if e.name not in ("glassnet.run", None):
            raise  # glassnet.run exists but something it imports does not
        print("glassnet run is not available in this build", file=sys.stderr)
        return 2
    return int(runner.main([args.script, *args.script_args]) or 0)
