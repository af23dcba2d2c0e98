"""Normalization layers without torch: gradient checks, running statistics, modes, shape errors."""

import numpy as np
import pytest
from norm_paths import both_norm_paths  # noqa: F401  (autouse: every test on both paths)

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.ops.norm import Normalize


def _t(a, requires_grad=True):
    return gn.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------------------------
# Gradient checks (train mode), first and second order
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [(5, 3), (3, 2, 4), (2, 3, 2, 3), (2, 2, 2, 2, 2)],
    ids=["N,C", "N,C,L", "N,C,H,W", "N,C,D,H,W"],
)
def test_batch_norm_train_gradcheck(shape):
    rng = _rng(1)
    x = rng.standard_normal(shape) * 2 + 1
    c = shape[1]
    w, b = rng.uniform(0.5, 2, c), rng.standard_normal(c)
    assert gn.gradcheck(
        lambda a, ww, bb: F.batch_norm(a, None, None, ww, bb, training=True), _t(x), _t(w), _t(b)
    )


def test_batch_norm_train_without_affine_gradcheck():
    x = _rng(2).standard_normal((4, 3, 2))
    assert gn.gradcheck(lambda a: F.batch_norm(a, None, None, training=True), _t(x))


def test_batch_norm_eval_gradcheck():
    rng = _rng(3)
    x = rng.standard_normal((4, 3, 2))
    rm, rv = _t(rng.standard_normal(3), False), _t(rng.uniform(0.5, 2, 3), False)
    w, b = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    assert gn.gradcheck(
        lambda a, ww, bb: F.batch_norm(a, rm, rv, ww, bb, training=False), _t(x), _t(w), _t(b)
    )


@pytest.mark.parametrize("normalized_shape", [(4,), (3, 4)], ids=["last", "last2"])
def test_layer_norm_gradcheck(normalized_shape):
    rng = _rng(4)
    x = rng.standard_normal((2, 3, 4)) * 3
    w, b = rng.uniform(0.5, 2, normalized_shape), rng.standard_normal(normalized_shape)
    assert gn.gradcheck(
        lambda a, ww, bb: F.layer_norm(a, normalized_shape, ww, bb), _t(x), _t(w), _t(b)
    )
    assert gn.gradcheck(lambda a: F.layer_norm(a, normalized_shape), _t(x))


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_norm_gradcheck(groups):
    rng = _rng(5)
    x = rng.standard_normal((2, 4, 3))
    w, b = rng.uniform(0.5, 2, 4), rng.standard_normal(4)
    assert gn.gradcheck(lambda a, ww, bb: F.group_norm(a, groups, ww, bb), _t(x), _t(w), _t(b))


def test_second_order_of_normalization():
    rng = _rng(6)
    x = rng.standard_normal((3, 2, 2))
    w, b = rng.uniform(0.5, 2, 2), rng.standard_normal(2)
    assert gn.gradgradcheck(
        lambda a, ww, bb: F.batch_norm(a, None, None, ww, bb, training=True),
        _t(x),
        _t(w),
        _t(b),
        atol=1e-4,
    )
    assert gn.gradgradcheck(
        lambda a, ww, bb: F.layer_norm(a, (2,), ww, bb), _t(x), _t(w), _t(b), atol=1e-4
    )
    assert gn.gradgradcheck(lambda a, ww: F.group_norm(a, 1, ww), _t(x), _t(w), atol=1e-4)


NORMALIZE_CASES = [
    ((0,), None, None),
    ((0, 2), (1, 4, 1), (1, 4, 1)),  # batch norm: parameters constant along the statistics
    ((0, 2), (1, 4, 1), None),
    ((0, 2), None, (1, 4, 1)),
    ((-1,), (5,), (5,)),  # layer norm: parameters vary along the statistics axes
    ((1, 2), (4, 5), None),
    ((1, 2), None, (5,)),
    ((2,), (3, 1, 1), (1, 4, 1)),  # mixed shapes
]


