"""The layers added to match PyTorch: RMSNorm, InstanceNorm, padding, pixel shuffle, distance, shrink, likelihood losses.

Each function and module is compared with real PyTorch (values and the gradients of a weighted
sum of the output, in float64), gradchecked on a few cases with glassnet.numerical.gradcheck,
and fed bad input to check its one-line error. Tests that need torch skip without it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from norm_paths import norm_path  # noqa: F401  (used by name: the instance-norm tests, both paths)

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.numerical import gradcheck

RTOL, ATOL = 1e-10, 1e-12
REDUCTIONS = ["mean", "sum", "none"]


@pytest.fixture(scope="module")
def torch():
    """PyTorch as the oracle (with one thread: the tensors are tiny); the test skips without it."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _close(ours, theirs, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.numpy() if hasattr(ours, "numpy") else np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


def compare(torch, ours_fn, theirs_fn, arrays, grad_of=None, params=(), rtol=RTOL, atol=ATOL):
    """Run both libraries on copies of ``arrays``; compare outputs and gradients.

    ``grad_of`` lists the indices of the arrays that require grad (default: every floating
    one); ``params`` holds (glassnet parameter, torch parameter) pairs whose gradients must
    agree too. The upstream gradient is a fixed random weighting of the output.
    """
    if grad_of is None:
        grad_of = [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"]
    ours = [gn.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    y, ty = ours_fn(*ours), theirs_fn(*theirs)
    _close(y, ty, "output", rtol, atol)
    assert y.dtype == np.dtype(str(ty.dtype).replace("torch.", ""))
    weights = _rng(99).standard_normal(tuple(ty.shape))
    (y * gn.tensor(weights)).sum().backward()
    (ty * torch.tensor(weights)).sum().backward()
    for i in grad_of:
        _close(ours[i].grad, theirs[i].grad, f"gradient of input {i}", rtol, atol)
    for k, (p, tp) in enumerate(params):
        _close(p.grad, tp.grad, f"gradient of parameter {k}", rtol, atol)
    return y, ty


def copy_parameters(ours: nn.Module, theirs, rng: np.random.Generator) -> list:
    """Random values in the torch module's parameters, copied into ours; (ours, theirs) pairs."""
    import torch as _torch

    pairs = []
    with _torch.no_grad():
        for name, tp in theirs.named_parameters():
            tp.copy_(_torch.tensor(rng.uniform(0.5, 2.0, tuple(tp.shape))))
            p = getattr(ours, name)
            p.numpy()[...] = tp.numpy()
            pairs.append((p, tp))
    return pairs


def raises_one_line(kind, pattern: str, fn) -> None:
    """``fn()`` raises ``kind`` with a one-line message matching ``pattern``."""
    with pytest.raises(kind, match=pattern) as info:
        fn()
    assert "\n" not in str(info.value), str(info.value)


# ================================================================================ RMS norm


RMS_CASES = [
    ((2, 3, 4), (4,)),
    ((2, 3, 4), (3, 4)),
    ((5,), 5),
    ((3, 1, 2, 3), (2, 3)),
]


@pytest.mark.parametrize(("shape", "normalized"), RMS_CASES)
@pytest.mark.parametrize("with_weight", [False, True])
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm_function_matches_torch(torch, shape, normalized, with_weight, eps):
    rng = _rng(1)
    trailing = (normalized,) if isinstance(normalized, int) else normalized
    arrays = [rng.standard_normal(shape)]
    if with_weight:
        arrays.append(rng.uniform(0.5, 2.0, trailing))
    t_shape = list(trailing)

    def ours(x, w=None):
        return F.rms_norm(x, normalized, w, eps)

    def theirs(x, w=None):
        return torch.nn.functional.rms_norm(x, t_shape, w, eps)

    compare(torch, ours, theirs, arrays)


def test_rms_norm_default_eps_is_the_dtype_machine_epsilon(torch):
    # Values near 1e-8 have a mean square near 1e-16, the size of float64's eps (2.2e-16):
    # the default eps changes the result visibly, so the comparison checks which one is used.
    x = _rng(2).standard_normal((3, 4)) * 1e-8
    y, ty = compare(
        torch, lambda t: F.rms_norm(t, (4,)), lambda t: torch.nn.functional.rms_norm(t, [4]), [x]
    )
    no_eps = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True))
    assert not np.allclose(y.numpy(), no_eps, rtol=1e-6)
    x32 = gn.tensor(np.full((2, 4), 1e-4, dtype=np.float32))
    expected = F.rms_norm(x32, 4, eps=float(np.finfo(np.float32).eps))
    np.testing.assert_array_equal(F.rms_norm(x32, 4).numpy(), expected.numpy())
    assert F.rms_norm(x32, 4).dtype == np.float32


@pytest.mark.parametrize(
    ("normalized", "eps", "affine"), [(4, None, True), ((3, 4), 1e-5, True), (4, 0.1, False)]
)
@pytest.mark.parametrize("shape", [(2, 3, 4), (3, 4)])
def test_rms_norm_module_matches_torch(torch, normalized, eps, affine, shape):
    ours = nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine, dtype=gn.float64)
    theirs = torch.nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    params = copy_parameters(ours, theirs, _rng(3))
    compare(torch, ours, theirs, [_rng(4).standard_normal(shape)], params=params)
    assert (ours.weight is None) == (not affine)


def test_rms_norm_gradcheck():
    x = gn.tensor(_rng(5).standard_normal((2, 3, 4)), requires_grad=True)
    w = gn.tensor(_rng(6).uniform(0.5, 2.0, (3, 4)), requires_grad=True)
    assert gradcheck(lambda a, b: F.rms_norm(a, (3, 4), b, 1e-4), x, w)


