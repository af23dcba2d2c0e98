"""Convolutions without torch: gradchecks (float64, tiny shapes), a loop-by-loop reference, adjoint identities, layers and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.ops.conv import Col2Im, Im2Col, sliding_geometry


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape)


def _t(a, grad=True):
    return gn.tensor(a, dtype=gn.float64, requires_grad=grad)


def reference_conv2d(x, w, b, stride, pads, dilation, groups):
    """Direct definition: one dot product per output element (slow, obviously right)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    top, bottom, left, right = pads
    xp = np.zeros((n, c, h + top + bottom, wd + left + right))
    xp[:, :, top : top + h, left : left + wd] = x
    sh, sw = stride
    dh, dw = dilation
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, oh, ow))
    og = o // groups
    for oc in range(o):
        g = oc // og
        for p in range(oh):
            for q in range(ow):
                patch = xp[
                    :,
                    g * cg : (g + 1) * cg,
                    p * sh : p * sh + dh * (kh - 1) + 1 : dh,
                    q * sw : q * sw + dw * (kw - 1) + 1 : dw,
                ]
                y[:, oc, p, q] = (patch * w[oc]).sum(axis=(1, 2, 3))
    if b is not None:
        y += b.reshape(1, o, 1, 1)
    return y


# ------------------------------------------------------------------ conv2d

