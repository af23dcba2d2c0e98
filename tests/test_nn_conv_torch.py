"""Convolution layers against PyTorch: copied weights, same input; forward values and gradients wrt input, weight and bias."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402
import glassnet.nn.functional as F  # noqa: E402

# PyTorch warns that its padding='same' with an even kernel copies the input; that is fine here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def _copy_params(ours, theirs, dtype):
    for name, p in theirs.named_parameters():
        getattr(ours, name).data = p.detach().numpy().astype(dtype)


def _compare_layer(ours, theirs, x_shape, dtype, call_kwargs=None):
    """Forward and backward both layers on the same input and upstream gradient."""
    call_kwargs = call_kwargs or {}
    theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    _copy_params(ours, theirs, dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    xg = gn.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yg, yt = ours(xg, **call_kwargs), theirs(xt, **call_kwargs)
    assert yg.shape == tuple(yt.shape)
    assert yg.dtype == dtype
    tol = TOL[dtype]
    np.testing.assert_allclose(yg.numpy(), yt.detach().numpy(), **tol)
    g = rng.standard_normal(yg.shape).astype(dtype)
    yg.backward(gn.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), **tol)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            getattr(ours, name).grad.numpy(), p.grad.numpy(), **tol, err_msg=name
        )


CONV2D_CASES = [
    # id, (in, out, kernel), kwargs, input shape
    ("k3p1", (3, 8, 3), dict(padding=1), (4, 3, 10, 9)),
    ("k3_stride2", (3, 5, 3), dict(stride=2), (2, 3, 11, 8)),
    ("rect_kernel_tuple", (2, 4, (3, 2)), dict(stride=(2, 1), padding=(1, 2)), (2, 2, 7, 6)),
    ("dilated", (2, 4, 3), dict(dilation=(2, 3), padding=2), (2, 2, 9, 10)),
    ("same_even", (2, 3, 4), dict(padding="same"), (2, 2, 7, 6)),
    ("same_dilated", (2, 3, (3, 4)), dict(padding="same", dilation=2), (1, 2, 8, 9)),
    ("valid", (3, 4, 2), dict(padding="valid"), (2, 3, 5, 5)),
    ("groups", (4, 6, 3), dict(groups=2, padding=1), (2, 4, 6, 6)),
    ("depthwise", (4, 8, 3), dict(groups=4, stride=2, padding=1), (2, 4, 7, 7)),
    ("nobias_1x1", (5, 3, 1), dict(bias=False), (2, 5, 4, 4)),
    ("reflect", (2, 3, 3), dict(padding=1, padding_mode="reflect"), (2, 2, 5, 6)),
    ("replicate", (2, 3, 3), dict(padding=(2, 1), padding_mode="replicate"), (2, 2, 5, 6)),
    ("circular", (2, 3, 3), dict(padding=1, padding_mode="circular", stride=2), (2, 2, 5, 6)),
    ("same_reflect", (2, 3, 4), dict(padding="same", padding_mode="reflect"), (1, 2, 6, 6)),
    ("unbatched", (3, 4, 3), dict(padding=1), (3, 6, 5)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(
    "args,kwargs,x_shape", [c[1:] for c in CONV2D_CASES], ids=[c[0] for c in CONV2D_CASES]
)
def test_conv2d_parity(args, kwargs, x_shape, dtype):
    _compare_layer(nn.Conv2d(*args, **kwargs), torch.nn.Conv2d(*args, **kwargs), x_shape, dtype)


CONV1D_CASES = [
    ("k3p1", (3, 8, 3), dict(padding=1), (4, 3, 10)),
    ("stride_dilation", (2, 4, 3), dict(stride=2, dilation=2, padding=2), (2, 2, 13)),
    ("same_even", (2, 3, 4), dict(padding="same"), (2, 2, 7)),
    ("groups_nobias", (4, 6, 2), dict(groups=2, bias=False), (2, 4, 6)),
    ("reflect", (2, 3, 3), dict(padding=2, padding_mode="reflect"), (2, 2, 6)),
    ("unbatched", (3, 4, 3), {}, (3, 6)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(
    "args,kwargs,x_shape", [c[1:] for c in CONV1D_CASES], ids=[c[0] for c in CONV1D_CASES]
)
def test_conv1d_parity(args, kwargs, x_shape, dtype):
    _compare_layer(nn.Conv1d(*args, **kwargs), torch.nn.Conv1d(*args, **kwargs), x_shape, dtype)


TRANSPOSE2D_CASES = [
    ("k3", (3, 4, 3), {}, (2, 3, 5, 5), {}),
    (
        "stride2_pad1_outpad1",
        (3, 4, 3),
        dict(stride=2, padding=1, output_padding=1),
        (2, 3, 5, 4),
        {},
    ),
    ("k4_s2_p1", (4, 2, 4), dict(stride=2, padding=1), (2, 4, 7, 7), {}),
    (
        "tuples_dilation",
        (2, 3, (2, 3)),
        dict(stride=(2, 1), padding=(0, 1), dilation=(1, 2)),
        (1, 2, 4, 5),
        {},
    ),
    ("groups_nobias", (4, 6, 3), dict(groups=2, stride=2, bias=False), (2, 4, 3, 3), {}),
    ("output_size", (3, 2, 3), dict(stride=2, padding=1), (1, 3, 4, 4), dict(output_size=(8, 8))),
    ("unbatched", (3, 2, 3), dict(stride=2), (3, 4, 4), {}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(
    "args,kwargs,x_shape,call",
    [c[1:] for c in TRANSPOSE2D_CASES],
    ids=[c[0] for c in TRANSPOSE2D_CASES],
)
def test_conv_transpose2d_parity(args, kwargs, x_shape, call, dtype):
    _compare_layer(
        nn.ConvTranspose2d(*args, **kwargs),
        torch.nn.ConvTranspose2d(*args, **kwargs),
        x_shape,
        dtype,
        call,
    )


@pytest.mark.parametrize(
    "args,kwargs,x_shape",
    [
        ((3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 6)),
        ((4, 2, 2), dict(groups=2, dilation=2), (2, 4, 5)),
    ],
    ids=["strided", "groups_dilation"],
)
def test_conv_transpose1d_parity(args, kwargs, x_shape):
    _compare_layer(
        nn.ConvTranspose1d(*args, **kwargs),
        torch.nn.ConvTranspose1d(*args, **kwargs),
        x_shape,
        np.float64,
    )


@pytest.mark.parametrize(
    "make,fan_in",
    [
        (lambda m: m.Conv2d(16, 32, 3), 16 * 9),
        (lambda m: m.Conv1d(6, 4, 5, groups=2), 3 * 5),
        (lambda m: m.ConvTranspose2d(16, 8, 3), 8 * 9),
    ],
    ids=["conv2d", "conv1d_groups", "conv_transpose2d"],
)
def test_default_init_has_pytorch_distribution(make, fan_in):
    """Same distribution as PyTorch, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), for weight and bias."""
    gn.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = make(nn), make(torch.nn)
    bound = 1 / np.sqrt(fan_in)
    for a, b in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        a, b = a.numpy(), b.detach().numpy()
        assert a.shape == b.shape and a.dtype == b.dtype
        assert np.abs(a).max() <= bound and np.abs(b).max() <= bound
    w, wt = ours.weight.numpy(), theirs.weight.detach().numpy()
    assert np.abs(w).max() > 0.9 * bound
    np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.15)
    np.testing.assert_allclose(wt.std(), bound / np.sqrt(3), rtol=0.15)


@pytest.mark.parametrize(
    "kwargs",
    [dict(kernel_size=2), dict(kernel_size=(3, 2), stride=(2, 1), padding=1, dilation=(1, 2))],
    ids=["k2", "mixed"],
)
def test_unfold_fold_parity(kwargs):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    cols = F.unfold(gn.tensor(x), **kwargs)
    cols_t = torch.nn.functional.unfold(torch.tensor(x), **kwargs)
    np.testing.assert_allclose(cols.numpy(), cols_t.numpy())
    back = F.fold(cols, (7, 6), **kwargs)
    back_t = torch.nn.functional.fold(cols_t, (7, 6), **kwargs)
    np.testing.assert_allclose(back.numpy(), back_t.numpy(), atol=1e-12)


def test_benchmark_cnn_step_matches_pytorch():
    """The benchmark CNN: one forward/backward with copied weights agrees with PyTorch."""
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
    )
    g_model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )
    for (_, a), (_, b) in zip(g_model.named_parameters(), t_model.named_parameters()):
        a.data = b.detach().numpy().copy()
    x = np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    yg, yt = g_model(gn.tensor(x)), t_model(torch.tensor(x))
    np.testing.assert_allclose(yg.numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    (yg * yg).sum().backward()
    (yt * yt).sum().backward()
    for (name, a), (_, b) in zip(g_model.named_parameters(), t_model.named_parameters()):
        np.testing.assert_allclose(
            a.grad.numpy(), b.grad.numpy(), rtol=1e-3, atol=1e-4, err_msg=name
        )
