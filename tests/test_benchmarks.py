"""The benchmark suite runs end to end at --size tiny and reports every case (nothing about speed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives at the repository root
    sys.path.insert(0, str(ROOT))

from benchmarks import peers  # noqa: E402
from benchmarks.cases import CASES, resolve  # noqa: E402
from benchmarks.cases.cli_loaded import BusyCore  # noqa: E402
from benchmarks.common import PEERS, CaseResult, Check, fmt, table_header, table_rows  # noqa: E402
from benchmarks.peers.micrograd import Value, total  # noqa: E402

NO_TORCH_COUNTERPART = {"cli_train", "cli_loaded", "mlp_distributed", "live_overhead"}


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
        timeout=600,
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


# ---------------------------------------------------------------------------------------------
# The peers (DeZero, tinygrad, micrograd-style): measured where installed, skipped with a note
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case_key", sorted(peers.BUILDERS), ids=str)
def test_tiny_suite_runs_or_skips_every_peer(tiny_run, case_key):
    report, stdout = tiny_run
    case = report["cases"][case_key]
    header = next(line.split() for line in stdout.splitlines() if line.startswith("case "))
    for peer in peers.BUILDERS[case_key]:
        assert peer in header, peer
        if peer in case["unavailable"]:
            assert case["unavailable"][peer], peer  # a reason, never an empty note
            assert peer not in case["samples"], peer
            assert any(note.startswith(f"{peer} skipped") for note in report["peer_notes"]), peer
            assert report["peers"][peer]["available"] is False
        else:
            assert case["median"][peer] > 0, peer
            assert all(v > 0 for v in case["samples"][peer]), peer
            assert report["peers"][peer]["available"] is True
    assert "micrograd" not in case["unavailable"]  # our own engine always runs


@pytest.fixture
def fresh_peer_cache():
    peers.load.cache_clear()
    yield
    peers.load.cache_clear()


@pytest.mark.parametrize(
    ("error", "reason_start"),
    [
        (ImportError("No module named 'dezero'"), "not installed (pip install 'glassnet[bench]')"),
        (RuntimeError("clang: not found\nmore"), "cannot run here: RuntimeError: clang: not found"),
    ],
    ids=["not-installed", "broken"],
)
def test_missing_peer_is_skipped_with_a_note(monkeypatch, fresh_peer_cache, error, reason_start):
    def broken():
        raise error

    monkeypatch.setitem(peers._LOADERS, "dezero", broken)
    only = {k: v for k, v in peers.BUILDERS["small_op"].items() if k in ("dezero", "micrograd")}
    monkeypatch.setitem(peers.BUILDERS, "small_op", only)  # tinygrad, if installed, is not needed
    runners = {"glassnet": lambda: None}
    unavailable = peers.add_runners(runners, "small_op", 2, [np.ones(16, np.float32)] * 3)
    assert "dezero" not in runners and "micrograd" in runners
    assert unavailable["dezero"].startswith(reason_start)
    assert "\n" not in unavailable["dezero"]
    res = CaseResult("small_op", "4a", "small", "us", {"glassnet": [1.0]}, unavailable=unavailable)
    header = table_header([res])
    assert "dezero" in header
    assert table_rows([res])[0][header.index("dezero")] == "skipped"
    assert peers.peer_notes([res]) == [f"dezero skipped in case 4a: {unavailable['dezero']}"]
    assert peers.peers_info()["dezero"]["available"] is False


def test_table_has_no_peer_columns_without_peers():
    res = CaseResult("cli_train", "7", "cli", "s", {"glassnet": [1.0]})
    assert not set(PEERS) & set(table_header([res]))
    assert len(table_rows([res])[0]) == len(table_header([res]))


@pytest.mark.parametrize(
    "text, timed",
    [("all", {"dezero", "tinygrad", "micrograd"}), ("none", set()), ("micrograd", {"micrograd"}),
     (" micrograd , dezero", {"micrograd", "dezero"})],
    ids=["all", "none", "one", "two-with-spaces"],
)  # fmt: skip
def test_select_peers_limits_the_peers_timed(monkeypatch, text, timed):
    monkeypatch.setattr(peers, "_selected", set(peers._selected))
    monkeypatch.setattr(peers, "load", lambda name: (object(), None))
    monkeypatch.setitem(peers.BUILDERS, "small_op", {p: lambda module: "runner" for p in PEERS})
    runners = {}
    peers.select_peers(text)
    assert peers.add_runners(runners, "small_op") == {}
    assert set(runners) == timed


@pytest.mark.parametrize("text", ["", "jax", "all,none", "dezero,jax"], ids=repr)
def test_select_peers_rejects_other_words(text):
    with pytest.raises(ValueError, match="--peers expects all, none or a comma list"):
        peers.select_peers(text)


def test_unknown_peer_is_rejected():
    with pytest.raises(ValueError, match="unknown peer 'jax'"):
        peers.load("jax")


# ---------------------------------------------------------------------------------------------
# The micrograd-style engine: gradients by the chain rule, checked against the formulas
# ---------------------------------------------------------------------------------------------


def test_micrograd_small_op_gradients():
    rng = np.random.default_rng(3)
    a_np, b_np, c_np = (rng.standard_normal(16) for _ in range(3))
    a, b, c = ([Value(x) for x in v] for v in (a_np, b_np, c_np))
    out = total(x * y + z for x, y, z in zip(a, b, c))
    out.backward()
    assert out.data == pytest.approx(float((a_np * b_np + c_np).sum()), rel=1e-12)
    np.testing.assert_allclose([v.grad for v in a], b_np, rtol=1e-12)  # d/da = b
    np.testing.assert_allclose([v.grad for v in b], a_np, rtol=1e-12)  # d/db = a
    np.testing.assert_allclose([v.grad for v in c], np.ones(16), rtol=1e-12)  # d/dc = 1


@pytest.mark.parametrize("x0", [-1.3, -0.2, 0.4, 2.1], ids=lambda x: f"x={x}")
def test_micrograd_matches_finite_differences(x0):
    def f(x):  # a reused node (x twice), tanh and relu: f = relu(x * tanh(x) + 3 x) * x
        return ((x * x.tanh()) + x * 3.0).relu() * x

    x = Value(x0)
    f(x).backward()
    h = 1e-6
    numeric = (f(Value(x0 + h)).data - f(Value(x0 - h)).data) / (2 * h)
    assert x.grad == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_micrograd_long_chain_and_shared_node():
    x = Value(0.5)
    y = x
    for _ in range(5_000):  # deeper than Python's recursion limit
        y = y + x
    y.backward()
    assert x.grad == 5_001.0  # every addition adds x once more


def test_micrograd_rejects_empty_total():
    with pytest.raises(ValueError, match="at least one Value"):
        total([])


# ---------------------------------------------------------------------------------------------
# Case 7b: the busy core and the loaded / idle row
# ---------------------------------------------------------------------------------------------


def test_busy_core_runs_inside_and_stops_after():
    with BusyCore(limit_s=30) as busy:
        proc = busy.process
        assert proc is not None and proc.poll() is None
    assert proc.poll() is not None
    assert busy.process is None


def test_tiny_suite_reports_loaded_over_idle(tiny_run):
    report, stdout = tiny_run
    case = report["cases"]["cli_loaded"]
    extra = case["extra"]
    assert extra["idle_s"] and extra["loaded_s"]
    rows = {row["name"]: row for row in case["rows"]}
    idle = rows["same, idle machine"]["values"]["glassnet"]
    ratio = rows["loaded / idle"]["values"]["glassnet"]
    assert idle == pytest.approx(float(np.median(extra["idle_s"])))
    assert ratio == pytest.approx(case["median"]["glassnet"] / idle)
    assert rows["loaded / idle"]["check"]["status"] in ("PASS", "MISS")
    assert "loaded / idle" in stdout