CONV2D_GRID = [
    # id, (N, C, H, W), (O, kh, kw), kwargs
    ("plain", (2, 3, 5, 5), (4, 3, 3), {}),
    ("stride2_pad1", (2, 2, 6, 5), (3, 3, 3), {"stride": 2, "padding": 1}),
    (
        "tuple_args",
        (1, 2, 6, 7),
        (3, 2, 3),
        {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)},
    ),
    ("same_odd", (2, 2, 5, 4), (3, 3, 3), {"padding": "same"}),
    ("same_even_dilated", (1, 2, 6, 5), (2, 4, 2), {"padding": "same", "dilation": (1, 2)}),
    ("valid", (1, 2, 5, 5), (2, 2, 2), {"padding": "valid"}),
    ("groups2", (2, 4, 5, 5), (6, 3, 3), {"groups": 2, "padding": 1}),
    ("depthwise", (1, 3, 5, 4), (3, 2, 2), {"groups": 3, "stride": (1, 2)}),
    ("one_by_one", (2, 3, 4, 4), (5, 1, 1), {}),
    ("dilation2", (1, 2, 7, 7), (2, 3, 3), {"dilation": 2}),
]


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize(
    "xs,ws,kwargs", [g[1:] for g in CONV2D_GRID], ids=[g[0] for g in CONV2D_GRID]
)
def test_conv2d_matches_reference_and_gradchecks(xs, ws, kwargs, bias):
    groups = kwargs.get("groups", 1)
    x = _rand(*xs, seed=1)
    w = _rand(ws[0], xs[1] // groups, ws[1], ws[2], seed=2)
    b = _rand(ws[0], seed=3) if bias else None
    y = F.conv2d(_t(x), _t(w), _t(b) if bias else None, **kwargs)
    stride = kwargs.get("stride", 1)
    stride = (stride, stride) if isinstance(stride, int) else stride
    dilation = kwargs.get("dilation", 1)
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    padding = kwargs.get("padding", 0)
    if padding == "same":
        pads = []
        for k, d in zip(ws[1:], dilation):
            pads += [d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2]
    elif padding == "valid":
        pads = [0, 0, 0, 0]
    else:
        p = (padding, padding) if isinstance(padding, int) else padding
        pads = [p[0], p[0], p[1], p[1]]
    expected = reference_conv2d(x, w, b, stride, pads, dilation, groups)
    np.testing.assert_allclose(y.numpy(), expected, atol=1e-12)
    if padding == "same":
        assert y.shape[2:] == xs[2:]
    inputs = [_t(x), _t(w)] + ([_t(b)] if bias else [])
    fn = (
        (lambda a, c, d: F.conv2d(a, c, d, **kwargs))
        if bias
        else (lambda a, c: F.conv2d(a, c, **kwargs))
    )
    assert gn.gradcheck(fn, *inputs)


def test_conv2d_gradgradcheck():
    x, w, b = _rand(1, 2, 4, 4, seed=1), _rand(2, 1, 2, 2, seed=2), _rand(2, seed=3)
    fn = lambda a, c, d: F.conv2d(a, c, d, stride=(1, 2), padding=1, groups=2)  # noqa: E731
    assert gn.gradgradcheck(fn, _t(x), _t(w), _t(b))


def test_conv2d_unbatched_input_matches_batched():
    x, w = _rand(3, 5, 5), _rand(4, 3, 3, 3, seed=1)
    y1 = F.conv2d(_t(x, False), _t(w, False), padding=1)
    y2 = F.conv2d(_t(x[None], False), _t(w, False), padding=1)
    assert y1.shape == (4, 5, 5)
    np.testing.assert_allclose(y1.numpy(), y2.numpy()[0])


def test_conv2d_float32_stays_float32():
    x = gn.randn(2, 3, 6, 6)
    conv = nn.Conv2d(3, 4, 3)
    y = conv(x)
    assert y.dtype == gn.float32
    y.sum().backward()
    assert conv.weight.grad.dtype == gn.float32 and conv.bias.grad.dtype == gn.float32


# ------------------------------------------------------------------ conv1d

CONV1D_GRID = [
    ("plain", (2, 3, 7), (4, 3), {}),
    ("stride_pad", (2, 2, 8), (3, 3), {"stride": 2, "padding": 1}),
    ("same_even", (1, 2, 6), (2, 4), {"padding": "same"}),
    ("dilation_groups", (1, 4, 9), (2, 3), {"dilation": 2, "groups": 2}),
    ("tuple_args", (1, 2, 9), (3, 2), {"stride": (3,), "padding": (2,), "dilation": (2,)}),
]


@pytest.mark.parametrize(
    "xs,ws,kwargs", [g[1:] for g in CONV1D_GRID], ids=[g[0] for g in CONV1D_GRID]
)
def test_conv1d_is_conv2d_of_height_one_and_gradchecks(xs, ws, kwargs):
    groups = kwargs.get("groups", 1)
    x, w, b = _rand(*xs), _rand(ws[0], xs[1] // groups, ws[1], seed=1), _rand(ws[0], seed=2)
    y = F.conv1d(_t(x), _t(w), _t(b), **kwargs)
    kw2 = {
        k: ((1,) + ((v,) if isinstance(v, int) else tuple(v)) if k != "padding" else v)
        for k, v in kwargs.items()
        if k != "groups"
    }
    if isinstance(kw2.get("padding"), (int, tuple)):
        p = kw2["padding"]
        kw2["padding"] = (0, p if isinstance(p, int) else p[0])
    y2 = F.conv2d(_t(x[:, :, None]), _t(w[:, :, None]), _t(b), groups=groups, **kw2)
    np.testing.assert_allclose(y.numpy(), y2.numpy()[:, :, 0], atol=1e-12)
    assert gn.gradcheck(lambda a, c, d: F.conv1d(a, c, d, **kwargs), _t(x), _t(w), _t(b))


# ------------------------------------------------------------------ transposed convolutions

TRANSPOSE_GRID = [
    ("plain", (1, 2, 3, 3), (3, 2, 2), {}),
    (
        "stride2_pad1_outpad",
        (2, 2, 3, 4),
        (2, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
    ),
    (
        "tuple_dilation",
        (1, 2, 3, 3),
        (2, 2, 3),
        {"stride": (1, 2), "dilation": (2, 1), "padding": (1, 0)},
    ),
    ("groups", (1, 4, 3, 3), (2, 2, 2), {"groups": 2, "stride": 2}),
]


@pytest.mark.parametrize(
    "xs,ws,kwargs", [g[1:] for g in TRANSPOSE_GRID], ids=[g[0] for g in TRANSPOSE_GRID]
)
def test_conv_transpose2d_is_the_adjoint_of_conv2d_and_gradchecks(xs, ws, kwargs):
    groups = kwargs.get("groups", 1)
    x = _rand(*xs, seed=1)
    w = _rand(xs[1], ws[0], ws[1], ws[2], seed=2)  # (C_in, C_out/groups, kh, kw)
    b = _rand(ws[0] * groups, seed=3)
    y = F.conv_transpose2d(_t(x), _t(w), None, **kwargs)
    # <conv_transpose(x), z> == <x, conv(z)> for the convolution it transposes.
    z = _rand(*y.shape, seed=4)
    conv_kwargs = {k: v for k, v in kwargs.items() if k != "output_padding"}
    back = F.conv2d(_t(z, False), _t(w, False), **conv_kwargs)
    assert back.shape == xs
    np.testing.assert_allclose((y.numpy() * z).sum(), (x * back.numpy()).sum(), rtol=1e-12)
    fn = lambda a, c, d: F.conv_transpose2d(a, c, d, **kwargs)  # noqa: E731
    assert gn.gradcheck(fn, _t(x), _t(w), _t(b))


def test_conv_transpose2d_gradgradcheck():
    x, w = _rand(1, 2, 3, 3, seed=1), _rand(2, 2, 2, 2, seed=2)
    fn = lambda a, c: F.conv_transpose2d(a, c, stride=2, padding=1)  # noqa: E731
    assert gn.gradgradcheck(fn, _t(x), _t(w))


def test_conv_transpose1d_gradcheck_and_size():
    x, w, b = _rand(2, 3, 4), _rand(3, 2, 3, seed=1), _rand(2, seed=2)
    y = F.conv_transpose1d(_t(x), _t(w), _t(b), stride=2, padding=1, output_padding=1)
    assert y.shape == (2, 2, (4 - 1) * 2 - 2 + 2 + 1 + 1)
    fn = lambda a, c, d: F.conv_transpose1d(a, c, d, stride=2, padding=1, output_padding=1)  # noqa: E731
    assert gn.gradcheck(fn, _t(x), _t(w), _t(b))


# ------------------------------------------------------------------ im2col / col2im


@pytest.mark.parametrize(
    "kernel,stride,pad,dilation",
    [
        ((2, 2), (1, 1), (0, 0, 0, 0), (1, 1)),
        ((3, 2), (2, 1), (1, 2, 0, 1), (1, 2)),
        ((2, 3), (3, 2), (1, 1, 1, 1), (2, 1)),
    ],
    ids=["simple", "asym_pad_dilated", "strided"],
)
def test_im2col_and_col2im_are_adjoint_and_differentiable(kernel, stride, pad, dilation):
    geo = sliding_geometry((5, 6), kernel, stride, pad, dilation)
    x = _rand(2, 3, 5, 6)
    cols_shape = (3 * kernel[0] * kernel[1], 2, geo.out_hw[0] * geo.out_hw[1])
    c = _rand(*cols_shape, seed=1)
    cols = Im2Col(geo)(_t(x, False))
    assert cols.shape == cols_shape
    # row (c, i, j), column (n, p, q) holds xpad[n, c, p*sh + i*dh, q*sw + j*dw]
    xp = np.pad(x, ((0, 0), (0, 0), pad[:2], pad[2:]))
    row, n, p, q = 3 * kernel[0] * kernel[1] - 1, 1, geo.out_hw[0] - 1, geo.out_hw[1] - 1
    i, j = kernel[0] - 1, kernel[1] - 1
    assert (
        cols.numpy()[row, n, p * geo.out_hw[1] + q]
        == xp[n, 2, p * stride[0] + i * dilation[0], q * stride[1] + j * dilation[1]]
    )
    img = Col2Im(geo)(_t(c, False))
    np.testing.assert_allclose((cols.numpy() * c).sum(), (x * img.numpy()).sum(), rtol=1e-12)
    assert gn.gradcheck(lambda a: Im2Col(geo)(a), _t(x))
    assert gn.gradcheck(lambda a: Col2Im(geo)(a), _t(c))
    assert gn.gradgradcheck(lambda a: Im2Col(geo)(a) ** 2, _t(x[:1, :2]))


@pytest.mark.parametrize("wide", [False, True], ids=["plain", "wide"])
def test_im2col_ones_row_and_wide_layout(wide):
    """The options convolutions use: a bias row of ones, and the wide Ho x Wp column grid."""
    geo = sliding_geometry((4, 5), (3, 2), (1, 1), (1, 1, 2, 0), (1, 2))
    x = _rand(2, 3, 4, 5)
    cols = Im2Col(geo, wide=wide, ones_row=True)(_t(x, False)).numpy()
    width = geo.padded_hw[1] if wide else geo.out_hw[1]
    assert cols.shape == (3 * 6 + 1, 2, geo.out_hw[0] * width)
    np.testing.assert_array_equal(cols[-1], 1.0)
    plain = Im2Col(geo)(_t(x, False)).numpy().reshape(18, 2, geo.out_hw[0], geo.out_hw[1])
    kept = cols[:-1].reshape(18, 2, geo.out_hw[0], width)[..., : geo.out_hw[1]]
    np.testing.assert_array_equal(kept, plain)
    c = _rand(18, 2, geo.out_hw[0] * width, seed=1)
    img = Col2Im(geo, wide=wide)(_t(c, False)).numpy()
    np.testing.assert_allclose((cols[:-1] * c).sum(), (x * img).sum(), rtol=1e-12)
    assert gn.gradcheck(lambda a: Im2Col(geo, wide=wide, ones_row=True)(a), _t(x[:1]))
    assert gn.gradgradcheck(lambda a: Col2Im(geo, wide=wide)(a) ** 2, _t(c[:, :1]))


@pytest.mark.parametrize("groups", [1, 2], ids=["groups1", "groups2"])
def test_conv2d_wide_layout_matches_reference(monkeypatch, groups):
    """Force the wide layout (normally chosen for speed on large inputs) on tiny shapes."""
    import glassnet.nn.functional.conv as conv_module

    monkeypatch.setattr(conv_module, "use_wide_columns", lambda geo, c, o: geo.stride == (1, 1))
    x, w, b = _rand(2, 4, 5, 4), _rand(2, 4 // groups, 3, 2, seed=1), _rand(2, seed=2)
    kwargs = dict(padding=(1, 2), dilation=(1, 2), groups=groups)
    y = F.conv2d(_t(x), _t(w), _t(b), **kwargs)
    expected = reference_conv2d(x, w, b, (1, 1), (1, 1, 2, 2), (1, 2), groups)
    np.testing.assert_allclose(y.numpy(), expected, atol=1e-12)
    fn = lambda a, c, d: F.conv2d(a, c, d, **kwargs)  # noqa: E731
    assert gn.gradcheck(fn, _t(x), _t(w), _t(b))
    assert gn.gradgradcheck(fn, _t(x[:1]), _t(w), _t(b))


def test_benchmark_shapes_use_the_wide_layout():
    from glassnet.nn.functional.conv import use_wide_columns

    conv2 = sliding_geometry((14, 14), (3, 3), (1, 1), (1, 1, 1, 1))
    assert use_wide_columns(conv2, 32, 64)
    assert not use_wide_columns(sliding_geometry((28, 28), (3, 3), (1, 1), (1, 1, 1, 1)), 1, 32)
    assert not use_wide_columns(sliding_geometry((14, 14), (3, 3), (2, 2), (1, 1, 1, 1)), 32, 64)


def test_unfold_fold_round_trip_counts_overlaps():
    x = gn.ones(1, 2, 4, 4, dtype=gn.float64)
    cols = F.unfold(x, 2, stride=1)
    assert cols.shape == (1, 8, 9)
    back = F.fold(cols, (4, 4), 2, stride=1)
    # every pixel is added once per window that covers it: corners 1, edges 2, centre 4
    np.testing.assert_array_equal(
        back.numpy()[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    )


def test_conv2d_equals_unfold_matmul():
    x, w = _rand(2, 3, 6, 5), _rand(4, 3, 3, 2, seed=1)
    cols = F.unfold(_t(x, False), (3, 2), padding=1)
    y = (_t(w, False).reshape(4, -1) @ cols).reshape(2, 4, 6, 6)
    np.testing.assert_allclose(
        y.numpy(), F.conv2d(_t(x, False), _t(w, False), padding=1).numpy(), atol=1e-12
    )


# ------------------------------------------------------------------ layers


def test_conv2d_layer_shapes_init_and_repr():
    gn.manual_seed(0)
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 3 * 2)
    assert np.abs(conv.weight.numpy()).max() <= bound and np.abs(conv.bias.numpy()).max() <= bound
    assert np.abs(conv.weight.numpy()).max() > 0.7 * bound  # really spread over the range
    assert repr(conv) == (
        "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), groups=2)"
    )
    gn.manual_seed(0)
    again = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    np.testing.assert_array_equal(conv.weight.numpy(), again.weight.numpy())
    assert conv(gn.randn(3, 4, 7, 7)).shape == (3, 6, 4, 4)
    assert conv(gn.randn(4, 7, 7)).shape == (6, 4, 4)


@pytest.mark.parametrize(
    "layer,text",
    [
        (
            lambda: nn.Conv2d(1, 32, 3, padding=1),
            "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
        ),
        (
            lambda: nn.Conv2d(2, 4, 3, padding="same", bias=False, padding_mode="reflect"),
            "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False, "
            "padding_mode=reflect)",
        ),
        (
            lambda: nn.Conv1d(2, 4, 3, dilation=2),
            "Conv1d(2, 4, kernel_size=(3,), stride=(1,), dilation=(2,))",
        ),
        (
            lambda: nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1),
            "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))",
        ),
        (lambda: nn.Unfold(3), "Unfold(kernel_size=3, dilation=1, padding=0, stride=1)"),
    ],
    ids=["conv2d", "conv2d_same_reflect", "conv1d", "conv_transpose2d", "unfold"],
)
def test_reprs_match_pytorch(layer, text):
    assert repr(layer()) == text


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_gradcheck_and_values(mode):
    conv = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
    x = _rand(1, 2, 4, 5)
    y = conv(_t(x, False))
    assert y.shape == (1, 3, 4, 7)
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)), mode=np_mode)
    expected = F.conv2d(_t(xp, False), conv.weight, conv.bias)
    np.testing.assert_allclose(y.numpy(), expected.numpy(), atol=1e-12)
    assert gn.gradcheck(lambda a: conv(a), _t(x))


