"""main(): parse the command line, run the subcommand, turn any error into one line and a status."""

from __future__ import annotations

import argparse
import sys

from .. import threads
from .commands import COMMANDS
from .errors import CLIError, report
from .parser import build_parser

__all__ = ["main"]

_REPORTED_MODULES = ("glassnet.inspect", "glassnet.distributed")


def main(argv: list[str] | None = None) -> int:
    """Run the `glassnet` command with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    0 success, 1 bad input (one line on stderr), 2 a malformed command line, 130 Ctrl-C."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        if argv[:1] == ["lesson"]:  # lesson reads its own options, which may come before N
            args = argparse.Namespace(command="lesson", lesson_args=argv[1:])
        else:
            args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a malformed command line
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    if args.command is None:
        parser.print_help()
        return 2
    args._argv = argv
    try:
        threads.thread_limit()  # a bad GLASSNET_NUM_THREADS is said before any work, not after
        return COMMANDS[args.command](args)
    except (CLIError, ValueError, TypeError, OSError, MemoryError, KeyboardInterrupt) as e:
        return report(e)
    except (RuntimeError, AssertionError) as e:
        # What --detect-anomaly, --check-gradients-every and --distributed stop with is the
        # expected outcome of asking for them: one line too. Any other error is a bug: shown.
        if type(e).__module__.startswith(_REPORTED_MODULES):
            return report(e)
        raise