@pytest.mark.parametrize("dims, w_shape, b_shape", NORMALIZE_CASES, ids=str)
def test_normalize_fast_and_recorded_backward_agree(dims, w_shape, b_shape):
    """The array-level backward equals the Tensor-op one used when create_graph=True."""
    rng = _rng(7)
    x = rng.standard_normal((3, 4, 5))
    w = None if w_shape is None else rng.uniform(0.5, 2, w_shape)
    b = None if b_shape is None else rng.standard_normal(b_shape)
    up = gn.tensor(_rng(8).standard_normal((3, 4, 5)))
    grads = []
    for create_graph in (False, True):
        args = [_t(x)] + [None if p is None else _t(p) for p in (w, b)]
        Normalize(dims, 1e-5)(*args).backward(up, create_graph=create_graph)
        grads.append([None if a is None else a.grad.numpy().copy() for a in args])
    for fast, recorded in zip(*grads):
        if fast is not None:
            np.testing.assert_allclose(fast, recorded, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dims, w_shape, b_shape", NORMALIZE_CASES, ids=str)
def test_normalize_with_parameters_gradcheck(dims, w_shape, b_shape):
    rng = _rng(9)
    x = rng.standard_normal((3, 4, 5))
    params = [
        _t(rng.uniform(0.5, 2, s) if i == 0 else rng.standard_normal(s))
        for i, s in enumerate((w_shape, b_shape))
        if s is not None
    ]
    if w_shape is None and b_shape is not None:
        assert gn.gradcheck(lambda a, bb: Normalize(dims)(a, None, bb), _t(x), *params)
    else:
        assert gn.gradcheck(lambda a, *p: Normalize(dims)(a, *p), _t(x), *params)


def test_normalize_closed_form_against_composed():
    """The fused op's gradient equals that of (x - mean) / sqrt(var + eps) built from primitives."""
    x = _rng(9).standard_normal((4, 3, 2))
    up = gn.tensor(_rng(10).standard_normal((4, 3, 2)))
    a, b = _t(x), _t(x)
    fused = Normalize((0, 2), 1e-5)(a)
    mean = b.mean(dim=(0, 2), keepdim=True)
    composed = (b - mean) / (b.var(dim=(0, 2), keepdim=True, correction=0) + 1e-5).sqrt()
    np.testing.assert_allclose(fused.numpy(), composed.numpy(), rtol=1e-12, atol=1e-14)
    fused.backward(up)
    composed.backward(up)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# BatchNorm behaviour
# ----------------------------------------------------------------------------------------------


def test_batch_norm_output_is_standardized_per_channel():
    x = gn.tensor(_rng(11).standard_normal((16, 3, 4, 4)) * 5 + 3, dtype=gn.float32)
    y = nn.BatchNorm2d(3)(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)
    assert y.dtype == np.float32


def test_running_statistics_follow_the_formula():
    rng = _rng(12)
    bn = nn.BatchNorm1d(3, momentum=0.3).double()
    rm, rv = np.zeros(3), np.ones(3)
    for _ in range(3):
        x = rng.standard_normal((6, 3, 4)) * 2 + 1
        bn(_t(x, False))
        m = x.shape[0] * x.shape[2]
        rm = 0.7 * rm + 0.3 * x.mean(axis=(0, 2))
        rv = 0.7 * rv + 0.3 * x.var(axis=(0, 2)) * m / (m - 1)  # unbiased
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), rv, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 3


def test_momentum_none_is_a_cumulative_average():
    rng = _rng(13)
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((5, 2)) + i for i in range(4)]
    for x in batches:
        bn(_t(x, False))
    np.testing.assert_allclose(
        bn.running_mean.numpy(), np.mean([x.mean(0) for x in batches], axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(
        bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in batches], axis=0), rtol=1e-12
    )