def test_rms_norm_errors():
    x = gn.randn(2, 3, 4)
    raises_one_line(
        ValueError,
        re.escape(
            "rms_norm: expected input of shape (*, 3) (normalized_shape=(3,)), got (2, 3, 4)"
        ),
        lambda: F.rms_norm(x, (3,)),
    )
    raises_one_line(
        ValueError,
        re.escape("rms_norm: expected weight of shape (4,), got (3,)"),
        lambda: F.rms_norm(x, (4,), gn.ones(3)),
    )
    raises_one_line(
        ValueError, "eps must not be negative, got -1", lambda: F.rms_norm(x, 4, None, -1)
    )
    raises_one_line(
        TypeError,
        "expected a floating input, got dtype int64",
        lambda: F.rms_norm(gn.tensor([[1, 2]]), 2),
    )
    raises_one_line(ValueError, r"non-empty .* got \(\)", lambda: F.rms_norm(x, ()))
    raises_one_line(
        ValueError,
        re.escape("RMSNorm: expected input of shape (*, 5), got (2, 3, 4)"),
        lambda: nn.RMSNorm(5)(x),
    )
    raises_one_line(
        ValueError, "RMSNorm: eps must be positive, got -1", lambda: nn.RMSNorm(4, eps=-1.0)
    )


# ================================================================================ instance norm


INSTANCE_SHAPES = [(2, 3, 5), (2, 3, 4, 5), (1, 2, 3, 2, 2)]


@pytest.mark.parametrize("shape", INSTANCE_SHAPES)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.usefixtures("norm_path")
def test_instance_norm_function_matches_torch(torch, shape, affine):
    rng = _rng(7)
    c = shape[1]
    arrays = [rng.standard_normal(shape) * 3 + 1]
    if affine:
        arrays += [rng.uniform(0.5, 2.0, c), rng.standard_normal(c)]

    def ours(x, w=None, b=None):
        return F.instance_norm(x, weight=w, bias=b, eps=1e-4)

    def theirs(x, w=None, b=None):
        return torch.nn.functional.instance_norm(x, weight=w, bias=b, eps=1e-4)

    compare(torch, ours, theirs, arrays)


@pytest.mark.parametrize("momentum", [0.1, 0.5])
@pytest.mark.usefixtures("norm_path")
def test_instance_norm_function_running_stats_match_torch(torch, momentum):
    rng = _rng(8)
    x = rng.standard_normal((4, 3, 6)) * 2 + 0.5
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
    g_rm, g_rv = gn.tensor(rm.copy()), gn.tensor(rv.copy())
    t_rm, t_rv = torch.tensor(rm.copy()), torch.tensor(rv.copy())
    y = F.instance_norm(gn.tensor(x), g_rm, g_rv, momentum=momentum)
    ty = torch.nn.functional.instance_norm(torch.tensor(x), t_rm, t_rv, momentum=momentum)
    _close(y, ty, "output")
    _close(g_rm, t_rm, "running_mean")
    _close(g_rv, t_rv, "running_var")
    assert not np.allclose(g_rm.numpy(), rm)  # they did change
    # use_input_stats=False: the running statistics replace each instance's own.
    arrays = [x, rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)]
    compare(
        torch,
        lambda a, w, b: F.instance_norm(a, g_rm, g_rv, w, b, use_input_stats=False),
        lambda a, w, b: torch.nn.functional.instance_norm(a, t_rm, t_rv, w, b, False),
        arrays,
    )


@pytest.mark.parametrize(
    ("cls", "shape"),
    [
        ("InstanceNorm1d", (2, 3, 5)),
        ("InstanceNorm1d", (3, 5)),  # one sample, (C, L)
        ("InstanceNorm2d", (2, 3, 4, 5)),
        ("InstanceNorm2d", (3, 4, 5)),  # one image, (C, H, W)
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"affine": True},
        {"affine": True, "bias": False},
        {"track_running_stats": True, "momentum": 0.3},
        {"affine": True, "track_running_stats": True, "eps": 1e-3},
        {"track_running_stats": True, "momentum": None},
    ],
    ids=["plain", "affine", "affine-no-bias", "running", "affine-running", "momentum-None"],
)
@pytest.mark.usefixtures("norm_path")
def test_instance_norm_modules_match_torch(torch, cls, shape, options):
    ours = getattr(nn, cls)(3, dtype=gn.float64, **options)
    theirs = getattr(torch.nn, cls)(3, dtype=torch.float64, **options)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    params = copy_parameters(ours, theirs, _rng(9))
    rng = _rng(10)
    for step in range(2):  # training: per-instance statistics, running ones updated
        compare(torch, ours, theirs, [rng.standard_normal(shape) + step], params=params)
        for p, tp in params:
            p.grad, tp.grad = None, None
    if ours.track_running_stats:
        _close(ours.running_mean, theirs.running_mean, "running_mean")
        _close(ours.running_var, theirs.running_var, "running_var")
        _close(ours.num_batches_tracked, theirs.num_batches_tracked, "num_batches_tracked")
    ours.eval()
    theirs.eval()
    compare(torch, ours, theirs, [rng.standard_normal(shape)], params=params)


def test_instance_norm_is_group_norm_with_one_channel_per_group():
    x = gn.tensor(_rng(11).standard_normal((2, 4, 3, 3)))
    w, b = gn.tensor(_rng(12).uniform(0.5, 2, 4)), gn.tensor(_rng(13).standard_normal(4))
    np.testing.assert_allclose(
        F.instance_norm(x, weight=w, bias=b).numpy(),
        F.group_norm(x, 4, w, b).numpy(),
        rtol=1e-12,
        atol=1e-12,
    )


