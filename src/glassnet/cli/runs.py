"""Writing a run folder so that it is whole or untouched: the claim (a lock), the temporary
folder the run is written into, and the one rename that puts it in place.

Why. A run is several files (model.npz, config.json, history.csv, ...) written over minutes.
Written straight into its folder, a crash, a kill or a second run into the same folder leaves a
mixture: the old model with the new history, or two runs' files at once. So `glassnet train`
follows the recipe of ``atomic_write`` one level up, for a whole folder:

1. claim ``DEST``: take an exclusive lock on the file ``DEST.lock`` (holding the writer's pid,
   for the message another writer gets). The operating system drops the lock when its process
   ends, however it ends (even by ``kill -9``), so a claim left by a dead writer is simply taken
   over, while a second live writer fails at once with one clear line;
2. write every file into ``.DEST.tmp-<pid>-<random>``, a hidden folder beside ``DEST`` (same
   parent, so step 3 is a rename within one file system, never a copy);
3. commit: with ``--overwrite`` the old run is renamed aside to ``.DEST.old-<pid>-<random>``,
   the new folder is renamed onto ``DEST``, and only then is the old run removed.

A reader (evaluate, predict) therefore sees no run, the old run whole or the new run whole.
Between the two renames of step 3 there is an instant with no ``DEST``; a writer killed in that
instant leaves the old run whole in ``.DEST.old-...``, and the next claim of ``DEST`` puts it
back. Each claim also tidies the folders of this naming that killed writers left in the same
parent, for any run whose lock is free (every writer makes and removes its folders while holding
its lock, so a free lock means their writer is gone).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from typing import Any

from ..atomic import _fsync_directory, atomic_write
from ..data import DATASETS
from .errors import CLIError

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

__all__ = ["RunWriter", "RunBusy", "open_run", "writer_of", "write_json", "RUN_FILES"]

RUN_FILES = ("config.json", "model.npz")  # what a folder needs to be used again
# Everything `glassnet train` writes into a run; --overwrite replaces only a folder of these.
_WRITTEN = {"model.npz", "config.json", "history.csv", "metrics.json"}
_PLOTS = {"loss.png", "accuracy.png", "mae.png"}
_LEFTOVER = re.compile(r"^\.(.+)\.(tmp|old)-\d+-[0-9a-f]{8}$")  # a writer's folders
_ATOMIC_TEMP = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")  # atomic_write's temporary files


class RunBusy(CLIError):
    """Another live process holds the claim on the run folder."""


def open_run(args: argparse.Namespace) -> RunWriter:
    """The RunWriter for `glassnet train`'s run folder, claimed: ``--out DIR``, ``runs/NAME``
    or a new ``runs/<date-time>-<data>-<model>`` (``-2``, ``-3``, ... when that is taken)."""
    if args.out or args.name:
        writer = RunWriter(args.out or os.path.join("runs", args.name), args.overwrite)
        writer.claim()
        return writer
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    data = args.data if args.data in DATASETS else "csv"
    base = os.path.join("runs", f"{stamp}-{data}-{args.model}")
    for k in range(1, 1000):
        folder = base if k == 1 else f"{base}-{k}"
        if os.path.exists(folder):
            continue
        writer = RunWriter(folder, overwrite=False)
        try:
            writer.claim()
        except RunBusy:  # another run started in the same second took this name
            continue
        return writer
    raise CLIError(f"cannot find a free run folder name like {base}")


class RunWriter:
    """One run being written: ``with`` it, write files at :meth:`path`, then :meth:`commit`.

    Leaving the ``with`` block without a commit (an error, Ctrl-C) removes the temporary folder
    and leaves ``destination`` as it was.
    """

    def __init__(self, destination: str, overwrite: bool = False) -> None:
        self.destination = os.path.normpath(destination)
        self.overwrite = overwrite
        self.parent = os.path.dirname(os.path.abspath(self.destination))
        self.base = os.path.basename(os.path.abspath(self.destination))
        self.temp = ""
        self.committed = False
        self._lock: int | None = None
        self._made: list[str] = []  # parent folders this writer created (removed on failure)
        self._aside = ""

    # -- the claim ----------------------------------------------------------------------------

    def claim(self) -> None:
        """Lock the destination, tidy what killed writers left, check it may be written, and
        create the temporary folder. Raises RunBusy or CLIError (nothing is left behind)."""
        if self._lock is not None:
            return
        if os.path.isfile(self.destination):
            raise CLIError(f"cannot write the run to {self.destination}: it is a file")
        here = os.path.join(os.getcwd(), "")
        if here.startswith(os.path.join(os.path.abspath(self.destination), "")):
            raise CLIError(
                f"cannot write the run to {self.destination}: it is the current folder or holds "
                "it; choose a new folder such as runs/NAME"
            )
        self._made = _make_folders(self.parent)
        try:
            self._lock = _take_lock(self.destination + ".lock", self.destination)
            self._tidy()
            self._check_destination()
            self.temp = self._hidden_name("tmp")
            os.mkdir(self.temp)
        except BaseException:
            self._abort()
            self._release()
            raise

    def _hidden_name(self, kind: str) -> str:
        return os.path.join(self.parent, f".{self.base}.{kind}-{os.getpid()}-{os.urandom(4).hex()}")

    def _tidy(self) -> None:
        """Tidy what killed writers left in the parent folder: for this destination (whose lock
        we hold) and for every other run there whose lock is free. See :func:`_tidy_run`."""
        found: dict[str, list[str]] = {}
        for entry in sorted(os.listdir(self.parent)):
            match = _LEFTOVER.match(entry)
            if match:
                found.setdefault(match.group(1), []).append(entry)
        for base, entries in found.items():
            destination = os.path.join(self.parent, base)
            if base == self.base:
                _tidy_run(destination, entries)
                continue
            try:
                lock = _take_lock(destination + ".lock", destination)
            except RunBusy:
                continue  # being written right now: its leftovers are its own
            try:
                _tidy_run(destination, entries)
            finally:
                _drop_lock(destination + ".lock", lock)

    def _check_destination(self) -> None:
        if not os.path.isdir(self.destination) or not os.listdir(self.destination):
            return
        if not self.overwrite:
            raise CLIError(
                f"the run folder {self.destination} already exists and is not empty; choose "
                "another --out or --name, or pass --overwrite"
            )
        others = sorted(f for f in os.listdir(self.destination) if not _is_run_file(f))
        if others:
            raise CLIError(
                f"--overwrite replaces only a glassnet run folder, and {self.destination} also "
                f"holds {', '.join(others[:3])}{', ...' if len(others) > 3 else ''}: choose "
                "another --out"
            )

    # -- writing ------------------------------------------------------------------------------

    def __enter__(self) -> RunWriter:
        self.claim()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self._abort()
        self._release()

    def path(self, name: str) -> str:
        """Where to write the run's file ``name`` now (inside the temporary folder)."""
        return os.path.join(self.temp, name)

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[str]:
        """``with run.writing("model.npz") as path:`` turns a failed write (a full disk, ...)
        into one line naming the file; leaving the RunWriter then removes the half-written run."""
        try:
            yield self.path(name)
        except OSError as e:
            kept = (
                f"; {self.destination} still holds the previous run"
                if os.path.isdir(self.destination) and os.listdir(self.destination)
                else ""
            )
            raise CLIError(
                f"cannot write {os.path.join(self.destination, name)}: {e.strerror or e}; the "
                f"run was not saved and its half-written files were removed{kept}"
            ) from None

    def commit(self) -> None:
        """Put the finished run in place: the old run aside, the new one onto the destination
        (one rename), then the old one removed."""
        if os.path.isdir(self.destination):
            if os.listdir(self.destination):
                self._aside = self._hidden_name("old")
                os.rename(self.destination, self._aside)
            else:
                os.rmdir(self.destination)  # an empty folder: nothing to keep
        os.rename(self.temp, self.destination)
        self.committed = True
        _fsync_directory(self.parent)
        if self._aside:
            shutil.rmtree(self._aside, ignore_errors=True)

    def _abort(self) -> None:
        if self._aside and not os.path.exists(self.destination):
            os.rename(self._aside, self.destination)  # interrupted between the two renames
        if self.temp:
            shutil.rmtree(self.temp, ignore_errors=True)

    def _release(self) -> None:
        """Give up the claim, and remove the parent folders this writer made if still empty."""
        if self._lock is not None:
            _drop_lock(self.destination + ".lock", self._lock)
            self._lock = None
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # only if still empty