def test_eval_mode_uses_running_statistics():
    rng = _rng(14)
    bn = nn.BatchNorm2d(2).double()
    for _ in range(5):
        bn(_t(rng.standard_normal((4, 2, 3, 3)) * 3 + 2, False))
    with gn.no_grad():
        bn.weight.copy_(gn.tensor([2.0, 0.5]))
        bn.bias.copy_(gn.tensor([1.0, -1.0]))
    bn.eval()
    before = (bn.running_mean.numpy().copy(), bn.running_var.numpy().copy())
    x = rng.standard_normal((3, 2, 3, 3))
    y = bn(_t(x, False)).numpy()
    view = (1, 2, 1, 1)
    expected = (x - before[0].reshape(view)) / np.sqrt(before[1].reshape(view) + 1e-5) * np.array(
        [2.0, 0.5]
    ).reshape(view) + np.array([1.0, -1.0]).reshape(view)
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean.numpy(), before[0])  # not updated in eval
    assert bn.num_batches_tracked.item() == 5
    # One sample at a time gives the same result as the batch (no batch dependence in eval).
    np.testing.assert_allclose(bn(_t(x[:1], False)).numpy(), y[:1], rtol=1e-12)


def test_without_running_stats_batch_statistics_are_used_in_both_modes():
    bn = nn.BatchNorm1d(3, track_running_stats=False).double()
    assert bn.running_mean is None and bn.num_batches_tracked is None
    x = _t(_rng(15).standard_normal((8, 3)) * 4, False)
    train_out = bn(x).numpy()
    bn.eval()
    np.testing.assert_allclose(bn(x).numpy(), train_out, rtol=1e-12)
    assert list(bn.state_dict()) == ["weight", "bias"]


def test_batch_norm_parameters_buffers_and_repr():
    bn = nn.BatchNorm2d(4)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert bn.num_batches_tracked.dtype == gn.int64
    assert bn.weight.dtype == gn.float32 and np.all(bn.weight.numpy() == 1)
    assert repr(bn) == (
        "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    plain = nn.BatchNorm1d(4, affine=False)
    assert plain.weight is None and list(plain.parameters()) == []
    assert nn.BatchNorm1d(4, bias=False).bias is None
    bn(gn.randn(2, 4, 3, 3) * 3 + 1)
    bn.reset_parameters()
    assert bn.num_batches_tracked.item() == 0 and np.all(bn.running_var.numpy() == 1)


def test_batch_norm_double_and_backward_reach_parameters():
    bn = nn.BatchNorm3d(2).double()
    x = _t(_rng(16).standard_normal((2, 2, 2, 3, 3)))
    (bn(x) * gn.tensor(_rng(17).standard_normal((2, 2, 2, 3, 3)))).sum().backward()
    assert bn.running_mean.dtype == gn.float64
    assert bn.weight.grad.shape == (2,) and bn.bias.grad.shape == (2,)
    assert x.grad.shape == x.shape


def test_batch_norm_under_no_grad_still_updates_running_stats():
    bn = nn.BatchNorm1d(2)
    with gn.no_grad():
        y = bn(gn.randn(4, 2) + 5)
    assert not y.requires_grad
    assert np.all(bn.running_mean.numpy() > 0.1)


# ----------------------------------------------------------------------------------------------
# LayerNorm and GroupNorm behaviour
# ----------------------------------------------------------------------------------------------


def test_layer_norm_standardizes_each_sample_and_repr():
    ln = nn.LayerNorm(6)
    x = gn.randn(4, 5, 6) * 3 + 2
    y = ln(x).numpy()
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(-1), 1, atol=1e-3)
    assert repr(ln) == "LayerNorm((6,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert nn.LayerNorm((2, 3), bias=False).bias is None
    assert list(nn.LayerNorm(3, elementwise_affine=False).parameters()) == []
    ln.eval()
    np.testing.assert_allclose(ln(x).numpy(), y)  # no mode dependence