def test_conv_transpose2d_layer_output_size():
    up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    x = gn.randn(1, 3, 4, 4)
    assert up(x).shape == (1, 2, 7, 7)
    assert up(x, output_size=(8, 8)).shape == (1, 2, 8, 8)
    assert up(x, output_size=(1, 2, 8, 8)).shape == (1, 2, 8, 8)
    with pytest.raises(ValueError, match="valid sizes"):
        up(x, output_size=(9, 9))


def test_conv_layers_train_gradients_reach_parameters():
    conv = nn.Conv1d(2, 3, 3, padding=1)
    conv(gn.randn(4, 2, 10)).sum().backward()
    assert conv.weight.grad.shape == (3, 2, 3)
    # d(sum y)/d bias = number of output positions (N * L)
    np.testing.assert_allclose(conv.bias.grad.numpy(), 40.0)


# ------------------------------------------------------------------ errors


def test_error_wrong_channels_names_the_layer():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 4, 3))
    with pytest.raises(
        ValueError,
        match=r"^0 \(Conv2d\): expected input of shape \(N, 3, H, W\) "
        r"or \(3, H, W\), got \(2, 4, 9, 9\)",
    ):
        model(gn.randn(2, 4, 9, 9))


def test_error_input_smaller_than_kernel_names_the_layer():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(8, 4, 5))
    with pytest.raises(ValueError, match=r"^1 \(Conv2d\).*H >= 5 and W >= 5.*got \(2, 8, 3, 3\)"):
        model(gn.randn(2, 3, 5, 5))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        F.conv2d(gn.randn(1, 2, 2, 2), gn.randn(4, 2, 3, 3))


