"""glassnet.nn.init: distributions against theory, fans and gains, in-place semantics, seeding."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn import init


def _w(*shape, dtype=gn.float32):
    return gn.empty(*shape, dtype=dtype)


# ---------------------------------------------------------------------- gains and fans


@pytest.mark.parametrize(
    ("name", "param", "expected"),
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
        ("selu", None, 0.75),
    ],
    ids=lambda v: str(v),
)
def test_calculate_gain(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected)


def test_calculate_gain_rejects_unknown_names_and_bad_slopes():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "0.1")


@pytest.mark.parametrize(
    ("shape", "fans"),
    [((7, 5), (5, 7)), ((8, 3, 3, 3), (27, 72)), ((4, 2, 5), (10, 20))],
    ids=["linear", "conv2d", "conv1d"],
)
def test_fan_in_and_fan_out(shape, fans):
    assert init._calculate_fan_in_and_fan_out(_w(*shape)) == fans


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(_w(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(_w(3, 4), mode="fan_avg")


# ---------------------------------------------------------------------- distributions vs theory

BIG = (400, 500)  # 200,000 samples: sample std error of a mean ~ 0.002 * std


def test_uniform_moments_and_bounds():
    w = init.uniform_(_w(*BIG), -2.0, 4.0)
    assert w.numpy().min() >= -2.0 and w.numpy().max() < 4.0
    assert w.numpy().mean() == pytest.approx(1.0, abs=0.02)
    assert w.numpy().var() == pytest.approx(36 / 12, rel=0.02)


def test_normal_moments():
    w = init.normal_(_w(*BIG), 0.5, 2.0)
    assert w.numpy().mean() == pytest.approx(0.5, abs=0.02)
    assert w.numpy().std() == pytest.approx(2.0, rel=0.01)


def test_xavier_uniform_and_normal():
    fan_in, fan_out = BIG[1], BIG[0]
    bound = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    w = init.xavier_uniform_(_w(*BIG), gain=2.0)
    assert np.abs(w.numpy()).max() <= bound
    assert np.abs(w.numpy()).max() > 0.99 * bound
    assert w.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    w = init.xavier_normal_(_w(*BIG), gain=2.0)
    assert w.numpy().std() == pytest.approx(2.0 * math.sqrt(2 / (fan_in + fan_out)), rel=0.01)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform_and_normal(mode):
    shape = (300, 40, 3, 3)  # conv weight: fan_in = 360, fan_out = 2700
    fan = 360 if mode == "fan_in" else 2700
    w = init.kaiming_uniform_(_w(*shape), mode=mode, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / fan)
    assert np.abs(w.numpy()).max() <= bound * (1 + 1e-6)
    assert w.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    w = init.kaiming_normal_(_w(*shape), mode=mode, nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / fan), rel=0.01)
    assert w.numpy().mean() == pytest.approx(0.0, abs=0.01 * math.sqrt(2 / fan))


def test_kaiming_uniform_with_a_sqrt5_is_pytorchs_linear_default():
    """gain(leaky_relu, sqrt 5) = sqrt(1/3), so the bound is exactly 1 / sqrt(fan_in)."""
    w = init.kaiming_uniform_(_w(256, 784), a=math.sqrt(5))
    bound = 1 / math.sqrt(784)
    assert np.abs(w.numpy()).max() <= bound * (1 + 1e-6)
    assert np.abs(w.numpy()).max() > 0.999 * bound
    assert w.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_kaiming_on_an_empty_tensor_warns_and_does_nothing():
    w = _w(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(w) is w


def _truncnorm_moments(lo, hi):
    """Mean and std of a standard normal truncated to [lo, hi]."""
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))
    mass = cdf(hi) - cdf(lo)
    mean = (pdf(lo) - pdf(hi)) / mass
    var = 1 + (lo * pdf(lo) - hi * pdf(hi)) / mass - mean**2
    return mean, math.sqrt(var)


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 3.0), (0.0, 1.0, 2.0, 2.5), (0.0, 0.02, -0.04, 0.04)],
    ids=["default", "shifted", "tail", "narrow"],
)
def test_trunc_normal_matches_the_truncated_distribution(mean, std, a, b):
    w = init.trunc_normal_(_w(*BIG, dtype=gn.float64), mean, std, a, b)
    assert w.numpy().min() >= a and w.numpy().max() <= b
    m, s = _truncnorm_moments((a - mean) / std, (b - mean) / std)
    assert w.numpy().mean() == pytest.approx(mean + std * m, abs=0.01 * std)
    assert w.numpy().std() == pytest.approx(std * s, rel=0.02)


def test_trunc_normal_rejects_bad_intervals():
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(_w(3), a=1.0, b=0.0)
    with pytest.raises(ValueError, match="std must be positive"):
        init.trunc_normal_(_w(3), std=0.0)


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (4, 2, 3, 3)], ids=str)
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = init.orthogonal_(_w(*shape, dtype=gn.float64), gain=1.5)
    m = w.numpy().reshape(shape[0], -1)
    rows, cols = m.shape
    product = m @ m.T if rows <= cols else m.T @ m
    np.testing.assert_allclose(product, 1.5**2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_is_random_and_needs_2d():
    a = init.orthogonal_(_w(4, 4)).numpy().copy()
    b = init.orthogonal_(_w(4, 4)).numpy()
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(_w(4))


def test_constants_eye_and_dirac():
    assert np.all(init.constant_(_w(2, 3), 0.25).numpy() == 0.25)
    assert np.all(init.ones_(_w(2, 3)).numpy() == 1) and np.all(init.zeros_(_w(2, 3)).numpy() == 0)
    np.testing.assert_array_equal(init.eye_(_w(2, 3)).numpy(), np.eye(2, 3))
    with pytest.raises(ValueError, match="2-D"):
        init.eye_(_w(2, 2, 2))
    d = init.dirac_(_w(4, 2, 3, 3), groups=2).numpy()
    # identity convolution: output channel g*2+i copies input channel i through the centre tap
    expected = np.zeros((4, 2, 3, 3))
    for g in range(2):
        for i in range(2):
            expected[g * 2 + i, i, 1, 1] = 1
    np.testing.assert_array_equal(d, expected)


def test_sparse_zeroes_a_fraction_of_each_column():
    w = init.sparse_(_w(10, 50), sparsity=0.3, std=0.5).numpy()
    assert np.all((w == 0).sum(axis=0) == 3)
    assert w[w != 0].std() == pytest.approx(0.5, rel=0.15)


# ---------------------------------------------------------------------- in-place semantics


def test_init_works_in_place_without_a_graph_and_bumps_the_version():
    p = nn.Parameter(gn.zeros(3, 4))
    array = p.numpy()
    version = p._version[0]
    out = init.normal_(p)
    assert out is p and p.numpy() is array  # same object, same memory
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert p._version[0] == version + 1
    assert p.dtype == gn.float32


def test_float64_and_float32_get_the_same_numbers_up_to_rounding():
    gn.manual_seed(3)
    a = init.kaiming_normal_(_w(5, 6, dtype=gn.float64)).numpy()
    gn.manual_seed(3)
    b = init.kaiming_normal_(_w(5, 6, dtype=gn.float32)).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_generator_argument_and_manual_seed_reproduce_draws():
    a = init.uniform_(_w(4, 4), generator=np.random.default_rng(7)).numpy().copy()
    b = init.uniform_(_w(4, 4), generator=np.random.default_rng(7)).numpy()
    np.testing.assert_array_equal(a, b)
    gn.manual_seed(11)
    c = init.trunc_normal_(_w(4, 4)).numpy().copy()
    gn.manual_seed(11)
    d = init.trunc_normal_(_w(4, 4)).numpy()
    np.testing.assert_array_equal(c, d)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        init.uniform_(_w(2), generator=7)


def test_bad_arguments_are_reported():
    with pytest.raises(TypeError, match="glassnet Tensor"):
        init.normal_(np.zeros(3))
    with pytest.raises(TypeError, match="floating"):
        init.normal_(gn.zeros(3, dtype=gn.int64))
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(_w(3), 1.0, 0.0)


# ---------------------------------------------------------------------- layer defaults


def test_linear_default_init_bounds_and_moments():
    fc = nn.Linear(784, 512)
    bound = 1 / math.sqrt(784)
    for p in (fc.weight, fc.bias):
        assert np.abs(p.numpy()).max() <= bound
        assert p.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert fc.weight.dtype == gn.float32


def test_linear_init_is_reproducible_with_manual_seed():
    gn.manual_seed(42)
    a = nn.Linear(20, 30)
    gn.manual_seed(42)
    b = nn.Linear(20, 30)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())
    c = nn.Linear(20, 30)  # the generator moved on: different numbers
    assert not np.array_equal(a.weight.numpy(), c.weight.numpy())


def test_embedding_default_init_is_standard_normal_with_zero_padding_row():
    emb = nn.Embedding(2000, 100, padding_idx=3)
    rows = np.delete(emb.weight.numpy(), 3, axis=0)
    assert rows.mean() == pytest.approx(0.0, abs=0.01)
    assert rows.std() == pytest.approx(1.0, rel=0.01)
    assert np.all(emb.weight.numpy()[3] == 0)
