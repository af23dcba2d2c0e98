"""Case 6: peak memory (resident set size) of case 1's training epoch, per framework.

Each measurement is a fresh interpreter (``python -m benchmarks.cases.memory``) so that no
framework's caches or freed-but-kept pages count against another. The figure reported is

    peak RSS after (import framework, create the data, train one epoch)
  - peak RSS after (import framework, create the data)          <- the baseline

both read from VmHWM (or ru_maxrss) in that process, the baseline just before the epoch
starts: the state of an interpreter that only imported the framework and created the data.
The data are drawn directly as float32, so creating them leaves no larger temporary behind in
the baseline's peak.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from typing import Any

from .. import REPO_ROOT, SRC_DIR
from ..common import CaseResult, Context, peak_rss_mb

MEMORY_TARGET = 1.0  # issue 14: an MLP epoch's peak memory stays at PyTorch's or below (was 1.5)
_MACHINERY: list[float] = []  # glassnet's compiled-loop machinery (numba) RSS, per process


def child_env() -> dict[str, str]:
    """The environment of a benchmark subprocess: this checkout first on PYTHONPATH."""
    env = dict(os.environ)
    parts = [str(SRC_DIR), str(REPO_ROOT)]
    if env.get("PYTHONPATH"):
        parts.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(parts)
    return env


def _start(framework: str, size: str, threads: int | None) -> subprocess.Popen:
    """Start a fresh process that runs ``framework``'s case-1 epoch and reports its RSS."""
    cmd = [sys.executable, "-m", "benchmarks.cases.memory", framework, "--size", size]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    return subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen) -> tuple[float, float]:
    """(baseline, peak) RSS in MB reported by a process from _start."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"memory subprocess {proc.args} failed:\n{err[-3000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    _MACHINERY.append(float(report.get("compiled_machinery_mb", 0.0)))
    return float(report["baseline_rss_mb"]), float(report["peak_rss_mb"])


def measure(
    frameworks: list[str], size: str, threads: int | None, concurrent: bool
) -> dict[str, tuple[float, float]]:
    """(baseline, peak) per framework, one fresh process each.

    Resident set size is per process, so the processes may run side by side (``concurrent``,
    used at --size tiny to keep CI fast); the full run measures them one after another.
    """
    if concurrent:
        procs = {fw: _start(fw, size, threads) for fw in frameworks}
        return {fw: _finish(proc) for fw, proc in procs.items()}
    return {fw: _finish(_start(fw, size, threads)) for fw in frameworks}


def run(ctx: Context) -> CaseResult:
    frameworks = ["glassnet"] + (["torch"] if ctx.torch is not None else []) + ["numpy"]
    rounds = 1 if ctx.tiny else max(1, min(ctx.repeat, 3))
    samples: dict[str, list[float]] = {fw: [] for fw in frameworks}
    peaks: dict[str, list[float]] = {fw: [] for fw in frameworks}
    bases: dict[str, list[float]] = {fw: [] for fw in frameworks}
    for _ in range(rounds):
        for fw, (base, peak) in measure(frameworks, ctx.size, ctx.threads, ctx.tiny).items():
            bases[fw].append(base)
            peaks[fw].append(peak)
            samples[fw].append(peak - base)
    res = CaseResult(
        key="mlp_memory",
        number="6",
        title="MLP epoch peak RSS over baseline",
        unit="MB",
        samples=samples,
        target=MEMORY_TARGET,
    )
    res.rows.append(
        ("peak RSS, absolute", {fw: statistics.median(v) for fw, v in peaks.items()}, "MB", None)
    )
    machinery = [m for m in _MACHINERY if m > 0]
    if machinery:
        row = {"glassnet": statistics.median(machinery)}
        res.rows.append(("of the baseline: numba loaded", row, "MB", None))
    res.extra = {
        "rounds": rounds,
        "baseline_mb": {fw: statistics.median(v) for fw, v in bases.items()},
        "peak_mb": {fw: statistics.median(v) for fw, v in peaks.items()},
        "measure": "VmHWM of a fresh process after one epoch, minus its VmHWM just before "
        "(after importing the framework, glassnet's compiled-loop machinery included, and "
        "creating the data)",
    }
    return res


# ---------------------------------------------------------------------------------------------
# The child process
# ---------------------------------------------------------------------------------------------


def _child(framework: str, size: str, threads: int | None) -> dict[str, Any]:
    from . import mlp

    limiter = None
    if threads is not None:
        try:
            from threadpoolctl import threadpool_limits

            limiter = threadpool_limits(limits=threads, user_api="blas")
        except ImportError:
            pass
    torch = None
    if framework == "glassnet":
        import glassnet  # noqa: F401
        import glassnet.data
        import glassnet.nn
        import glassnet.nn.functional
        import glassnet.optim  # noqa: F401
    elif framework == "torch":
        import torch

        if threads is not None:
            torch.set_num_threads(threads)
    elif framework != "numpy":
        raise ValueError(f"unknown framework {framework!r}; expected glassnet, torch or numpy")
    loaded = peak_rss_mb()
    compiled = False
    if framework == "glassnet":
        # glassnet's compiled-loop machinery (numba, where installed) loads on first large
        # work; load it here so that, like torch's native code, it counts as the framework's
        # import, and report what it costs on its own.
        compiled = glassnet.jit.available()
    machinery = peak_rss_mb() - loaded
    cfg = mlp.config(size)
    X, y = mlp.make_data(cfg)
    baseline = peak_rss_mb()
    if framework == "glassnet":
        epoch = mlp.glassnet_train(cfg, X, y)
    elif framework == "torch":
        epoch = mlp.torch_train(torch, cfg, X, y)
    else:
        epoch = mlp.numpy_train(cfg, X, y)
    epoch()
    result = {"framework": framework, "baseline_rss_mb": baseline, "peak_rss_mb": peak_rss_mb(),
              "compiled_loops": compiled, "compiled_machinery_mb": machinery}  # fmt: skip
    if limiter is not None:
        limiter.restore_original_limits()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Peak RSS of one MLP epoch (case 6's child).")
    parser.add_argument("framework", choices=["glassnet", "torch", "numpy"])
    parser.add_argument("--size", choices=["tiny", "full"], default="full")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(_child(args.framework, args.size, args.threads)))


if __name__ == "__main__":
    main()