def test_error_wrong_ndim_and_dtype():
    conv = nn.Conv1d(2, 3, 3)
    with pytest.raises(ValueError, match=r"Conv1d.*\(N, 2, L\) or \(2, L\), got \(2, 3, 4, 5\)"):
        conv(gn.randn(2, 3, 4, 5))
    with pytest.raises(TypeError, match="dtype float32"):
        conv(gn.randn(1, 2, 5, dtype=gn.float64))
    with pytest.raises(TypeError, match="glassnet Tensor"):
        conv(np.zeros((1, 2, 5), dtype=np.float32))
    with pytest.raises(ValueError, match="expected a 3-D.*or 4-D"):
        F.conv2d(gn.randn(5, 5), gn.randn(4, 2, 3, 3))


def test_error_same_padding_with_stride():
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(2, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(gn.randn(1, 2, 5, 5), gn.randn(4, 2, 3, 3), stride=2, padding="same")


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: nn.Conv2d(4, 6, 3, groups=4), "out_channels .* divisible by groups"),
        (lambda: nn.Conv2d(3, 6, 3, groups=2), "in_channels .* divisible by groups"),
        (lambda: nn.Conv2d(3, 6, 3, padding_mode="mirror"), "padding_mode must be one of"),
        (lambda: nn.Conv2d(3, 6, 3, padding="full"), "padding must be"),
        (lambda: nn.ConvTranspose2d(3, 6, 3, output_padding=1), "output_padding must be smaller"),
        (lambda: nn.ConvTranspose2d(3, 6, 3, padding_mode="reflect"), 'only "zeros"'),
        (lambda: nn.Conv2d(0, 6, 3), "in_channels must be a positive integer"),
        (lambda: nn.Conv2d(3, 6, (3, 3, 3)), "kernel_size must be an int or a tuple of 2"),
    ],
    ids=[
        "out_groups",
        "in_groups",
        "padding_mode",
        "padding_str",
        "output_padding",
        "transpose_mode",
        "zero_channels",
        "kernel_tuple",
    ],
)
def test_constructor_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_functional_errors():
    x = gn.randn(1, 4, 5, 5)
    with pytest.raises(ValueError, match="expects an input with 2 channels, got 4 channels"):
        F.conv2d(x, gn.randn(3, 2, 3, 3))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\)"):
        F.conv2d(x, gn.randn(3, 4, 3, 3), gn.randn(4))
    with pytest.raises(TypeError, match="dtype"):
        F.conv2d(x, gn.randn(3, 4, 3, 3, dtype=gn.float64))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        F.conv2d(x, gn.randn(3, 4, 3, 3), stride=0)
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        F.conv_transpose2d(x, gn.randn(4, 2, 3, 3), output_padding=1)
    with pytest.raises(ValueError, match="expected an input of shape"):
        F.fold(gn.randn(1, 8, 5), (4, 4), 2)
