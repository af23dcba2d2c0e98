"""Run folders are whole or untouched: the claim, the temporary folder and the one rename of
glassnet.cli.runs, tested in-process and with real `glassnet train` processes (two at once,
kill -9 during --overwrite, Ctrl-C)."""

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_run import run

import glassnet as gn
import glassnet.cli.commands.train as train_command
from glassnet.cli.runs import RunBusy, RunWriter

SRC = str(Path(__file__).resolve().parent.parent / "src")
QUICK = ["--data", "moons", "--hidden", "8", "--no-plots", "-q"]  # a small, fast run


def glassnet_process(*argv, sigint_default=False):
    """`python -m glassnet *argv` as a real process, its output unbuffered (read as it comes).

    ``sigint_default=True`` gives the child the default SIGINT handling even when this test
    runs where SIGINT is ignored (a background job): Python then turns SIGINT into Ctrl-C."""
    env = dict(os.environ, PYTHONPATH=SRC, PYTHONUNBUFFERED="1", OPENBLAS_NUM_THREADS="1")

    def restore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return subprocess.Popen(
        [sys.executable, "-m", "glassnet", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=restore_sigint if sigint_default else None,
    )


def one_line_error(err):
    (line,) = err.strip().splitlines()
    assert line.startswith("glassnet: error: ")
    return line


def files_of(folder):
    """{name: bytes} of every file in a folder."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


def leftovers(parent, name):
    """Entries of ``parent`` that belong to the run ``name`` but are not the run itself."""
    return sorted(e for e in os.listdir(parent) if e != name and name in e)


def assert_whole_run(folder):
    """A complete run: every file there, config readable, weights loadable, history complete."""
    assert sorted(os.listdir(folder)) == ["config.json", "history.csv", "metrics.json", "model.npz"]
    config = json.loads((folder / "config.json").read_text())
    gn.load(folder / "model.npz")
    json.loads((folder / "metrics.json").read_text())
    with open(folder / "history.csv") as f:
        assert len(list(csv.DictReader(f))) == config["training"]["epochs_run"]
    return config


# ----------------------------------------------------------------------------------------------
# The claim
# ----------------------------------------------------------------------------------------------


def test_a_claimed_folder_refuses_a_second_writer_at_once(capsys, tmp_path):
    folder = tmp_path / "run"
    with RunWriter(str(folder)):
        assert (tmp_path / "run.lock").read_text().strip() == str(os.getpid())
        code, _, err = run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder))
        assert code == 1
        assert err.strip() == (
            f"glassnet: error: the run folder {folder} is being written by another glassnet "
            f"(pid {os.getpid()}); wait for it to finish or choose another --out"
        )
        with pytest.raises(RunBusy):
            RunWriter(str(folder)).claim()
        code, _, err = run(capsys, "evaluate", str(folder))  # a reader sees no half run
        assert code == 1 and err.strip() == (
            f"glassnet: error: {folder} is being written by glassnet train (pid {os.getpid()}): "
            "it appears whole when training ends"
        )
    assert leftovers(tmp_path, "run") == [] and not folder.exists()  # uncommitted: nothing


def test_a_stale_claim_and_a_dead_writers_temporary_folder_are_taken_over(capsys, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "run.lock").write_text(f"{dead.pid}\n")  # left by a writer killed with -9
    stale = tmp_path / f".run.tmp-{dead.pid}-0123abcd"
    stale.mkdir()
    (stale / "history.csv").write_text("epoch,loss\n1,0.5\n")
    other = tmp_path / f".other.tmp-{dead.pid}-0123abcd"  # another run killed in this folder
    other.mkdir()
    with RunWriter(str(tmp_path / "busy")) as writer:  # another run being written now
        busy = Path(writer.temp)
        code, _, err = run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(tmp_path / "run"))
        assert code == 0, err
        assert_whole_run(tmp_path / "run")
        assert busy.exists() and not other.exists() and not stale.exists()
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_two_trains_into_one_folder_started_together(tmp_path):
    """Two real processes: exactly one saves its run, whole; the other fails with one line."""
    folder = tmp_path / "same"
    seeds = (11, 12)
    procs = [
        glassnet_process("train", *QUICK, "--epochs", "30", "--seed", str(s), "--out", str(folder))
        for s in seeds
    ]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    codes = sorted(r[2] for r in results)
    assert codes == [0, 1], results
    (loser,) = [r for r in results if r[2] == 1]
    err = loser[1].strip()
    assert len(err.splitlines()) == 1 and err.startswith("glassnet: error: the run folder")
    assert "is being written by another glassnet (pid" in err or "already exists" in err
    (winner,) = [s for s, r in zip(seeds, results) if r[2] == 0]
    assert assert_whole_run(folder)["training"]["seed"] == winner
    assert leftovers(tmp_path, "same") == []


# ----------------------------------------------------------------------------------------------
# --overwrite: the old run whole until the new one is complete
# ----------------------------------------------------------------------------------------------


def test_overwrite_replaces_the_run_and_leaves_nothing_else(capsys, tmp_path):
    folder = tmp_path / "run"
    assert run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder))[0] == 0
    old = files_of(folder)
    code, _, err = run(
        capsys, "train", *QUICK, "--epochs", "2", "--seed", "3", "--out", str(folder), "--overwrite"
    )
    assert code == 0, err
    config = assert_whole_run(folder)
    assert config["training"]["epochs_run"] == 2 and files_of(folder) != old
    assert leftovers(tmp_path, "run") == []


def test_overwrite_refuses_a_folder_that_is_not_a_run(capsys, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    code, _, err = run(capsys, "train", *QUICK, "--out", str(folder), "--overwrite")
    assert code == 1 and "--overwrite replaces only a glassnet run folder" in err
    assert "notes.txt" in err and (folder / "notes.txt").read_text() == "keep me"


def test_the_current_folder_is_never_a_run_folder(capsys, tmp_path, monkeypatch):
    (tmp_path / "model.npz").write_bytes(b"")  # looks like a run: --overwrite would replace it
    monkeypatch.chdir(tmp_path)
    for out in (".", str(tmp_path.parent)):
        code, _, err = run(capsys, "train", *QUICK, "--out", out, "--overwrite")
        assert code == 1 and one_line_error(err).endswith(
            "is the current folder or holds it; choose a new folder such as runs/NAME"
        )
    assert os.listdir(tmp_path) == ["model.npz"]


def test_kill_9_during_overwrite_leaves_the_old_run_or_the_new_one_whole(capsys, tmp_path):
    """Real processes killed at different points of training and of the final save (bounded:
    8 kills). After each, the folder is the previous run byte for byte, or a new run whole."""
    folder = tmp_path / "run"
    assert run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder))[0] == 0
    previous = files_of(folder)
    # (the line to wait for, then how long to wait before kill -9): during fit, during the save
    points = [("Training:", 0.3), ("Epoch 3/", 0.0)] + [("Test accuracy", d) for d in
              (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)]  # fmt: skip
    outcomes = []
    for seed, (line, delay) in enumerate(points, start=100):
        p = glassnet_process(
            "train", "--data", "moons", "--hidden", "8", "--no-plots", "--epochs", "4",
            "--seed", str(seed), "--out", str(folder), "--overwrite",
        )  # fmt: skip
        for text in p.stdout:
            if line in text:
                break
        time.sleep(delay)
        p.kill()
        p.wait(timeout=60)
        p.stdout.close()
        p.stderr.close()
        if not folder.exists():  # killed between the commit's two renames: the old run aside
            (aside,) = [e for e in os.listdir(tmp_path) if e.startswith(".run.old-")]
            assert files_of(tmp_path / aside) == previous
            with RunWriter(str(folder), overwrite=True):  # the next claim puts it back
                pass
            assert files_of(folder) == previous
            outcomes.append("aside")
        elif files_of(folder) == previous:
            outcomes.append("old")
        else:
            config = assert_whole_run(folder)
            assert config["training"]["seed"] == seed
            now = files_of(folder)
            assert all(now[f] != previous[f] for f in ("model.npz", "config.json", "history.csv"))
            previous = now
            outcomes.append("new")
    assert "old" in outcomes, outcomes  # the kills during training did hit
    # A last, complete overwrite removes whatever the killed writers left.
    code, _, err = run(
        capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder), "--overwrite"
    )
    assert code == 0, err
    assert leftovers(tmp_path, "run") == []


def test_an_old_run_moved_aside_by_a_killed_commit_is_put_back(tmp_path, capsys):
    folder = tmp_path / "run"
    assert run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder))[0] == 0
    old = files_of(folder)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    os.rename(folder, tmp_path / f".run.old-{dead.pid}-89abcdef")  # the first rename, then -9
    (tmp_path / f".run.tmp-{dead.pid}-89abcdef").mkdir()  # the new run that never moved
    code, _, err = run(capsys, "evaluate", str(folder))
    assert code == 1 and "no such directory" in err  # a reader sees no run, never half of one
    with RunWriter(str(folder), overwrite=True):
        assert files_of(folder) == old
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_ctrl_c_between_the_commits_renames_puts_the_old_run_back(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "run"
    assert run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder))[0] == 0
    old = files_of(folder)
    real_rename = os.rename

    def rename_then_ctrl_c(src, dst):
        if os.path.basename(src).startswith(".run.tmp-"):  # the new run onto the destination
            assert not os.path.exists(dst)  # the old run has been moved aside already
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename_then_ctrl_c)
    code, _, err = run(
        capsys, "train", *QUICK, "--epochs", "2", "--out", str(folder), "--overwrite"
    )
    monkeypatch.undo()
    assert code == 130
    assert err.strip() == f"glassnet: interrupted: nothing was saved; {folder} is as it was"
    assert files_of(folder) == old and leftovers(tmp_path, "run") == []


# ----------------------------------------------------------------------------------------------
# A full disk
# ----------------------------------------------------------------------------------------------


def disk_full(obj, path):
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04 half a file")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "overwrite"])
def test_a_full_disk_names_the_file_and_removes_the_half_written_run(
    capsys, tmp_path, monkeypatch, existing
):
    folder = tmp_path / "run"
    if existing:
        assert run(capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder))[0] == 0
        old = files_of(folder)
    monkeypatch.setattr(train_command, "save", disk_full)
    code, _, err = run(
        capsys, "train", *QUICK, "--epochs", "1", "--out", str(folder), "--overwrite"
    )
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"glassnet: error: cannot write {folder / 'model.npz'}: {os.strerror(errno.ENOSPC)}; the "
        "run was not saved and its half-written files were removed"
    )
    assert leftovers(tmp_path, "run") == []
    if existing:
        assert "still holds the previous run" in err and files_of(folder) == old
    else:
        assert not folder.exists()


# ----------------------------------------------------------------------------------------------
# Ctrl-C: the partial run is saved, status 130
# ----------------------------------------------------------------------------------------------


def test_ctrl_c_saves_the_partial_run_and_exits_130(tmp_path):
    """A real process gets SIGINT once an epoch is written (its handler is set up by the
    test, so this also passes from a background job where SIGINT is ignored)."""
    folder = tmp_path / "run"
    p = glassnet_process(
        "train", *QUICK, "--epochs", "100000", "--out", str(folder), sigint_default=True
    )
    deadline = time.monotonic() + 300  # a bound on waiting, not a timed assertion
    while time.monotonic() < deadline and p.poll() is None:
        written = list(tmp_path.glob(".run.tmp-*/history.csv"))
        if written and len(written[0].read_text().splitlines()) >= 3:  # header + 2 epochs
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 130, err
    config = assert_whole_run(folder)
    t = config["training"]
    assert t["interrupted"] is True and t["epochs_run"] >= 2
    assert f"glassnet: interrupted: the run holds what was applied: {t['applied']}" in err
    # The history holds the epochs whose end was logged; a Ctrl-C during the last batch of an
    # epoch has applied that whole epoch to the weights before its end could be logged.
    assert t["applied"].startswith((f"{t['epochs_run']} epochs", f"{t['epochs_run'] + 1} epochs"))
    assert f"Saved the run to {folder}" in out
    assert leftovers(tmp_path, "run") == []