# ----------------------------------------------------------------------------------------------
# The lock
# ----------------------------------------------------------------------------------------------


def _try_lock(fd: int) -> bool:
    """Take the operating system's exclusive lock on an open file without waiting; False when
    another process holds it. The lock belongs to this open file and dies with the process."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _take_lock(path: str, destination: str) -> int:
    """Lock ``path`` (created if needed), write our pid into it and return its descriptor."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        if not _try_lock(fd):
            holder = _holder_pid(fd)
            os.close(fd)
            who = f"another glassnet (pid {holder})" if holder else "another glassnet"
            raise RunBusy(
                f"the run folder {destination} is being written by {who}; wait for it to "
                "finish or choose another --out"
            )
        try:
            current = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)  # its last holder removed the file after we opened it: lock the new one
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _holder_pid(fd: int, patience: float = 0.25) -> int | None:
    """The pid in a lock file another process holds. A holder writes its pid just after it
    takes the lock, so an empty file is given a moment (``patience`` seconds) to be filled."""
    deadline = time.monotonic() + patience
    holder = _read_pid(fd)
    while not holder and time.monotonic() < deadline:
        time.sleep(0.005)
        holder = _read_pid(fd)
    return holder


def writer_of(destination: str) -> int | None:
    """The pid of the live process writing the run ``destination`` (0 if unknown), or None."""
    try:
        fd = os.open(os.path.normpath(destination) + ".lock", os.O_RDWR)
    except OSError:
        return None
    try:
        return None if _try_lock(fd) else (_holder_pid(fd) or 0)
    finally:
        os.close(fd)  # closing also gives back a lock we took just to look


