"""Fractional max pooling against PyTorch: F.fractional_max_pool2d and nn.FractionalMaxPool2d with the same random samples (values, indices, gradients), the window starts, gradcheck, errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402
import glassnet.nn.functional as F  # noqa: E402
from glassnet.errors import ShapeError  # noqa: E402
from glassnet.nn.functional.fractional_pooling import fractional_window_starts  # noqa: E402

CASES = [
    # id, input shape, kernel, kwargs
    ("size", (2, 3, 10, 9), 2, dict(output_size=(5, 4))),
    ("ratio_pair", (2, 3, 11, 13), 3, dict(output_ratio=(0.5, 0.7))),
    ("ratio_number", (2, 2, 12, 12), 2, dict(output_ratio=0.6)),
    ("rect_kernel_unbatched", (3, 7, 8), (2, 3), dict(output_size=4)),
    ("nearly_identity", (1, 2, 10, 9), 2, dict(output_size=(9, 8))),
    ("one_output", (1, 2, 6, 5), 3, dict(output_size=1)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape,kernel,kwargs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_fractional_max_pool2d_matches_torch(shape, kernel, kwargs, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    batch = 1 if len(shape) == 3 else shape[0]
    samples = rng.random((batch, shape[-3], 2)).astype(dtype)
    xg, xt = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yg, ig = F.fractional_max_pool2d(xg, kernel, **kwargs, return_indices=True,
                                     _random_samples=gn.tensor(samples))  # fmt: skip
    # PyTorch's function form takes a ratio pair only (its layer makes one from a number)
    theirs = {k: (v, v) if k == "output_ratio" and np.isscalar(v) else v for k, v in kwargs.items()}
    yt, it = torch.nn.functional.fractional_max_pool2d(
        xt, kernel, **theirs, return_indices=True, _random_samples=torch.tensor(samples)
    )
    np.testing.assert_array_equal(ig.numpy(), it.numpy())
    np.testing.assert_array_equal(yg.numpy(), yt.detach().numpy())
    g = rng.standard_normal(yg.shape).astype(dtype)
    yg.backward(gn.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_fractional_max_pool2d_module_matches_torch_with_fixed_samples():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 9, 11))
    samples = rng.random((2, 3, 2))
    ours = nn.FractionalMaxPool2d(2, output_ratio=0.5, return_indices=True,
                                  _random_samples=gn.tensor(samples))  # fmt: skip
    theirs = torch.nn.FractionalMaxPool2d(2, output_ratio=0.5, return_indices=True,
                                          _random_samples=torch.tensor(samples))  # fmt: skip
    (yg, ig), (yt, it) = ours(gn.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_array_equal(yg.numpy(), yt.numpy())
    np.testing.assert_array_equal(ig.numpy(), it.numpy())
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]


def test_fractional_max_pool2d_draws_new_windows_and_keeps_its_rules():
    """Without samples every call draws new ones: the windows move, yet each output is the
    maximum of a kernel-sized window that lies in the input, and indices point at it."""
    gn.manual_seed(0)
    x = gn.randn(4, 8, 15, 15)
    pool = nn.FractionalMaxPool2d(2, output_size=(7, 7), return_indices=True)
    (y1, i1), (_, i2) = pool(x), pool(x)
    assert y1.shape == (4, 8, 7, 7)
    assert not np.array_equal(i1.numpy(), i2.numpy())
    planes = x.numpy().reshape(4, 8, -1)
    np.testing.assert_array_equal(np.take_along_axis(planes, i1.numpy().reshape(4, 8, -1), 2),
                                  y1.numpy().reshape(4, 8, -1))  # fmt: skip
    unpooled = F.max_unpool2d(y1, i1, 2, output_size=(15, 15))  # the indices serve max_unpool2d
    assert unpooled.shape == (4, 8, 15, 15)


def test_window_starts_step_by_floor_or_ceil_of_alpha_and_end_at_the_edge():
    u = np.random.default_rng(2).random(50)
    starts = fractional_window_starts(u, 25, 10, 3)  # alpha = 22 / 9, about 2.44
    steps = np.diff(starts, axis=1)[:, :-1]
    assert set(np.unique(steps)) <= {2, 3} and (starts[:, 0] == 0).all()
    assert (starts[:, -1] == 22).all()


def test_fractional_max_pool2d_gradcheck():
    x = gn.tensor(np.random.default_rng(3).standard_normal((1, 2, 7, 6)), requires_grad=True)
    samples = gn.tensor(np.random.default_rng(4).random((1, 2, 2)))
    assert gn.gradcheck(lambda x: F.fractional_max_pool2d(x, 2, (4, 3), _random_samples=samples), x)


def test_fractional_max_pool2d_errors():
    x = gn.randn(1, 2, 6, 6)
    with pytest.raises(ValueError, match="give either output_size or output_ratio"):
        F.fractional_max_pool2d(x, 2)
    with pytest.raises(ValueError, match="output_ratio must be a number or a pair"):
        F.fractional_max_pool2d(x, 2, output_ratio=1.5)
    with pytest.raises(
        ShapeError, match="output height 6 with kernel 2 needs an input height of at least 7"
    ):
        F.fractional_max_pool2d(x, 2, output_size=6)
    with pytest.raises(ShapeError, match=r"expected _random_samples of shape \(1, 2, 2\)"):
        F.fractional_max_pool2d(x, 2, 3, _random_samples=gn.rand(2, 2, 2))
    with pytest.raises(ShapeError, match=r"expected a 3-D \(C, H, W\) or 4-D"):
        F.fractional_max_pool2d(gn.randn(6, 6), 2, 3)
    with pytest.raises(ValueError, match="FractionalMaxPool2d: give only one of"):
        nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5)
    with pytest.raises(
        ValueError, match="FractionalMaxPool2d: output_ratio must be between 0 and 1"
    ):
        nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1.0))
    with pytest.raises(
        ShapeError, match=r"FractionalMaxPool2d: expected input of shape \(N, C, H, W\)"
    ):
        nn.FractionalMaxPool2d(2, 3)(gn.randn(6, 6))
    with pytest.raises(ShapeError, match="FractionalMaxPool2d: output width"):
        nn.FractionalMaxPool2d(2, (3, 6))(x)