def test_instance_norm_gradcheck():
    rng = _rng(14)
    x = gn.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = gn.tensor(rng.uniform(0.5, 2, 3), requires_grad=True)
    b = gn.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda a, c, d: F.instance_norm(a, weight=c, bias=d), x, w, b)


def test_instance_norm_warns_like_torch_when_num_features_is_unused():
    with pytest.warns(UserWarning, match=r"dim=1 \(5\) does not match num_features \(3\)"):
        y = nn.InstanceNorm1d(3)(gn.randn(2, 5, 4))
    assert y.shape == (2, 5, 4)


def test_instance_norm_errors():
    raises_one_line(
        ValueError,
        re.escape("instance_norm: expected more than 1 position per channel")
        + r".*got input of shape \(2, 3\)",
        lambda: F.instance_norm(gn.randn(2, 3)),
    )
    raises_one_line(
        ValueError,
        "instance_norm: running_mean and running_var must be given when use_input_stats=False",
        lambda: F.instance_norm(gn.randn(2, 3, 4), use_input_stats=False),
    )
    raises_one_line(
        ValueError,
        re.escape("instance_norm: expected weight of shape (3,), got (2,)"),
        lambda: F.instance_norm(gn.randn(2, 3, 4), weight=gn.ones(2)),
    )
    raises_one_line(
        ValueError,
        re.escape("InstanceNorm1d: expected input of shape (N, C, L) or (C, L), got (2, 3, 4, 5)"),
        lambda: nn.InstanceNorm1d(3)(gn.randn(2, 3, 4, 5)),
    )
    raises_one_line(
        ValueError,
        re.escape("InstanceNorm2d: expected input of shape (N, C, H, W) or (C, H, W), got (3, 4)"),
        lambda: nn.InstanceNorm2d(3)(gn.randn(3, 4)),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "InstanceNorm1d: expected input of shape (N, 3, L) or (3, L) (num_features=3), "
            "got (2, 5, 4)"
        ),
        lambda: nn.InstanceNorm1d(3, affine=True)(gn.randn(2, 5, 4)),
    )
    raises_one_line(
        ValueError,
        r"InstanceNorm1d: expected more than 1 position .* got input of shape \(2, 3, 1\)",
        lambda: nn.InstanceNorm1d(3)(gn.randn(2, 3, 1)),
    )
    raises_one_line(
        ValueError,
        "InstanceNorm2d: num_features must be a positive integer, got 0",
        lambda: nn.InstanceNorm2d(0),
    )


# ================================================================================ padding


PAD_LAYERS_1D = [
    "ZeroPad1d",
    "ConstantPad1d",
    "ReflectionPad1d",
    "ReplicationPad1d",
    "CircularPad1d",
]
PAD_LAYERS_2D = [
    "ZeroPad2d",
    "ConstantPad2d",
    "ReflectionPad2d",
    "ReplicationPad2d",
    "CircularPad2d",
]


def _pad_layer(lib, name: str, padding):
    cls = getattr(lib, name)
    return cls(padding, 2.5) if name.startswith("Constant") else cls(padding)


@pytest.mark.parametrize("name", PAD_LAYERS_1D)
@pytest.mark.parametrize("padding", [2, (1, 3), (0, 2), (-1, 2), (-2, -1)])
@pytest.mark.parametrize("shape", [(2, 3, 5), (3, 5)])
def test_padding_1d_layers_match_torch(torch, name, padding, shape):
    ours, theirs = _pad_layer(nn, name, padding), _pad_layer(torch.nn, name, padding)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    compare(torch, ours, theirs, [_rng(15).standard_normal(shape)])


@pytest.mark.parametrize("name", PAD_LAYERS_2D)
@pytest.mark.parametrize("padding", [1, (1, 2, 0, 3), (2, 0, 1, 1), (-1, 1, 2, -1)])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)])
def test_padding_2d_layers_match_torch(torch, name, padding, shape):
    ours, theirs = _pad_layer(nn, name, padding), _pad_layer(torch.nn, name, padding)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    compare(torch, ours, theirs, [_rng(16).standard_normal(shape)])


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("ZeroPad1d", (6,)),
        ("ConstantPad1d", (2, 2, 3, 6)),
        ("ZeroPad2d", (4, 5)),
        ("ConstantPad2d", (1, 2, 3, 4, 5)),
    ],  # fmt: skip
)
def test_constant_padding_layers_take_any_leading_axes(torch, name, shape):
    padding = (1, 2) if name.endswith("1d") else (1, 2, 2, 0)
    ours, theirs = _pad_layer(nn, name, padding), _pad_layer(torch.nn, name, padding)
    compare(torch, ours, theirs, [_rng(17).standard_normal(shape)])


def test_padding_class_hierarchy_is_torchs():
    assert isinstance(nn.ZeroPad1d(1), nn.ConstantPad1d)
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)
    assert not isinstance(nn.ReflectionPad2d(1), nn.ReflectionPad1d)
    assert nn.ZeroPad2d(1).value == 0.0


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "pad", [(-1, 2), (2, -1), (-2, -2), (0, -3), (-3, 4), (5, -5), (1, -5), (-5, 0)]
)
def test_functional_pad_crops_with_negative_padding_as_torch(torch, mode, pad):
    x = _rng(18).standard_normal((2, 2, 6))
    value = 1.5 if mode == "constant" else None
    kept = 6 - sum(max(-p, 0) for p in pad)
    if mode == "circular" and max(pad) > kept:
        # A wrap further than the elements left after cropping: torch's result depends on
        # memory layout (garbage, or an error); glassnet refuses it.
        ok = False
    else:
        try:
            torch.nn.functional.pad(torch.tensor(x), pad, mode=mode, value=value)
            ok = True
        except RuntimeError:
            ok = False
    if not ok:
        with pytest.raises(ValueError, match="pad: "):
            F.pad(gn.tensor(x), pad, mode=mode, value=value)
        return
    compare(
        torch,
        lambda t: F.pad(t, pad, mode=mode, value=value),
        lambda t: torch.nn.functional.pad(t, pad, mode=mode, value=value),
        [x],
    )


