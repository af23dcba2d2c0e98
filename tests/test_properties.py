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


float_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    elements=st.floats(-5, 5),
)


@settings(max_examples=40, deadline=None)
@given(float_arrays, st.data())
def test_gather_and_scatter_add_are_adjoint(a, data):
    """<gather(x, dim, i), y> == <x, scatter_add(0, dim, i, y)>: each is the other's transpose."""
    dim = data.draw(st.integers(0, a.ndim - 1))
    index_shape = tuple(
        data.draw(st.integers(1, 4)) if d == dim else n for d, n in enumerate(a.shape)
    )
    index = data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, a.shape[dim] - 1)))
    y = data.draw(hnp.arrays(np.float64, index_shape, elements=st.floats(-5, 5)))
    x, t, yt = gn.tensor(a), gn.tensor(index), gn.tensor(y)
    left = (x.gather(dim, t) * yt).sum().item()
    right = (x * gn.zeros_like(x).scatter_add(dim, t, yt)).sum().item()
    np.testing.assert_allclose(left, right, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(float_arrays, st.data())
def test_cumsum_cummax_sort_agree_with_their_definitions(a, data):
    dim = data.draw(st.integers(0, a.ndim - 1))
    x = gn.tensor(a)
    np.testing.assert_allclose(x.cumsum(dim).numpy(), np.cumsum(a, axis=dim), atol=1e-12)
    values, indices = x.cummax(dim)
    np.testing.assert_array_equal(values.numpy(), np.maximum.accumulate(a, axis=dim))
    np.testing.assert_array_equal(np.take_along_axis(a, indices.numpy(), dim), values.numpy())
    sorted_values, order = x.sort(dim, descending=data.draw(st.booleans()))
    np.testing.assert_array_equal(np.take_along_axis(a, order.numpy(), dim), sorted_values.numpy())
    np.testing.assert_array_equal(np.sort(sorted_values.numpy(), axis=dim), np.sort(a, axis=dim))


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 9)
)
def test_einsum_agrees_with_matmul_and_its_gradients(n, k, m, batch, seed):
    rng = np.random.default_rng(seed)
    a = gn.tensor(rng.normal(size=(batch, n, k)), requires_grad=True)
    b = gn.tensor(rng.normal(size=(batch, k, m)), requires_grad=True)
    y = gn.einsum("bnk,bkm->bnm", a, b)
    np.testing.assert_allclose(y.numpy(), (a @ b).numpy(), rtol=1e-12)
    g = gn.tensor(rng.normal(size=(batch, n, m)))
    grads = gn.autograd.grad(y, [a, b], grad_outputs=g)
    reference = gn.autograd.grad(a @ b, [a, b], grad_outputs=g)
    for ours, theirs in zip(grads, reference):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
