"""glassnet.nn.init against torch.nn.init: same gains and fans, same distributions (by their statistics)."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.nn import init  # noqa: E402


@pytest.fixture(autouse=True)
def _seed_torch():
    torch.manual_seed(0)


GAINS = [
    ("linear", None),
    ("conv1d", None),
    ("sigmoid", None),
    ("tanh", None),
    ("relu", None),
    ("leaky_relu", None),
    ("leaky_relu", 0.3),
    ("leaky_relu", math.sqrt(5)),
    ("selu", None),
]


@pytest.mark.parametrize(("name", "param"), GAINS, ids=[f"{n}-{p}" for n, p in GAINS])
def test_gains_match_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-12
    )


@pytest.mark.parametrize("shape", [(3, 4), (16, 3, 5, 5), (8, 2, 7), (4, 4, 2, 2, 2)], ids=str)
def test_fans_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(gn.empty(*shape))
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    assert ours == theirs


def _quantiles(a):
    return np.quantile(np.asarray(a, dtype=np.float64).ravel(), [0.05, 0.25, 0.5, 0.75, 0.95])


def _same_distribution(ours, theirs, scale):
    """Quantiles of the two samples agree to within a small fraction of the scale.

    With ~70,000 samples each, a 5% quantile wobbles by ~0.01 * scale between two samples of
    one distribution, so 0.04 * scale is loose enough to be stable and tight enough to catch
    a wrong bound or std (those shift the quantiles by several percent).
    """
    np.testing.assert_allclose(_quantiles(ours), _quantiles(theirs), atol=0.04 * scale)
    assert np.std(ours) == pytest.approx(np.std(theirs), rel=0.02)


def test_linear_default_init_matches_torch():
    ours = nn.Linear(784, 512)
    theirs = torch.nn.Linear(784, 512)
    bound = 1 / math.sqrt(784)
    _same_distribution(ours.weight.numpy(), theirs.weight.detach().numpy(), bound)
    assert np.abs(ours.weight.numpy()).max() == pytest.approx(
        theirs.weight.detach().abs().max().item(), rel=1e-3
    )
    # Biases: only 512 samples each, so compare their ranges and spread loosely.
    assert np.abs(ours.bias.numpy()).max() <= bound
    assert ours.bias.numpy().std() == pytest.approx(theirs.bias.detach().std().item(), rel=0.15)


def test_embedding_default_init_matches_torch():
    ours = nn.Embedding(1000, 64, padding_idx=0)
    theirs = torch.nn.Embedding(1000, 64, padding_idx=0)
    _same_distribution(ours.weight.numpy()[1:], theirs.weight.detach().numpy()[1:], 1.0)
    assert np.all(ours.weight.numpy()[0] == 0) and bool((theirs.weight[0] == 0).all())


SCHEMES = [
    ("xavier_uniform_", {"gain": 1.7}),
    ("xavier_normal_", {"gain": 0.5}),
    ("kaiming_uniform_", {"a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", {"mode": "fan_in", "nonlinearity": "relu"}),
    ("trunc_normal_", {"mean": 0.1, "std": 0.3, "a": -0.2, "b": 0.5}),
    ("uniform_", {"a": -3.0, "b": 1.0}),
    ("normal_", {"mean": 2.0, "std": 0.1}),
]


@pytest.mark.parametrize(("name", "kwargs"), SCHEMES, ids=[s[0] for s in SCHEMES])
def test_schemes_match_torch_on_a_conv_weight(name, kwargs):
    shape = (128, 64, 3, 3)  # 73,728 samples
    ours = getattr(init, name)(gn.empty(*shape), **kwargs).numpy()
    theirs = getattr(torch.nn.init, name)(torch.empty(*shape), **kwargs).numpy()
    _same_distribution(ours, theirs, float(np.std(theirs)))
    if name in ("xavier_uniform_", "kaiming_uniform_", "uniform_", "trunc_normal_"):
        # bounded distributions: the same bounds
        assert ours.min() == pytest.approx(theirs.min(), abs=0.01 * np.std(theirs))
        assert ours.max() == pytest.approx(theirs.max(), abs=0.01 * np.std(theirs))


def test_orthogonal_matches_torch_spectrum():
    ours = init.orthogonal_(gn.empty(6, 10, dtype=gn.float64), gain=2.0).numpy()
    theirs = torch.nn.init.orthogonal_(torch.empty(6, 10, dtype=torch.float64), gain=2.0).numpy()
    np.testing.assert_allclose(np.linalg.svd(ours, compute_uv=False), np.full(6, 2.0), atol=1e-12)
    np.testing.assert_allclose(
        np.linalg.svd(ours, compute_uv=False), np.linalg.svd(theirs, compute_uv=False), atol=1e-10
    )


def test_eye_and_dirac_match_torch_exactly():
    np.testing.assert_array_equal(
        init.eye_(gn.empty(3, 5)).numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy()
    )
    for shape, groups in [((6, 3, 3, 3), 2), ((4, 4, 5), 1), ((2, 3, 3, 3, 3), 1)]:
        np.testing.assert_array_equal(
            init.dirac_(gn.empty(*shape), groups).numpy(),
            torch.nn.init.dirac_(torch.empty(*shape), groups).numpy(),
        )
