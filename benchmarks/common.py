"""Shared machinery of the benchmark suite: timing, medians, threads, matmul peak, RSS, tables.

Every case measures its frameworks *alternately* in one process: after a warm-up call of each,
repetition r runs glassnet, PyTorch and (where present) the hand-written NumPy version once
each, in an order rotated by r, so slow drift of the machine (heat, another process) falls on
all of them alike. A case reports the median of each framework's repetitions and the ratio
glassnet / PyTorch of the medians.
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import platform
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FRAMEWORKS = ("glassnet", "torch", "numpy")
# The from-scratch frameworks a learner might pick instead (benchmarks/peers/), each optional.
PEERS = ("dezero", "tinygrad", "micrograd")

# ---------------------------------------------------------------------------------------------
# Threads: PyTorch gets exactly as many threads as NumPy's BLAS uses.
# ---------------------------------------------------------------------------------------------


def numpy_blas_info() -> list[dict[str, Any]]:
    """threadpoolctl's records of the BLAS libraries NumPy loaded ([] without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [
        info
        for info in threadpool_info()
        if info.get("user_api") == "blas" and "numpy" in str(info.get("filepath", ""))
    ]


def setup_threads(torch: Any, threads: int | None = None) -> dict[str, Any]:
    """Give PyTorch as many intra-op threads as NumPy's BLAS runs; describe what was done.

    With threadpoolctl the BLAS thread count is read from the loaded library and PyTorch is set
    to it; ``threads``, if given, first limits NumPy's BLAS to that many (the limit lasts for
    the rest of the process), and glassnet's own parallel work (``split_work``) too, so that
    ``--threads 1`` compares one core with one core. Without threadpoolctl both are left at
    their defaults (reported as such), except that ``threads`` still sets PyTorch's count.
    """
    if threads is not None:
        import glassnet

        glassnet.set_num_threads(threads)  # BLAS (with threadpoolctl) and split_work
    if threads is not None and _has_threadpoolctl():
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")
    blas = numpy_blas_info()
    out: dict[str, Any] = {"threadpoolctl": bool(blas) or _has_threadpoolctl()}
    if threads is not None:
        out["requested"] = threads
    if blas:
        n = int(blas[0]["num_threads"])
        out["numpy_blas_threads"] = n
        out["numpy_blas"] = {
            k: blas[0].get(k) for k in ("internal_api", "version", "architecture", "num_threads")
        }
        if torch is not None:
            torch.set_num_threads(n)
        out["policy"] = "torch.set_num_threads(numpy BLAS threads) via threadpoolctl"
    else:
        out["numpy_blas_threads"] = None
        out["policy"] = "threadpoolctl not installed: both frameworks left at their default"
        if threads is not None and torch is not None:
            torch.set_num_threads(threads)
            out["policy"] = "threadpoolctl not installed: torch set to --threads, numpy default"
    if torch is not None:
        out["torch_threads"] = torch.get_num_threads()
    out["glassnet_products"] = glassnet_products()
    return out


def glassnet_products() -> str:
    """Which library computes glassnet's large matrix products (glassnet/mkl_library.py)."""
    from glassnet import mkl_library

    layer = mkl_library.threading_layer()
    if layer is not None:
        return f"MKL ({layer} threads)"
    if mkl_library.installed() is not None:  # left out by GLASSNET_BLAS, or by the processor
        why = f"{mkl_library.ENV_VARIABLE}={mkl_library.blas_choice()}"
        if mkl_library.blas_choice() == "auto":
            why = f"not used on this {mkl_library.cpu_vendor() or 'unknown'} processor"
        return f"NumPy's BLAS (MKL installed, {why})"
    return "NumPy's BLAS"


def _has_threadpoolctl() -> bool:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or platform.processor() elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(torch: Any) -> dict[str, Any]:
    """What the numbers were measured on: CPU, cores, memory, versions, BLAS, environment."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": getattr(torch, "__version__", None),
        "numpy_blas": _numpy_blas_config(),
        "env": {
            k: os.environ[k]
            for k in sorted(os.environ)
            if k.startswith(("OPENBLAS", "OMP_", "MKL_", "GOTO", "BLIS"))
        },
    }
    try:
        import glassnet

        info["glassnet"] = glassnet.__version__
    except (ImportError, AttributeError):
        info["glassnet"] = None
    return info


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _numpy_blas_config() -> str:
    """A one-line description of NumPy's BLAS from numpy.show_config (NumPy 2 dict form)."""
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return (
            f"{blas.get('name')} {blas.get('version')} ({blas.get('openblas configuration', '')})"
        )
    except Exception:  # noqa: BLE001 - old NumPy: any failure just means 'unknown'
        return "unknown"


