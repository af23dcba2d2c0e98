"""CLIError, the user's mistake, and how any error of a command becomes one line on stderr."""

from __future__ import annotations

import os
import sys

__all__ = ["CLIError", "report"]


class CLIError(Exception):
    """A problem with the user's input: printed as one line, exit status 1."""


def report(error: BaseException) -> int:
    """Print ``error`` as one ``glassnet: ...`` line on stderr and return the exit status.

    CLIError and the ValueError / TypeError / OSError / MemoryError that bad input raises deeper
    down (files, CSVs, sizes) are one line and status 1; Ctrl-C is status 130, as for any
    interrupted command. With GLASSNET_DEBUG set, anything but a CLIError keeps its traceback.
    """
    if isinstance(error, KeyboardInterrupt):
        print("\nglassnet: interrupted" + (f": {error}" if str(error) else ""), file=sys.stderr)
        return 130
    if isinstance(error, BrokenPipeError):  # `glassnet predict ... | head`: the reader left
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    if os.environ.get("GLASSNET_DEBUG") and not isinstance(error, CLIError):
        raise error
    message = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    elif isinstance(error, MemoryError):
        message = (
            "out of memory"
            + (f": {error}" if str(error) else "")
            + ("; try a smaller model (--hidden, --channels) or a smaller --batch-size")
        )
    print(f"glassnet: error: {' '.join(message.splitlines())}", file=sys.stderr)
    return 1
