"""A product's gradient when the gradient arriving is the number 1 repeated (after a sum).

``ops.elementwise._gradient_times`` then hands on a read-only view of the other factor
instead of multiplying it by one. These tests check that the numbers are those of the
multiply, bit for bit, and that the caller's tensor can never be reached through a gradient.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd
from glassnet.ops import elementwise

SHAPE = (64, 48, 3)  # large enough that the sum's gradient is a broadcast view, not a fill


def _data(seed: int, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(SHAPE).astype(dtype)


def _ones_like_sum_gradient(dtype=np.float32, value=1.0) -> gn.Tensor:
    return autograd.wrap(np.broadcast_to(np.asarray(value, dtype), SHAPE))


def test_the_view_is_taken_read_only_and_the_other_cases_multiply():
    w = gn.tensor(_data(0))
    with gn.no_grad():
        passed = elementwise._gradient_times(_ones_like_sum_gradient(), w)
        doubled = elementwise._gradient_times(_ones_like_sum_gradient(value=2.0), w)
        other_dtype = elementwise._gradient_times(_ones_like_sum_gradient(np.float64), w)
    assert np.shares_memory(passed.array, w.array) and not passed.array.flags.writeable
    for fresh in (doubled, other_dtype):
        assert not np.shares_memory(fresh.array, w.array)
    np.testing.assert_array_equal(doubled.numpy(), 2 * w.numpy())
    assert other_dtype.dtype == np.float64
    with pytest.raises(ValueError):
        passed.array[0, 0, 0] = 5.0  # nothing downstream can write into w through it
    np.testing.assert_array_equal(w.numpy(), _data(0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_of_a_weighted_sum_is_the_weights_bit_for_bit(dtype):
    w_np = _data(1, dtype)
    w_np[0, 0, :] = [-0.0, np.inf, np.nan]  # x * 1 = x for these too
    x, w = gn.tensor(_data(2, dtype), requires_grad=True), gn.tensor(w_np.copy())
    (x * w).sum().backward()
    assert x.grad.numpy().tobytes() == w_np.tobytes()
    assert not np.shares_memory(x.grad.numpy(), w.numpy())
    x.grad.numpy()[...] = 0.0  # the leaf's gradient is its own: w is untouched
    assert w.numpy().tobytes() == w_np.tobytes()


def test_gradient_accumulates_into_a_copy_over_two_backwards():
    x, w = gn.tensor(_data(3), requires_grad=True), gn.tensor(_data(4))
    for _ in range(2):
        (x * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * _data(4))
    np.testing.assert_array_equal(w.numpy(), _data(4))


def test_view_flows_through_later_ops_with_the_multiplied_numbers():
    """Each op downstream reads the view as it would the product: same bits, w untouched."""
    x_np, w_np = _data(5), _data(6)
    results = []
    for weights in (gn.tensor(w_np), None):
        x = gn.tensor(x_np, requires_grad=True)
        hidden = gn.relu(x * 1.5).reshape(-1)
        if weights is None:  # the same numbers through an explicit multiply by ones
            loss = (hidden * gn.tensor(w_np.reshape(-1))).mean() * float(hidden.numel())
        else:
            loss = (hidden * weights.reshape(-1)).sum()
        loss.backward()
        results.append(x.grad.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(w_np, _data(6))


def test_hooks_are_shown_a_fresh_gradient_they_may_change():
    x, w = gn.tensor(_data(7), requires_grad=True), gn.tensor(_data(8))
    hidden = x * 2.0
    seen = []

    def hook(g):
        seen.append(g)
        g.numpy()[...] = 0.0  # changing it in place must not reach w

    hidden.register_hook(hook)
    (hidden * w).sum().backward()
    assert seen and not np.shares_memory(seen[0].numpy(), w.numpy())
    np.testing.assert_array_equal(w.numpy(), _data(8))
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(SHAPE, np.float32))


def test_autograd_grad_returns_arrays_of_its_own():
    x, w = gn.tensor(_data(9), requires_grad=True), gn.tensor(_data(10))
    hidden = x * 1.0
    (g_hidden,) = gn.autograd.grad((hidden * w).sum(), hidden)
    assert g_hidden.numpy().flags.writeable
    assert not np.shares_memory(g_hidden.numpy(), w.numpy())
    np.testing.assert_array_equal(g_hidden.numpy(), _data(10))


def test_second_derivatives_are_recorded_as_before():
    x, w = gn.tensor(_data(11), requires_grad=True), gn.tensor(_data(12), requires_grad=True)
    (gx,) = gn.autograd.grad((x * w).sum(), x, create_graph=True)
    np.testing.assert_array_equal(gx.numpy(), _data(12))
    (gx * gx).sum().backward()  # d/dw sum(w**2) = 2 w
    np.testing.assert_allclose(w.grad.numpy(), 2 * _data(12), rtol=1e-6)


def test_a_parameter_changed_by_a_post_accumulate_hook_does_not_reach_other_gradients():
    """An optimizer stepping inside backward changes w before x's gradient is computed."""
    x, w = gn.tensor(_data(13), requires_grad=True), gn.tensor(_data(14), requires_grad=True)

    def step_in_backward(param):
        param.numpy()[...] -= 10.0  # in place, as an optimizer's step

    w.register_post_accumulate_grad_hook(step_in_backward)
    hidden = x * 2.0
    (hidden * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2.0 * _data(14))  # w as the forward saw it
    np.testing.assert_array_equal(w.numpy(), _data(14) - 10.0)


def test_a_square_gets_twice_its_value():
    x = gn.tensor(_data(15), requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * _data(15))
