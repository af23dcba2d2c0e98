"""Tutorial-style PyTorch scripts run unchanged on glassnet (``python -m glassnet.run``) and on PyTorch.

Each script in this folder prints a last line ``final key=value ...``. On glassnet every
script must run and reach its stated bound; where torch is installed, the same script run
with real PyTorch must reach the same outcome: the final loss within a tolerance, accuracy
within a few points (both seeded, but their random streams differ, so numbers are compared
as outcomes, never bit for bit). A script that needs a name another part of glassnet has not
added yet is skipped with that name, and runs as soon as the name exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import glassnet

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"


@dataclass(frozen=True)
class Case:
    """One script: its outcome keys with (absolute, relative) tolerances, and bounds on glassnet."""

    tolerances: dict[str, tuple[float, float]]
    at_most: dict[str, float] = field(default_factory=dict)
    at_least: dict[str, float] = field(default_factory=dict)
    needs_digits: bool = False
    waits_for: tuple[str, ...] = ()  # glassnet attribute paths another helper adds


LOSS = (0.02, 0.15)  # a final loss agrees within 0.02 or 15 %
ACCURACY = (0.05, 0.0)  # accuracies agree within 5 points

CASES = {
    "tensors_basics": Case({"value": (1e-3, 0.0)}),
    "autograd_basics": Case(
        {"grad_sum": (1e-3, 0.0), "max_error": (1e-5, 0.0)}, {"max_error": 1e-5}
    ),
    "polynomial_regression": Case({"loss": (0.5, 0.05)}, at_most={"loss": 10.0}),
    "nn_from_scratch": Case(
        {"loss": LOSS, "accuracy": ACCURACY}, {"loss": 0.35}, {"accuracy": 0.85}
    ),
    "quickstart_classifier": Case(
        {"loss": (0.05, 0.0), "accuracy": ACCURACY}, {"loss": 0.1}, {"accuracy": 0.95}
    ),
    "digits_cnn": Case(
        {"loss": (0.08, 0.3), "accuracy": ACCURACY}, {"loss": 0.3}, {"accuracy": 0.9}, True
    ),
    "digits_rnn": Case(
        {"loss": (0.08, 0.3), "accuracy": ACCURACY}, {"loss": 0.35}, {"accuracy": 0.88}, True
    ),
    "sine_lstm": Case({"loss": (0.01, 0.5)}, at_most={"loss": 0.03}),
    "vae": Case({"loss": (0.0, 0.08)}, at_most={"loss": 30.0}, needs_digits=True),
    "bigram_names": Case(
        {"count_nll": (1e-4, 0.0), "net_loss": (0.03, 0.0)}, at_most={"net_loss": 2.0}
    ),
    "tiny_gpt": Case({"loss": (0.1, 0.3)}, at_most={"loss": 0.8}),
    "transformer_language_model": Case({"loss": (0.1, 0.5)}, at_most={"loss": 0.3}),
    "scheduler_loop": Case(
        {"loss": (0.06, 0.0), "accuracy": ACCURACY}, {"loss": 0.15}, {"accuracy": 0.93}
    ),
    "device_and_data": Case(
        {"minority": (0.06, 0.0), "repeat": (0.0, 0.0)}, at_least={"minority": 0.4, "repeat": 1.0}
    ),
    "lbfgs_sine": Case({"loss": (0.01, 1.0)}, at_most={"loss": 0.01}, waits_for=("optim.LBFGS",)),
    "custom_function": Case(
        {"loss": (1.0, 0.1), "gradcheck": (0.0, 0.0)},
        at_least={"gradcheck": 1.0},
        waits_for=("autograd.Function", "autograd.gradcheck"),
    ),
    "bilstm_crf_tagger": Case(
        {"loss": (0.35, 0.0), "tagged": (0.12, 0.0)}, {"loss": 0.6}, {"tagged": 0.85}
    ),
    "text_classification_bag": Case({"accuracy": ACCURACY}, at_least={"accuracy": 0.9}),
    "checkpoint_resume": Case(
        {"loss": (0.1, 0.0), "match": (0.0, 0.0)}, {"loss": 0.3}, {"match": 1.0}
    ),
    "word_language_model": Case(
        {"loss": (0.25, 0.0), "match": (0.0, 0.0), "tied": (0.0, 0.0)},
        at_most={"loss": 1.5},
        at_least={"match": 1.0, "tied": 1.0},
    ),
}


def _missing(case: Case) -> list[str]:
    """The glassnet names a script waits for that do not exist yet."""
    missing = []
    for path in case.waits_for:
        owner = glassnet
        for part in path.split("."):
            owner = getattr(owner, part, None)
        if owner is None:
            missing.append("torch." + path)
    return missing


def _parse(line: str | None) -> dict[str, float]:
    assert line is not None and line.startswith("final "), f"no 'final ...' line: {line!r}"
    return {k: float(v) for k, v in (pair.split("=") for pair in line.split()[1:])}


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    # Scripts run side by side; one BLAS thread each keeps small models fast on any machine.
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


@pytest.fixture(scope="module")
def digits_file(tmp_path_factory) -> str:
    """glassnet's bundled digits as a plain .npz (x: (n, 8, 8) in [0, 1]), readable by both."""
    from glassnet.data import load_digits

    x_train, y_train = load_digits("train", flatten=False)
    x_test, y_test = load_digits("test", flatten=False)
    path = tmp_path_factory.mktemp("digits") / "digits.npz"
    np.savez(path, x_train=x_train[:, 0], y_train=y_train, x_test=x_test[:, 0], y_test=y_test)
    return str(path)