# ---------------------------------------------------------------------------------------------
# Matrix-multiply peak
# ---------------------------------------------------------------------------------------------


def matmul_gflops(matmul: Callable[[], Any], n: int, repeat: int) -> float:
    """Best GFLOP/s of ``repeat`` calls of an n x n x n float32 matmul (2 n^3 flops each)."""
    matmul()  # warm-up: threads started, pages touched
    best = min(_timed(matmul) for _ in range(repeat))
    return 2.0 * n**3 / best / 1e9


def matmul_peak(torch: Any, n: int, repeat: int) -> dict[str, Any]:
    """The machine's float32 matmul speed in this run: NumPy's (the reference) and PyTorch's."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    out = {"n": n, "numpy_gflops": matmul_gflops(lambda: np.matmul(a, b, out=c), n, repeat)}
    if torch is not None:
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(n, n)
        out["torch_gflops"] = matmul_gflops(lambda: torch.mm(ta, tb, out=tc), n, repeat)
    return out


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


#: The pause before each timed call, for the previous runner's threads to settle.
SETTLE_SECONDS = 0.05


def time_alternating(
    runners: dict[str, Callable[[], Any]],
    warmup: int,
    repeat: int,
    last: dict[str, Any] | None = None,
) -> dict[str, list[float]]:
    """Seconds per call of each runner: ``warmup`` untimed calls, then ``repeat`` timed rounds.

    Round r calls every runner once, starting at runner r mod k, so none is always first.
    A garbage collection before each call keeps one framework's garbage off another's clock,
    and a pause of ``SETTLE_SECONDS`` lets the previous framework's worker threads go to sleep
    (PyTorch's OpenMP threads spin for a while after its last op, on the cores the next runner
    needs: measured, glassnet's GroupNorm step took 0.2-0.27 ms longer right after PyTorch's
    than after a pause). A user runs one framework at a time, and so does each timed call.
    ``last``, if given, receives each runner's last return value (a final loss, say).
    """
    names = list(runners)
    for _ in range(warmup):
        for name in names:
            runners[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeat):
        for i in range(len(names)):
            name = names[(r + i) % len(names)]
            gc.collect()
            time.sleep(SETTLE_SECONDS)
            t0 = time.perf_counter()
            value = runners[name]()
            times[name].append(time.perf_counter() - t0)
            if last is not None:
                last[name] = value
    return times


def profile_call(fn: Callable[[], Any], top: int = 25) -> str:
    """cProfile one call of ``fn``; the ``top`` entries by own time and by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return text.getvalue()


# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM, else ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024.0  # bytes on macOS


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class Check:
    """A target a case is reported against: ``value op target`` (op is '<=' or '>=')."""

    name: str
    value: float | None
    op: str
    target: float
    unit: str = ""

    @property
    def status(self) -> str:
        if self.value is None or not np.isfinite(self.value):
            return "n/a"
        ok = self.value <= self.target if self.op == "<=" else self.value >= self.target
        return "PASS" if ok else "MISS"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "op": self.op,
            "target": self.target,
            "unit": self.unit,
            "status": self.status,
        }


@dataclass
class CaseResult:
    """One case's measurements: per-framework samples (in ``unit``), the ratio and its targets.

    ``ratio`` is median(glassnet) / median(torch), so for times and memory lower is better.
    ``rows`` are extra table rows (name, {framework: value}, unit, check or None), such as
    the % of matmul peak of the MLP case.
    """

    key: str
    number: str
    title: str
    unit: str
    samples: dict[str, list[float]]
    target: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[str, dict[str, float], str, Check | None]] = field(default_factory=list)
    profile: str | None = None
    peak_target: float | None = None  # glassnet's minimum % of the matmul peak, if any
    # Peers (PEERS) this case could run but did not, with the reason ("not installed: ...").
    unavailable: dict[str, str] = field(default_factory=dict)

    def add_peak_row(self, peak_gflops: float) -> None:
        """Add the row "% of matmul peak" from ``extra["gflops"]`` (with its check, if any)."""
        gflops = self.extra.get("gflops")
        if not gflops or not peak_gflops:
            return
        pct = {fw: 100.0 * g / peak_gflops for fw, g in gflops.items()}
        check = None
        if self.peak_target is not None:
            name = f"{self.title}: % of matmul peak (glassnet)"
            check = Check(name, pct.get("glassnet"), ">=", self.peak_target, "%")
        self.rows.append(("% of matmul peak", pct, "%", check))

    def median(self, framework: str) -> float | None:
        values = self.samples.get(framework)
        return float(statistics.median(values)) if values else None

    @property
    def ratio(self) -> float | None:
        g, t = self.median("glassnet"), self.median("torch")
        return g / t if g is not None and t else None

    @property
    def check(self) -> Check | None:
        if self.target is None:
            return None
        return Check(f"{self.title}: glassnet / torch", self.ratio, "<=", self.target)

    def checks(self) -> list[Check]:
        extra = [row[3] for row in self.rows if row[3] is not None]
        return ([self.check] if self.check is not None else []) + extra

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "median": {fw: self.median(fw) for fw in FRAMEWORKS + PEERS if fw in self.samples},
            "samples": self.samples,
            "ratio": self.ratio,
            "target": self.target,
            "status": self.check.status if self.check is not None else None,
            "rows": [
                {
                    "name": name,
                    "values": values,
                    "unit": unit,
                    "check": check.to_json() if check is not None else None,
                }
                for name, values, unit, check in self.rows
            ],
            "extra": self.extra,
            "unavailable": self.unavailable,
        }


