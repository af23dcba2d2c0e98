"""The pooling code shared across dimensions and forms, checked for every one: F signatures and layer reprs, values, indices and gradients against PyTorch, the names in the errors of the ``*_with_indices`` forms, and the NaN / -inf winners of the 3-D and fractional max pools."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.errors import ShapeError

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # the core suite needs only NumPy and pytest
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

POOL_FUNCTIONS = [
    f"{stem}{nd}d"
    for stem in ("max_pool", "avg_pool", "adaptive_avg_pool", "adaptive_max_pool", "lp_pool",
                 "max_unpool")
    for nd in (1, 2, 3)
] + ["fractional_max_pool2d", "fractional_max_pool3d"]  # fmt: skip
PAIR_FORMS = [f"max_pool{nd}d_with_indices" for nd in (1, 2, 3)] + [
    f"adaptive_max_pool{nd}d_with_indices" for nd in (1, 2, 3)
] + ["fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]  # fmt: skip


def _parameters(function) -> list[tuple[str, object]]:
    try:
        signature = inspect.signature(function)
    except ValueError:  # a PyTorch builtin: its docstring's first line is its signature
        head = function.__doc__.strip().splitlines()[0].split(" -> ")[0]
        namespace: dict = {}
        exec(f"def documented{head[head.index('(') :]}: pass", namespace)
        signature = inspect.signature(namespace["documented"])
    return [(p.name, p.default) for p in signature.parameters.values()]


@needs_torch
@pytest.mark.parametrize("name", POOL_FUNCTIONS + PAIR_FORMS)
def test_function_signature_matches_torch(name):
    theirs = getattr(TF, name)
    if _parameters(theirs) == [
        ("args", inspect.Parameter.empty),
        ("kwargs", inspect.Parameter.empty),
    ]:
        # PyTorch dispatches max_pool2d & co. on return_indices; the pair form holds the signature.
        theirs = getattr(TF, name + "_with_indices")
    assert _parameters(getattr(F, name)) == _parameters(theirs)
    assert getattr(F, name).__name__ == name


LAYERS = [
    ("MaxPool1d", (3, 2, 1), {}, (2, 3, 11)),
    ("MaxPool2d", (3, 2, 1, 1, True), {}, (2, 3, 9, 8)),
    ("MaxPool3d", (2,), {"ceil_mode": True}, (1, 2, 5, 6, 7)),
    ("AvgPool1d", (3, 2, 1), {"count_include_pad": False}, (2, 3, 11)),
    ("AvgPool2d", (3, 2, 1, True), {"divisor_override": 5}, (2, 3, 9, 8)),
    ("AvgPool3d", (3, 2, 1), {"count_include_pad": False}, (1, 2, 5, 6, 7)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 11)),
    ("AdaptiveAvgPool2d", ((4, None),), {}, (2, 3, 9, 8)),
    ("AdaptiveAvgPool3d", ((2, 3, 4),), {}, (1, 2, 5, 6, 7)),
    ("AdaptiveMaxPool1d", (4, True), {}, (2, 3, 11)),
    ("AdaptiveMaxPool2d", ((4, 3),), {"return_indices": True}, (2, 3, 9, 8)),
    ("AdaptiveMaxPool3d", (3,), {"return_indices": True}, (1, 2, 5, 6, 7)),
    ("LPPool1d", (2, 3, 2), {}, (2, 3, 11)),
    ("LPPool2d", (3, (2, 3)), {"ceil_mode": True}, (2, 3, 9, 8)),
    ("LPPool3d", (1, 2), {}, (1, 2, 5, 6, 7)),
    ("FractionalMaxPool2d", (2,), {"output_size": (4, 3), "return_indices": True}, (2, 3, 9, 8)),
    ("FractionalMaxPool3d", ((2, 1, 2),), {"output_ratio": 0.5, "return_indices": True},
     (1, 2, 6, 6, 7)),
]  # fmt: skip


def _pair(module_or_function, *args, **kwargs):
    out = module_or_function(*args, **kwargs)
    return out if isinstance(out, tuple) else (out,)


@needs_torch
@pytest.mark.parametrize("name, args, kwargs, shape", LAYERS, ids=[row[0] for row in LAYERS])
def test_layer_matches_torch(name, args, kwargs, shape):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    if name.startswith("LP"):
        x = np.abs(x) + 0.1  # odd powers of negative sums are nan in both
    if name.startswith("Fractional"):
        samples = rng.random(shape[:2] + (len(shape) - 2,))
        kwargs = dict(kwargs, _random_samples=samples)
        ours = getattr(nn, name)(*args, **dict(kwargs, _random_samples=gn.tensor(samples)))
        theirs = getattr(torch.nn, name)(
            *args, **dict(kwargs, _random_samples=torch.tensor(samples))
        )
    else:
        ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert _parameters(type(ours)) == _parameters(type(theirs))
    xg, xt = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got, want = _pair(ours, xg), _pair(theirs, xt)
    assert len(got) == len(want)
    np.testing.assert_allclose(got[0].numpy(), want[0].detach().numpy(), rtol=1e-12, atol=1e-12)
    if len(want) == 2:
        np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())
    weights = rng.standard_normal(want[0].shape)
    (got[0] * gn.tensor(weights)).sum().backward()
    (want[0] * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


UNPOOLS = [
    ("MaxUnpool1d", 1, (3,), {"stride": 2, "padding": 1}, (2, 3, 11)),
    ("MaxUnpool2d", 2, ((2, 3),), {}, (2, 3, 8, 9)),
    ("MaxUnpool3d", 3, (2,), {"padding": 1}, (1, 2, 6, 5, 7)),
]


@needs_torch
@pytest.mark.parametrize("name, nd, args, kwargs, shape", UNPOOLS, ids=[r[0] for r in UNPOOLS])
def test_unpool_layer_matches_torch(name, nd, args, kwargs, shape):
    x = np.random.default_rng(3).standard_normal(shape)
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)  # kernel_size, stride, padding kept as nd-tuples
    pool = getattr(TF, f"max_pool{nd}d")
    y, i = pool(torch.tensor(x), *args, **kwargs, return_indices=True)
    want = theirs(y, i, output_size=shape)
    got = ours(gn.tensor(y.numpy()), gn.tensor(i.numpy()), output_size=shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", PAIR_FORMS)
def test_pair_forms_return_pairs_and_name_themselves(name):
    nd = int(name.split("pool")[1][0])
    plain = getattr(F, name.replace("_with_indices", ""))
    pair = getattr(F, name)
    assert pair.__module__ in (plain.__module__, "glassnet.nn.functional.pooling_with_indices")
    assert inspect.signature(pair).return_annotation == "tuple[Tensor, Tensor]"
    x = gn.tensor(np.random.default_rng(1).standard_normal((2, 3) + (8,) * nd))
    if name.startswith("adaptive"):
        args, bad = (3,), (0,)
    elif name.startswith("fractional"):
        samples = np.random.default_rng(2).random((2, 3, nd))
        args, bad = (2, 4, None, False, samples), (2, 30, None, False, samples)
    else:
        args, bad = (3, 2, 1), (3, 2, 2)
    y, i = pair(x, *args)  # return_indices is False in args or by default: still a pair
    if name.startswith("fractional"):
        y_plain, i_plain = plain(x, 2, 4, return_indices=True, _random_samples=samples)
    else:
        y_plain, i_plain = plain(x, *args, return_indices=True)
    np.testing.assert_array_equal(y.numpy(), y_plain.numpy())
    np.testing.assert_array_equal(i.numpy(), i_plain.numpy())
    with pytest.raises(ValueError, match=f"^{name}: "):
        pair(x, *bad)
    with pytest.raises(ShapeError, match=f"^{name}: expected "):
        pair(gn.tensor(np.zeros(5)), *args)
    with pytest.raises(TypeError, match=f"^{name}: "):
        pair(np.zeros((2, 3) + (8,) * nd), *args)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_unpool_reads_stride_strictly_and_pool_defaults_an_empty_one(nd):
    x = gn.tensor(np.random.default_rng(5).standard_normal((1, 2) + (6,) * nd))
    pool, unpool = getattr(F, f"max_pool{nd}d"), getattr(F, f"max_unpool{nd}d")
    y, i = pool(x, 2, return_indices=True)
    np.testing.assert_array_equal(pool(x, 2, ()).numpy(), y.numpy())  # stride=() is the kernel
    with pytest.raises(ValueError, match=rf"^max_unpool{nd}d: stride must be an int or a tuple "):
        unpool(y, i, 2, ())
    with pytest.raises(ValueError, match=rf"^max_unpool{nd}d: padding must be >= 0, got -1"):
        unpool(y, i, 2, None, -1)
    layer = f"MaxUnpool{nd}d"
    with pytest.raises(ValueError, match=rf"^{layer}: stride must be an int or a tuple of {nd} "):
        getattr(nn, layer)(2, ())
    with pytest.raises(TypeError, match=rf"^{layer}: kernel_size must be an int or a tuple "):
        getattr(nn, layer)("a")
    np.testing.assert_array_equal(getattr(nn, layer)(2)(y, i).numpy(), unpool(y, i, 2).numpy())


@needs_torch
def test_max_pool3d_nan_and_inf_winners_match_torch():
    x = np.random.default_rng(11).standard_normal((2, 3, 5, 6, 5))
    x[0, 0, :2, :2, :2] = -np.inf  # a window of -inf that ties with the -inf padding
    x[0, 1, 1, 1, 1] = x[0, 1, 2, 2, 2] = np.nan  # two NaNs in one window: the last one wins
    x[1, 2, 3, 4, 0] = np.nan
    for kwargs in ({"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": 2}):
        y, i = F.max_pool3d(gn.tensor(x), **kwargs, return_indices=True)
        y_t, i_t = TF.max_pool3d(torch.tensor(x), **kwargs, return_indices=True)
        np.testing.assert_array_equal(y.numpy(), y_t.numpy())
        np.testing.assert_array_equal(i.numpy(), i_t.numpy())


@needs_torch
@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_nan_winners_match_torch(nd):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 2) + (7,) * nd)
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = np.nan
    x[1, 1, 3] = np.nan
    samples = rng.random((2, 2, nd))
    xg, xt = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    function = f"fractional_max_pool{nd}d"
    y, i = getattr(F, function)(xg, 2, output_size=4, return_indices=True,
                                _random_samples=samples)  # fmt: skip
    y_t, i_t = getattr(TF, function)(xt, 2, output_size=4, return_indices=True,
                                     _random_samples=torch.tensor(samples))  # fmt: skip
    np.testing.assert_array_equal(y.numpy(), y_t.detach().numpy())
    np.testing.assert_array_equal(i.numpy(), i_t.numpy())
    y.sum().backward()
    y_t.sum().backward()
    np.testing.assert_array_equal(xg.grad.numpy(), xt.grad.numpy())
