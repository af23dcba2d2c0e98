"""Tests for glassnet.atomic.atomic_write: all-or-nothing replacement of a file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

from glassnet.atomic import atomic_write, remove_stale_temp_files, temp_name

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and symlinks")


def _leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_new_binary_file(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_write(target) as f:
        f.write(b"\x00\x01hello")
    assert target.read_bytes() == b"\x00\x01hello"
    assert _leftovers(tmp_path) == []


def test_writes_text_as_utf8_by_default(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_write(str(target), "w") as f:
        f.write("λ = 0.5\n")
    assert target.read_bytes() == "λ = 0.5\n".encode()


def test_replaces_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_write(target, "w") as f:
        f.write("new")
    assert target.read_text() == "new"
    assert _leftovers(tmp_path) == []


def test_old_contents_visible_until_block_ends(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_write(target, "w") as f:
        f.write("new")
        f.flush()
        assert target.read_text() == "old"
        # the temporary file sits in the same folder (so the final rename is atomic)
        assert len(_leftovers(tmp_path)) == 1
    assert target.read_text() == "new"


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt], ids=["runtime", "ctrl_c"])
def test_exception_in_block_keeps_old_file(tmp_path, exc):
    target = tmp_path / "out.txt"
    target.write_text("precious")
    with pytest.raises(exc):
        with atomic_write(target, "w") as f:
            f.write("half of the new con")
            raise exc("boom")
    assert target.read_text() == "precious"
    assert _leftovers(tmp_path) == []


def test_exception_when_target_did_not_exist_creates_nothing(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(ValueError, match="boom"):
        with atomic_write(target, "w") as f:
            f.write("x")
            raise ValueError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_failing_rename_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("precious")

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        with atomic_write(target, "w") as f:
            f.write("new")
    assert target.read_text() == "precious"
    assert _leftovers(tmp_path) == []


def test_failing_fsync_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("precious")

    def broken_fsync(fd):
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="no space"):
        with atomic_write(target, "w") as f:
            f.write("new")
    assert target.read_text() == "precious"
    assert _leftovers(tmp_path) == []


def test_file_and_folder_are_fsynced(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    with atomic_write(tmp_path / "out.bin") as f:
        f.write(b"x")
    assert synced[0] is False  # the file's data first
    if os.name == "posix":
        assert synced[-1] is True  # then the folder holding the new name


def test_block_may_close_the_file_itself(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_write(target) as f:
        f.write(b"abc")
        f.close()
    assert target.read_bytes() == b"abc"
    assert _leftovers(tmp_path) == []


@posix_only
def test_keeps_permissions_of_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    with atomic_write(target, "w") as f:
        f.write("new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


@posix_only
def test_new_file_permissions_follow_umask(tmp_path):
    old_umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "out.txt", "w") as f:
            f.write("x")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(tmp_path / "out.txt").st_mode) == 0o644


@posix_only
def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_write(link, "w") as f:
        f.write("new")
    assert link.is_symlink()
    assert real.read_text() == "new"


@pytest.mark.parametrize("mode", ["a", "r", "ab", "r+b", "x"], ids=lambda m: f"mode_{m}")
def test_rejects_non_write_modes(tmp_path, mode):
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "x", mode):
            pass
    assert list(tmp_path.iterdir()) == []


def test_rejects_non_path(tmp_path):
    with pytest.raises(TypeError, match="path"):
        with atomic_write(3):  # type: ignore[arg-type]
            pass


def test_missing_folder_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_write(tmp_path / "nope" / "out.bin"):
            pass


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX error type")
def test_directory_target_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        with atomic_write(tmp_path):
            pass


def test_relative_path_in_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with atomic_write("plain_name.txt", "w") as f:
        f.write("ok")
    assert (tmp_path / "plain_name.txt").read_text() == "ok"
    assert _leftovers(tmp_path) == []


def test_unknown_encoding_leaves_nothing_behind(tmp_path):
    with pytest.raises(LookupError):
        with atomic_write(tmp_path / "x.txt", "w", encoding="no-such-codec"):
            pass
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------
# Stale temporary files of killed writers (issue 10, item 8)
# ----------------------------------------------------------------------------------------------


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped), so no process has it now."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def test_temp_name_says_who_writes_it():
    name = temp_name("model.npz")
    assert name.startswith(".model.npz.glassnet-") and name.endswith(".tmp")
    assert f"-{os.getpid()}-" in name
    assert temp_name("model.npz") != name  # a random part keeps concurrent writers apart


@posix_only
def test_temp_file_of_a_writer_carries_its_pid(tmp_path):
    with atomic_write(tmp_path / "m.npz") as f:
        f.write(b"x")
        tmp = _leftovers(tmp_path)
        assert len(tmp) == 1 and f"-{os.getpid()}-" in tmp[0]
    assert _leftovers(tmp_path) == []


@posix_only
def test_save_removes_stale_temp_files_of_dead_writers_only(tmp_path):
    dead = _dead_pid()
    stale = [tmp_path / temp_name("model.npz", dead), tmp_path / temp_name("config.json", dead)]
    live = tmp_path / temp_name("model.npz", os.getppid())  # our parent: alive
    other_host = tmp_path / f".model.npz.glassnet-00000000-{dead}-0123abcd.tmp"
    not_ours = [
        tmp_path / f".model.npz.{dead}.tmp",  # another program's naming
        tmp_path / "notes.tmp",
        tmp_path / ".model.npz.0123abcd.tmp",  # glassnet's old naming: no writer to check
        tmp_path / f"model.npz.glassnet-00000000-{dead}-0123abcd.tmp.keep",
    ]
    for p in [*stale, live, other_host, *not_ours]:
        p.write_bytes(b"half a file")
    with atomic_write(tmp_path / "other.txt", "w") as f:  # any save into the folder cleans
        f.write("new")
    assert not any(p.exists() for p in stale)
    assert live.exists() and other_host.exists() and all(p.exists() for p in not_ours)


@posix_only
def test_stale_directory_with_temp_name_is_left_alone(tmp_path):
    folder = tmp_path / temp_name("model.npz", _dead_pid())
    folder.mkdir()
    assert remove_stale_temp_files(str(tmp_path)) == []
    assert folder.is_dir()


@posix_only
def test_temp_file_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    """A real writer killed with SIGKILL in the middle of a save leaves its temporary file; the
    next save into the folder removes it and keeps the good file."""
    target = tmp_path / "model.npz"
    target.write_bytes(b"the good old file")
    script = textwrap.dedent(
        f"""
        import sys, time
        from glassnet.atomic import atomic_write
        with atomic_write({str(target)!r}) as f:
            f.write(b"partial")
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        assert len(_leftovers(tmp_path)) == 1
        remove_stale_temp_files(str(tmp_path))  # the writer is alive: its file stays
        assert len(_leftovers(tmp_path)) == 1
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        writer.stdout.close()
    assert len(_leftovers(tmp_path)) == 1  # kill -9 gave it no chance to clean up
    assert target.read_bytes() == b"the good old file"
    with atomic_write(target) as f:
        f.write(b"the next save")
    assert _leftovers(tmp_path) == []
    assert target.read_bytes() == b"the next save"
