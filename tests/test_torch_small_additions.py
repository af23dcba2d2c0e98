"""Adaptive max pooling, gumbel_softmax, searchsorted / bucketize and set_grad_enabled as
PyTorch has them (values and gradients against PyTorch where it is installed)."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F

RNG = np.random.default_rng(21)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("size", [3, (2, 4), (7, 9), 1, (None, 2), (5, 5)])
def test_adaptive_max_pool2d_matches_pytorch(torch, size):
    x = RNG.standard_normal((2, 3, 7, 9))
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, ours_at = F.adaptive_max_pool2d(ours_x, size, return_indices=True)
    theirs, theirs_at = torch.nn.functional.adaptive_max_pool2d(theirs_x, size, return_indices=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    np.testing.assert_array_equal(ours_at.numpy(), theirs_at.numpy())
    weights = RNG.standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-12)


def test_adaptive_max_pool_modules_and_1d_match_pytorch(torch):
    x1, x2 = RNG.standard_normal((3, 10)), RNG.standard_normal((3, 5, 6))
    pairs = [
        (nn.AdaptiveMaxPool1d(4), torch.nn.AdaptiveMaxPool1d(4), x1),
        (nn.AdaptiveMaxPool2d((2, 3)), torch.nn.AdaptiveMaxPool2d((2, 3)), x2),
    ]
    for ours, theirs, x in pairs:
        np.testing.assert_array_equal(ours(gn.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
    values, at = nn.AdaptiveMaxPool1d(2, return_indices=True)(gn.tensor(x1))
    expected = torch.nn.AdaptiveMaxPool1d(2, return_indices=True)(torch.tensor(x1))[1]
    np.testing.assert_array_equal(at.numpy(), expected.numpy())
    with pytest.raises(TypeError, match="floating point input"):
        F.adaptive_max_pool2d(gn.tensor(np.ones((1, 2, 3), dtype=np.int64)), 1)


def test_gumbel_softmax_samples_categories():
    gn.manual_seed(0)
    logits = gn.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-12)
    hard = F.gumbel_softmax(logits, hard=True)
    values = hard.numpy()
    assert set(np.unique(values)) <= {0.0, 1.0} and np.all(values.sum(1) == 1)
    # The categories come up as often as their probabilities say (4000 draws: 3 sigma ~ 0.02).
    np.testing.assert_allclose(values.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (hard * gn.tensor([1.0, 2.0, 3.0])).sum().backward()  # straight through: the soft gradient
    assert logits.grad is not None and np.all(np.isfinite(logits.grad.numpy()))
    assert np.any(logits.grad.numpy() != 0)
    gn.manual_seed(0)
    again = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_array_equal(again.numpy(), soft.numpy())  # manual_seed repeats it


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_and_bucketize_match_pytorch(torch, right):
    edges = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    values = np.array([[0.5, 2.0, 2.5], [5.0, 6.0, 1.0]])
    rows = np.sort(RNG.standard_normal((2, 6)), axis=1)
    for call in (
        lambda lib, t: lib.searchsorted(t(edges), t(values), right=right),
        lambda lib, t: lib.searchsorted(t(rows), t(values), right=right),
        lambda lib, t: lib.searchsorted(t(edges), t(values), side="right" if right else "left"),
        lambda lib, t: lib.bucketize(t(values), t(edges), right=right),
        lambda lib, t: lib.bucketize(t(values), t(edges), out_int32=True),
    ):
        ours, theirs = call(gn, gn.tensor), call(torch, torch.tensor)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.numpy().dtype == theirs.numpy().dtype


def test_searchsorted_mistakes_get_one_clear_line():
    with pytest.raises(ValueError, match="leading shape"):
        gn.searchsorted(gn.tensor(np.zeros((2, 3))), gn.tensor(np.zeros((3, 1))))
    with pytest.raises(ValueError, match="boundaries must be 1-D"):
        gn.bucketize(gn.tensor([1.0]), gn.tensor(np.zeros((2, 2))))
    with pytest.raises(ValueError, match="side must be"):
        gn.searchsorted(gn.tensor([1.0]), gn.tensor([1.0]), side="middle")


def test_set_grad_enabled_as_a_call_a_context_and_a_decorator():
    x = gn.ones(2, requires_grad=True)
    gn.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        gn.set_grad_enabled(True)
    assert (x * 2).requires_grad
    for phase in ("train", "val"):  # the transfer-learning tutorial's loop
        with gn.set_grad_enabled(phase == "train"):
            assert (x * 2).requires_grad == (phase == "train")
        assert (x * 2).requires_grad
    with gn.no_grad():
        with gn.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad

    @gn.set_grad_enabled(False)
    def evaluate():
        return (x * 2).requires_grad

    assert evaluate() is False and (x * 2).requires_grad