def test_pad_layers_gradcheck():
    x = gn.tensor(_rng(19).standard_normal((1, 2, 3, 4)), requires_grad=True)
    for layer in (nn.ReflectionPad2d((2, 1, 1, 2)), nn.ReplicationPad2d(2), nn.CircularPad2d((1, 3, 2, 0)),
                  nn.ConstantPad2d((1, -1, 2, 0), 3.0)):  # fmt: skip
        assert gradcheck(layer, x)


def test_padding_errors():
    raises_one_line(
        ValueError,
        re.escape("ReflectionPad1d: expected input of shape (N, C, W) or (C, W), got (4,)"),
        lambda: nn.ReflectionPad1d(1)(gn.randn(4)),
    )
    raises_one_line(
        ValueError,
        re.escape("CircularPad2d: expected input of shape (N, C, H, W) or (C, H, W), got (3, 4)"),
        lambda: nn.CircularPad2d(1)(gn.randn(3, 4)),
    )
    raises_one_line(
        ValueError,
        re.escape("ZeroPad2d: expected input of shape (*, H, W), got (4,)"),
        lambda: nn.ZeroPad2d(1)(gn.randn(4)),
    )
    raises_one_line(
        ValueError,
        re.escape("ZeroPad2d: padding must be an int or a tuple of 4 ints, got (1, 2)"),
        lambda: nn.ZeroPad2d((1, 2)),
    )
    raises_one_line(
        TypeError,
        "ReplicationPad1d: padding must be an int or a tuple of 2 ints, got 1.5",
        lambda: nn.ReplicationPad1d(1.5),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "ReflectionPad1d: reflect padding of (4, 4) needs more than 4 elements along "
            "axis 2, which has 4"
        ),  # fmt: skip
        lambda: nn.ReflectionPad1d(4)(gn.randn(2, 3, 4)),
    )
    raises_one_line(
        ValueError,
        "CircularPad1d: circular padding of \\(5, 5\\) can wrap at most once around axis 2 of size 4",
        lambda: nn.CircularPad1d(5)(gn.randn(2, 3, 4)),
    )
    raises_one_line(
        ValueError,
        re.escape("pad: constant padding of (2, -8) crops 8 elements from axis 1, which has 6"),
        lambda: F.pad(gn.randn(2, 6), (2, -8)),
    )
    raises_one_line(
        ValueError,
        re.escape("pad: replicate padding of (-3, -3) leaves no elements of axis 2, which has 6"),
        lambda: F.pad(gn.randn(1, 2, 6), (-3, -3), mode="replicate"),
    )


# ================================================================================ pixel shuffle


@pytest.mark.parametrize(
    ("shape", "r"), [((2, 8, 3, 3), 2), ((8, 3, 3), 2), ((2, 2, 18, 2, 3), 3), ((1, 3, 2, 2), 1)]
)
def test_pixel_shuffle_matches_torch(torch, shape, r):
    x = _rng(20).standard_normal(shape)
    y, _ = compare(
        torch,
        lambda t: F.pixel_shuffle(t, r),
        lambda t: torch.nn.functional.pixel_shuffle(t, r),
        [x],
    )
    compare(torch, nn.PixelShuffle(r), torch.nn.PixelShuffle(r), [x])
    # The inverse brings every value back to its place.
    np.testing.assert_array_equal(F.pixel_unshuffle(y, r).numpy(), x)


@pytest.mark.parametrize(
    ("shape", "r"), [((2, 2, 4, 6), 2), ((3, 6, 9), 3), ((1, 2, 1, 4, 4), 4), ((1, 3, 2, 2), 1)]
)
def test_pixel_unshuffle_matches_torch(torch, shape, r):
    x = _rng(21).standard_normal(shape)
    compare(
        torch,
        lambda t: F.pixel_unshuffle(t, r),
        lambda t: torch.nn.functional.pixel_unshuffle(t, r),
        [x],
    )
    compare(torch, nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), [x])


def test_pixel_shuffle_layout_and_repr(torch):
    x = np.arange(2 * 4 * 1 * 2, dtype=np.int64).reshape(2, 4, 1, 2)
    ours = F.pixel_shuffle(gn.tensor(x), 2)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(
        ours.numpy(), torch.nn.functional.pixel_shuffle(torch.tensor(x), 2)
    )
    # y[c, h*r + i, w*r + j] = x[c*r*r + i*r + j, h, w]
    assert ours.numpy()[0, 0, 1, 2] == x[0, 1 * 2 + 0, 0, 1]
    assert repr(nn.PixelShuffle(3)) == repr(torch.nn.PixelShuffle(3))
    assert repr(nn.PixelUnshuffle(2)) == repr(torch.nn.PixelUnshuffle(2))


