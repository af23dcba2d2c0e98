"""Lazy layers (LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*): shape inference at the first call, the class change, parity with PyTorch after copying weights, state_dict round trips, errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402
from glassnet.errors import ShapeError  # noqa: E402

CONV_CASES = [
    # id, lazy name, ordinary name, args, kwargs, input shape
    ("conv1d", "LazyConv1d", "Conv1d", (4, 3), dict(padding=1), (2, 3, 7)),
    ("conv1d_unbatched", "LazyConv1d", "Conv1d", (4, 3), {}, (3, 7)),
    ("conv2d_groups", "LazyConv2d", "Conv2d", (4, 3), dict(groups=2, stride=2), (2, 6, 7, 6)),
    ("conv2d_same", "LazyConv2d", "Conv2d", (3, 2), dict(padding="same", padding_mode="reflect"),
     (2, 3, 5, 6)),
    ("conv3d", "LazyConv3d", "Conv3d", (4, 2), dict(bias=False, dilation=2), (2, 3, 5, 6, 4)),
    ("convt1d", "LazyConvTranspose1d", "ConvTranspose1d", (4, 3), dict(stride=2), (2, 3, 5)),
    ("convt2d_groups", "LazyConvTranspose2d", "ConvTranspose2d", (4, 3),
     dict(groups=2, output_padding=1, stride=2), (2, 6, 4, 3)),
    ("convt3d", "LazyConvTranspose3d", "ConvTranspose3d", (2, 2), dict(padding=1, stride=2),
     (2, 3, 3, 4, 2)),
]  # fmt: skip


def _forward_backward_match(ours, theirs, x):
    xg, xt = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yg, yt = ours(xg), theirs(xt)
    np.testing.assert_allclose(yg.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(yg.shape)
    yg.backward(gn.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.numpy(), p.grad.numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=name)  # fmt: skip


@pytest.mark.parametrize("lazy,plain,args,kwargs,x_shape", [c[1:] for c in CONV_CASES],
                         ids=[c[0] for c in CONV_CASES])  # fmt: skip
def test_lazy_conv_becomes_the_ordinary_layer(lazy, plain, args, kwargs, x_shape):
    ours = getattr(nn, lazy)(*args, **kwargs, dtype=gn.float64)
    assert ours.in_channels == 0 and ours.has_uninitialized_params()
    assert repr(ours) == repr(getattr(torch.nn, lazy)(*args, **kwargs))  # in_channels 0
    weight = ours.weight
    optimizer = gn.optim.SGD(ours.parameters(), lr=0.1)  # made before the shapes are known
    x = np.random.default_rng(0).standard_normal(x_shape)
    y = ours(gn.tensor(x))
    theirs = getattr(torch.nn, lazy)(*args, **kwargs).double()
    theirs(torch.tensor(x))
    # Now both are ordinary layers with the same shapes, class and repr.
    assert type(ours) is getattr(nn, plain) and type(theirs) is getattr(torch.nn, plain)
    assert ours.in_channels == theirs.in_channels == x_shape[-len(ours.kernel_size) - 1]
    assert repr(ours) == repr(theirs)
    assert ours.weight is weight and optimizer.param_groups[0]["params"][0] is weight
    assert y.shape == tuple(theirs(torch.tensor(x)).shape)
    # drawn with PyTorch's bounds: |w| <= 1/sqrt(fan_in)
    fan_in = ours.weight.shape[1] * int(np.prod(ours.kernel_size))
    assert (
        np.abs(ours.weight.numpy()).max() <= 1 / np.sqrt(fan_in) and ours.weight.numpy().std() > 0
    )
    # state_dicts have the same keys and shapes; load torch's values and compare the layers
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert {k: v.shape for k, v in ours_sd.items()} == {
        k: tuple(v.shape) for k, v in theirs_sd.items()
    }
    ours.load_state_dict({k: v.numpy() for k, v in theirs_sd.items()})
    _forward_backward_match(ours, theirs, x)


def test_lazy_conv_state_dict_round_trip_into_an_ordinary_layer():
    lazy = nn.LazyConv3d(4, 3, padding=1)
    x = gn.randn(2, 3, 4, 5, 4)
    y = lazy(x)
    fresh = nn.Conv3d(3, 4, 3, padding=1)
    fresh.load_state_dict(lazy.state_dict())
    np.testing.assert_array_equal(fresh(x).numpy(), y.numpy())
    # and back into a materialized lazy one
    other = nn.LazyConv3d(4, 3, padding=1)
    other(x)
    other.load_state_dict(fresh.state_dict())
    np.testing.assert_array_equal(other(x).numpy(), y.numpy())


def test_lazy_conv_trains_after_materialising():
    conv = nn.LazyConv2d(2, 3)
    optimizer = gn.optim.SGD(conv.parameters(), lr=0.1)
    x = gn.randn(4, 3, 6, 6)
    loss0 = (conv(x) ** 2).mean()
    loss0.backward()
    optimizer.step()
    assert (conv(x) ** 2).mean().item() < loss0.item()


NORM_CASES = [
    ("bn1d_2d_input", "LazyBatchNorm1d", "BatchNorm1d", {}, (6, 3)),
    ("bn1d_3d_input", "LazyBatchNorm1d", "BatchNorm1d", dict(momentum=None), (4, 3, 5)),
    ("bn2d", "LazyBatchNorm2d", "BatchNorm2d", dict(affine=False), (2, 3, 4, 5)),
    ("bn3d", "LazyBatchNorm3d", "BatchNorm3d", {}, (2, 3, 3, 4, 2)),
    ("in1d", "LazyInstanceNorm1d", "InstanceNorm1d", {}, (2, 3, 7)),
    ("in2d", "LazyInstanceNorm2d", "InstanceNorm2d", dict(track_running_stats=False), (2, 3, 4, 5)),
    ("in3d", "LazyInstanceNorm3d", "InstanceNorm3d", dict(affine=False), (2, 3, 3, 4, 2)),
]  # fmt: skip


@pytest.mark.parametrize("lazy,plain,kwargs,x_shape", [c[1:] for c in NORM_CASES],
                         ids=[c[0] for c in NORM_CASES])  # fmt: skip
def test_lazy_norm_becomes_the_ordinary_layer(lazy, plain, kwargs, x_shape):
    ours, theirs = getattr(nn, lazy)(**kwargs, dtype=gn.float64), getattr(torch.nn, lazy)(**kwargs)
    theirs = theirs.double()
    assert ours.num_features == 0 and list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal(x_shape)
    _forward_backward_match(ours, theirs, x)  # the first call: materialise, then the same step
    assert type(ours) is getattr(nn, plain) and type(theirs) is getattr(torch.nn, plain)
    assert ours.num_features == theirs.num_features == 3
    assert repr(ours) == repr(theirs)
    for name, t in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), t.numpy(), rtol=1e-10,
                                   err_msg=name)  # fmt: skip
    # a second batch (running statistics updated the same), then evaluation mode
    x2 = np.random.default_rng(2).standard_normal(x_shape)
    _forward_backward_match(ours, theirs, x2)
    ours.eval(), theirs.eval()
    _forward_backward_match(ours, theirs, x2)
    # round trip: into a fresh ordinary layer
    fresh = getattr(nn, plain)(3, **{"affine": True, "track_running_stats": True, **kwargs},
                               dtype=gn.float64).eval()  # fmt: skip
    fresh.load_state_dict(ours.state_dict())
    np.testing.assert_array_equal(fresh(gn.tensor(x)).numpy(), ours(gn.tensor(x)).numpy())


def test_lazy_instance_norm_reads_channels_of_unbatched_input():
    """PyTorch reads shape[1] even for an unbatched (C, L) input (and then fails); glassnet
    reads the channel axis."""
    norm = nn.LazyInstanceNorm1d()
    y = norm(gn.randn(3, 7))
    assert norm.num_features == 3 and norm.weight.shape == (3,) and y.shape == (3, 7)


def test_lazy_errors():
    with pytest.raises(
        ValueError, match="LazyConv2d: the input has 5 channels .* multiple of groups"
    ):
        nn.LazyConv2d(4, 3, groups=2)(gn.randn(2, 5, 6, 6))
    with pytest.raises(
        ShapeError, match=r"LazyConv3d: expected input of shape \(N, C_in, D, H, W\)"
    ):
        nn.LazyConv3d(4, 3)(gn.randn(2, 5, 6))
    with pytest.raises(
        ShapeError, match=r"LazyBatchNorm2d: expected input of shape \(N, C, H, W\)"
    ):
        nn.LazyBatchNorm2d()(gn.randn(2, 5))
    layer = nn.LazyConv2d(4, 3)
    with pytest.raises(ShapeError):
        layer(gn.randn(2, 5))
    assert layer.in_channels == 0 and type(layer) is nn.LazyConv2d  # a failed call changes nothing
    conv = nn.LazyConv1d(2, 3)
    conv(gn.randn(1, 4, 5))
    with pytest.raises(ShapeError, match=r"Conv1d: expected input of shape \(N, 4, L\)"):
        conv(gn.randn(1, 5, 5))  # the number is fixed now