def _drop_lock(path: str, fd: int) -> None:
    # Remove the file while still holding its lock: no one locks a file about to vanish.
    with contextlib.suppress(OSError):
        os.unlink(path)
    os.close(fd)


def _tidy_run(destination: str, entries: list[str]) -> None:
    """Remove a run's temporary folders ``entries`` left by killed writers, and put back an old
    run that a writer killed between the two renames of its commit had moved aside. Call it
    holding the run's lock: every writer creates and removes its folders while holding it, so
    whoever made these is gone (the pid in a name tells which writer it was)."""
    parent = os.path.dirname(destination)
    for entry in entries:
        path = os.path.join(parent, entry)
        if _LEFTOVER.match(entry).group(2) == "old" and not os.path.exists(destination):
            os.rename(path, destination)  # the old run, whole: back in place
        else:
            shutil.rmtree(path, ignore_errors=True)


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip())
    except (OSError, ValueError):
        return None


def _make_folders(folder: str) -> list[str]:
    """Create ``folder`` and its missing parents; return the ones created, outermost first."""
    missing = []
    while folder and not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as e:
            raise CLIError(f"cannot create the run folder {path}: {e.strerror or e}") from None
    return list(reversed(missing))


def _is_run_file(name: str) -> bool:
    return name in _WRITTEN or name in _PLOTS or bool(_ATOMIC_TEMP.match(name))


# ----------------------------------------------------------------------------------------------
# JSON files of a run
# ----------------------------------------------------------------------------------------------


def json_text(obj: Any, indent: int = 0) -> str:
    """JSON with one entry per line, but lists of numbers or strings kept on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(str(k))}: {json_text(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        items = [inner + json_text(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def write_json(path: str, obj: Any) -> None:
    """Write ``obj`` as :func:`json_text` to ``path``, atomically."""
    with atomic_write(path, "w") as f:
        f.write(json_text(obj) + "\n")
