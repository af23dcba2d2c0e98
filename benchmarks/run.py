"""Run the benchmark suite: ``python -m benchmarks.run [--size tiny|full] [--repeat N] ...``.

Prints a table (case, glassnet / torch / numpy medians, ratio glassnet / torch, target,
PASS or MISS) and writes every measurement as JSON (default benchmarks/results/latest.json).
Targets are reported, never enforced: the exit status is 0 unless a case failed to run.

Examples::

    python -m benchmarks.run                      # the full suite (a few minutes)
    python -m benchmarks.run --size tiny          # everything shrunk to seconds (CI)
    python -m benchmarks.run --cases mlp cnn --repeat 3 --profile
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from . import REPO_ROOT
from .cases import CASES, resolve
from .common import (
    PEERS,
    CaseResult,
    Context,
    format_table,
    machine_info,
    matmul_peak,
    setup_threads,
    table_header,
    table_rows,
)
from .peers import peer_notes, peers_info, select_peers

DEFAULT_JSON = REPO_ROOT / "benchmarks" / "results" / "latest.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Benchmark glassnet against PyTorch (and hand-written NumPy) on the CPU.",
    )
    parser.add_argument(
        "--size",
        choices=["tiny", "full"],
        default="full",
        help="full: the sizes of the issue (minutes); tiny: everything shrunk (seconds, for CI)",
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="timed repetitions per case (default 5; tiny 2)"
    )
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls first (default 1)")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit NumPy's BLAS to N threads (threadpoolctl) and give PyTorch the same "
        "(default: whatever NumPy's BLAS uses)",
    )
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where to save (default {DEFAULT_JSON})"
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        default=None,
        help="cases to run by key, number or alias (mlp cnn rnn lstm gru overhead inference "
        "memory cli, or 1 2 3 4 5 6 7); default all",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile one glassnet call per case and print the top entries",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print the table as Markdown as well"
    )
    parser.add_argument(
        "--peers",
        default="all",
        metavar="NAMES",
        help=f"the from-scratch peers to time where installed: all, none, or a comma list of "
        f"{', '.join(PEERS)} (default all; tinygrad's epochs take minutes)",
    )
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 2 if args.size == "tiny" else 5
    if args.repeat < 1 or args.warmup < 0 or (args.threads is not None and args.threads < 1):
        parser.error("--repeat and --threads must be >= 1 and --warmup >= 0")
    try:
        args.case_keys = resolve(args.cases)
        select_peers(args.peers)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def _loadavg() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    torch = _import_torch()
    threads = setup_threads(torch, args.threads)
    machine = machine_info(torch)
    machine["loadavg_start"] = _loadavg()
    n_peak, peak_repeat = (256, 3) if args.size == "tiny" else (2048, 7)
    peak_start = matmul_peak(torch, n_peak, peak_repeat)
    ctx = Context(
        size=args.size,
        repeat=args.repeat,
        warmup=args.warmup,
        torch=torch,
        threads=threads.get("numpy_blas_threads"),
        profile=args.profile,
    )
    _log(f"glassnet benchmarks, size {args.size}, {args.repeat} repetitions")
    _log(f"threads: {threads['policy']} -> torch {threads.get('torch_threads')}")
    _log(f"glassnet's large matrix products: {threads['glassnet_products']}")
    _log(f"matmul peak (float32, n={n_peak}): numpy {peak_start['numpy_gflops']:.1f} GFLOP/s")
    if torch is None:
        _log("PyTorch is not installed: glassnet and NumPy only, no ratios")
    load = machine["loadavg_start"]
    if load and machine.get("usable_cpus") and load[0] > 0.5:
        _log(f"warning: load average {load[0]} before the run; other work skews the numbers")

    results: list[CaseResult] = []
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for key in args.case_keys:
        number, fn = CASES[key]
        _log(f"[{number}] {key} ...")
        t0 = time.perf_counter()
        try:
            res = fn(ctx)
        except Exception:  # noqa: BLE001 - one broken case must not hide the others
            errors[key] = traceback.format_exc()
            _log(f"[{number}] {key} FAILED:\n{errors[key]}")
            continue
        results.append(res)
        medians = ", ".join(f"{fw} {m:.4g}" for fw in res.samples if (m := res.median(fw)))
        _log(f"[{number}] {key} done in {time.perf_counter() - t0:.1f} s: {medians} {res.unit}")
        if res.profile:
            print(f"\n=== cProfile of one glassnet call: {number}. {res.title} ===")
            print(res.profile)

    peak_end = matmul_peak(torch, n_peak, peak_repeat)
    machine["loadavg_end"] = _loadavg()
    # Other work can only slow a matmul down, so the better of the two readings is the peak.
    peak = max(peak_start["numpy_gflops"], peak_end["numpy_gflops"])
    for res in results:
        res.add_peak_row(peak)
    low = min(peak_start["numpy_gflops"], peak_end["numpy_gflops"])
    if low < 0.85 * peak:
        _log(
            f"warning: the matmul peak moved during the run ({low:.1f} vs {peak:.1f} GFLOP/s): "
            "something else was using the CPU; consider running again"
        )
    rows = table_rows(results)
    header = table_header(results)
    print()
    print(format_table(rows, header=header))
    if args.markdown:
        print()
        print(format_table(rows, markdown=True, header=header))
    notes = peer_notes(results)
    for note in notes:
        print(note)
    checks = [c for res in results for c in res.checks()]
    missed = [c for c in checks if c.status == "MISS"]
    print(
        f"\ntargets: {sum(c.status == 'PASS' for c in checks)} PASS, {len(missed)} MISS"
        + (f" ({', '.join(c.name for c in missed)})" if missed else "")
    )
    if errors:
        print(f"FAILED to run: {', '.join(errors)}")
    return {
        "suite": "glassnet benchmarks",
        "schema": 1,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run " + " ".join(sys.argv[1:]),
        "size": args.size,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine,
        "threads": threads,
        "peers": peers_info(),
        "peer_notes": notes,
        "matmul_peak": {
            "n": n_peak,
            "start": peak_start,
            "end": peak_end,
            "reference_gflops": peak,
        },
        "cases": {res.key: res.to_json() for res in results},
        "errors": errors,
        "table": [dict(zip(header, row)) for row in rows],
    }


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run_suite(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_name(args.json.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, args.json)
    _log(f"results written to {args.json}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
