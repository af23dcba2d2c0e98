"""glassnet.amp.GradScaler (the scaling algorithm, against PyTorch's CPU scaler), glassnet.testing
.assert_close (PyTorch's tolerances and messages) and glassnet.Size."""

import math

import numpy as np
import pytest

import glassnet as gn

RNG = np.random.default_rng(2)
X = RNG.standard_normal((8, 3))


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _model_and_data(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 1).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor([[0.5, -0.25, 1.0]], dtype=lib.float64))
        layer.bias.copy_(lib.tensor([0.1], dtype=lib.float64))
    x = lib.tensor(X, dtype=lib.float64)
    return layer, x


def test_grad_scaler_follows_pytorch_through_good_and_bad_steps(torch):
    runs = []
    for lib in (gn, torch):
        layer, x = _model_and_data(lib)
        opt = lib.optim.SGD(layer.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
        scales, weights = [], []
        for step in range(6):
            opt.zero_grad()
            loss = (layer(x) ** 2).mean() * (math.inf if step == 3 else 1.0)  # one bad step
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            scaler.step(opt)
            scaler.update()
            scales.append(scaler.get_scale())
            weights.append(layer.weight.detach().numpy().copy())
        runs.append((scales, weights))
    (ours_scales, ours_w), (theirs_scales, theirs_w) = runs
    assert ours_scales == theirs_scales
    for a, b in zip(ours_w, theirs_w):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_grad_scaler_scales_the_loss_and_skips_non_finite_steps():
    layer, x = _model_and_data(gn)
    opt = gn.optim.SGD(layer.parameters(), lr=0.1)
    scaler = gn.amp.GradScaler(init_scale=4.0)
    loss = (layer(x) ** 2).mean()
    assert scaler.scale(loss).item() == pytest.approx(4.0 * loss.item())
    opt.zero_grad()
    scaler.scale(loss * math.nan).backward()
    before = layer.weight.numpy().copy()
    scaler.step(opt)
    scaler.update()
    np.testing.assert_array_equal(layer.weight.numpy(), before)  # skipped
    assert scaler.get_scale() == 2.0
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
        scaler.unscale_(opt)


def test_a_disabled_scaler_passes_everything_through():
    layer, x = _model_and_data(gn)
    opt = gn.optim.SGD(layer.parameters(), lr=0.1)
    scaler = gn.cuda.amp.GradScaler(enabled=False)  # what CPU runs of GPU scripts create
    loss = (layer(x) ** 2).mean()
    assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0
    loss.backward()
    before = layer.weight.numpy().copy()
    scaler.step(opt)
    scaler.update()
    assert not np.array_equal(layer.weight.numpy(), before)
    with gn.cuda.amp.autocast() if hasattr(gn.cuda.amp, "autocast") else gn.autocast("cpu"):
        assert layer(x).dtype == gn.float64


def test_assert_close_uses_pytorchs_tolerances(torch):
    cases = [
        (np.float32, 1.0, 1.0 + 1e-6),  # within float32's rtol 1.3e-6 + atol 1e-5
        (np.float32, 1.0, 1.0 + 2e-5),
        (np.float64, 1.0, 1.0 + 1e-8),
        (np.float64, 1.0, 1.0 + 1e-6),
        (np.float16, 1.0, 1.0009765625),
    ]
    for dtype, a, e in cases:
        outcomes = []
        for lib, testing in ((gn, gn.testing), (torch, torch.testing)):
            try:
                testing.assert_close(
                    lib.tensor(np.array([a], dtype)), lib.tensor(np.array([e], dtype))
                )
                outcomes.append(True)
            except AssertionError:
                outcomes.append(False)
        assert outcomes[0] == outcomes[1], (dtype, a, e)


def test_assert_close_messages_and_containers():
    gn.testing.assert_close({"a": gn.tensor([1.0]), "b": [gn.tensor(2)]},
                            {"a": gn.tensor([1.0]), "b": [gn.tensor(2)]})  # fmt: skip
    with pytest.raises(
        AssertionError, match=r"Mismatched elements: 1 / 3; greatest difference 0.5 at index \(2,\)"
    ):
        gn.testing.assert_close(gn.tensor([1.0, 2.0, 3.0]), gn.tensor([1.0, 2.0, 3.5]))
    with pytest.raises(AssertionError, match="dtypes do not match"):
        gn.testing.assert_close(gn.tensor([1.0]), gn.tensor([1.0], dtype=gn.float64))
    gn.testing.assert_close(gn.tensor([1.0]), gn.tensor([1.0], dtype=gn.float64), check_dtype=False)
    with pytest.raises(AssertionError, match="shapes do not match"):
        gn.testing.assert_close(gn.zeros(2), gn.zeros(3))
    with pytest.raises(AssertionError):
        gn.testing.assert_close(gn.tensor([math.nan]), gn.tensor([math.nan]))
    gn.testing.assert_close(gn.tensor([math.nan]), gn.tensor([math.nan]), equal_nan=True)
    gn.testing.assert_allclose(gn.tensor([math.nan, 1.0]), np.array([math.nan, 1.0]))


def test_size_is_a_tuple_that_prints_like_pytorchs():
    size = gn.Size([2, 3])
    assert size == (2, 3) == gn.zeros(2, 3).shape and isinstance(size, tuple)
    assert repr(size) == "glassnet.Size([2, 3])" and size.numel() == 6
    assert gn.zeros(size).shape == (2, 3)
