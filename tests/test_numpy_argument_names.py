"""NumPy's axis= / keepdims= are accepted for dim= / keepdim=, as PyTorch's functions accept them."""

import numpy as np
import pytest

import glassnet as gn

X = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda t: t.sum(axis=1), X.sum(axis=1)),
        (lambda t: gn.sum(t, axis=-1, keepdims=True), X.sum(axis=-1, keepdims=True)),
        (lambda t: t.mean(axis=0), X.mean(axis=0)),
        (lambda t: t.amax(axis=(0, 2)), X.max(axis=(0, 2))),
        (lambda t: t.max(axis=2).values, X.max(axis=2)),
        (lambda t: t.argmax(axis=1), X.argmax(axis=1)),
        (lambda t: t.cumsum(axis=2), X.cumsum(axis=2)),
        (lambda t: t.std(axis=1, keepdims=True), X.std(axis=1, ddof=1, keepdims=True)),
        (lambda t: gn.cat([t, t], axis=1), np.concatenate([X, X], axis=1)),
        (lambda t: t.softmax(axis=0), np.exp(X) / np.exp(X).sum(axis=0)),
    ],
    ids=["sum", "sum-keepdims", "mean", "amax-tuple", "max", "argmax", "cumsum", "std",
         "cat", "softmax"],
)  # fmt: skip
def test_numpy_names_give_the_torch_results(call, expected):
    np.testing.assert_allclose(call(gn.tensor(X)).numpy(), expected, rtol=1e-5)


def test_the_same_argument_under_both_names_is_one_clear_line():
    with pytest.raises(TypeError, match=r"sum\(\) got both dim= and axis="):
        gn.tensor(X).sum(dim=0, axis=1)


def test_gradients_flow_through_the_renamed_call():
    t = gn.tensor(X, requires_grad=True)
    t.sum(axis=1).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones_like(X))
