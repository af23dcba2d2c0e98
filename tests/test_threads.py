"""The BLAS thread policy: one thread for small work, every core for big, the user's choice first."""

import pytest

import glassnet as gn
from glassnet import nn, threads
from glassnet.callbacks import Callback

threadpoolctl = pytest.importorskip("threadpoolctl")


def test_small_work_gets_one_thread_big_work_every_free_core(monkeypatch):
    monkeypatch.delenv("GLASSNET_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "_chosen", None)
    monkeypatch.setattr(threads, "free_cores", lambda: 8)
    assert threads.threads_for_work(1e5) == 1
    assert threads.threads_for_work(1e9) == 8 and threads.thread_limit() == 8
    monkeypatch.setattr(threads, "free_cores", lambda: 3)  # another program took five cores
    assert threads.threads_for_work(1e9) == 3 and threads.thread_limit() == 3


def test_the_environment_variable_and_set_num_threads_win(monkeypatch):
    monkeypatch.setattr(threads, "_chosen", None)
    monkeypatch.setenv("GLASSNET_NUM_THREADS", "3")
    assert threads.threads_for_work(1e9) == 3 and threads.threads_for_work(1) == 3
    monkeypatch.setenv("GLASSNET_NUM_THREADS", "two")
    with pytest.raises(
        ValueError, match="GLASSNET_NUM_THREADS must be a positive whole number, got 'two'"
    ):
        threads.threads_for_work(1)
    with pytest.raises(ValueError, match="set_num_threads expects a positive whole number, got 0"):
        gn.set_num_threads(0)


def test_forward_flops_counts_linear_layers_and_calls_convolutions_big():
    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    assert threads.forward_flops(mlp, 32) == 2 * 32 * (64 * 128 + 128 * 10)
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4, 2))
    assert threads.forward_flops(cnn, 1) == float("inf")


def test_blas_threads_limits_the_block_and_restores():
    before = gn.get_num_threads()
    with threads.blas_threads(1):
        assert gn.get_num_threads() == 1
    assert gn.get_num_threads() == before


def test_fit_trains_a_small_model_on_one_thread(monkeypatch):
    monkeypatch.delenv("GLASSNET_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "_chosen", None)
    seen = []

    class Watch(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(gn.get_num_threads())

    X = gn.randn(64, 4).numpy()
    y = (X[:, 0] > 0).astype("int64")
    gn.fit(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), (X, y), epochs=1,
           batch_size=16, verbose=0, callbacks=[Watch()])  # fmt: skip
    assert seen and set(seen) == {1}


def test_fit_follows_the_free_cores_batch_by_batch_and_restores(monkeypatch):
    if len(threadpoolctl.threadpool_info()) == 0 or gn.get_num_threads() < 2:
        pytest.skip("needs a BLAS with at least two threads")
    monkeypatch.delenv("GLASSNET_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "_chosen", None)
    before = gn.get_num_threads()
    # Another program takes a core after batch 1 and leaves after batch 3.
    free_after_batch = {1: 1, 3: 2}
    machine = {"free": 2}
    monkeypatch.setattr(threads, "free_cores", lambda: machine["free"])
    monkeypatch.setattr(threads, "SMALL_WORK_FLOPS", 0)  # this small model counts as large
    seen = []

    class Watch(Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(gn.get_num_threads())

        def on_batch_end(self, batch, logs=None):
            machine["free"] = free_after_batch.get(batch, machine["free"])

    X = gn.randn(96, 4).numpy()
    y = (X[:, 0] > 0).astype("int64")
    gn.fit(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), (X, y), epochs=1,
           batch_size=16, verbose=0, callbacks=[Watch()])  # fmt: skip
    assert seen == [2, 2, 1, 1, 2, 2]  # each batch on the cores free before it

    assert gn.get_num_threads() == before


@pytest.fixture
def following(monkeypatch):
    """follow_free_cores from a fresh start, with free_cores under the test's control."""
    if gn.get_num_threads() < 2:
        pytest.skip("needs a BLAS with at least two threads")
    monkeypatch.delenv("GLASSNET_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "_chosen", None)
    monkeypatch.setattr(threads, "_followed", [])
    machine = {"free": 64}
    monkeypatch.setattr(threads, "free_cores", lambda: machine["free"])
    before = gn.get_num_threads()
    yield machine, before
    threads._numpy_blas().limit(limits=before)  # back to NumPy's own count


def test_a_scripts_loop_follows_the_free_cores_never_above_the_first_count(following):
    machine, before = following
    threads.follow_free_cores()
    assert gn.get_num_threads() == before  # 64 free: never more than NumPy's BLAS had
    machine["free"] = 1
    x = gn.randn(3, 2, requires_grad=True)
    (x * x).sum().backward()  # every backward pass asks
    assert gn.get_num_threads() == 1
    machine["free"] = 2
    threads.follow_free_cores()
    assert gn.get_num_threads() == min(2, before)


def test_following_leaves_blocks_choices_and_other_peoples_counts_alone(following):
    machine, before = following
    threads.follow_free_cores()  # the first count noted
    machine["free"] = 1
    with threads.blas_threads(2):  # a block decides inside it (fit's is one)
        threads.follow_free_cores()
        assert gn.get_num_threads() == 2
    gn.set_num_threads(2)  # the user's choice wins
    try:
        threads.follow_free_cores()
        assert gn.get_num_threads() == 2
    finally:
        threads.set_num_threads(None)
    threads.follow_free_cores()  # glassnet puts BLAS on the one free core ...
    assert gn.get_num_threads() == 1
    threads._numpy_blas().limit(limits=2)  # ... then someone else sets 2 (threadpoolctl, say)
    threads.follow_free_cores()
    assert gn.get_num_threads() == 2  # theirs to keep
