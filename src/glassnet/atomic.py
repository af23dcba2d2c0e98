"""Atomic file writing: a file is either fully replaced by its new contents or left as it was.

Why this exists. Writing a checkpoint straight into ``model.npz`` has a window in which the file
on disk is half old, half new (or simply cut short): a crash, a full disk, Ctrl-C or an exception
raised by the code producing the bytes in that window destroys the only good copy. The cure is
the classic recipe used by databases and editors:

1. write the new contents to a temporary file *in the same folder* (so step 3 is a rename
   within one file system, never a copy);
2. flush Python's buffer and ``fsync`` the file, so the bytes are on the disk, not only in the
   operating system's cache;
3. ``os.replace`` the temporary file onto the target: a rename, which the operating system
   performs atomically, so any reader sees either the whole old file or the whole new one;
4. ``fsync`` the folder, so the rename itself survives a power cut (POSIX only).

If anything goes wrong before step 3 (any exception, including KeyboardInterrupt), the temporary
file is deleted and the target is untouched.

A writer killed outright (``kill -9``, a power cut) cannot delete its temporary file. So the
file's name says who wrote it (``.model.npz.glassnet-<host>-<pid>-<random>.tmp``) and every
later write into the same folder removes such files whose writer process is gone; it never
touches a live writer's file or a file named any other way.

Example::

    from glassnet.atomic import atomic_write

    with atomic_write("notes.txt", "w") as f:
        f.write("all or nothing\\n")
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["atomic_write", "remove_stale_temp_files", "temp_name"]

_WRITE_MODES = {"w": "w", "wt": "w", "tw": "w", "wb": "wb", "bw": "wb"}


def _fsync_directory(directory: str) -> None:
    """Make a rename inside ``directory`` durable (POSIX; no-op where folders cannot be opened)."""
    if os.name == "nt":  # Windows cannot open a directory as a file; NTFS journals renames.
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (e.g. certain network mounts) refuse fsync on folders
        pass
    finally:
        os.close(fd)


# A temporary file is named after its target, this machine and the process writing it:
#   .model.npz.glassnet-<host>-<pid>-<random>.tmp
# so that a later save can tell its own stale files (writer killed with kill -9, a power cut)
# from a live writer's file and from anybody else's files. <host> is a short hash of the host
# name: on a shared (network) folder a pid only means something on the machine that wrote it.
_TEMP_PATTERN = re.compile(r"^\..+\.glassnet-([0-9a-f]{8})-([0-9]+)-[0-9a-f]{8}\.tmp$")


@functools.cache
def _host_tag() -> str:
    # Imported here: hashlib and socket cost ~10 ms at import, more than every save writes.
    import hashlib
    import socket

    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_name(name: str, pid: int | None = None) -> str:
    """The name of a new temporary file for target ``name`` written by process ``pid``."""
    pid = os.getpid() if pid is None else pid
    return f".{name}.glassnet-{_host_tag()}-{pid}-{os.urandom(4).hex()}.tmp"


def _process_is_gone(pid: int) -> bool:
    """True only when no process ``pid`` exists on this machine (``kill(pid, 0)`` sends nothing;
    it only asks whether the process exists)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError, OverflowError):  # alive but someone else's, or unknowable
        return False
    return False


def remove_stale_temp_files(directory: str) -> list[str]:
    """Delete the temporary files that killed glassnet writers left in ``directory``.

    Only files named by :func:`temp_name` on this machine whose writing process no longer
    exists are removed; a live writer's file, another machine's and every other file are left
    alone. Returns the paths removed. Does nothing on Windows, where ``os.kill(pid, 0)`` would
    terminate the process instead of asking about it.
    """
    if os.name == "nt":
        return []
    removed = []
    host = _host_tag()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    for entry in entries:
        match = _TEMP_PATTERN.match(entry.name)
        if not match or match.group(1) != host or not _process_is_gone(int(match.group(2))):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:  # removed by another cleaner meanwhile, or not ours to remove
            pass
    return removed


def _create_temp_file(directory: str, name: str) -> tuple[int, str]:
    """Create a new, empty, uniquely named file next to the target; return (fd, path).

    ``os.open`` with mode 0o666 lets the user's umask decide the permissions, exactly as for
    ``open(path, "w")``; ``tempfile.mkstemp`` would always give 0o600.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, temp_name(name))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a unique temporary file in {directory!r}")


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "wb",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
    durable: bool = True,
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it is replaced all at once, or not at all.

    Yields a file object opened on a temporary file in the same folder as ``path``. When the
    ``with`` block ends normally the data is flushed, fsynced and renamed onto ``path`` (and the
    folder is fsynced). When the block raises, the temporary file is deleted, ``path`` keeps its
    old contents (or keeps not existing) and the exception propagates.

    Details:
      * If ``path`` already exists, the new file gets its permission bits; otherwise the
        permissions are those ``open(path, "w")`` would give (0o666 minus the umask).
      * If ``path`` is a symbolic link, the file it points to is replaced and the link kept.
      * The block may close the file itself (some writers do); it is still synced and renamed.

    Args:
        path: the file to write (str or os.PathLike). Its folder must exist.
        mode: ``"wb"`` (default) for bytes or ``"w"`` for text. Append/read modes make no sense
            for an all-or-nothing replacement and are refused.
        encoding: text encoding for mode ``"w"`` (default UTF-8, not the locale's encoding).
        newline: passed to ``open`` in text mode.
        durable: False skips the two fsyncs (steps 2 and 4): readers still see the whole old
            file or the whole new one, but a power cut may lose the newest version. For a file
            rewritten often whose last version is written durably (CSVLogger's rows).

    Raises:
        ValueError: ``mode`` is not a write mode.
        TypeError: ``path`` is not a str or os.PathLike.
        FileNotFoundError: the folder of ``path`` does not exist.
        IsADirectoryError: ``path`` is an existing folder.
    """
    if mode not in _WRITE_MODES:
        raise ValueError(
            f"atomic_write mode must be one of 'wb' (bytes) or 'w' (text), got {mode!r}"
        )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"atomic_write expects a path (str or os.PathLike), got {type(path)!r}")
    target = os.path.realpath(os.fspath(path))
    if isinstance(target, bytes):
        raise TypeError(f"atomic_write expects a str path, got bytes {target!r}")
    directory, name = os.path.split(target)
    if os.path.isdir(target):
        raise IsADirectoryError(f"cannot write {os.fspath(path)!r}: it is a directory")
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"cannot write {os.fspath(path)!r}: the folder {directory!r} does not exist"
        )

    binary = _WRITE_MODES[mode] == "wb"
    remove_stale_temp_files(directory)
    fd, tmp = _create_temp_file(directory, name)
    try:
        try:
            existing_mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            existing_mode = None
        if existing_mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, existing_mode)
        if binary:
            f: IO[Any] = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        with contextlib.suppress(OSError):  # fdopen may already have closed it
            os.close(fd)
        os.unlink(tmp)
        raise

    try:
        synced = False
        with f:
            yield f
            if not f.closed:
                f.flush()
                if durable:
                    os.fsync(f.fileno())
                synced = True
        if not synced and durable:  # the block closed the file itself: open it again to sync it
            _fsync_path(tmp)
        if existing_mode is not None and not hasattr(os, "fchmod"):
            os.chmod(tmp, existing_mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_directory(directory)


def _fsync_path(path: str) -> None:
    """fsync a file that is already closed, by opening it again."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
