"""Tests of the random fills, index writes, in-place shape changes, mode/gcd/lcm/isreal,
conjugate transposes and the special functions erfinv/lgamma/digamma, against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet
from glassnet.numerical import gradcheck


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _pair(torch, array, requires_grad=True):
    a = np.asarray(array, dtype=np.float64)
    return (
        glassnet.tensor(a, requires_grad=requires_grad),
        torch.tensor(a, requires_grad=requires_grad),
    )


def _weights(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _backward_both(torch, g_out, t_out):
    w = _weights(tuple(t_out.shape))
    (g_out * glassnet.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()


# ---------------------------------------------------------------------- random fills


def _filled(method, *args, shape=(200_000,), dtype=glassnet.float64, seed=0):
    glassnet.manual_seed(seed)
    x = glassnet.zeros(shape, dtype=dtype)
    out = getattr(x, method)(*args)
    assert out is x
    return x.numpy()


def test_random_fills_are_reproducible_with_manual_seed():
    for method, args in [("random_", (10,)), ("exponential_", ()), ("bernoulli_", ()),
                         ("geometric_", (0.3,)), ("log_normal_", ()), ("cauchy_", ())]:  # fmt: skip
        a = _filled(method, *args, shape=(50,), seed=3)
        b = _filled(method, *args, shape=(50,), seed=3)
        c = _filled(method, *args, shape=(50,), seed=4)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_random_ranges():
    x = _filled("random_", 7)
    assert x.min() == 0 and x.max() == 6 and set(np.unique(x)) == set(range(7))
    assert abs(x.mean() - 3.0) < 0.02
    x = _filled("random_", -3, 2)
    assert set(np.unique(x)) == {-3, -2, -1, 0, 1}
    x = _filled("random_", shape=(1000,), dtype=glassnet.float32)
    assert x.dtype == np.float32 and x.min() >= 0 and x.max() <= 2**24 and x.max() > 2**20
    x = _filled("random_", shape=(1000,), dtype=glassnet.int8)
    assert x.dtype == np.int8 and x.min() >= 0 and x.max() > 100
    with pytest.raises(RuntimeError, match="'from' to be less than 'to'"):
        glassnet.zeros(3).random_(5, 5)


def test_exponential_mean_and_variance():
    x = _filled("exponential_", 2.0)
    assert x.min() >= 0
    assert abs(x.mean() - 0.5) < 0.005 and abs(x.var() - 0.25) < 0.005
    with pytest.raises(ValueError, match="lambda > 0"):
        glassnet.zeros(3).exponential_(0.0)
    with pytest.raises(TypeError, match="floating"):
        glassnet.zeros(3, dtype=glassnet.int64).exponential_()


def test_bernoulli_fill_with_number_and_tensor():
    x = _filled("bernoulli_", 0.3)
    assert set(np.unique(x)) == {0.0, 1.0} and abs(x.mean() - 0.3) < 0.005
    glassnet.manual_seed(0)
    p = glassnet.tensor([0.0, 1.0, 0.25], dtype=glassnet.float64)
    x = glassnet.zeros(100_000, 3, dtype=glassnet.float64).bernoulli_(p).numpy()
    np.testing.assert_allclose(x.mean(0), [0.0, 1.0, 0.25], atol=0.006)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        glassnet.zeros(3).bernoulli_(1.5)


def test_geometric_log_normal_cauchy_statistics():
    x = _filled("geometric_", 0.25)
    assert x.min() == 1 and np.all(x == np.round(x))
    assert abs(x.mean() - 4.0) < 0.04 and abs(x.var() - 12.0) / 12 < 0.03
    x = _filled("log_normal_", 0.5, 0.4)
    assert x.min() > 0
    logs = np.log(x)
    assert abs(logs.mean() - 0.5) < 0.005 and abs(logs.std() - 0.4) < 0.005
    x = _filled("cauchy_", 2.0, 3.0)
    q1, q2, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert abs(q2 - 2.0) < 0.05 and abs(q1 + 1.0) < 0.1 and abs(q3 - 5.0) < 0.1
    with pytest.raises(ValueError, match=r"p to be in \(0, 1\)"):
        glassnet.zeros(3).geometric_(1.0)
    with pytest.raises(ValueError, match="std > 0"):
        glassnet.zeros(3).log_normal_(0.0, -1.0)
    with pytest.raises(ValueError, match="sigma > 0"):
        glassnet.zeros(3).cauchy_(0.0, 0.0)


def test_random_fill_refuses_leaf_requiring_grad():
    x = glassnet.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x.exponential_()


def test_bernoulli_and_multinomial_methods():
    glassnet.manual_seed(1)
    p = glassnet.full((200_000,), 0.7, dtype=glassnet.float64)
    draws = p.bernoulli()
    assert draws.dtype == np.float64 and abs(draws.numpy().mean() - 0.7) < 0.005
    assert np.all(p.numpy() == 0.7)  # out of place
    weights = glassnet.tensor([1.0, 3.0, 0.0])
    idx = weights.multinomial(100_000, replacement=True).numpy()
    assert idx.dtype == np.int64 and set(np.unique(idx)) == {0, 1}
    assert abs((idx == 1).mean() - 0.75) < 0.005
    idx = glassnet.tensor([1.0, 1.0, 1.0, 1.0]).multinomial(4).numpy()
    assert sorted(idx.tolist()) == [0, 1, 2, 3]


# ---------------------------------------------------------------------- index writes


def test_index_copy_values_and_gradients(torch):
    gx, tx = _pair(torch, _weights((4, 3), 1))
    gs, ts = _pair(torch, _weights((4, 2), 2))
    gi, ti = glassnet.tensor([2, 0]), torch.tensor([2, 0])
    g_out, t_out = glassnet.index_copy(gx, 1, gi, gs), torch.index_copy(tx, 1, ti, ts)
    np.testing.assert_allclose(g_out.numpy(), t_out.detach().numpy(), rtol=0, atol=0)
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(gs.grad.numpy(), ts.grad.numpy(), atol=1e-15)
    assert np.array_equal(gx.index_copy(1, gi, gs).numpy(), g_out.numpy())


def test_index_copy_in_place_records_gradient(torch):
    gx, tx = _pair(torch, _weights((3, 4), 3))
    gs, ts = _pair(torch, _weights((2, 4), 4))
    g_out, t_out = gx * 2, tx * 2
    version = g_out._version[0]
    assert g_out.index_copy_(0, glassnet.tensor([2, 0]), gs) is g_out
    assert g_out._version[0] == version + 1
    t_out.index_copy_(0, torch.tensor([2, 0]), ts)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy())
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(gs.grad.numpy(), ts.grad.numpy(), atol=1e-15)


def test_index_copy_errors():
    x = glassnet.zeros(3, 2)
    with pytest.raises(glassnet.errors.ShapeError, match="source must have shape"):
        x.index_copy_(0, glassnet.tensor([0]), glassnet.zeros(2, 2))
    with pytest.raises(TypeError, match="same dtype"):
        x.index_copy_(0, glassnet.tensor([0]), glassnet.zeros(1, 2, dtype=glassnet.float64))
    with pytest.raises(IndexError, match="out of range"):
        x.index_copy_(0, glassnet.tensor([3]), glassnet.zeros(1, 2))
    with pytest.raises(TypeError, match="integer"):
        x.index_copy_(0, glassnet.tensor([0.0]), glassnet.zeros(1, 2))


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_values_and_gradients(torch, accumulate):
    gx, tx = _pair(torch, _weights((4, 3), 5))
    gv, tv = _pair(torch, _weights((3,), 6))
    rows, cols = [0, 2, 0], [1, 1, 1] if accumulate else [1, 1, 2]
    g_idx = (glassnet.tensor(rows), glassnet.tensor(cols))
    t_idx = (torch.tensor(rows), torch.tensor(cols))
    g_out = glassnet.index_put(gx, g_idx, gv, accumulate)
    t_out = torch.index_put(tx, t_idx, tv, accumulate)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), atol=1e-15)
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(gv.grad.numpy(), tv.grad.numpy(), atol=1e-15)


def test_index_put_in_place_broadcast_values_and_mask(torch):
    gx, tx = _pair(torch, _weights((4, 3), 7))
    gv, tv = _pair(torch, _weights((3,), 8))
    g_out, t_out = gx + 0, tx + 0
    g_out.index_put_((glassnet.tensor([3, 1]),), gv)  # a row of values broadcast to 2 rows
    t_out.index_put_((torch.tensor([3, 1]),), tv)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy())
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(gv.grad.numpy(), tv.grad.numpy(), atol=1e-14)
    mask = np.array([True, False, True, False])
    y = glassnet.zeros(4, dtype=glassnet.float64)
    y.index_put_((glassnet.tensor(mask),), glassnet.tensor(5.0, dtype=glassnet.float64))
    assert y.tolist() == [5.0, 0.0, 5.0, 0.0]
    with pytest.raises(glassnet.errors.ShapeError, match="do not broadcast"):
        y.index_put_((glassnet.tensor([0, 1]),), glassnet.zeros(3, dtype=glassnet.float64))


def test_masked_scatter_values_and_gradients(torch):
    gx, tx = _pair(torch, _weights((3, 4), 9))
    gs, ts = _pair(torch, _weights((2, 5), 10))
    mask = _weights((3, 4), 11) > 0
    g_out = glassnet.masked_scatter(gx, glassnet.tensor(mask), gs)
    t_out = torch.masked_scatter(tx, torch.tensor(mask), ts)
    np.testing.assert_array_equal(g_out.detach().numpy(), t_out.detach().numpy())
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(gs.grad.numpy(), ts.grad.numpy(), atol=1e-15)


def test_masked_scatter_in_place_with_broadcast_mask(torch):
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    mask = np.array([True, False, True])
    g = glassnet.tensor(x).masked_scatter_(
        glassnet.tensor(mask), glassnet.tensor([10.0, 20, 30, 40])
    )
    t = torch.tensor(x).masked_scatter_(torch.tensor(mask), torch.tensor([10.0, 20, 30, 40]))
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    with pytest.raises(glassnet.errors.ShapeError, match="source has 1 elements"):
        glassnet.zeros(3).masked_scatter_(glassnet.tensor([True, True, False]), glassnet.zeros(1))
    with pytest.raises(TypeError, match="bool"):
        glassnet.zeros(3).masked_scatter_(glassnet.tensor([1, 0, 1]), glassnet.zeros(3))
    with pytest.raises(glassnet.errors.ShapeError, match="does not broadcast to"):
        glassnet.zeros(3).masked_scatter_(glassnet.tensor([[True], [False]]), glassnet.zeros(6))


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_values_and_gradients(torch, accumulate):
    gx, tx = _pair(torch, _weights((3, 4), 12))
    gs, ts = _pair(torch, _weights((2, 2), 13))
    index = [[0, -1], [5, 0 if accumulate else 7]]
    g_out, t_out = gx * 1, tx * 1
    g_out.put_(glassnet.tensor(index), gs, accumulate)
    t_out.put_(torch.tensor(index), ts, accumulate)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), atol=1e-15)
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(gs.grad.numpy(), ts.grad.numpy(), atol=1e-15)
    with pytest.raises(IndexError, match="out of range"):
        glassnet.zeros(3).put_(glassnet.tensor([3]), glassnet.zeros(1))
    with pytest.raises(glassnet.errors.ShapeError, match="must be equal"):
        glassnet.zeros(3).put_(glassnet.tensor([0, 1]), glassnet.zeros(1))


def test_index_write_on_leaf_requiring_grad_is_refused():
    x = glassnet.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x.put_(glassnet.tensor([0]), glassnet.zeros(1))


# ---------------------------------------------------------------------- in-place shape changes


def test_in_place_shape_changes_match_torch(torch):
    a = np.arange(6.0).reshape(1, 2, 1, 3)
    for name, args in [("squeeze_", ()), ("squeeze_", (2,)), ("unsqueeze_", (-1,)),
                       ("transpose_", (1, 3))]:  # fmt: skip
        g, t = glassnet.tensor(a), torch.tensor(a)
        memory = g.data_ptr()
        version = g._version[0]
        assert getattr(g, name)(*args) is g
        getattr(t, name)(*args)
        assert g.shape == tuple(t.shape) and g.data_ptr() == memory
        assert g._version[0] == version + 1
        np.testing.assert_array_equal(g.numpy(), t.numpy())
    g, t = glassnet.tensor(a[0, :, 0]), torch.tensor(a[0, :, 0])
    g.t_(), t.t_()
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    with pytest.raises(Exception, match="2"):
        glassnet.zeros(2, 2, 2).t_()


def test_in_place_shape_change_gradient_and_leaf_error(torch):
    gx, tx = _pair(torch, _weights((2, 3), 14))
    g_out, t_out = gx * 3, tx * 3
    g_out.transpose_(0, 1).unsqueeze_(0)
    t_out.transpose_(0, 1).unsqueeze_(0)
    assert g_out.shape == (1, 3, 2)
    _backward_both(torch, g_out, t_out)
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), atol=1e-15)
    leaf = glassnet.zeros(1, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        leaf.squeeze_()
    with glassnet.no_grad():
        leaf.squeeze_()
    assert leaf.shape == (3,)


def test_storage_offset(torch):
    a = np.arange(24.0).reshape(4, 6)
    g, t = glassnet.tensor(a), torch.tensor(a)
    assert g.storage_offset() == t.storage_offset() == 0
    assert g[2:].storage_offset() == t[2:].storage_offset() == 12
    assert g[1:, 3:][1].storage_offset() == t[1:, 3:][1].storage_offset() == 15
    assert g[:, 2].storage_offset() == t[:, 2].storage_offset() == 2


# ---------------------------------------------------------------------- mode, gcd, lcm, isreal, H


def test_mode_matches_torch(torch):
    rng = np.random.default_rng(15)
    a = rng.integers(0, 4, size=(3, 7, 5)).astype(np.float64)
    for dim, keepdim in [(-1, False), (1, True), (0, False)]:
        gv, gi = glassnet.tensor(a).mode(dim, keepdim)
        tv, ti = torch.tensor(a).mode(dim, keepdim)
        np.testing.assert_array_equal(gv.numpy(), tv.numpy())
        np.testing.assert_array_equal(gi.numpy(), ti.numpy())
        assert gi.dtype == np.int64
    gx, tx = _pair(torch, a)
    g_out, t_out = glassnet.mode(gx, 1).values, torch.mode(tx, 1).values
    _backward_both(torch, g_out, t_out)
    np.testing.assert_array_equal(gx.grad.numpy(), tx.grad.numpy())
    values, indices = glassnet.tensor(4.0).mode()
    assert values.item() == 4.0 and indices.item() == 0


def test_gcd_lcm_isreal(torch):
    a, b = [-4, 0, 6, 12, 7], [6, 0, -9, 18, 0]
    for name in ("gcd", "lcm"):
        g = getattr(glassnet, name)(glassnet.tensor(a), glassnet.tensor(b))
        t = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(g.numpy(), t.numpy())
        assert g.dtype == np.int64
        assert np.array_equal(
            getattr(glassnet.tensor(a), name)(glassnet.tensor(b)).numpy(), g.numpy()
        )
    with pytest.raises(TypeError, match="integer"):
        glassnet.gcd(glassnet.tensor([1.0]), glassnet.tensor([2.0]))
    for data in ([1.5, 2.0], [1, 2], [True]):
        assert glassnet.tensor(data).isreal().tolist() == torch.tensor(data).isreal().tolist()
    assert glassnet.isreal(glassnet.tensor([1.0])).dtype == np.bool_


def test_conjugate_transposes(torch):
    a = _weights((2, 3, 4), 16)
    gx, tx = _pair(torch, a)
    np.testing.assert_array_equal(gx.mH.detach().numpy(), tx.mH.detach().numpy())
    np.testing.assert_array_equal(gx.adjoint().detach().numpy(), tx.adjoint().detach().numpy())
    np.testing.assert_array_equal(glassnet.adjoint(gx).detach().numpy(), tx.mH.detach().numpy())
    np.testing.assert_array_equal(gx[0].H.detach().numpy(), tx[0].H.detach().numpy())
    _backward_both(torch, gx.mH, tx.mH)
    np.testing.assert_array_equal(gx.grad.numpy(), tx.grad.numpy())
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        gx.H
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        glassnet.zeros(3).mH


# ---------------------------------------------------------------------- special functions


def _special_points(name):
    if name == "erfinv":
        return np.concatenate([np.linspace(-0.999999, 0.999999, 401), [1 - 1e-12, -1 + 1e-9]])
    return np.concatenate([np.linspace(-7.7, 25.0, 601), [1e-7, 0.5, 1.0, 2.0, 150.5]])


@pytest.mark.parametrize("name", ["erfinv", "lgamma", "digamma"])
def test_special_values_and_gradients_match_torch(torch, name):
    gx, tx = _pair(torch, _special_points(name))
    g_out, t_out = getattr(glassnet, name)(gx), getattr(torch, name)(tx)
    np.testing.assert_allclose(
        g_out.detach().numpy(), t_out.detach().numpy(), rtol=2e-12, atol=1e-12
    )
    _backward_both(torch, g_out, t_out)
    # torch's trigamma (digamma's derivative) is itself only good to ~3e-10 relative
    rtol = 1e-9 if name == "digamma" else 2e-11
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=1e-11)
    assert np.allclose(getattr(gx, name)().detach().numpy(), g_out.detach().numpy())


@pytest.mark.parametrize("name", ["erfinv", "lgamma", "digamma"])
def test_special_edge_values_and_dtypes(torch, name):
    edges = {"erfinv": [-1.0, 1.0, 1.5, 0.0, math.nan],
             "lgamma": [0.0, -1.0, -2.0, math.inf, math.nan],
             "digamma": [0.0, -1.0, -3.0, math.inf, math.nan]}[name]  # fmt: skip
    g = getattr(glassnet, name)(glassnet.tensor(edges, dtype=glassnet.float64)).numpy()
    t = getattr(torch, name)(torch.tensor(edges, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(g, t)
    g32 = getattr(glassnet, name)(glassnet.tensor([0.25, 0.5]))
    assert g32.dtype == np.float32
    ints = getattr(glassnet, name)(glassnet.tensor([0, 1]))
    assert ints.dtype == getattr(torch, name)(torch.tensor([0, 1])).numpy().dtype == np.float32


def test_special_gradcheck():
    x = glassnet.tensor([-0.9, -0.3, 0.1, 0.6, 0.95], dtype=glassnet.float64, requires_grad=True)
    assert gradcheck(glassnet.erfinv, x)
    y = glassnet.tensor([-2.5, -0.4, 0.3, 1.7, 12.0], dtype=glassnet.float64, requires_grad=True)
    assert gradcheck(glassnet.lgamma, y)
    assert gradcheck(glassnet.digamma, y)


def test_lgamma_second_derivative_is_trigamma(torch):
    gx, tx = _pair(torch, [0.3, 2.5, 11.0, -1.5])
    g_grad = glassnet.autograd.grad(glassnet.lgamma(gx).sum(), gx, create_graph=True)[0]
    g_grad.sum().backward()
    t_grad = torch.autograd.grad(torch.lgamma(tx).sum(), tx, create_graph=True)[0]
    t_grad.sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-9)  # torch: ~3e-10


def test_trigamma_matches_mpmath_tightly():
    mpmath = pytest.importorskip("mpmath")
    points = [-7.3, -1.5, 0.01, 0.3, 2.5, 9.9, 11.0, 150.5]
    x = glassnet.tensor(points, dtype=glassnet.float64, requires_grad=True)
    glassnet.digamma(x).sum().backward()
    expected = [float(mpmath.polygamma(1, v)) for v in points]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-14)
