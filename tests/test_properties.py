"""Property-based tests (hypothesis): broadcasting and shape ops agree with NumPy and invert cleanly."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn

small_floats = st.floats(-10, 10, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_broadcast_binary_ops_match_numpy_and_gradients_have_input_shapes(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = data.draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=small_floats))
    b = data.draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=small_floats))
    ta, tb = gn.tensor(a, requires_grad=True), gn.tensor(b, requires_grad=True)
    out = ta * tb + ta - tb
    np.testing.assert_allclose(out.numpy(), a * b + a - b, rtol=1e-5, atol=1e-5)
    out.sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    # d/da sum(a*b + a - b) = sum over broadcast copies of (b + 1)
    expected = np.broadcast_to(b + 1, shapes.result_shape)
    expected = expected.sum(axis=tuple(range(len(shapes.result_shape) - a.ndim)))
    expected = expected.sum(axis=tuple(i for i, n in enumerate(a.shape) if n == 1), keepdims=True)
    np.testing.assert_allclose(ta.grad.numpy(), expected.reshape(a.shape), rtol=1e-4, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), elements=st.floats(-5, 5)
    ),
    st.data(),
)
def test_permute_then_inverse_is_identity_and_gradient_is_ones(a, data):
    perm = data.draw(st.permutations(range(a.ndim)))
    x = gn.tensor(a, requires_grad=True)
    y = x.permute(*perm)
    assert y.shape == tuple(a.shape[p] for p in perm)
    back = y.permute(*np.argsort(perm).tolist())
    np.testing.assert_array_equal(back.numpy(), a)
    (back * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(a.shape, 2.0))


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-5, 5)
    )
)
def test_reshape_flatten_and_split_cat_round_trip(a):
    x = gn.tensor(a, requires_grad=True)
    flat = x.reshape(-1)
    assert flat.shape == (a.size,)
    pieces = gn.split(x, 2, dim=0)
    assert sum(p.shape[0] for p in pieces) == a.shape[0]
    joined = gn.cat(list(pieces), dim=0)
    np.testing.assert_array_equal(joined.numpy(), a)
    (joined * flat.reshape(a.shape)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * a)


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 5)), elements=st.floats(-5, 5)),
    st.lists(st.integers(0, 4), min_size=1, max_size=8),
)
def test_indexing_with_repeats_accumulates(a, idx):
    idx = [i % a.shape[0] for i in idx]
    x = gn.tensor(a, requires_grad=True)
    x[gn.tensor(idx)].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.bincount(idx, minlength=a.shape[0]))