def test_pixel_shuffle_gradcheck():
    x = gn.tensor(_rng(22).standard_normal((1, 8, 2, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.pixel_shuffle(t, 2), x)
    assert gradcheck(
        lambda t: F.pixel_unshuffle(t, 2),
        gn.tensor(_rng(23).standard_normal((2, 4, 6)), requires_grad=True),
    )


def test_pixel_shuffle_errors():
    raises_one_line(
        ValueError,
        re.escape(
            "pixel_shuffle: expected input of shape (*, C, H, W) with at least 3 "
            "dimensions, got (8, 3)"
        ),  # fmt: skip
        lambda: F.pixel_shuffle(gn.randn(8, 3), 2),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "PixelShuffle: expected the channel axis (dim -3) to be divisible by "
            "upscale_factor**2 = 4, got input of shape (2, 6, 3, 3) with 6 channels"
        ),  # fmt: skip
        lambda: nn.PixelShuffle(2)(gn.randn(2, 6, 3, 3)),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "pixel_unshuffle: expected the height (dim -2) to be divisible by "
            "downscale_factor=2, got input of shape (2, 2, 5, 6)"
        ),  # fmt: skip
        lambda: F.pixel_unshuffle(gn.randn(2, 2, 5, 6), 2),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "PixelUnshuffle: expected the width (dim -1) to be divisible by "
            "downscale_factor=2, got input of shape (2, 2, 4, 5)"
        ),  # fmt: skip
        lambda: nn.PixelUnshuffle(2)(gn.randn(2, 2, 4, 5)),
    )
    raises_one_line(
        ValueError,
        "pixel_shuffle: upscale_factor must be a positive integer, got 0",
        lambda: F.pixel_shuffle(gn.randn(1, 4, 2, 2), 0),
    )
    raises_one_line(
        TypeError,
        "pixel_unshuffle: downscale_factor must be an int, got 2.0",
        lambda: F.pixel_unshuffle(gn.randn(1, 4, 2, 2), 2.0),
    )
    raises_one_line(
        TypeError,
        "pixel_shuffle: expected input to be a glassnet Tensor, got ndarray",
        lambda: F.pixel_shuffle(np.zeros((1, 4, 2, 2)), 2),
    )


# ================================================================================ distance modules


@pytest.mark.parametrize(
    ("shapes", "options"),
    [
        (((4, 5), (4, 5)), {}),
        (((4, 5), (1, 5)), {"dim": 1, "eps": 1e-3}),
        (((2, 3, 4), (2, 3, 4)), {"dim": -1}),
        (((5,), (5,)), {"dim": 0}),
        (((3, 4, 2), (3, 4, 2)), {"dim": 0}),
    ],
)
def test_cosine_similarity_module_matches_torch(torch, shapes, options):
    rng = _rng(24)
    arrays = [rng.standard_normal(s) for s in shapes]
    compare(torch, nn.CosineSimilarity(**options), torch.nn.CosineSimilarity(**options), arrays)
    assert nn.CosineSimilarity(**options).eps == torch.nn.CosineSimilarity(**options).eps


@pytest.mark.parametrize(
    ("shapes", "options"),
    [
        (((4, 5), (4, 5)), {}),
        (((4, 5), (5,)), {"p": 1.0}),
        (((4, 5), (4, 5)), {"p": 3.0, "eps": 1e-3, "keepdim": True}),
        (((5,), (5,)), {}),
        (((2, 3, 4), (2, 3, 4)), {"keepdim": True}),
    ],
)
def test_pairwise_distance_module_matches_torch(torch, shapes, options):
    rng = _rng(25)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours, theirs = nn.PairwiseDistance(**options), torch.nn.PairwiseDistance(**options)
    compare(torch, ours, theirs, arrays)
    assert (ours.norm, ours.eps, ours.keepdim) == (theirs.norm, theirs.eps, theirs.keepdim)
    assert repr(ours) == repr(theirs)


def test_distance_modules_gradcheck():
    rng = _rng(26)
    a = gn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = gn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(nn.CosineSimilarity(), a, b)
    assert gradcheck(nn.PairwiseDistance(p=3.0), a, b)


def test_distance_errors():
    raises_one_line(
        ValueError,
        re.escape(
            "CosineSimilarity: expected x1 and x2 of shapes that broadcast together, got "
            "(2, 4) and (3, 4)"
        ),  # fmt: skip
        lambda: nn.CosineSimilarity()(gn.randn(2, 4), gn.randn(3, 4)),
    )
    raises_one_line(
        ValueError,
        re.escape("PairwiseDistance: expected x1 and x2 of shapes that broadcast together"),
        lambda: nn.PairwiseDistance()(gn.randn(2, 4), gn.randn(3, 4)),
    )
    raises_one_line(
        IndexError,
        re.escape(
            "CosineSimilarity: dim 2 is out of range for inputs with 2 dimensions "
            "(expected -2 to 1)"
        ),  # fmt: skip
        lambda: nn.CosineSimilarity(dim=2)(gn.randn(2, 4), gn.randn(2, 4)),
    )


# ================================================================================ shrink


SHRINK_POINTS = np.array([-2.0, -1.3, -0.5, -0.2, 0.0, 0.2, 0.5, 0.7, 1.3, 3.0])


@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
@pytest.mark.parametrize("lambd", [None, 0.0, 0.5, 1.3])
def test_shrink_functions_match_torch(torch, name, lambd):
    # The points include +-lambd exactly, where the value and the derivative are 0.
    x = np.concatenate([SHRINK_POINTS, _rng(27).standard_normal(20)])
    kwargs = {} if lambd is None else {"lambd": lambd}
    compare(
        torch,
        lambda t: getattr(F, name)(t, **kwargs),
        lambda t: getattr(torch.nn.functional, name)(t, **kwargs),
        [x.reshape(3, 10)],
    )


@pytest.mark.parametrize("name", ["Hardshrink", "Softshrink"])
@pytest.mark.parametrize("lambd", [None, 0.5, 1.3])
def test_shrink_modules_match_torch(torch, name, lambd):
    args = () if lambd is None else (lambd,)
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    compare(torch, ours, theirs, [_rng(28).standard_normal((2, 3, 4)) * 2])


