"""Pooling without torch: gradchecks (float64, tiny shapes), loop-by-loop references, ties/NaN rules, layers and errors."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.ops.conv import sliding_geometry
from glassnet.ops.pool import GatherAtArgmax, ScatterToArgmax, WindowSpread, WindowSum


def _distinct(*shape, seed=0):
    """Values far from ties (a permutation, scaled), so max pooling is smooth around them."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) / n - 0.5


def _t(a, grad=True):
    return gn.tensor(a, dtype=gn.float64, requires_grad=grad)


def reference_pool(x, kernel, stride, padding, dilation, ceil_mode, reduce):
    """Window by window, straight from the definition (windows clipped to the input)."""
    n, c, h, w = x.shape
    out = []
    for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation):
        span = size + 2 * p - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= size + p:
            o -= 1
        out.append(o)
    y = np.zeros((n, c, out[0], out[1]))
    for i in range(out[0]):
        for j in range(out[1]):
            rows = [i * stride[0] - padding[0] + a * dilation[0] for a in range(kernel[0])]
            cols = [j * stride[1] - padding[1] + b * dilation[1] for b in range(kernel[1])]
            rows = [r for r in rows if 0 <= r < h]
            cols = [q for q in cols if 0 <= q < w]
            y[:, :, i, j] = reduce(x[:, :, rows][:, :, :, cols], (i, j))
    return y


