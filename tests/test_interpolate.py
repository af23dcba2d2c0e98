"""F.interpolate and nn.Upsample against PyTorch: nearest, linear and bilinear, values and gradients."""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(2)
IMAGE = RNG.standard_normal((2, 3, 5, 4))
SIGNAL = RNG.standard_normal((2, 3, 6))

CASES = [
    (IMAGE, {"scale_factor": 2}),
    (IMAGE, {"size": (7, 3)}),
    (IMAGE, {"scale_factor": 1.5}),
    (IMAGE, {"scale_factor": 1.7, "recompute_scale_factor": True}),
    (IMAGE, {"size": (8, 9), "mode": "bilinear"}),
    (IMAGE, {"size": (8, 9), "mode": "bilinear", "align_corners": True}),
    (IMAGE, {"scale_factor": (0.5, 2.3), "mode": "bilinear"}),
    (IMAGE, {"size": 3, "mode": "bilinear", "align_corners": False}),
    (SIGNAL, {"scale_factor": 2, "mode": "linear"}),
    (SIGNAL, {"size": 4, "mode": "linear", "align_corners": True}),
    (SIGNAL, {"size": 11}),
]


@pytest.mark.parametrize("data, options", CASES, ids=[str(o) for _, o in CASES])
def test_the_same_values_and_gradients_as_pytorch(data, options):
    ours, theirs = gn.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y_ours = gn.nn.functional.interpolate(ours, **options)
    y_theirs = torch.nn.functional.interpolate(theirs, **options)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    weights = RNG.standard_normal(y_ours.shape)
    (y_ours * gn.tensor(weights)).sum().backward()
    (y_theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_upsample_is_the_layer_form():
    layer = gn.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    theirs = torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    np.testing.assert_allclose(
        layer(gn.tensor(IMAGE)).numpy(), theirs(torch.tensor(IMAGE)).numpy(), rtol=1e-12
    )
    assert repr(layer) == "Upsample(scale_factor=2.0, mode='bilinear')"
    assert list(layer.parameters()) == []


def test_bad_arguments_get_one_clear_line():
    f = gn.nn.functional.interpolate
    with pytest.raises(ValueError, match=r"give either size or scale_factor"):
        f(gn.tensor(IMAGE))
    with pytest.raises(ValueError, match=r"mode 'bilinear' expects input \(N, C, H, W\), got"):
        f(gn.tensor(SIGNAL), size=3, mode="bilinear")
    with pytest.raises(ValueError, match=r"align_corners only applies to linear and bilinear"):
        f(gn.tensor(IMAGE), size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match=r"antialias=True is not implemented"):
        f(gn.tensor(IMAGE), size=3, mode="bicubic", antialias=True)