def test_shrink_keeps_nan_and_infinity(torch):
    x = np.array([np.nan, np.inf, -np.inf, 0.3])
    for name in ("hardshrink", "softshrink"):
        ours = getattr(F, name)(gn.tensor(x)).numpy()
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_shrink_gradcheck():
    # Away from the kinks at +-lambd (there the derivative jumps).
    x = np.array([-2.0, -1.0, -0.3, 0.1, 0.4, 0.9, 1.7])
    assert gradcheck(lambda t: F.softshrink(t, 0.6), gn.tensor(x, requires_grad=True))
    assert gradcheck(lambda t: F.hardshrink(t, 0.6), gn.tensor(x, requires_grad=True))


def test_shrink_errors():
    raises_one_line(
        ValueError,
        "softshrink: lambd must be non-negative, got -1",
        lambda: F.softshrink(gn.randn(3), -1),
    )
    raises_one_line(
        ValueError, "Softshrink: lambd must be non-negative, got -0.5", lambda: nn.Softshrink(-0.5)
    )
    raises_one_line(
        TypeError, "hardshrink: expected a glassnet Tensor, got list", lambda: F.hardshrink([1.0])
    )
    raises_one_line(
        TypeError,
        "Hardshrink: expected input to be a glassnet Tensor",
        lambda: nn.Hardshrink()([1.0]),
    )


# ================================================================================ Gaussian NLL


GAUSSIAN_VAR_SHAPES = [
    ((4, 3), (4, 3)),
    ((4, 3), (4,)),  # one variance per sample (unsqueezed)
    ((4, 3), (4, 1)),
    ((4, 3), (1, 3)),
    ((2, 4, 3), (2, 1, 3)),
    ((3,), ()),
    ((3,), (1,)),
    ((), ()),
]


@pytest.mark.parametrize(("shape", "var_shape"), GAUSSIAN_VAR_SHAPES)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss_matches_torch(torch, shape, var_shape, full, reduction):
    rng = _rng(29)
    arrays = [
        rng.standard_normal(shape),
        rng.standard_normal(shape),
        rng.uniform(0.1, 2.0, var_shape),
    ]
    compare(
        torch,
        lambda x, y, v: F.gaussian_nll_loss(x, y, v, full, 1e-6, reduction),
        lambda x, y, v: torch.nn.functional.gaussian_nll_loss(x, y, v, full, 1e-6, reduction),
        arrays,
    )
    compare(
        torch,
        nn.GaussianNLLLoss(full=full, reduction=reduction),
        torch.nn.GaussianNLLLoss(full=full, reduction=reduction),
        arrays,
    )


def test_gaussian_nll_loss_clamps_var_without_differentiating_the_clamp(torch):
    # Variances below eps are used as eps, but their gradient is that of eps (straight through).
    arrays = [np.array([0.1, 0.2, 0.3, 0.4]), np.zeros(4), np.array([1e-8, 0.0, 2.0, 1e-3])]
    compare(
        torch,
        lambda x, y, v: F.gaussian_nll_loss(x, y, v, eps=1e-4, reduction="sum"),
        lambda x, y, v: torch.nn.functional.gaussian_nll_loss(x, y, v, eps=1e-4, reduction="sum"),
        arrays,
    )


@pytest.mark.parametrize("var", [0.5, 1e-9, 2.0])
def test_gaussian_nll_loss_takes_a_number_as_var(torch, var):
    rng = _rng(30)
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal((3, 2))]
    y, _ = compare(
        torch,
        lambda x, y: F.gaussian_nll_loss(x, y, var, True, reduction="none"),
        lambda x, y: torch.nn.functional.gaussian_nll_loss(x, y, var, True, reduction="none"),
        arrays,
    )
    # An int is taken as the same number (torch accepts only a float there).
    as_int = F.gaussian_nll_loss(*map(gn.tensor, arrays), 2, True, reduction="none")
    as_float = F.gaussian_nll_loss(*map(gn.tensor, arrays), 2.0, True, reduction="none")
    np.testing.assert_array_equal(as_int.numpy(), as_float.numpy())


def test_gaussian_nll_loss_target_may_broadcast(torch):
    rng = _rng(31)
    arrays = [rng.standard_normal((4, 3)), rng.standard_normal(3), rng.uniform(0.5, 1, (4, 3))]
    compare(
        torch,
        lambda *t: F.gaussian_nll_loss(*t),
        lambda *t: torch.nn.functional.gaussian_nll_loss(*t),
        arrays,
    )


def test_gaussian_nll_loss_gradcheck():
    rng = _rng(32)
    x = gn.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    y = gn.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    v = gn.tensor(rng.uniform(0.5, 2.0, (3, 1)), requires_grad=True)
    assert gradcheck(
        lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=True, reduction="none"), x, y, v
    )


def test_gaussian_nll_loss_full_adds_half_log_two_pi():
    zero = gn.zeros(3, dtype=gn.float64)
    loss = F.gaussian_nll_loss(zero, zero, gn.ones(3, dtype=gn.float64), full=True)
    assert float(loss) == pytest.approx(0.5 * math.log(2 * math.pi), rel=1e-14)