def fmt(value: float | None, unit: str) -> str:
    """A value with its unit, to 3-4 significant figures ('-' when absent)."""
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.1f} %"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.1f}"
    elif abs(value) >= 10:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".rstrip()


TABLE_HEADER = ("case", "glassnet", "torch", "numpy", "ratio", "target", "status")


def table_header(results: list[CaseResult]) -> tuple[str, ...]:
    """TABLE_HEADER with a column for each peer that some case ran or skipped, after numpy."""
    peers = [p for p in PEERS if any(p in r.samples or p in r.unavailable for r in results)]
    return (*TABLE_HEADER[:4], *peers, *TABLE_HEADER[4:])


def _cell(res: CaseResult, fw: str, values: dict[str, float], unit: str) -> str:
    """A framework's cell: its value, "skipped" when it could not run here, "-" otherwise."""
    if fw in values:
        return fmt(values[fw], unit)
    return "skipped" if fw in res.unavailable else "-"


def table_rows(results: list[CaseResult]) -> list[tuple[str, ...]]:
    """One row per case (median of each framework, ratio, target, status) plus its extra rows.

    The framework columns are those of ``table_header(results)``.
    """
    frameworks = table_header(results)[1:-3]
    rows = []
    for res in results:
        ratio = res.ratio
        check = res.check
        medians = {fw: m for fw in frameworks if (m := res.median(fw)) is not None}
        rows.append(
            (
                f"{res.number}. {res.title}",
                *(_cell(res, fw, medians, res.unit) for fw in frameworks),
                "-" if ratio is None else f"{ratio:.2f}",
                "-" if check is None else f"<= {check.target:.2f}",
                "-" if check is None else check.status,
            )
        )
        for name, values, unit, row_check in res.rows:
            rows.append(
                (
                    f"   {name}",
                    *(fmt(values.get(fw), unit) for fw in frameworks),
                    "",
                    "-"
                    if row_check is None
                    else f"{row_check.op} {fmt(row_check.target, row_check.unit)}",
                    "-" if row_check is None else row_check.status,
                )
            )
    return rows


def format_table(
    rows: list[tuple[str, ...]],
    markdown: bool = False,
    header: tuple[str, ...] = TABLE_HEADER,
) -> str:
    """Rows as an aligned text table, or as a Markdown table, under ``header``."""
    all_rows = [header, *rows]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in rows:
            first = row[0] if not row[0].startswith(" ") else "↳ " + row[0].strip()
            lines.append("| " + " | ".join([first, *(c.strip() for c in row[1:])]) + " |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(all_rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# What a case gets
# ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    """Settings every case reads: size, repetitions, PyTorch (or None), thread count."""

    size: str = "full"
    repeat: int = 5
    warmup: int = 1
    torch: Any = None
    threads: int | None = None
    profile: bool = False
    last: dict[str, Any] = field(default_factory=dict)

    @property
    def tiny(self) -> bool:
        return self.size == "tiny"

    def measure(
        self, runners: dict[str, Callable[[], Any]], scale: float = 1.0
    ) -> tuple[dict[str, list[float]], str | None]:
        """Alternate the runners; samples (seconds per call times ``scale``) and a profile.

        The profile (cProfile of one more glassnet call) is made only when ``self.profile``.
        ``self.last`` receives each runner's last return value.
        """
        self.last = {}
        times = time_alternating(runners, self.warmup, self.repeat, self.last)
        samples = {name: [t * scale for t in ts] for name, ts in times.items()}
        profile = None
        if self.profile and "glassnet" in runners:
            profile = profile_call(runners["glassnet"])
        return samples, profile
