"""Render a results JSON as Markdown: ``python -m benchmarks.report [PATH]`` (for BENCHMARKS.md).

Prints the machine (CPU, cores, memory, versions, BLAS, thread policy, relevant environment),
the matmul peak of the run and the table of cases, ready to paste into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .common import TABLE_HEADER, format_table
from .run import DEFAULT_JSON


def machine_markdown(report: dict[str, Any]) -> str:
    m, th, peak = report["machine"], report["threads"], report["matmul_peak"]
    blas = th.get("numpy_blas") or {}
    env = ", ".join(f"{k}={v}" for k, v in m.get("env", {}).items()) or "none set"
    start, end = peak["start"], peak["end"]
    lines = [
        f"- Run: `{report['command']}` on {report['created']} ({report['seconds']} s in all), "
        f"size {report['size']}, {report['repeat']} timed repetitions after "
        f"{report['warmup']} warm-up",
        f"- CPU: {m['cpu']}, {m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs, "
        f"{m['memory_gib']} GiB",
        f"- Python {m['python']}, NumPy {m['numpy']}, PyTorch {m['torch']}, "
        f"glassnet {m.get('glassnet')} ({m['platform']})",
        f"- NumPy's BLAS: {m['numpy_blas']}; threadpoolctl: "
        f"{blas.get('internal_api')} {blas.get('version')}, kernel {blas.get('architecture')}, "
        f"{blas.get('num_threads')} threads",
        f"- Threads: {th['policy']}; PyTorch intra-op threads {th.get('torch_threads')}",
        f"- glassnet's large matrix products: {th.get('glassnet_products', 'not recorded')}",
        f"- BLAS-related environment: {env}",
        f"- Load average before / after: {m.get('loadavg_start')} / {m.get('loadavg_end')}",
        f"- float32 matmul peak, n = {peak['n']} (best of several, start / end of the run): "
        f"NumPy {start['numpy_gflops']:.1f} / {end['numpy_gflops']:.1f} GFLOP/s, PyTorch "
        f"{start.get('torch_gflops', float('nan')):.1f} / "
        f"{end.get('torch_gflops', float('nan')):.1f} GFLOP/s; the reference peak is NumPy's "
        f"better reading ({peak['reference_gflops']:.1f} GFLOP/s)",
    ]
    return "\n".join(lines)


def table_markdown(report: dict[str, Any]) -> str:
    rows = [tuple(row.values()) for row in report["table"]]
    header = tuple(report["table"][0]) if report["table"] else TABLE_HEADER
    table = format_table(rows, markdown=True, header=header)
    return "\n".join([table, *(f"\n{note}" for note in report.get("peer_notes", []))])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.report", description="Print a results JSON as Markdown."
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    report = json.loads(args.path.read_text(encoding="utf-8"))
    print(machine_markdown(report))
    print()
    print(table_markdown(report))
    if report.get("errors"):
        print(f"\nCases that failed to run: {', '.join(report['errors'])}")


if __name__ == "__main__":
    main()
