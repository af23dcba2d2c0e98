"""3-D pooling, padding and instance norm against PyTorch: Max/Avg/LP/AdaptiveMax pools, MaxUnpool3d, the 3-D padding layers and InstanceNorm3d (values, indices, gradients, gradchecks, errors)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402
import glassnet.nn.functional as F  # noqa: E402
from glassnet.errors import ShapeError  # noqa: E402

TF = torch.nn.functional
X_SHAPE = (2, 3, 5, 6, 4)


def _compare(ours_fn, theirs_fn, x, rtol=1e-10, atol=1e-12, index_out=False):
    """Both functions on the same float64 input and upstream gradient: values, indices, dL/dx."""
    xg = gn.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yg, yt = ours_fn(xg), theirs_fn(xt)
    if index_out:
        (yg, ig), (yt, it) = yg, yt
        assert ig.dtype == gn.int64
        np.testing.assert_array_equal(ig.numpy(), it.numpy())
    assert yg.shape == tuple(yt.shape)
    np.testing.assert_allclose(yg.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(9).standard_normal(yg.shape)
    yg.backward(gn.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)


def _x(shape=X_SHAPE, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


MAX_CASES = [
    ("k2", dict(kernel_size=2)),
    ("k3s2p1", dict(kernel_size=3, stride=2, padding=1)),
    ("ceil", dict(kernel_size=2, stride=2, ceil_mode=True)),
    ("ceil_pad", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("rect", dict(kernel_size=(2, 3, 1), stride=(1, 2, 1), padding=(1, 1, 0))),
    ("dilated", dict(kernel_size=2, stride=1, dilation=(2, 1, 3))),
    ("overlap", dict(kernel_size=3, stride=1)),
]


@pytest.mark.parametrize("kwargs", [c[1] for c in MAX_CASES], ids=[c[0] for c in MAX_CASES])
def test_max_pool3d_matches_torch(kwargs):
    _compare(lambda x: F.max_pool3d(x, **kwargs, return_indices=True),
             lambda x: TF.max_pool3d(x, **kwargs, return_indices=True), _x(), index_out=True)  # fmt: skip


def test_max_pool3d_ties_and_nan_follow_torch():
    x = np.zeros((1, 2, 4, 4, 4))  # every window a tie: the first element wins
    x[0, 1, 1, 1, 1] = np.nan
    x[0, 1, 0, 0, 1] = np.nan  # two NaNs in one window: PyTorch keeps the last
    yg, ig = F.max_pool3d(gn.tensor(x), 2, return_indices=True)
    yt, it = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(ig.numpy(), it.numpy())
    np.testing.assert_array_equal(yg.numpy(), yt.numpy())


def test_max_pool3d_never_picks_padding_when_the_window_holds_only_minus_infinity():
    x = np.full((2, 1, 3, 4, 3), -np.inf, np.float32)
    x[0, 0, 2, 3, 2] = 1.0
    x[1, 0, 0, 0, 0] = np.nan
    for kwargs in [dict(kernel_size=2, stride=2, padding=1), dict(kernel_size=3, padding=1)]:
        ours, our_index = F.max_pool3d(gn.tensor(x), return_indices=True, **kwargs)
        theirs, their_index = torch.nn.functional.max_pool3d(
            torch.tensor(x), return_indices=True, **kwargs
        )
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        np.testing.assert_array_equal(our_index.numpy(), their_index.numpy())


def test_max_pool3d_module_unbatched_and_repr():
    x = _x((3, 5, 6, 4))
    pool = nn.MaxPool3d(2, stride=1, padding=1)
    _compare(pool, torch.nn.MaxPool3d(2, stride=1, padding=1), x)
    assert repr(pool) == repr(torch.nn.MaxPool3d(2, stride=1, padding=1))


AVG_CASES = [
    ("k2", dict(kernel_size=2)),
    ("k3s2p1", dict(kernel_size=3, stride=2, padding=1)),
    ("exclude_pad", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("ceil", dict(kernel_size=(2, 4, 3), stride=2, ceil_mode=True)),
    ("ceil_exclude", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                          count_include_pad=False)),
    ("divisor", dict(kernel_size=(2, 3, 2), stride=1, divisor_override=5)),
]  # fmt: skip


@pytest.mark.parametrize("kwargs", [c[1] for c in AVG_CASES], ids=[c[0] for c in AVG_CASES])
def test_avg_pool3d_matches_torch(kwargs):
    _compare(lambda x: F.avg_pool3d(x, **kwargs), lambda x: TF.avg_pool3d(x, **kwargs), _x())


def test_avg_pool3d_module_matches_torch():
    args = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    _compare(nn.AvgPool3d(**args), torch.nn.AvgPool3d(**args), _x((3, 5, 6, 4)))
    assert repr(nn.AvgPool3d(2)) == repr(torch.nn.AvgPool3d(2))


@pytest.mark.parametrize("size", [2, (1, 3, None), (5, 6, 4), (3, 4, 3)],
                         ids=["cube", "with_none", "identity", "overlapping"])  # fmt: skip
def test_adaptive_max_pool3d_matches_torch(size):
    _compare(lambda x: F.adaptive_max_pool3d(x, size, return_indices=True),
             lambda x: TF.adaptive_max_pool3d(x, size, return_indices=True), _x(),
             index_out=True)  # fmt: skip
    _compare(nn.AdaptiveMaxPool3d(size), torch.nn.AdaptiveMaxPool3d(size), _x((3, 5, 6, 4)))


def test_adaptive_max_pool_1d_and_2d_still_match_torch():
    """adaptive_max_pool is written once for every rank: the 1-D and 2-D forms too."""
    _compare(
        lambda x: F.adaptive_max_pool2d(x, (3, 4), True),
        lambda x: TF.adaptive_max_pool2d(x, (3, 4), True),
        _x((2, 3, 7, 9)),
        index_out=True,
    )
    _compare(lambda x: F.adaptive_max_pool1d(x, 4, True),
             lambda x: TF.adaptive_max_pool1d(x, 4, True), _x((2, 3, 7)), index_out=True)  # fmt: skip


@pytest.mark.parametrize("p,kwargs", [(2, dict(kernel_size=2)),
                                      (1.5, dict(kernel_size=(2, 3, 2), stride=1)),
                                      (3, dict(kernel_size=2, stride=2, ceil_mode=True))],
                         ids=["p2", "p1.5_overlap", "p3_ceil"])  # fmt: skip
def test_lp_pool3d_matches_torch(p, kwargs):
    x = np.abs(_x()) + 0.1
    _compare(lambda x: F.lp_pool3d(x, p, **kwargs), lambda x: TF.lp_pool3d(x, p, **kwargs), x,
             rtol=1e-9)  # fmt: skip
    _compare(nn.LPPool3d(p, **kwargs), torch.nn.LPPool3d(p, **kwargs), x, rtol=1e-9)


@pytest.mark.parametrize("kwargs,size", [(dict(kernel_size=2), None),
                                         (dict(kernel_size=2), X_SHAPE),
                                         (dict(kernel_size=3, stride=2, padding=1), (5, 6, 4))],
                         ids=["default_size", "full_shape", "strided_padded"])  # fmt: skip
def test_max_unpool3d_matches_torch(kwargs, size):
    yt, it = TF.max_pool3d(torch.tensor(_x()), **kwargs, return_indices=True)
    indices = gn.tensor(it.numpy())
    _compare(lambda y: F.max_unpool3d(y, indices, **kwargs, output_size=size),
             lambda y: TF.max_unpool3d(y, it, **kwargs, output_size=size), yt.numpy())  # fmt: skip
    unpool, theirs = nn.MaxUnpool3d(**kwargs), torch.nn.MaxUnpool3d(**kwargs)
    assert repr(unpool) == repr(theirs)
    _compare(lambda y: unpool(y, indices, size), lambda y: theirs(y, it, size), yt.numpy())


def test_max_pool_then_unpool_module_round_trip():
    x = gn.tensor(_x())
    y, i = nn.MaxPool3d(2, return_indices=True)(x)
    restored = nn.MaxUnpool3d(2)(y, i, output_size=x.shape)
    assert restored.shape == x.shape
    np.testing.assert_array_equal(F.max_pool3d(restored, 2).numpy()[y.numpy() > 0],
                                  y.numpy()[y.numpy() > 0])  # fmt: skip


# ---------------------------------------------------------------------------- padding layers

PAD_LAYERS = ["ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d"]


@pytest.mark.parametrize("padding", [1, (1, 2, 0, 1, 2, 1), (0, -1, 2, 0, 1, -2)],
                         ids=["int", "six", "cropping"])  # fmt: skip
@pytest.mark.parametrize("name", PAD_LAYERS)
def test_pad3d_layers_match_torch(name, padding):
    ours, theirs = getattr(nn, name)(padding), getattr(torch.nn, name)(padding)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, _x())
    _compare(ours, theirs, _x((3, 5, 6, 4)))


def test_constant_pad3d_matches_torch():
    ours, theirs = (
        nn.ConstantPad3d((1, 0, 2, 1, 0, 3), 2.5),
        torch.nn.ConstantPad3d((1, 0, 2, 1, 0, 3), 2.5),
    )
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, _x())


def test_pad3d_errors():
    with pytest.raises(ShapeError, match=r"\(N, C, D, H, W\) or \(C, D, H, W\)"):
        nn.ReflectionPad3d(1)(gn.randn(5, 6))
    with pytest.raises(ValueError, match="padding must be an int or a tuple of 6 ints"):
        nn.ReplicationPad3d((1, 2))
    with pytest.raises(ShapeError, match=r"expected input of shape \(\*, D, H, W\)"):
        nn.ZeroPad3d(1)(gn.randn(4, 4))


# ---------------------------------------------------------------------------- instance norm


@pytest.mark.parametrize("kwargs", [{}, dict(affine=True), dict(track_running_stats=True)],
                         ids=["plain", "affine", "running_stats"])  # fmt: skip
def test_instance_norm3d_matches_torch(kwargs):
    ours, theirs = (
        nn.InstanceNorm3d(3, **kwargs).double(),
        torch.nn.InstanceNorm3d(3, **kwargs).double(),
    )
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, _x(), rtol=1e-9, atol=1e-10)
    _compare(ours, theirs, _x((3, 5, 6, 4)), rtol=1e-9, atol=1e-10)
    if kwargs.get("track_running_stats"):
        np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy())
        ours.eval(), theirs.eval()
        _compare(ours, theirs, _x(seed=3), rtol=1e-9, atol=1e-10)


def test_instance_norm3d_errors():
    with pytest.raises(
        ShapeError, match=r"InstanceNorm3d: expected input of shape \(N, C, D, H, W\)"
    ):
        nn.InstanceNorm3d(3)(gn.randn(3, 4, 4))
    with pytest.raises(ShapeError, match="num_features=3"):
        nn.InstanceNorm3d(3, affine=True)(gn.randn(2, 4, 3, 3, 3))


# ---------------------------------------------------------------------------- gradchecks, errors


def _t(a):
    return gn.tensor(a, dtype=gn.float64, requires_grad=True)


def test_pool3d_gradchecks():
    x = _t(_x((1, 2, 4, 3, 4), seed=4))
    assert gn.gradcheck(lambda x: F.max_pool3d(x, 2, stride=1, padding=1), x)
    assert gn.gradcheck(lambda x: F.avg_pool3d(x, 3, stride=2, padding=1, ceil_mode=True,
                                               count_include_pad=False), x)  # fmt: skip
    assert gn.gradgradcheck(lambda x: F.avg_pool3d(x, 2, stride=1) ** 2, x, atol=1e-4)
    assert gn.gradcheck(lambda x: F.adaptive_max_pool3d(x, (2, 2, 3)), x)
    assert gn.gradcheck(lambda x: F.lp_pool3d(x.abs() + 0.5, 2, 2), x)


def test_pool3d_errors():
    with pytest.raises(ShapeError, match=r"max_pool3d: expected a 4-D \(C, D, H, W\) or 5-D"):
        F.max_pool3d(gn.randn(3, 4, 4), 2)
    with pytest.raises(ShapeError, match="too small for kernel_size=5"):
        F.avg_pool3d(gn.randn(1, 1, 4, 4, 4), 5)
    with pytest.raises(ValueError, match="padding must be at most half of kernel_size"):
        F.max_pool3d(gn.randn(1, 1, 4, 4, 4), 2, padding=2)
    with pytest.raises(
        ShapeError, match=r"MaxPool3d: expected input of shape \(N, C, D, H, W\) large"
    ):
        nn.MaxPool3d(5)(gn.randn(1, 1, 4, 4, 4))
    with pytest.raises(
        ShapeError, match=r"AvgPool3d: expected input of shape \(N, C, D, H, W\) or"
    ):
        nn.AvgPool3d(2)(gn.randn(4, 4))
    with pytest.raises(ValueError, match="output_size must be an int or a tuple of 3"):
        F.adaptive_max_pool3d(gn.randn(1, 1, 4, 4, 4), (2, 2))
    with pytest.raises(ShapeError, match=r"max_unpool3d: expected indices of the input's shape"):
        F.max_unpool3d(gn.randn(1, 1, 2, 2, 2), gn.zeros(1, 1, 2, 2, dtype=gn.int64), 2)
