"""Case 7b: ``glassnet train`` with its defaults while another process keeps one core busy.

A user's laptop is rarely idle. The case runs the command end to end (as case 7 does, with
``--out DIR --overwrite`` into a temporary folder) on the machine as it is ("idle") and while a
busy-loop subprocess spins on one core ("loaded"), alternating the two, and reports the medians
and the ratio loaded / idle against the target of issue 14 (<= 1.5).

The busy loop is a Python ``while`` loop that stops by itself after ``BUSY_LIMIT_S`` seconds
(so it can never outlive the case), started just before each loaded run, once it has said it
is spinning, and always stopped right after it (terminate, then kill). No thread-count variable
is set for the command: its own thread choice is what is measured.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ..common import CaseResult, Check, Context
from .cli_train import command, run_once

LOADED_TARGET = 1.5  # loaded / idle
BUSY_LIMIT_S = 600.0  # the busy loop's own deadline, far beyond any run of the command

# The busy loop: says it is ready, then spins on one core until stopped or until its deadline.
BUSY_LOOP = (
    "import sys, time\n"
    "deadline = time.monotonic() + float(sys.argv[1])\n"
    "print('spinning', flush=True)\n"
    "while time.monotonic() < deadline:\n"
    "    pass\n"
)


class BusyCore:
    """A context manager: one other process keeping one core busy for the ``with`` block."""

    def __init__(self, limit_s: float = BUSY_LIMIT_S) -> None:
        self.limit_s = limit_s
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> BusyCore:
        self.process = subprocess.Popen(
            [sys.executable, "-c", BUSY_LOOP, str(self.limit_s)],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "spinning":  # it is running before we time
            self.stop()
            raise RuntimeError("the busy-loop process did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """End the busy loop (terminate, then kill after 5 s) and reap it."""
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def run(ctx: Context) -> CaseResult:
    rounds = 1 if ctx.tiny else max(1, min(ctx.repeat, 3))
    times: dict[str, list[float]] = {"idle": [], "loaded": []}
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-loaded-") as tmp:
        out_args = ["--out", str(Path(tmp) / "run"), "--overwrite"]

        def once(state: str) -> None:
            if state == "idle":
                times["idle"].append(run_once(ctx.size, None, out_args))
            else:
                with BusyCore():
                    times["loaded"].append(run_once(ctx.size, None, out_args))

        if ctx.warmup and not ctx.tiny:
            run_once(ctx.size, None, out_args)  # untimed: the data files and imports cached
        for r in range(rounds):  # alternate, so drift of the machine falls on both alike
            for state in ("idle", "loaded") if r % 2 == 0 else ("loaded", "idle"):
                once(state)
    idle, loaded = (statistics.median(times[k]) for k in ("idle", "loaded"))
    ratio = loaded / idle
    res = CaseResult(
        key="cli_loaded",
        number="7b",
        title="`glassnet train` (defaults), one core kept busy",
        unit="s",
        samples={"glassnet": times["loaded"]},
    )
    res.rows.append(("same, idle machine", {"glassnet": idle}, "s", None))
    check = Check("`glassnet train` loaded / idle", ratio, "<=", LOADED_TARGET, "x")
    res.rows.append(("loaded / idle", {"glassnet": ratio}, "x", check))
    res.extra = {
        "command": " ".join(["glassnet", *command(ctx.size)[3:], "--out", "TMP", "--overwrite"]),
        "rounds": rounds,
        "idle_s": times["idle"],
        "loaded_s": times["loaded"],
        "loaded_over_idle": ratio,
        "busy_processes": 1,
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    return res
