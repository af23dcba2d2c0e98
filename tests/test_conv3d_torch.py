"""3-D convolutions against PyTorch: Conv3d / ConvTranspose3d and F.conv3d / F.conv_transpose3d values and gradients, the volume unfold/fold ops, gradchecks and errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from test_nn_conv_torch import _compare_layer  # noqa: E402 - the 2-D tests' comparison

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402
import glassnet.nn.functional as F  # noqa: E402
from glassnet.errors import ShapeError  # noqa: E402
from glassnet.ops.volume import VolumeFold, VolumeUnfold, window_geometry  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

CONV3D_CASES = [
    # id, (in, out, kernel), kwargs, input shape
    ("k3", (3, 4, 3), {}, (2, 3, 5, 6, 4)),
    ("k3p1", (3, 4, 3), dict(padding=1), (2, 3, 5, 6, 4)),
    ("stride2", (3, 5, 3), dict(stride=2, padding=1), (2, 3, 5, 6, 4)),
    ("rect_kernel", (3, 4, (2, 3, 1)), dict(stride=(1, 2, 3), padding=(1, 0, 2)), (2, 3, 5, 6, 4)),
    ("dilated", (3, 2, 2), dict(dilation=(2, 1, 3), padding=1), (2, 3, 5, 6, 4)),
    ("same_even", (3, 2, (2, 3, 4)), dict(padding="same"), (2, 3, 5, 6, 4)),
    ("same_dilated", (3, 2, 3), dict(padding="same", dilation=(1, 2, 1)), (1, 3, 5, 6, 4)),
    ("valid", (3, 4, 2), dict(padding="valid"), (2, 3, 5, 6, 4)),
    ("groups", (4, 6, 3), dict(groups=2, padding=1), (2, 4, 5, 6, 4)),
    ("depthwise", (3, 6, 2), dict(groups=3, stride=2), (2, 3, 5, 6, 4)),
    ("nobias_1x1x1", (3, 5, 1), dict(bias=False), (2, 3, 5, 6, 4)),
    ("reflect", (3, 4, 3), dict(padding=1, padding_mode="reflect"), (2, 3, 5, 6, 4)),
    ("replicate", (3, 4, 3), dict(padding=(2, 1, 0), padding_mode="replicate"), (2, 3, 5, 6, 4)),
    ("circular", (3, 4, 3), dict(padding=1, padding_mode="circular", stride=2), (2, 3, 5, 6, 4)),
    ("unbatched", (3, 4, 3), dict(padding=1), (3, 5, 6, 4)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("args,kwargs,x_shape", [c[1:] for c in CONV3D_CASES],
                         ids=[c[0] for c in CONV3D_CASES])  # fmt: skip
def test_conv3d_layer_matches_torch(args, kwargs, x_shape, dtype):
    torch.manual_seed(0)
    _compare_layer(nn.Conv3d(*args, **kwargs), torch.nn.Conv3d(*args, **kwargs), x_shape, dtype)


CONV_T3D_CASES = [
    ("k3", (3, 4, 3), {}, (2, 3, 3, 4, 2)),
    ("stride2_pad1", (3, 4, 3), dict(stride=2, padding=1), (2, 3, 3, 4, 2)),
    ("output_padding", (3, 2, 3), dict(stride=(2, 3, 2), padding=1, output_padding=(1, 2, 0)),
     (2, 3, 3, 4, 2)),
    ("groups", (4, 6, 2), dict(groups=2, stride=2), (2, 4, 3, 4, 2)),
    ("dilated", (3, 2, 2), dict(dilation=(2, 1, 3), stride=(1, 2, 1)), (2, 3, 3, 4, 2)),
    ("nobias", (3, 2, (1, 2, 3)), dict(bias=False, padding=(0, 1, 1)), (2, 3, 3, 4, 2)),
    ("unbatched", (3, 4, 2), dict(stride=2), (3, 3, 4, 2)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("args,kwargs,x_shape", [c[1:] for c in CONV_T3D_CASES],
                         ids=[c[0] for c in CONV_T3D_CASES])  # fmt: skip
def test_conv_transpose3d_layer_matches_torch(args, kwargs, x_shape, dtype):
    torch.manual_seed(0)
    ours, theirs = nn.ConvTranspose3d(*args, **kwargs), torch.nn.ConvTranspose3d(*args, **kwargs)
    _compare_layer(ours, theirs, x_shape, dtype)


def test_conv_transpose3d_output_size_matches_torch():
    torch.manual_seed(0)
    ours, theirs = (
        nn.ConvTranspose3d(2, 3, 3, stride=2),
        torch.nn.ConvTranspose3d(2, 3, 3, stride=2),
    )
    _compare_layer(ours, theirs, (1, 2, 3, 3, 2), np.float64, dict(output_size=(8, 7, 6)))


@pytest.mark.parametrize("kwargs", [dict(stride=2, padding=1), dict(dilation=2, groups=3),
                                    dict(padding="same")], ids=["strided", "grouped", "same"])  # fmt: skip
def test_functional_conv3d_matches_torch(kwargs):
    rng = np.random.default_rng(1)
    groups = kwargs.get("groups", 1)
    x, w, b = (
        rng.normal(size=(2, 3, 5, 6, 4)),
        rng.normal(size=(6, 3 // groups, 2, 3, 2)),
        rng.normal(size=6),
    )
    ours = F.conv3d(gn.tensor(x), gn.tensor(w), gn.tensor(b), **kwargs)
    theirs = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **kwargs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_functional_conv_transpose3d_matches_torch():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 4, 3, 2, 3)), rng.normal(size=(4, 1, 3, 2, 2))
    kwargs = dict(stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0), groups=2,
                  dilation=(1, 2, 1))  # fmt: skip
    ours = F.conv_transpose3d(gn.tensor(x), gn.tensor(w), **kwargs)
    theirs = torch.nn.functional.conv_transpose3d(torch.tensor(x), torch.tensor(w), **kwargs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------- gradchecks (float64)


def _t(a):
    return gn.tensor(a, dtype=gn.float64, requires_grad=True)


def test_conv3d_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(1, 2, 3, 4, 3)), rng.normal(size=(4, 1, 2, 2, 2)), rng.normal(size=4)

    def fn(x, w, b):
        return F.conv3d(x, w, b, stride=(1, 2, 1), padding=1, groups=2)

    assert gn.gradcheck(fn, _t(x), _t(w), _t(b))
    assert gn.gradgradcheck(fn, _t(x), _t(w), _t(b), atol=1e-4)


def test_conv_transpose3d_gradcheck():
    rng = np.random.default_rng(4)
    x, w, b = rng.normal(size=(1, 2, 2, 3, 2)), rng.normal(size=(2, 2, 2, 2, 3)), rng.normal(size=2)

    def fn(x, w, b):
        return F.conv_transpose3d(x, w, b, stride=2, padding=(0, 1, 1), output_padding=1)

    assert gn.gradcheck(fn, _t(x), _t(w), _t(b))


def test_volume_fold_is_the_adjoint_of_unfold():
    """<unfold(x), c> == <x, fold(c)> for every x and c: the pair is a linear map and its transpose."""
    rng = np.random.default_rng(5)
    geo = window_geometry((5, 4, 6), (2, 3, 2), (2, 1, 3), (1, 0, 0, 1, 2, 1), (1, 1, 2))
    x = rng.normal(size=(2, 3) + geo.in_size)
    c = rng.normal(size=(2,) + geo.out_size + (3,) + geo.kernel)
    unfolded = VolumeUnfold(geo)(gn.tensor(x)).numpy()
    folded = VolumeFold(geo)(gn.tensor(c)).numpy()
    assert unfolded.shape == c.shape and folded.shape == x.shape
    np.testing.assert_allclose((unfolded * c).sum(), (x * folded).sum(), rtol=1e-12)


def test_volume_unfold_matches_torch_unfold_on_images():
    """Written for any rank: on 2-D images it must give F.unfold's columns."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 7, 6))
    geo = window_geometry((7, 6), (3, 2), (2, 1), (1, 1, 0, 0), (1, 2))
    cols = VolumeUnfold(geo)(gn.tensor(x)).numpy()  # (N, Ho, Wo, C, kh, kw)
    n, ho, wo = cols.shape[:3]
    ours = cols.reshape(n, ho * wo, -1).transpose(0, 2, 1)
    theirs = torch.nn.functional.unfold(torch.tensor(x), (3, 2), dilation=(1, 2), padding=(1, 0),
                                        stride=(2, 1))  # fmt: skip
    np.testing.assert_allclose(ours, theirs.numpy())


