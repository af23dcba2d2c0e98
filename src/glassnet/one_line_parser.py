"""The argument parser of glassnet's commands: argparse, but a bad command line is one line.

argparse's own ``error`` prints the whole usage block and then the message; a learner reading
``glassnet lesson nosuch`` needs only what was wrong and where to look, so the message comes
with a pointer to ``--help`` instead. Used by ``cli/`` (every subcommand) and by
``lessons/command.py``, which parses ``glassnet lesson``'s own arguments.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

__all__ = ["OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad command line gives one line (and a pointer to --help), not usage."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see: {self.prog} --help)\n")
        raise SystemExit(2)