def test_gaussian_nll_loss_errors():
    x, y = gn.randn(4, 3), gn.randn(4, 3)
    raises_one_line(
        ValueError,
        re.escape(
            "gaussian_nll_loss: expected var of the input's shape (4, 3), or that shape with "
            "one dimension of size 1, or without its last dimension (4,); got (2, 3)"
        ),  # fmt: skip
        lambda: F.gaussian_nll_loss(x, y, gn.rand(2, 3)),
    )
    raises_one_line(
        ValueError,
        re.escape("expected var of the input's shape (4, 3)") + r".*got \(1, 1\)",
        lambda: F.gaussian_nll_loss(x, y, gn.rand(1, 1)),
    )
    raises_one_line(
        ValueError,
        "GaussianNLLLoss: var must not be negative, got a smallest entry of -1",
        lambda: nn.GaussianNLLLoss()(x, y, -gn.ones(4, 3)),
    )
    raises_one_line(
        ValueError,
        "gaussian_nll_loss: var must not be negative, got -0.5",
        lambda: F.gaussian_nll_loss(x, y, -0.5),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "gaussian_nll_loss: expected target of the input's shape (4, 3) (or one that "
            "broadcasts to it), got (5, 3)"
        ),  # fmt: skip
        lambda: F.gaussian_nll_loss(x, gn.randn(5, 3), gn.ones(4, 3)),
    )
    raises_one_line(
        ValueError,
        "GaussianNLLLoss: reduction must be one of 'none', 'mean', 'sum'; got 'avg'",
        lambda: nn.GaussianNLLLoss(reduction="avg"),
    )
    with pytest.raises(TypeError):  # full, eps and reduction are keyword-only, as in PyTorch
        nn.GaussianNLLLoss(True)


# ================================================================================ Poisson NLL


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (5,), ()])
def test_poisson_nll_loss_matches_torch(torch, log_input, full, reduction, shape):
    rng = _rng(33)
    x = rng.standard_normal(shape) if log_input else rng.uniform(0.1, 3.0, shape)
    # Counts with none equal to 0: there torch's target gradient of the full loss is NaN.
    counts = rng.integers(1, 6, shape).astype(np.float64) + (rng.uniform(0, 1, shape) < 0.3) * 0.5
    compare(
        torch,
        lambda a, t: F.poisson_nll_loss(a, t, log_input, full, eps=1e-6, reduction=reduction),
        lambda a, t: torch.nn.functional.poisson_nll_loss(
            a, t, log_input, full, eps=1e-6, reduction=reduction
        ),
        [x, counts],
    )
    compare(
        torch,
        nn.PoissonNLLLoss(log_input, full, eps=1e-6, reduction=reduction),
        torch.nn.PoissonNLLLoss(log_input, full, eps=1e-6, reduction=reduction),
        [x, counts],
    )


def test_poisson_nll_loss_zero_counts_and_broadcast_target(torch):
    rng = _rng(34)
    x = rng.standard_normal((3, 4))
    counts = np.array([0.0, 1.0, 2.0, 7.0])  # broadcast over the rows; includes 0 and 1
    y, ty = compare(
        torch,
        lambda a: F.poisson_nll_loss(a, gn.tensor(counts), full=True, reduction="none"),
        lambda a: torch.nn.functional.poisson_nll_loss(
            a, torch.tensor(counts), full=True, reduction="none"
        ),
        [x],
    )
    # The target's own gradient: torch's is NaN at a count of 0 (log 0 in the masked Stirling
    # term); glassnet's is the finite -input there and the same as torch's elsewhere.
    t = gn.tensor(counts, requires_grad=True)
    F.poisson_nll_loss(gn.tensor(x[0]), t, full=True, reduction="sum").backward()
    tt = torch.tensor(counts, requires_grad=True)
    torch.nn.functional.poisson_nll_loss(
        torch.tensor(x[0]), tt, full=True, reduction="sum"
    ).backward()
    np.testing.assert_allclose(t.grad.numpy()[1:], tt.grad.numpy()[1:], rtol=RTOL, atol=ATOL)
    assert t.grad.numpy()[0] == pytest.approx(-x[0, 0], rel=1e-14)
    assert np.isnan(tt.grad.numpy()[0])


def test_poisson_nll_loss_integer_counts(torch):
    x = _rng(35).standard_normal((2, 3))
    counts = np.array([[0, 1, 2], [3, 4, 5]])
    compare(
        torch,
        lambda a, t: F.poisson_nll_loss(a, t),
        lambda a, t: torch.nn.functional.poisson_nll_loss(a, t),
        [x, counts],
    )


