"""A leaf's first gradient kept without a copy when it views a gradient nobody else holds, and
copied whenever anything else could see or change the same memory (glassnet/grad_views.py)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd, grad_views

SHAPE = (4, 6)
FLAT = (24,)


@pytest.fixture(autouse=True)
def views_of_every_size(monkeypatch):
    """The shortcut asked for on these small gradients too (normally only on large ones)."""
    monkeypatch.setattr(grad_views, "KEEP_VIEW_MIN_SIZE", 0)


def _data(seed: int, shape=SHAPE) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _arrays(*tensors) -> list[np.ndarray]:
    return [t.numpy() for t in tensors]


def test_gradient_of_a_reshaped_leaf_is_kept_without_a_copy():
    """y = x.reshape(...) * c: dL/dx is the reshape of a fresh array, kept as it is."""
    x = gn.tensor(_data(0), requires_grad=True)
    c = _data(1, FLAT)
    (x.reshape(FLAT) * gn.tensor(c)).sum().backward()
    grad = x.grad.numpy()
    assert grad.base is not None  # the reshape's view itself, not a copy of it
    np.testing.assert_array_equal(grad, c.reshape(SHAPE))
    (x.reshape(FLAT) * gn.tensor(c)).sum().backward()  # accumulates in place: still right
    np.testing.assert_allclose(x.grad.numpy(), 2 * c.reshape(SHAPE))


def test_retained_gradient_and_leaf_gradient_never_share_memory():
    x = gn.tensor(_data(2), requires_grad=True)
    c = _data(3, FLAT)
    for _ in range(2):
        y = x.reshape(FLAT)
        y.retain_grad()
        (y * gn.tensor(c)).sum().backward()
        assert not np.shares_memory(*_arrays(x.grad, y.grad))
    np.testing.assert_allclose(x.grad.numpy(), 2 * c.reshape(SHAPE))
    np.testing.assert_allclose(y.grad.numpy(), c)  # the last y's own, unchanged by x's sums


class _ViewOfSaved(gn.autograd.Function):
    """dL/dx = a saved constant, handed back as a view (a reshape) of the saved array."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(k)
        return x.reshape(FLAT) * k

    @staticmethod
    def backward(ctx, g):
        (k,) = ctx.saved_tensors
        return k.reshape(SHAPE), None


def test_gradient_viewing_a_saved_array_is_copied():
    x = gn.tensor(_data(4), requires_grad=True)
    k = gn.tensor(_data(5, FLAT))
    before = k.numpy().copy()
    for _ in range(2):
        _ViewOfSaved.apply(x, k).sum().backward()
    assert not np.shares_memory(*_arrays(x.grad, k))
    np.testing.assert_array_equal(k.numpy(), before)  # the saved array never added into
    np.testing.assert_allclose(x.grad.numpy(), 2 * before.reshape(SHAPE))


class _KeepsItsGradient(gn.autograd.Function):
    """dL/dx = g reshaped, while the backward keeps g (the Tensor, or its array) for later."""

    kept: list = []

    @staticmethod
    def forward(ctx, x, keep_array):
        ctx.keep_array = keep_array
        return x.reshape(FLAT) * 1.0

    @staticmethod
    def backward(ctx, g):
        _KeepsItsGradient.kept.append(g.numpy() if ctx.keep_array else g)
        return g.reshape(SHAPE), None


@pytest.mark.parametrize("keep_array", [False, True], ids=["tensor", "array"])
def test_gradient_someone_kept_is_copied(keep_array):
    _KeepsItsGradient.kept.clear()
    x = gn.tensor(_data(6), requires_grad=True)
    g = _data(7, FLAT)
    _KeepsItsGradient.apply(x, keep_array).backward(gn.tensor(g))
    kept = _KeepsItsGradient.kept[0]
    kept = kept if isinstance(kept, np.ndarray) else kept.numpy()
    assert not np.shares_memory(x.grad.numpy(), kept)
    x.grad.numpy()[...] += 1.0  # an in-place change of the gradient leaves the kept one alone
    np.testing.assert_allclose(kept, g)


class _TwoViews(gn.autograd.Function):
    """y = a.reshape(FLAT) + b.reshape(FLAT): dL/da and dL/db are two views of one gradient."""

    @staticmethod
    def forward(ctx, a, b):
        return a.reshape(FLAT) + b.reshape(FLAT)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(SHAPE), g.reshape((6, 4))


