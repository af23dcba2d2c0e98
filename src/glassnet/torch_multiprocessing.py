"""glassnet.multiprocessing, PyTorch's torch.multiprocessing: Python's multiprocessing with PyTorch's extra names.

Everything of Python's ``multiprocessing`` is here under its own name (``Process``, ``Queue``,
``get_context``, ...), plus what PyTorch adds:

* ``spawn(fn, args, nprocs)`` / ``start_processes(...)``: run ``fn(i, *args)`` in ``nprocs``
  new processes (``i = 0 .. nprocs-1``) and wait for them; an exception in a child is raised
  in the parent as ``ProcessRaisedException`` with the child's traceback, a child killed by a
  signal or ending with a non-zero status as ``ProcessExitedException``; the other children
  are then stopped.
* the sharing strategies (``get_sharing_strategy``, ``set_sharing_strategy``,
  ``get_all_sharing_strategies``), PyTorch's names for how tensors are put in shared memory.

How tensors travel between processes differs from PyTorch. A glassnet tensor is a NumPy
array underneath, and one sent through a ``Queue`` or given in ``args`` is *pickled by
value*: the receiving process gets its own copy, and a change made there is not seen by the
sender. ``Tensor.share_memory_()`` returns the tensor unchanged and ``is_shared()`` is
False, so Hogwild-style training, where every process updates one shared model in place,
does not share anything here. The sharing strategy is therefore only recorded (and checked),
never used. To combine results, send them back (a ``Queue``, files) as in the example::

    def work(rank, queue):
        queue.put((rank, float(glassnet.ones(3).sum() * rank)))

    if __name__ == "__main__":
        queue = glassnet.multiprocessing.get_context("spawn").SimpleQueue()
        glassnet.multiprocessing.spawn(work, args=(queue,), nprocs=2)
        print(sorted(queue.get() for _ in range(2)))   # [(0, 0.0), (1, 3.0)]

Under ``glassnet run`` (``import torch`` aliased to glassnet), a child started by 'spawn' or
'forkserver' imports the script again in a fresh interpreter; the runner makes it start from
``glassnet.spawned_script``, which turns the alias on there too, so every start method works.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from multiprocessing import *  # noqa: F403
from typing import Any

__all__ = [
    "ProcessContext",
    "ProcessException",
    "ProcessExitedException",
    "ProcessRaisedException",
    "get_all_sharing_strategies",
    "get_sharing_strategy",
    "set_sharing_strategy",
    "spawn",
    "start_processes",
    *multiprocessing.__all__,
]

# ----------------------------------------------------------------------------------------------
# Sharing strategies (recorded and checked; see the module docstring)
# ----------------------------------------------------------------------------------------------

# PyTorch's choice per system: file descriptors where Linux allows passing them, files otherwise.
if sys.platform in ("darwin", "win32"):
    _ALL_SHARING_STRATEGIES = ("file_system",)
else:
    _ALL_SHARING_STRATEGIES = ("file_descriptor", "file_system")
_sharing_strategy = _ALL_SHARING_STRATEGIES[0]


def get_all_sharing_strategies() -> set[str]:
    """The sharing strategies this system has: {'file_descriptor', 'file_system'} on Linux."""
    return set(_ALL_SHARING_STRATEGIES)


def get_sharing_strategy() -> str:
    """The current sharing strategy ('file_descriptor' by default on Linux)."""
    return _sharing_strategy


def set_sharing_strategy(new_strategy: str) -> None:
    """Record ``new_strategy`` as the sharing strategy (glassnet pickles tensors by value anyway).

    Raises:
        ValueError: ``new_strategy`` is not one of ``get_all_sharing_strategies()``.
    """
    global _sharing_strategy
    if new_strategy not in _ALL_SHARING_STRATEGIES:
        expected = " or ".join(repr(s) for s in _ALL_SHARING_STRATEGIES)
        raise ValueError(f"set_sharing_strategy: expected {expected}, got {new_strategy!r}")
    _sharing_strategy = new_strategy


# ----------------------------------------------------------------------------------------------
# Errors of child processes, as the parent sees them
# ----------------------------------------------------------------------------------------------


class ProcessException(Exception):
    """A child process of ``spawn`` / ``start_processes`` failed.

    Attributes:
        error_index: the failed child's index ``i`` (the first argument of its ``fn``).
        pid: its process id.
    """

    def __init__(self, msg: str, error_index: int, error_pid: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = error_pid

    def __reduce__(self) -> tuple:  # keeps the attributes when the error itself is pickled
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A child's ``fn`` raised an exception; the message holds the child's traceback."""