def _command(name: str, digits: str) -> list[str]:
    return [str(HERE / f"{name}.py")] + ([digits] if CASES[name].needs_digits else [])


@pytest.fixture(scope="module")
def glassnet_runs(digits_file) -> dict[str, subprocess.CompletedProcess]:
    """Every runnable script through ``python -m glassnet.run``, two at a time."""
    names = [n for n, case in CASES.items() if not _missing(case)]

    def run(name):
        command = [sys.executable, "-m", "glassnet.run", *_command(name, digits_file)]
        return subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=300)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(run, names)))


@pytest.fixture(scope="module")
def torch_runs(digits_file) -> dict[str, dict]:
    """Every script with real PyTorch, in one process (torch is imported once)."""
    pytest.importorskip("torch")
    argv = []
    for name in CASES:
        argv += [*_command(name, digits_file), "--"]
    command = [sys.executable, str(HERE / "run_with_torch.py"), *argv]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.splitlines()[-1])
    return {Path(path).stem: result for path, result in results.items()}


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_script_runs_on_glassnet(name, glassnet_runs):
    case = CASES[name]
    if _missing(case):
        pytest.skip(f"waits for {', '.join(_missing(case))}")
    done = glassnet_runs[name]
    assert done.returncode == 0, done.stderr[-3000:]
    final_lines = [line for line in done.stdout.splitlines() if line.startswith("final ")]
    outcome = _parse(final_lines[-1] if final_lines else None)
    assert set(outcome) == set(case.tolerances)
    for key, bound in case.at_most.items():
        assert outcome[key] <= bound, f"{key}={outcome[key]} above {bound}"
    for key, bound in case.at_least.items():
        assert outcome[key] >= bound, f"{key}={outcome[key]} below {bound}"


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_script_outcome_matches_pytorch(name, glassnet_runs, torch_runs):
    case = CASES[name]
    if _missing(case):
        pytest.skip(f"waits for {', '.join(_missing(case))}")
    reference = torch_runs[name]
    assert reference["error"] is None, reference["error"]
    theirs = _parse(reference["final"])
    done = glassnet_runs[name]
    assert done.returncode == 0, done.stderr[-3000:]
    ours = _parse([line for line in done.stdout.splitlines() if line.startswith("final ")][-1])
    for key, (absolute, relative) in case.tolerances.items():
        allowed = max(absolute, relative * abs(theirs[key]))
        assert abs(ours[key] - theirs[key]) <= allowed + 1e-12, (
            f"{name}: {key} is {ours[key]} on glassnet and {theirs[key]} on PyTorch "
            f"(allowed difference {allowed})"
        )
