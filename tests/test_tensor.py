"""The Tensor container: creation, dtypes, conversions, NumPy interop, repr and bad input."""

import numpy as np
import pytest

import glassnet as gn


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        pytest.param(1.5, gn.float32, id="float"),
        pytest.param([1, 2], gn.int64, id="int"),
        pytest.param([True], gn.bool, id="bool"),
        pytest.param(np.array([1.0]), gn.float64, id="numpy_keeps_float64"),
        pytest.param(np.array([1], dtype=np.int32), gn.int32, id="numpy_keeps_int32"),
    ],
)
def test_default_dtypes_follow_pytorch(data, dtype):
    assert gn.tensor(data).dtype == dtype


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0])
    t = gn.tensor(a)
    a[0] = 100
    assert t[0].item() == 1.0


def test_attributes_and_conversions():
    t = gn.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.size(1) == 3
    assert t.numel() == 6 and len(t) == 2 and t.T.shape == (3, 2)
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t.double().dtype == gn.float64 and t.long().dtype == gn.int64
    assert t.to(gn.float64).dtype == gn.float64 and t.to("float64").dtype == gn.float64
    assert [row.tolist() for row in t] == t.tolist()
    assert np.asarray(t).shape == (2, 3)
    assert t.sum().item() == 21.0 and isinstance(t.sum().item(), float)
    assert float(t[0, 0]) == 1.0


def test_numpy_arrays_and_scalars_on_either_side():
    t = gn.tensor([1.0, 2.0])
    for result in (np.array([1.0, 1.0]) + t, t + np.array([1.0, 1.0]), 1 + t, t + 1):
        assert isinstance(result, gn.Tensor)
        np.testing.assert_allclose(result.numpy(), [2.0, 3.0])
    assert (t * np.float64(2.0)).dtype == gn.float32  # NumPy scalars act like Python numbers


def test_detach_shares_memory_and_clone_does_not():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    d, c = x.detach(), x.clone()
    assert not d.requires_grad and c.requires_grad
    with gn.no_grad():
        x[0] = 5.0
    assert d[0].item() == 5.0 and c[0].item() == 1.0


def test_factories():
    gn.manual_seed(3)
    a = gn.randn(2, 3)
    gn.manual_seed(3)
    b = gn.randn(2, 3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert gn.zeros(2, 3).shape == (2, 3) and gn.ones((4,)).dtype == gn.float32
    assert gn.full((2,), 7).dtype == gn.int64 and gn.full((2,), 0.5).dtype == gn.float32
    assert gn.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert gn.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert gn.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    r = gn.randint(0, 3, (100,))
    assert r.dtype == gn.int64 and 0 <= r.min().item() and r.max().item() < 3
    u = gn.rand(1000)
    assert 0 <= u.min().item() and u.max().item() < 1
    assert gn.zeros_like(a).shape == a.shape and gn.randn_like(a).shape == a.shape
    assert gn.ones_like(r).dtype == gn.int64 and gn.empty(3).shape == (3,)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        pytest.param(lambda: gn.tensor("abc"), TypeError, "strings", id="string"),
        pytest.param(lambda: gn.tensor([[1, 2], [3]]), ValueError, "ragged", id="ragged"),
        pytest.param(lambda: gn.tensor([object()]), TypeError, "object", id="object"),
        pytest.param(lambda: gn.zeros(-1), ValueError, "non-negative", id="negative_size"),
        pytest.param(
            lambda: gn.tensor([1.0], dtype="complex7"), TypeError, "unknown dtype", id="bad_dtype"
        ),
        pytest.param(
            lambda: gn.randn(2, 3) @ gn.randn(4, 5),
            ValueError,
            r"matmul: shapes \(2, 3\) and \(4, 5\)",
            id="matmul",
        ),
        pytest.param(
            lambda: gn.randn(2, 3) + gn.randn(4, 5),
            ValueError,
            r"add: shapes \(2, 3\) and \(4, 5\) cannot be broadcast",
            id="broadcast",
        ),
        pytest.param(
            lambda: gn.randn(2, 3).reshape(7),
            ValueError,
            r"reshape: cannot reshape a tensor of shape \(2, 3\)",
            id="reshape",
        ),
        pytest.param(
            lambda: gn.cat([gn.randn(2, 3), gn.randn(3, 4)]),
            ValueError,
            r"cat: tensors must match.*\(2, 3\).*\(3, 4\)",
            id="cat",
        ),
        pytest.param(lambda: gn.randn(2).sum(dim=3), IndexError, "dim 3 is out of range", id="dim"),
        pytest.param(lambda: gn.randn(3).item(), ValueError, "exactly one element", id="item"),
        pytest.param(lambda: bool(gn.randn(3)), RuntimeError, "ambiguous", id="bool"),
        pytest.param(
            lambda: gn.randn(3)[5], IndexError, "invalid for a tensor of shape", id="index"
        ),
        pytest.param(lambda: gn.randn(3).to("cuda"), RuntimeError, "CPU only", id="cuda"),
        pytest.param(
            lambda: gn.dot(gn.randn(3), gn.randn(4)), ValueError, "different lengths", id="dot"
        ),
        pytest.param(
            lambda: gn.stack([gn.randn(3), gn.randn(4)]), ValueError, "same shape", id="stack"
        ),
        pytest.param(lambda: gn.tensor([1, 2]).mean(), TypeError, "floating", id="int_mean"),
        pytest.param(lambda: gn.manual_seed(-1), ValueError, "non-negative", id="seed"),
    ],
)
def test_bad_input_gets_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_nan_domains_follow_numpy():
    with np.errstate(all="ignore"):
        assert np.isnan(gn.tensor(-1.0).log().item())
        assert np.isnan(gn.tensor(-1.0).sqrt().item())
        assert gn.tensor(0.0).log().item() == -np.inf