MAX_GRID = [
    # id, input shape, kwargs (2-D)
    ("k2", (2, 3, 6, 4), dict(kernel_size=2)),
    ("k2_ragged", (1, 2, 7, 5), dict(kernel_size=2)),
    ("overlap_k3s1", (1, 2, 5, 5), dict(kernel_size=3, stride=1)),
    ("pad_stride", (2, 2, 6, 7), dict(kernel_size=3, stride=2, padding=1)),
    ("ceil_mode", (1, 2, 7, 6), dict(kernel_size=3, stride=2, ceil_mode=True)),
    (
        "ceil_pad",
        (1, 1, 6, 6),
        dict(kernel_size=(2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True),
    ),
    ("dilation", (1, 2, 7, 8), dict(kernel_size=2, stride=(1, 2), dilation=(2, 3))),
]


def _expand(kwargs):
    def pair(v):
        return (v, v) if isinstance(v, int) else tuple(v)

    k = pair(kwargs["kernel_size"])
    s = pair(kwargs.get("stride") or kwargs["kernel_size"])
    return k, s, pair(kwargs.get("padding", 0)), pair(kwargs.get("dilation", 1))


@pytest.mark.parametrize("shape,kwargs", [g[1:] for g in MAX_GRID], ids=[g[0] for g in MAX_GRID])
def test_max_pool2d_matches_reference_and_gradchecks(shape, kwargs):
    x = _distinct(*shape)
    y = F.max_pool2d(_t(x), **kwargs)
    k, s, p, d = _expand(kwargs)
    expected = reference_pool(
        x, k, s, p, d, kwargs.get("ceil_mode", False), lambda win, _: win.max(axis=(2, 3))
    )
    np.testing.assert_array_equal(y.numpy(), expected)
    assert gn.gradcheck(lambda a: F.max_pool2d(a, **kwargs), _t(x))


def test_max_pool2d_gradgradcheck():
    x = _distinct(1, 2, 5, 5)
    assert gn.gradgradcheck(lambda a: F.max_pool2d(a, 3, 1, 1) ** 2, _t(x))
    assert gn.gradgradcheck(lambda a: F.max_pool2d(a * a, 2), _t(x))


def test_max_pool1d_gradcheck_and_values():
    x = _distinct(2, 3, 9)
    y = F.max_pool1d(_t(x), 3, stride=2, padding=1, ceil_mode=True)
    expected = reference_pool(
        x[:, :, None], (1, 3), (1, 2), (0, 1), (1, 1), True, lambda win, _: win.max(axis=(2, 3))
    )[:, :, 0]
    np.testing.assert_array_equal(y.numpy(), expected)
    assert gn.gradcheck(lambda a: F.max_pool1d(a, 3, stride=2, padding=1, ceil_mode=True), _t(x))


def test_max_pool_ties_go_to_the_first_element():
    x = gn.zeros(1, 1, 4, 4, dtype=gn.float64, requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y.sum().backward()
    np.testing.assert_array_equal(idx.numpy()[0, 0], [[0, 2], [8, 10]])
    np.testing.assert_array_equal(
        x.grad.numpy()[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    )


def test_max_pool_overlapping_windows_accumulate_gradient():
    x = gn.tensor([[[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()  # the 1 wins in both top windows
    assert x.grad.numpy()[0, 0, 0, 1] == 2.0


def test_max_pool_nan_propagates():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 0] = np.nan
    y = F.max_pool2d(gn.tensor(x), 2).numpy()
    assert np.isnan(y[0, 0, 0, 0]) and y[0, 0, 1, 1] == 15.0


def test_max_pool_return_indices_with_padding_and_1d():
    x = _distinct(1, 1, 5, 5)
    y, idx = F.max_pool2d(_t(x, False), 3, stride=2, padding=1, return_indices=True)
    assert idx.dtype == gn.int64
    np.testing.assert_array_equal(x.reshape(1, 1, -1)[0, 0][idx.numpy()], y.numpy())
    v1, i1 = F.max_pool1d(_t(x[:, :, 0], False), 2, return_indices=True)
    np.testing.assert_array_equal(x[0, 0, 0][i1.numpy()[0, 0]], v1.numpy()[0, 0])


def test_scatter_and_gather_at_argmax_are_adjoint():
    geo = sliding_geometry((5, 5), (3, 3), (1, 1), (1, 1, 1, 1))
    argmax = np.random.default_rng(0).integers(0, 9, size=(1, 2, 5, 5)).astype(np.uint8)
    g, x = _distinct(1, 2, 5, 5, seed=1), _distinct(1, 2, 5, 5, seed=2)
    scattered = ScatterToArgmax(geo, argmax)(_t(g, False)).numpy()
    gathered = GatherAtArgmax(geo, argmax)(_t(x, False)).numpy()
    np.testing.assert_allclose((scattered * x).sum(), (g * gathered).sum(), rtol=1e-12)
    assert gn.gradcheck(lambda a: ScatterToArgmax(geo, argmax)(a), _t(g))
    assert gn.gradcheck(lambda a: GatherAtArgmax(geo, argmax)(a), _t(x))


def test_window_sum_and_spread_are_adjoint():
    geo = sliding_geometry((5, 6), (2, 3), (2, 1), (1, 1, 0, 2), ceil_mode=True)
    x = _distinct(1, 2, 5, 6)
    g = _distinct(1, 2, *geo.out_hw, seed=1)
    total = WindowSum(geo)(_t(x, False)).numpy()
    spread = WindowSpread(geo)(_t(g, False)).numpy()
    np.testing.assert_allclose((total * g).sum(), (x * spread).sum(), rtol=1e-12)
    assert gn.gradgradcheck(lambda a: WindowSum(geo)(a) ** 2, _t(x))


@pytest.mark.parametrize(
    "pool",
    [
        lambda a: F.max_pool2d(a, 2),
        lambda a: F.max_pool2d(a, 3, stride=1, padding=1),
        lambda a: F.avg_pool2d(a, 3, stride=2, padding=1, ceil_mode=True),
    ],
    ids=["max_k2", "max_overlap", "avg_ceil"],
)
def test_channel_first_memory_layout_gives_the_same_results(pool):
    """Convolution outputs are stored channel by channel; pooling follows that layout."""
    x = _distinct(3, 4, 6, 6)
    x_cf = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    assert x_cf.strides[1] > x_cf.strides[0]
    a, b = _t(x), _t(x_cf)
    ya, yb = pool(a), pool(b)
    np.testing.assert_array_equal(ya.numpy(), yb.numpy())
    g = _distinct(*ya.shape, seed=1)
    ya.backward(gn.tensor(g))
    yb.backward(gn.tensor(np.ascontiguousarray(g.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)))
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


# ------------------------------------------------------------------ average pooling

AVG_GRID = [
    ("k2", (2, 2, 4, 6), dict(kernel_size=2)),
    ("overlap", (1, 2, 5, 5), dict(kernel_size=3, stride=1)),
    ("pad_include", (1, 2, 5, 6), dict(kernel_size=3, stride=2, padding=1)),
    (
        "pad_exclude",
        (1, 2, 5, 6),
        dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    ),
    ("ceil_include", (1, 1, 5, 5), dict(kernel_size=2, ceil_mode=True)),
    (
        "ceil_pad_exclude",
        (1, 1, 6, 7),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    ),
    ("divisor_override", (1, 2, 4, 4), dict(kernel_size=2, divisor_override=3)),
]


def _avg_reference(x, kwargs):
    k, s, p, _ = _expand(kwargs)
    h, w = x.shape[2:]
    include = kwargs.get("count_include_pad", True)
    override = kwargs.get("divisor_override")

    def reduce(win, ij):
        if override:
            return win.sum(axis=(2, 3)) / override
        if not include:
            return win.mean(axis=(2, 3))
        # PyTorch counts the window clipped to the padded input
        counts = []
        for axis in range(2):
            start = ij[axis] * s[axis] - p[axis]
            end = min(start + k[axis], (h, w)[axis] + p[axis])
            counts.append(end - start)
        return win.sum(axis=(2, 3)) / (counts[0] * counts[1])

    return reference_pool(x, k, s, p, (1, 1), kwargs.get("ceil_mode", False), reduce)


@pytest.mark.parametrize("shape,kwargs", [g[1:] for g in AVG_GRID], ids=[g[0] for g in AVG_GRID])
def test_avg_pool2d_matches_reference_and_gradchecks(shape, kwargs):
    x = _distinct(*shape)
    y = F.avg_pool2d(_t(x), **kwargs)
    np.testing.assert_allclose(y.numpy(), _avg_reference(x, kwargs), atol=1e-14)
    assert gn.gradcheck(lambda a: F.avg_pool2d(a, **kwargs), _t(x))


def test_avg_pool1d_gradcheck_and_values():
    x = _distinct(2, 2, 7)
    kwargs = dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)
    y = F.avg_pool1d(_t(x), **kwargs)
    expected = _avg_reference(
        x[:, :, None],
        dict(kernel_size=(1, 3), stride=(1, 2), padding=(0, 1), count_include_pad=False),
    )
    np.testing.assert_allclose(y.numpy(), expected[:, :, 0], atol=1e-14)
    assert gn.gradcheck(lambda a: F.avg_pool1d(a, **kwargs), _t(x))


# ------------------------------------------------------------------ adaptive average pooling


@pytest.mark.parametrize(
    "shape,out",
    [
        ((2, 2, 7, 5), (3, 2)),
        ((1, 3, 4, 4), 2),
        ((1, 2, 5, 6), 1),
        ((1, 2, 3, 5), (None, 4)),
        ((1, 1, 3, 3), (5, 4)),
    ],
    ids=["uneven", "even", "global", "none", "upsample"],
)
def test_adaptive_avg_pool2d_windows_and_gradcheck(shape, out):
    x = _distinct(*shape)
    y = F.adaptive_avg_pool2d(_t(x), out)
    h, w = shape[2:]
    oh, ow = (out, out) if isinstance(out, int) else (out[0] or h, out[1] or w)
    assert y.shape == shape[:2] + (oh, ow)
    for i in range(oh):
        for j in range(ow):
            r0, r1 = i * h // oh, -(-(i + 1) * h // oh)
            c0, c1 = j * w // ow, -(-(j + 1) * w // ow)
            np.testing.assert_allclose(
                y.numpy()[:, :, i, j], x[:, :, r0:r1, c0:c1].mean(axis=(2, 3)), atol=1e-14
            )
    assert gn.gradcheck(lambda a: F.adaptive_avg_pool2d(a, out), _t(x))


def test_adaptive_avg_pool1d_and_unbatched():
    x = _distinct(3, 7)
    y = F.adaptive_avg_pool1d(_t(x), 3)
    np.testing.assert_allclose(y.numpy()[:, 0], x[:, 0:3].mean(axis=1))
    np.testing.assert_allclose(y.numpy()[:, 2], x[:, 4:7].mean(axis=1))
    assert gn.gradcheck(lambda a: F.adaptive_avg_pool1d(a, 3), _t(x))


# ------------------------------------------------------------------ layers and errors


@pytest.mark.parametrize(
    "layer,text",
    [
        (
            lambda: nn.MaxPool2d(2),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        ),
        (
            lambda: nn.MaxPool1d(3, 2),
            "MaxPool1d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)",
        ),
        (lambda: nn.AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
        (lambda: nn.AvgPool1d(3), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
        (lambda: nn.AdaptiveAvgPool2d((5, None)), "AdaptiveAvgPool2d(output_size=(5, None))"),
        (lambda: nn.AdaptiveAvgPool1d(3), "AdaptiveAvgPool1d(output_size=3)"),
    ],
    ids=["max2d", "max1d", "avg2d", "avg1d", "adaptive2d", "adaptive1d"],
)
def test_pool_reprs_match_pytorch(layer, text):
    assert repr(layer()) == text


def test_pool_layers_shapes_and_unbatched():
    x = gn.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(3, stride=2, padding=1)(x).shape == (2, 3, 4, 4)
    assert nn.AdaptiveAvgPool2d(1)(x).shape == (2, 3, 1, 1)
    assert nn.MaxPool2d(2)(x[0]).shape == (3, 4, 4)
    assert nn.MaxPool1d(2)(gn.randn(3, 8)).shape == (3, 4)
    values, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert values.shape == idx.shape == (2, 3, 4, 4)
    assert nn.MaxPool2d(2)(x).dtype == gn.float32


def test_pool_errors_name_the_layer():
    model = nn.Sequential(nn.MaxPool2d(2), nn.MaxPool2d(3))
    with pytest.raises(
        ValueError,
        match=r"^1 \(MaxPool2d\): expected input of shape .* got "
        r"\(1, 2, 2, 2\)",
    ):
        model(gn.randn(1, 2, 4, 4))
    with pytest.raises(ValueError, match=r"AvgPool1d.*\(N, C, L\) or \(C, L\), got \(4,\)"):
        nn.AvgPool1d(2)(gn.randn(4))
    with pytest.raises(ValueError, match="at most half of kernel_size"):
        F.max_pool2d(gn.randn(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(ValueError, match="at most half of kernel_size"):
        nn.AvgPool2d(2, padding=2)(gn.randn(1, 1, 5, 5))
    with pytest.raises(ValueError, match="divisor_override must not be zero"):
        F.avg_pool2d(gn.randn(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(ValueError, match="output_size"):
        F.adaptive_avg_pool2d(gn.randn(1, 1, 4, 4), (0, 2))
    with pytest.raises(TypeError, match="glassnet Tensor"):
        F.max_pool2d(np.zeros((1, 1, 4, 4)), 2)
