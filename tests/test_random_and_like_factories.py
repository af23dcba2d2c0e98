"""glassnet.bernoulli, glassnet.normal and Tensor.new_*: PyTorch's shapes, dtypes and statistics."""

import numpy as np
import pytest

import glassnet as gn


def test_bernoulli_draws_ones_with_the_given_probabilities():
    gn.manual_seed(0)
    probs = gn.tensor([[0.0, 0.25, 1.0]] * 4000)
    draws = gn.bernoulli(probs)
    assert draws.shape == probs.shape and draws.dtype == gn.float32
    rates = draws.numpy().mean(axis=0)
    assert rates[0] == 0.0 and rates[2] == 1.0 and abs(rates[1] - 0.25) < 0.03
    assert set(np.unique(draws.numpy())) <= {0.0, 1.0}
    half = gn.bernoulli(gn.zeros(20000, dtype=gn.float64), p=0.5)  # p= overrides the values
    assert half.dtype == gn.float64 and abs(half.numpy().mean() - 0.5) < 0.02
    with pytest.raises(ValueError, match=r"bernoulli expects probabilities between 0 and 1"):
        gn.bernoulli(gn.tensor([1.5]))


def test_bernoulli_follows_the_seed():
    gn.manual_seed(3)
    first = gn.bernoulli(gn.full((50,), 0.5))
    gn.manual_seed(3)
    np.testing.assert_array_equal(gn.bernoulli(gn.full((50,), 0.5)).numpy(), first.numpy())


def test_normal_in_its_three_forms():
    gn.manual_seed(0)
    numbers = gn.normal(2.0, 3.0, size=(20000,))
    assert numbers.shape == (20000,) and numbers.dtype == gn.float32
    assert abs(numbers.numpy().mean() - 2.0) < 0.1 and abs(numbers.numpy().std() - 3.0) < 0.1
    means = gn.tensor([[0.0], [100.0]], dtype=gn.float64)
    per_element = gn.normal(means, gn.tensor([1.0, 0.0, 2.0], dtype=gn.float64))  # broadcast
    assert per_element.shape == (2, 3) and per_element.dtype == gn.float64
    np.testing.assert_array_equal(per_element.numpy()[:, 1], [0.0, 100.0])  # std 0: the mean
    assert gn.normal(gn.zeros(4)).shape == (4,)  # std defaults to 1
    with pytest.raises(ValueError, match=r"give size="):
        gn.normal(0.0, 1.0)
    with pytest.raises(ValueError, match=r"std >= 0"):
        gn.normal(gn.zeros(2), -1.0)


def test_new_factories_take_the_tensors_dtype_as_in_pytorch():
    torch = pytest.importorskip("torch")
    for dtype_name in ("float64", "int64"):
        ours = gn.zeros(2, dtype=getattr(gn, dtype_name))
        theirs = torch.zeros(2, dtype=getattr(torch, dtype_name))
        pairs = [
            (ours.new_zeros(3, 2), theirs.new_zeros(3, 2)),
            (ours.new_ones((2,)), theirs.new_ones((2,))),
            (ours.new_full((2, 2), 7), theirs.new_full((2, 2), 7)),
            (ours.new_tensor([1, 2, 3]), theirs.new_tensor([1, 2, 3])),
            (ours.new_empty(4), theirs.new_empty(4)),
            (ours.new_zeros(2, dtype=gn.float32), theirs.new_zeros(2, dtype=torch.float32)),
        ]
        for a, b in pairs:
            assert a.shape == tuple(b.shape) and str(a.dtype) == str(b.dtype).split(".")[-1]
        for a, b in pairs[:4]:
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    grad = gn.zeros(2).new_zeros(2, requires_grad=True)
    assert grad.requires_grad and grad.grad_fn is None


def test_logspace_matches_pytorch():
    torch = pytest.importorskip("torch")
    for args in ((0, 3, 4), (-1, 1, 5, 2.0)):
        np.testing.assert_allclose(
            gn.logspace(*args).numpy(), torch.logspace(*args).numpy(), rtol=1e-6
        )
    with pytest.raises(ValueError, match=r"logspace: steps must be non-negative, got -1"):
        gn.logspace(0, 1, -1)


def test_concat_dataset_reads_each_dataset_in_turn():
    torch = pytest.importorskip("torch")
    parts = [np.arange(3.0), np.arange(10.0, 12.0), np.arange(20.0, 24.0)]
    ours = gn.utils.data.ConcatDataset([gn.utils.data.TensorDataset(gn.tensor(p)) for p in parts])
    theirs = torch.utils.data.ConcatDataset(
        [torch.utils.data.TensorDataset(torch.tensor(p)) for p in parts]
    )
    assert len(ours) == len(theirs) == 9 and ours.cumulative_sizes == theirs.cumulative_sizes
    assert [float(ours[i][0]) for i in range(9)] == [float(theirs[i][0]) for i in range(9)]
    assert float(ours[-1][0]) == 23.0
    loader = gn.utils.data.DataLoader(ours, batch_size=4)
    assert [len(b[0]) for b in loader] == [4, 4, 1]
    with pytest.raises(IndexError):
        ours[9]
    with pytest.raises(ValueError, match=r"ConcatDataset: expects at least one dataset"):
        gn.utils.data.ConcatDataset([])
