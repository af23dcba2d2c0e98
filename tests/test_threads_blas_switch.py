"""blas_threads: a cheap switch of NumPy's own BLAS threads, and the recurrent loops' use of it."""

import contextlib

import numpy as np
import pytest

import glassnet as gn
import glassnet.ops.recurrent as recurrent
from glassnet import threads


def _numpy_blas_counts():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    infos = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    own = [i["num_threads"] for i in infos if "numpy" in str(i.get("filepath", ""))]
    return own or [i["num_threads"] for i in infos]


def test_blas_threads_switches_numpy_blas_cheaply_and_restores():
    before = _numpy_blas_counts()
    with threads.blas_threads(1):
        assert set(_numpy_blas_counts()) == {1}
    assert _numpy_blas_counts() == before


@pytest.mark.parametrize(
    "chosen,expected",
    [(None, [1, 1]), ("2", [])],
    ids=["glassnet_chooses_one_thread", "user_choice_kept"],
)
def test_small_time_loops_run_on_one_blas_thread_unless_the_user_chose(
    monkeypatch, chosen, expected
):
    """An LSTM's forward and backward loops of small step products ask for one BLAS thread."""
    monkeypatch.setattr(threads, "_chosen", None)
    if chosen is None:
        monkeypatch.delenv("GLASSNET_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("GLASSNET_NUM_THREADS", chosen)
    asked = []

    @contextlib.contextmanager
    def record(n):
        asked.append(n)
        yield

    monkeypatch.setattr(recurrent, "blas_threads", record)
    rng = np.random.default_rng(0)
    T, B, H = 3, 2, 4
    xw = gn.tensor(rng.standard_normal((T, B, 4 * H)), requires_grad=True)
    h0, c0 = gn.zeros(B, H, dtype=gn.float64), gn.zeros(B, H, dtype=gn.float64)
    w = gn.tensor(rng.standard_normal((4 * H, H)), requires_grad=True)
    recurrent.LSTMSequence()(xw, h0, c0, w).sum().backward()
    assert asked == expected
    assert w.grad is not None
