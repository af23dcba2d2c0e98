"""F.interpolate / nn.Upsample mode='bicubic' against PyTorch: values, gradients, gradcheck, errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn import functional as F

torch = pytest.importorskip("torch")

SIZES = [
    dict(size=(9, 4)),
    dict(size=7),
    dict(scale_factor=2.5),
    dict(scale_factor=(0.5, 1.7)),
    dict(scale_factor=3, recompute_scale_factor=True),
    dict(size=(1, 1)),
]
SIZE_IDS = ["size_up_down", "size_int", "scale", "scale_pair", "recompute", "to_1x1"]


@pytest.mark.parametrize("align_corners", [False, True], ids=["edges", "corners"])
@pytest.mark.parametrize("kwargs", SIZES, ids=SIZE_IDS)
def test_values_and_gradients_match_torch(kwargs, align_corners):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 5, 6)).astype(np.float32)
    xg, xt = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yg = F.interpolate(xg, mode="bicubic", align_corners=align_corners, **kwargs)
    yt = torch.nn.functional.interpolate(xt, mode="bicubic", align_corners=align_corners, **kwargs)
    assert yg.shape == tuple(yt.shape)
    assert yg.dtype == gn.float32
    np.testing.assert_allclose(yg.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    w = rng.normal(size=yg.shape).astype(np.float32)
    (yg * gn.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_align_corners_true_keeps_the_corners_and_a_constant_stays_constant():
    x = gn.tensor(np.random.default_rng(1).normal(size=(1, 1, 4, 5)))
    y = F.interpolate(x, size=(7, 9), mode="bicubic", align_corners=True).numpy()
    corners = y[0, 0][[0, 0, -1, -1], [0, -1, 0, -1]]
    np.testing.assert_allclose(corners, x.numpy()[0, 0][[0, 0, -1, -1], [0, -1, 0, -1]])
    c = F.interpolate(gn.full((1, 2, 3, 3), 2.5), scale_factor=3, mode="bicubic")
    np.testing.assert_allclose(c.numpy(), 2.5, rtol=1e-6)  # the four weights sum to 1


@pytest.mark.parametrize("align_corners", [False, True], ids=["edges", "corners"])
def test_gradcheck_float64(align_corners):
    x = gn.tensor(np.random.default_rng(2).normal(size=(1, 2, 3, 4)), requires_grad=True)

    def f(t):
        return F.interpolate(t, size=(5, 3), mode="bicubic", align_corners=align_corners)

    assert gn.numerical.gradcheck(f, (x,))


def test_upsample_layer_matches_torch():
    x = np.random.default_rng(3).normal(size=(1, 2, 4, 4)).astype(np.float32)
    layer = nn.Upsample(scale_factor=2, mode="bicubic", align_corners=False)
    ref = torch.nn.Upsample(scale_factor=2, mode="bicubic", align_corners=False)
    np.testing.assert_allclose(
        layer(gn.tensor(x)).numpy(), ref(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6
    )
    assert "bicubic" in repr(layer)


def test_bad_input_gets_one_clear_error():
    with pytest.raises(NotImplementedError, match=r"antialias=True is not implemented"):
        F.interpolate(gn.randn(1, 1, 4, 4), size=2, mode="bicubic", antialias=True)
    with pytest.raises(ValueError, match=r"mode 'bicubic' expects input \(N, C, H, W\), got"):
        F.interpolate(gn.randn(1, 1, 4), size=2, mode="bicubic")
    with pytest.raises(ValueError, match=r"give either size or scale_factor"):
        F.interpolate(gn.randn(1, 1, 4, 4), mode="bicubic")