class ProcessExitedException(ProcessException):
    """A child ended without a Python exception: killed by a signal or a non-zero exit status.

    Attributes (besides ``error_index`` and ``pid``):
        exit_code: the child's exit status (minus the signal number when a signal killed it).
        signal_name: the signal's name ('SIGKILL', ...), or None.
    """

    def __init__(
        self,
        msg: str,
        error_index: int,
        error_pid: int,
        exit_code: int,
        signal_name: str | None = None,
    ) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self) -> tuple:
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _run_child(fn: Callable, i: int, args: tuple, error_file: str) -> None:
    """What each child runs: ``fn(i, *args)``; an exception's traceback goes to ``error_file``.

    The traceback is written to a file, not a queue: the parent reads it only after the child
    has ended, and a long traceback would fill a pipe and leave the child waiting forever.
    """
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # Ctrl-C reached every process; the parent reports it
    except Exception:  # noqa: BLE001 - every exception of the user's fn goes to the parent
        with open(error_file, "w", encoding="utf-8") as f:
            f.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The children started by ``start_processes(..., join=False)``; ``join()`` waits for them.

    ``processes`` are the ``multiprocessing.Process`` objects (index i runs ``fn(i, *args)``).
    """

    def __init__(self, processes: list[Any], error_files: list[str]) -> None:
        self.processes = processes
        self.error_files = error_files
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self) -> list[int]:
        """The children's process ids, by index."""
        return [int(p.pid) for p in self.processes]

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (None: until one ends); True once all have ended well.

        Returns False while some children are still running. When a child has failed, the
        others get ``grace_period`` seconds (default none) to end on their own, are then
        terminated (SIGTERM, then SIGKILL after up to 30 s), and the failure is raised.

        Raises:
            ProcessRaisedException: the child's ``fn`` raised (its traceback is the message).
            ProcessExitedException: the child ended with a signal or a non-zero status.
        """
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(list(self.sentinels), timeout=timeout)
        failed = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            self.processes[index].join()
            if self.processes[index].exitcode != 0:
                failed = index
                break
        if failed is None:
            return not self.sentinels
        self._stop_the_others(grace_period)
        raise self._failure(failed)

    def _stop_the_others(self, grace_period: float | None) -> None:
        if grace_period is not None:
            self._join_all(grace_period)
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        self._join_all(30.0 if grace_period is None else grace_period)
        for p in self.processes:
            if p.is_alive():
                p.kill()
            p.join()
        self.sentinels.clear()

    def _join_all(self, seconds: float) -> None:
        alive = [p.sentinel for p in self.processes if p.is_alive()]
        if alive:
            multiprocessing.connection.wait(alive, timeout=seconds)

    def _failure(self, index: int) -> ProcessException:
        process, path = self.processes[index], self.error_files[index]
        n = len(self.processes)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                trace = f.read()
            last = trace.strip().splitlines()[-1] if trace.strip() else "an exception"
            message = (
                f"process {index} of {n} raised {last}\n\n"
                f"-- the traceback in process {index}:\n{trace}"
            )
            return ProcessRaisedException(message, index, process.pid)
        code = process.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return ProcessExitedException(
                f"process {index} of {n} was terminated by {name}", index, process.pid, code, name
            )
        return ProcessExitedException(
            f"process {index} of {n} exited with status {code}", index, process.pid, code
        )

    def __del__(self) -> None:
        for path in getattr(self, "error_files", ()):
            try:
                os.unlink(path)
            except OSError:
                pass


# ----------------------------------------------------------------------------------------------
# Starting the children
# ----------------------------------------------------------------------------------------------


def _start_method(asked: str, who: str) -> str:
    methods = multiprocessing.get_all_start_methods()
    if asked not in methods:
        raise ValueError(f"{who}: start_method must be one of {methods}, got {asked!r}")
    return asked


def start_processes(
    fn: Callable[..., Any],
    args: tuple = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """Run ``fn(i, *args)`` in ``nprocs`` new processes, i = 0 .. nprocs-1.

    Args:
        fn: a function defined at the top level of a module (the 'spawn' and 'forkserver'
            start methods send it to the child by name).
        args: the arguments after the index (pickled for the children: tensors are copied).
        nprocs: how many processes (>= 1).
        join: wait for all of them (True, returning None) or return their
            ``ProcessContext`` at once (False).
        daemon: the children's daemon flag (daemons are killed when the parent exits).
        start_method: 'spawn', 'fork' or 'forkserver' (what the system has).

    Raises:
        ProcessRaisedException / ProcessExitedException: a child failed (with ``join``).
        TypeError / ValueError: bad ``fn``, ``args``, ``nprocs`` or ``start_method``.
    """
    who = "start_processes"
    if not callable(fn):
        raise TypeError(f"{who}: expected fn to be a function, got {type(fn).__name__}")
    if not isinstance(args, tuple):
        raise TypeError(f"{who}: expected args to be a tuple, got {type(args).__name__}")
    if isinstance(nprocs, bool) or not isinstance(nprocs, int) or nprocs < 1:
        raise ValueError(f"{who}: nprocs must be a positive whole number, got {nprocs!r}")
    context = multiprocessing.get_context(_start_method(start_method, who))
    processes, error_files = [], []
    for i in range(nprocs):
        # A fresh path per child, which exists only once that child has failed.
        handle, path = tempfile.mkstemp(prefix="glassnet-spawn-", suffix=".txt")
        os.close(handle)
        os.unlink(path)
        process = context.Process(target=_run_child, args=(fn, i, args, path), daemon=daemon)
        try:
            process.start()
        except (pickle.PicklingError, AttributeError, TypeError) as e:
            if "pickle" not in str(e).lower():
                raise
            for started in processes:
                started.terminate()
                started.join()
            raise TypeError(
                f"{who}: fn and args must be picklable for start method "
                f"{context.get_start_method()!r} (fn defined at the top level of a module, "
                f"not a lambda or a nested function), got fn={fn!r}: {e}"
            ) from None
        processes.append(process)
        error_files.append(path)
    children = ProcessContext(processes, error_files)
    if not join:
        return children
    while not children.join():
        pass
    return None


def spawn(
    fn: Callable[..., Any],
    args: tuple = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """``start_processes`` with the 'spawn' start method (PyTorch's ``mp.spawn``).

    ``start_method`` other than 'spawn' is ignored with a FutureWarning, as in PyTorch (use
    ``start_processes`` for another method).
    """
    if start_method != "spawn":
        warnings.warn(
            f"spawn only supports start_method='spawn' (got {start_method!r}); use "
            "start_processes(..., start_method=...) for another one",
            FutureWarning,
            stacklevel=2,
        )
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