def test_poisson_nll_loss_gradcheck():
    rng = _rng(36)
    x = gn.tensor(rng.uniform(0.5, 2.0, (3, 2)), requires_grad=True)
    t = gn.tensor(rng.uniform(1.5, 4.0, (3, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: F.poisson_nll_loss(a, b, False, True, reduction="none"), x, t)
    assert gradcheck(lambda a, b: F.poisson_nll_loss(a, b, True, True), x, t)


def test_poisson_nll_loss_errors():
    raises_one_line(
        ValueError,
        re.escape(
            "poisson_nll_loss: expected target of the input's shape (4, 1) (or one that "
            "broadcasts to it), got (4, 3)"
        ),  # fmt: skip
        lambda: F.poisson_nll_loss(gn.randn(4, 1), gn.rand(4, 3)),
    )
    raises_one_line(
        ValueError,
        "PoissonNLLLoss: reduction must be one of 'none', 'mean', 'sum'; got 'bad'",
        lambda: nn.PoissonNLLLoss(reduction="bad"),
    )
    raises_one_line(
        TypeError,
        "PoissonNLLLoss: expected a floating input, got dtype int64",
        lambda: nn.PoissonNLLLoss()(gn.tensor([1, 2]), gn.tensor([1.0, 2.0])),
    )
    # PyTorch's size_average sits where eps would be: a positional eps fails loudly here.
    with pytest.raises(TypeError):
        F.poisson_nll_loss(gn.randn(3), gn.rand(3), True, False, None, 1e-8)


# ================================================================================ multi-label


@pytest.mark.parametrize(
    ("shape", "weight_shape"),
    [
        ((4, 3), None),
        ((4, 3), (3,)),
        ((4, 3), (4, 3)),
        ((4, 3), (4, 1)),
        ((5,), None),
        ((5,), (5,)),
        ((2, 3, 4), None),
    ],  # fmt: skip
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_soft_margin_loss_matches_torch(torch, shape, weight_shape, reduction):
    rng = _rng(37)
    arrays = [rng.standard_normal(shape) * 3, (rng.uniform(0, 1, shape) < 0.5).astype(np.float64)]
    if weight_shape is not None:
        arrays.append(rng.uniform(0.5, 2.0, weight_shape))
    compare(
        torch,
        lambda x, y, w=None: F.multilabel_soft_margin_loss(x, y, w, reduction=reduction),
        lambda x, y, w=None: torch.nn.functional.multilabel_soft_margin_loss(
            x, y, w, reduction=reduction
        ),
        arrays,
    )
    weight = None if weight_shape is None else arrays[2]
    ours = nn.MultiLabelSoftMarginLoss(
        None if weight is None else gn.tensor(weight), reduction=reduction
    )
    theirs = torch.nn.MultiLabelSoftMarginLoss(
        None if weight is None else torch.tensor(weight), reduction=reduction
    )
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare(torch, ours, theirs, arrays[:2])


def test_multilabel_soft_margin_loss_soft_and_integer_targets(torch):
    rng = _rng(38)
    x = rng.standard_normal((3, 4)) * 20  # large logits: softplus must not overflow
    for y in (rng.uniform(0, 1, (3, 4)), rng.integers(0, 2, (3, 4)), rng.uniform(0, 1, (1, 4))):
        compare(
            torch,
            lambda a, b: F.multilabel_soft_margin_loss(a, b),
            lambda a, b: torch.nn.functional.multilabel_soft_margin_loss(a, b),
            [x, y],
        )


def test_multilabel_soft_margin_loss_gradcheck():
    rng = _rng(39)
    x = gn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = gn.tensor(rng.uniform(0, 1, (3, 4)), requires_grad=True)
    w = gn.tensor(rng.uniform(0.5, 2, 4), requires_grad=True)
    assert gradcheck(
        lambda a, b, c: F.multilabel_soft_margin_loss(a, b, c, reduction="none"), x, y, w
    )


def test_multilabel_soft_margin_loss_errors():
    raises_one_line(
        ValueError,
        re.escape(
            "multilabel_soft_margin_loss: expected input of shape (N, C) or (C,) (classes "
            "on the last axis), got a scalar"
        ),  # fmt: skip
        lambda: F.multilabel_soft_margin_loss(gn.tensor(1.0), gn.tensor(1.0)),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "MultiLabelSoftMarginLoss: expected target of the input's shape (4, 3) (or one "
            "that broadcasts to it), got (5, 3)"
        ),  # fmt: skip
        lambda: nn.MultiLabelSoftMarginLoss()(gn.randn(4, 3), gn.rand(5, 3)),
    )
    raises_one_line(
        ValueError,
        re.escape(
            "MultiLabelSoftMarginLoss: weight of shape (4,) does not broadcast to the input's "
            "shape (4, 3)"
        ),  # fmt: skip
        lambda: nn.MultiLabelSoftMarginLoss(gn.ones(4))(gn.randn(4, 3), gn.rand(4, 3)),
    )
    raises_one_line(
        ValueError,
        "multilabel_soft_margin_loss: reduction must be one of 'none', 'mean', 'sum'; got 'x'",
        lambda: F.multilabel_soft_margin_loss(gn.randn(2, 3), gn.rand(2, 3), reduction="x"),
    )


# ================================================================================ public names


NEW_MODULES = [
    "RMSNorm", "InstanceNorm1d", "InstanceNorm2d", "ZeroPad1d", "ZeroPad2d", "ConstantPad1d",
    "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
    "CircularPad1d", "CircularPad2d", "PixelShuffle", "PixelUnshuffle", "CosineSimilarity",
    "PairwiseDistance", "Hardshrink", "Softshrink", "GaussianNLLLoss", "PoissonNLLLoss",
    "MultiLabelSoftMarginLoss",
]  # fmt: skip
NEW_FUNCTIONS = [
    "rms_norm", "instance_norm", "pixel_shuffle", "pixel_unshuffle", "hardshrink", "softshrink",
    "gaussian_nll_loss", "poisson_nll_loss", "multilabel_soft_margin_loss",
]  # fmt: skip


def test_new_names_are_public_and_exported():
    import importlib

    for name in NEW_MODULES:
        cls = getattr(nn, name)
        assert issubclass(cls, nn.Module), name
        module = importlib.import_module(cls.__module__)
        assert name in module.__all__, name
    for name in NEW_FUNCTIONS:
        fn = getattr(F, name)
        assert callable(fn) and fn.__doc__, name
        assert name in importlib.import_module(fn.__module__).__all__, name
    assert F.gaussian_nll_loss.__module__ == "glassnet.nn.functional.likelihood_losses"


def test_signatures_follow_torch(torch):
    import inspect

    def params(fn):
        return {
            n: p.default
            for n, p in inspect.signature(fn).parameters.items()
            if n not in ("self", "size_average", "reduce", "device", "dtype")
        }

    for name in ["rms_norm", "instance_norm", "gaussian_nll_loss", "poisson_nll_loss",
                 "multilabel_soft_margin_loss"]:  # fmt: skip
        assert params(getattr(F, name)) == params(getattr(torch.nn.functional, name)), name
    for name in NEW_MODULES:
        assert params(getattr(nn, name).__init__) == params(getattr(torch.nn, name).__init__), name