def test_setitem_and_inplace_bump_version():
    x = gn.zeros(3)
    v0 = x._version[0]
    x[1] = 2.0
    x += 1
    assert x.tolist() == [1.0, 3.0, 1.0] and x._version[0] == v0 + 2


def test_max_with_dim_returns_values_and_indices():
    x = gn.tensor([[1.0, 5.0], [7.0, 2.0]])
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert x.max().item() == 7.0 and x.argmin().item() == 0


def test_data_is_a_tensor_sharing_memory_outside_the_graph():
    # PyTorch's .data: same numbers, no graph, edits reach the original.
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert isinstance(d, gn.Tensor) and not d.requires_grad and d.grad_fn is None
    d.add_(1.0)
    np.testing.assert_array_equal(w.numpy(), [2.0, 3.0])
    w.data.zero_()
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])
    (w * w).sum().backward()
    w.data -= 0.5 * w.grad  # the classic hand-written SGD step
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])
    w.data = gn.tensor([4.0, 5.0, 6.0])  # shape may change, as in PyTorch
    assert w.shape == (3,) and w.requires_grad
    assert w.numpy() is w.array


def test_view_as_reshape_as_type_as():
    x = gn.arange(6.0)
    other = gn.zeros(2, 3, dtype=gn.float64)
    assert x.view_as(other).shape == (2, 3) and x.reshape_as(other).shape == (2, 3)
    assert x.type_as(other).dtype == gn.float64


def test_a_0d_integer_tensor_indexes_like_an_int():
    x = gn.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(x[gn.tensor(1)].numpy(), x[1].numpy())
    assert x[gn.tensor(1), :, gn.tensor([0, 1])].shape == (3, 2)


def test_in_place_scatter_under_the_graph_matches_the_out_of_place_form():
    w = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 2
    y.scatter_(0, gn.tensor([2]), gn.tensor([5.0]))
    y.index_add_(0, gn.tensor([0, 0]), gn.tensor([1.0, 1.0]), alpha=0.5)
    (y * y).sum().backward()
    np.testing.assert_allclose(y.numpy(), [3.0, 4.0, 5.0])
    np.testing.assert_allclose(w.grad.numpy(), [12.0, 16.0, 0.0])