# ---------------------------------------------------------------------------- errors


def test_conv3d_layer_errors_name_the_layer():
    conv = nn.Conv3d(3, 4, 3)
    with pytest.raises(ShapeError, match=r"Conv3d: expected input of shape \(N, 3, D, H, W\)"):
        conv(gn.randn(2, 3, 5, 6))
    with pytest.raises(
        ShapeError, match=r"\(N, 3, D, H, W\) or \(3, D, H, W\), got \(2, 4, 5, 5, 5\)"
    ):
        conv(gn.randn(2, 4, 5, 5, 5))
    with pytest.raises(ShapeError, match="D >= 3 and H >= 3 and W >= 3"):
        conv(gn.randn(2, 3, 2, 5, 5))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv3d(3, 4, 3, stride=2, padding="same")


def test_functional_conv3d_errors():
    with pytest.raises(ShapeError, match=r"conv3d: expected a 4-D \(C, D, H, W\) unbatched or 5-D"):
        F.conv3d(gn.randn(3, 5, 5), gn.randn(4, 3, 3, 3, 3))
    with pytest.raises(ShapeError, match="expects an input with 3 channels, got 2 channels"):
        F.conv3d(gn.randn(1, 2, 5, 5, 5), gn.randn(4, 3, 3, 3, 3))
    with pytest.raises(ShapeError, match=r"padded input size per channel is \(2 x 5 x 5\)"):
        F.conv3d(gn.randn(1, 3, 2, 5, 5), gn.randn(4, 3, 3, 3, 3))
    with pytest.raises(ShapeError, match="conv_transpose3d: the output size would be"):
        F.conv_transpose3d(gn.randn(1, 2, 1, 1, 1), gn.randn(2, 2, 1, 1, 1), padding=1)
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        F.conv_transpose3d(gn.randn(1, 2, 2, 2, 2), gn.randn(2, 2, 2, 2, 2), output_padding=1)


def test_conv3d_reprs_match_torch():
    cases = [
        ((3, 4, 3), dict(padding=1, padding_mode="circular")),
        ((4, 6, (1, 2, 3)), dict(stride=2, dilation=(1, 2, 1), groups=2, bias=False)),
    ]
    for args, kwargs in cases:
        assert repr(nn.Conv3d(*args, **kwargs)) == repr(torch.nn.Conv3d(*args, **kwargs))
    assert repr(nn.ConvTranspose3d(3, 4, 3, stride=2, output_padding=1)) == repr(
        torch.nn.ConvTranspose3d(3, 4, 3, stride=2, output_padding=1)
    )
