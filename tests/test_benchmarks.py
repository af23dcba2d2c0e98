"""The benchmark suite runs end to end at --size tiny and reports every case (nothing about speed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives at the repository root
    sys.path.insert(0, str(ROOT))

from benchmarks.cases import CASES, resolve  # noqa: E402
from benchmarks.common import Check, fmt  # noqa: E402

NO_TORCH_COUNTERPART = {"cli_train", "mlp_distributed", "live_overhead"}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "tiny.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    cmd = [sys.executable, "-m", "benchmarks.run", "--size", "tiny", "--repeat", "1"]
    done = subprocess.run(
        [*cmd, "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(out.read_text()), done.stdout


def test_tiny_suite_reports_every_case(tiny_run):
    report, _ = tiny_run
    assert report["errors"] == {}
    assert set(report["cases"]) == set(CASES)
    for key, case in report["cases"].items():
        if case["extra"].get("skipped"):  # an optional extra (MPI) is not installed
            continue
        medians = case["median"]
        assert medians["glassnet"] > 0, key
        assert all(v > 0 for fw in case["samples"] for v in case["samples"][fw]), key
        if key in NO_TORCH_COUNTERPART:
            assert case["ratio"] is None
            continue
        assert medians["torch"] > 0, key
        assert case["ratio"] == pytest.approx(medians["glassnet"] / medians["torch"]), key
        assert case["ratio"] > 0, key
        if case["target"] is not None:
            assert case["status"] in ("PASS", "MISS"), key


def test_tiny_suite_records_machine_and_peak(tiny_run):
    report, _ = tiny_run
    assert report["size"] == "tiny"
    assert report["matmul_peak"]["reference_gflops"] > 0
    assert report["machine"]["numpy"]
    assert report["machine"]["torch"] == torch.__version__
    assert report["threads"]["torch_threads"] >= 1
    mlp = report["cases"]["mlp_train"]
    peak_row = [row for row in mlp["rows"] if row["name"] == "% of matmul peak"]
    assert peak_row and peak_row[0]["values"]["glassnet"] > 0
    assert peak_row[0]["check"]["status"] in ("PASS", "MISS")


def test_tiny_suite_prints_the_table(tiny_run):
    report, stdout = tiny_run
    header = stdout.splitlines()
    assert any(line.split()[:3] == ["case", "glassnet", "torch"] for line in header)
    for case in report["cases"].values():
        assert f"{case['number']}. {case['title']}" in stdout
    assert "targets:" in stdout


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (None, list(CASES)),
        (["mlp"], ["mlp_train"]),
        (["4"], ["small_op", "deep_mlp_step"]),
        (["gru,1", "cli"], ["mlp_train", "gru_train", "cli_train"]),
        (["3a", "memory"], ["lstm_train", "mlp_memory"]),
    ],
    ids=["all", "alias", "group-number", "comma-and-order", "sub-number"],
)
def test_resolve_case_names(names, expected):
    assert resolve(names) == expected


def test_resolve_rejects_unknown_case():
    with pytest.raises(ValueError, match="unknown case 'resnet'"):
        resolve(["resnet"])


@pytest.mark.parametrize(
    ("value", "op", "target", "status"),
    [
        (1.0, "<=", 1.1, "PASS"),
        (1.2, "<=", 1.1, "MISS"),
        (80.0, ">=", 75.0, "PASS"),
        (70.0, ">=", 75.0, "MISS"),
        (None, "<=", 1.1, "n/a"),
    ],
    ids=["le-pass", "le-miss", "ge-pass", "ge-miss", "missing"],
)
def test_check_status(value, op, target, status):
    assert Check("x", value, op, target).status == status


def test_fmt_units():
    assert fmt(1.23456, "s") == "1.235 s"
    assert fmt(12345.6, "/s") == "12,346 /s"
    assert fmt(87.123, "%") == "87.1 %"
    assert fmt(None, "s") == "-"