def test_group_norm_matches_numpy_and_repr():
    rng = _rng(18)
    x = rng.standard_normal((2, 6, 3, 2))
    gnorm = nn.GroupNorm(3, 6).double()
    with gn.no_grad():
        gnorm.weight.copy_(gn.tensor(rng.uniform(0.5, 2, 6)))
        gnorm.bias.copy_(gn.tensor(rng.standard_normal(6)))
    y = gnorm(_t(x, False)).numpy()
    g = x.reshape(2, 3, -1)
    ref = (g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)
    ref = ref.reshape(x.shape) * gnorm.weight.numpy().reshape(
        1, 6, 1, 1
    ) + gnorm.bias.numpy().reshape(1, 6, 1, 1)
    np.testing.assert_allclose(y, ref, rtol=1e-12)
    assert repr(gnorm) == "GroupNorm(3, 6, eps=1e-05, affine=True, bias=True)"
    assert list(nn.GroupNorm(2, 4, affine=False).parameters()) == []


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


def test_shape_errors_name_the_layer_and_its_path():
    model = nn.Sequential(nn.BatchNorm1d(3))
    with pytest.raises(
        ValueError,
        match=r"^0 \(BatchNorm1d\): expected input of shape \(N, 3\) "
        r"or \(N, 3, L\), got \(4, 5\)$",
    ):
        model(gn.randn(4, 5))
    with pytest.raises(
        ValueError,
        match=r"^BatchNorm2d: expected input of shape "
        r"\(N, 8, H, W\), got \(2, 8, 5\)$",
    ):
        nn.BatchNorm2d(8)(gn.randn(2, 8, 5))
    with pytest.raises(ValueError, match=r"^BatchNorm3d: expected input of shape"):
        nn.BatchNorm3d(2)(gn.randn(2, 2, 3, 3))
    with pytest.raises(
        ValueError,
        match=r"^LayerNorm: expected input of shape \(\*, 3, 4\), "
        r"got \(2, 4, 3\)$",
    ):
        nn.LayerNorm((3, 4))(gn.randn(2, 4, 3))
    with pytest.raises(
        ValueError,
        match=r"^GroupNorm: expected input of shape \(N, 6, \*\), "
        r"got \(2, 4, 3\)$",
    ):
        nn.GroupNorm(2, 6)(gn.randn(2, 4, 3))
    with pytest.raises(TypeError, match="expected input to be a glassnet Tensor, got ndarray"):
        nn.LayerNorm(3)(np.zeros((2, 3)))


def test_one_value_per_channel_in_training():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ValueError,
        match=r"^BatchNorm1d: expected more than 1 value per channel "
        r"when training, got input of shape \(1, 3\)",
    ):
        bn(gn.randn(1, 3))
    bn.eval()
    assert bn(gn.randn(1, 3)).shape == (1, 3)


def test_constructor_errors():
    with pytest.raises(
        ValueError,
        match=r"GroupNorm: num_channels \(6\) must be divisible by "
        r"num_groups \(4\)",
    ):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match="num_features must be a positive integer, got 0"):
        nn.BatchNorm2d(0)
    with pytest.raises(ValueError, match="momentum must be in"):
        nn.BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match="normalized_shape must be non-empty"):
        nn.LayerNorm(())
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        nn.LayerNorm(3, dtype=gn.int64)


def test_functional_errors():
    x = gn.randn(4, 3)
    with pytest.raises(
        ValueError,
        match=r"batch_norm: expected running_mean of shape \(3,\), "
        r"got \(4,\)",
    ):
        F.batch_norm(x, gn.zeros(4), gn.ones(3))
    with pytest.raises(ValueError, match="running_mean and running_var must be given"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"layer_norm: expected input of shape \(\*, 4\)"):
        F.layer_norm(x, 4)
    with pytest.raises(
        ValueError,
        match=r"group_norm: the 3 channels of input \(4, 3\) cannot "
        r"be split into num_groups=2",
    ):
        F.group_norm(x, 2)
    with pytest.raises(TypeError, match="batch_norm: expected a floating input"):
        F.batch_norm(gn.tensor([[1, 2]]), None, None, training=True)
    with pytest.raises(ValueError, match=r"layer_norm: expected weight of shape \(3,\)"):
        F.layer_norm(x, 3, gn.ones(4))