def test_two_leaves_never_share_one_gradient():
    a = gn.tensor(_data(8), requires_grad=True)
    b = gn.tensor(_data(9, (6, 4)), requires_grad=True)
    g = _data(10, FLAT)
    for _ in range(2):
        _TwoViews.apply(a, b).backward(gn.tensor(g))
    assert not np.shares_memory(*_arrays(a.grad, b.grad))
    np.testing.assert_allclose(a.grad.numpy(), 2 * g.reshape(SHAPE))
    np.testing.assert_allclose(b.grad.numpy(), 2 * g.reshape((6, 4)))


def test_gradient_seen_by_a_backward_hook_is_copied():
    seen = []
    hook = lambda node, g, input_grads: seen.extend(input_grads)  # noqa: E731
    autograd._backward_hooks.append(hook)
    try:
        x = gn.tensor(_data(11), requires_grad=True)
        (x.reshape(FLAT) * gn.tensor(_data(12, FLAT))).sum().backward()
    finally:
        autograd._backward_hooks.remove(hook)
    views = [t.numpy() for t in seen if t is not None and t.shape == SHAPE]
    assert views and not any(np.shares_memory(x.grad.numpy(), v) for v in views)


def test_broadcast_gradient_is_copied_into_a_writeable_array():
    """x.sum(): dL/dx is a broadcast (read-only) view of one number."""
    x = gn.tensor(_data(13), requires_grad=True)
    x.sum().backward()
    x.sum().backward()
    assert x.grad.numpy().flags.writeable
    np.testing.assert_array_equal(x.grad.numpy(), np.full(SHAPE, 2.0))


def test_transposed_gradient_is_copied_into_a_contiguous_array():
    x = gn.tensor(_data(14), requires_grad=True)
    c = _data(15, SHAPE[::-1])
    (x.permute(1, 0) * gn.tensor(c)).sum().backward()
    assert x.grad.numpy().flags.c_contiguous
    np.testing.assert_array_equal(x.grad.numpy(), c.T)


def test_gradient_given_by_the_caller_is_never_kept():
    """x.reshape(...).backward(g): dL/dx views the caller's own g, which must stay untouched."""
    x = gn.tensor(_data(16), requires_grad=True)
    g = gn.tensor(_data(17, FLAT))
    before = g.numpy().copy()
    for _ in range(2):
        x.reshape(FLAT).backward(g)
    assert not np.shares_memory(*_arrays(x.grad, g))
    np.testing.assert_array_equal(g.numpy(), before)
    np.testing.assert_allclose(x.grad.numpy(), 2 * before.reshape(SHAPE))


def test_caller_array_passed_in_a_temporary_tensor_is_never_kept():
    """backward(gn.from_numpy(g)) with the Tensor a temporary: g is the caller's array still."""
    x = gn.tensor(_data(18), requires_grad=True)
    g = _data(19, FLAT)
    before = g.copy()
    for _ in range(2):
        x.reshape(FLAT).backward(gn.from_numpy(g))
    assert not np.shares_memory(x.grad.numpy(), g)
    np.testing.assert_array_equal(g, before)
    np.testing.assert_allclose(x.grad.numpy(), 2 * before.reshape(SHAPE))


@pytest.mark.parametrize("size,kept", [(1 << 15, True), (64, False)], ids=["large", "small"])
def test_default_threshold_keeps_large_views_and_copies_small_ones(size, kept, monkeypatch):
    monkeypatch.undo()  # the default KEEP_VIEW_MIN_SIZE
    assert 64 < grad_views.KEEP_VIEW_MIN_SIZE <= 1 << 15
    x = gn.tensor(_data(20, (size // 8, 8)), requires_grad=True)
    c = _data(21, (size,))
    # The mean's gradient, 1/size repeated, makes the product's gradient a fresh array (the
    # gradient of a sum would pass c itself on; see test_mul_by_repeated_one.py).
    (x.reshape((size,)) * gn.tensor(c)).mean().backward()
    assert (x.grad.numpy().base is not None) == kept
    np.testing.assert_array_equal(x.grad.numpy(), c.reshape(x.shape) / size)  # size: 2**k
