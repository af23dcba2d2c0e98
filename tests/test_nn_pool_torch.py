"""Pooling layers against PyTorch: forward values, returned indices and input gradients over a grid of settings."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402


def _compare(ours, theirs, x, dtype=np.float64, relu=False):
    x = x.astype(dtype)
    if relu:  # many exact ties (zeros), as after a ReLU
        x = np.maximum(x, 0)
    xg = gn.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yg, yt = ours(xg), theirs(xt)
    if isinstance(yt, tuple):
        (yg, ig), (yt, it) = yg, yt
        np.testing.assert_array_equal(ig.numpy(), it.numpy())
    assert yg.shape == tuple(yt.shape) and yg.dtype == dtype
    np.testing.assert_allclose(yg.numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-7)
    g = np.random.default_rng(1).standard_normal(yg.shape).astype(dtype)
    yg.backward(gn.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-7)


def _x(*shape):
    return np.random.default_rng(0).standard_normal(shape)


MAX2D = [
    ("k2", dict(kernel_size=2), (2, 3, 8, 6)),
    ("k2_odd_input", dict(kernel_size=2), (2, 3, 7, 9)),
    ("k2p1_tiles_padded", dict(kernel_size=2, padding=1), (1, 2, 6, 4)),
    ("k3s1p1", dict(kernel_size=3, stride=1, padding=1), (2, 2, 6, 5)),
    ("k3s2_ceil", dict(kernel_size=3, stride=2, ceil_mode=True), (1, 2, 8, 7)),
    ("k3s2p1_ceil", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (1, 2, 6, 6)),
    (
        "rect_dilated",
        dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 1)),
        (1, 2, 7, 8),
    ),
    ("indices", dict(kernel_size=3, stride=2, padding=1, return_indices=True), (2, 2, 7, 7)),
    ("unbatched", dict(kernel_size=2, stride=1), (3, 5, 5)),
]


@pytest.mark.parametrize("relu", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("kwargs,shape", [c[1:] for c in MAX2D], ids=[c[0] for c in MAX2D])
def test_max_pool2d_parity(kwargs, shape, relu):
    _compare(nn.MaxPool2d(**kwargs), torch.nn.MaxPool2d(**kwargs), _x(*shape), relu=relu)


def test_max_pool2d_parity_float32_benchmark_shape():
    _compare(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), _x(16, 32, 28, 28), np.float32, relu=True)


MAX1D = [
    ("k2", dict(kernel_size=2), (2, 3, 9)),
    ("k3s2p1_ceil", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 2, 10)),
    ("dilated_indices", dict(kernel_size=2, dilation=3, return_indices=True), (1, 2, 11)),
]


@pytest.mark.parametrize("kwargs,shape", [c[1:] for c in MAX1D], ids=[c[0] for c in MAX1D])
def test_max_pool1d_parity(kwargs, shape):
    _compare(nn.MaxPool1d(**kwargs), torch.nn.MaxPool1d(**kwargs), _x(*shape), relu=True)


AVG2D = [
    ("k2", dict(kernel_size=2), (2, 3, 8, 6)),
    ("k3s1p1", dict(kernel_size=3, stride=1, padding=1), (2, 2, 6, 5)),
    (
        "k3s1p1_exclude",
        dict(kernel_size=3, stride=1, padding=1, count_include_pad=False),
        (2, 2, 6, 5),
    ),
    ("ceil", dict(kernel_size=3, stride=2, ceil_mode=True), (1, 2, 8, 7)),
    ("ceil_pad_include", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (1, 2, 6, 6)),
    (
        "ceil_pad_exclude",
        dict(
            kernel_size=(2, 3),
            stride=(2, 2),
            padding=(1, 1),
            ceil_mode=True,
            count_include_pad=False,
        ),
        (1, 2, 7, 6),
    ),
    ("divisor_override", dict(kernel_size=2, stride=1, divisor_override=5), (1, 2, 4, 5)),
    ("unbatched", dict(kernel_size=2), (3, 4, 6)),
]


@pytest.mark.parametrize("kwargs,shape", [c[1:] for c in AVG2D], ids=[c[0] for c in AVG2D])
def test_avg_pool2d_parity(kwargs, shape):
    _compare(nn.AvgPool2d(**kwargs), torch.nn.AvgPool2d(**kwargs), _x(*shape))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=3),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=4, stride=3, padding=2, count_include_pad=False),
    ],
    ids=["k3", "ceil_pad", "exclude"],
)
def test_avg_pool1d_parity(kwargs):
    _compare(nn.AvgPool1d(**kwargs), torch.nn.AvgPool1d(**kwargs), _x(2, 3, 11))


@pytest.mark.parametrize(
    "out,shape",
    [
        ((3, 4), (2, 3, 7, 6)),
        (1, (2, 3, 5, 5)),
        ((None, 2), (1, 2, 4, 7)),
        ((6, 5), (1, 2, 4, 3)),
        (2, (3, 6, 6)),
    ],
    ids=["uneven", "global", "none", "upsample", "unbatched"],
)
def test_adaptive_avg_pool2d_parity(out, shape):
    _compare(nn.AdaptiveAvgPool2d(out), torch.nn.AdaptiveAvgPool2d(out), _x(*shape))


@pytest.mark.parametrize("out", [1, 3, 5], ids=["global", "three", "five"])
def test_adaptive_avg_pool1d_parity(out):
    _compare(nn.AdaptiveAvgPool1d(out), torch.nn.AdaptiveAvgPool1d(out), _x(2, 3, 7), np.float32)


def test_max_pool2d_nan_windows_match_pytorch_indices():
    x = _x(2, 2, 6, 6)
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = x[1, 1, 3, 3] = x[0, 1, 0, 0] = np.nan
    kwargs = dict(kernel_size=3, stride=1, padding=1, return_indices=True)
    yg, ig = nn.MaxPool2d(**kwargs)(gn.tensor(x))
    yt, it = torch.nn.MaxPool2d(**kwargs)(torch.tensor(x))
    np.testing.assert_array_equal(ig.numpy(), it.numpy())
    np.testing.assert_array_equal(yg.numpy(), yt.numpy())  # equal_nan by default
