"""The Ctrl-C guard of fit: the first Ctrl-C asks training to stop after the current batch, a second aborts.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the program happens to be, which could
be half-way through an optimizer step (some parameters updated, others not). While fit runs,
this guard replaces that handler with one that only raises a flag; fit looks at the flag
between batches, so training always stops on a whole step::

    with StopOnCtrlC() as ctrl_c:
        for batch in loader:
            train_step(...)
            if ctrl_c.requested:
                break
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

__all__ = ["StopOnCtrlC"]


class StopOnCtrlC:
    """While fit runs, the first Ctrl-C (SIGINT) asks to stop after the current batch; a second
    one raises KeyboardInterrupt at once. The previous handler is put back afterwards. Only the
    main thread can own signal handlers; elsewhere (or when SIGINT is ignored) nothing changes."""

    def __init__(self) -> None:
        self.requested = False
        self._installed = False

    def __enter__(self) -> StopOnCtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.getsignal(signal.SIGINT)
            if self._previous is not signal.SIG_IGN:
                signal.signal(signal.SIGINT, self._handle)
                self._installed = True
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        newline = "\n" if getattr(sys.stderr, "isatty", lambda: False)() else ""  # leave the bar
        print(
            f"{newline}Ctrl-C: stopping at the end of this batch (press Ctrl-C again to abort "
            "at once)",
            file=sys.stderr,
            flush=True,
        )

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            previous = self._previous if self._previous is not None else signal.default_int_handler
            signal.signal(signal.SIGINT, previous)
