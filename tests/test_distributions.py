"""glassnet.distributions against torch.distributions: log_prob, entropy, moments, KL, gradients."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

RNG = np.random.default_rng(9)
LOC, SCALE = RNG.standard_normal(3), np.abs(RNG.standard_normal(3)) + 0.3
LOGITS = RNG.standard_normal((2, 4))
PROBS = np.array([0.2, 0.7, 0.05])


def _params(lib, *arrays):
    return [lib.tensor(a, requires_grad=True) for a in arrays]


def _built(kind, **named):
    """(a function of lib and its distributions module giving (distribution, its parameters))"""

    def make(lib, d):
        params = _params(lib, *named.values())
        return getattr(d, kind)(**dict(zip(named, params))), params

    return make


CASES = {
    "normal": (_built("Normal", loc=LOC, scale=SCALE), RNG.standard_normal(3)),
    "categorical_logits": (_built("Categorical", logits=LOGITS), [1, 3]),
    "categorical_probs": (_built("Categorical", probs=np.exp(LOGITS)), [[0, 2], [3, 3]]),
    "bernoulli_probs": (_built("Bernoulli", probs=PROBS), [1.0, 0.0, 1.0]),
    "bernoulli_logits": (_built("Bernoulli", logits=LOC), [[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]]),
    "uniform": (_built("Uniform", low=LOC - 1, high=LOC + SCALE), LOC),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_entropy_match_pytorch_with_their_gradients(name):
    make, value = CASES[name]
    (ours, ours_params), (theirs, theirs_params) = make(gn, D), make(torch, TD)
    assert ours.batch_shape == tuple(theirs.batch_shape)
    value = np.asarray(value)  # float64 numbers or int64 classes, in both frameworks
    lp_ours, lp_theirs = ours.log_prob(gn.tensor(value)), theirs.log_prob(torch.tensor(value))
    np.testing.assert_allclose(lp_ours.numpy(), lp_theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    h_ours, h_theirs = ours.entropy(), theirs.entropy()
    np.testing.assert_allclose(h_ours.numpy(), h_theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    (lp_ours.sum() + h_ours.sum()).backward()
    (lp_theirs.sum() + h_theirs.sum()).backward()
    for a, b in zip(ours_params, theirs_params):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("name", ["normal", "bernoulli_probs", "uniform"])
def test_mean_and_variance_match_pytorch(name):
    make, _ = CASES[name]
    (ours, _), (theirs, _) = make(gn, D), make(torch, TD)
    np.testing.assert_allclose(ours.mean.numpy(), theirs.mean.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.variance.numpy(), theirs.variance.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.stddev.numpy(), theirs.stddev.detach().numpy(), rtol=1e-12)


def test_kl_divergences_match_pytorch():
    pairs = [
        (lambda d, lib: (d.Normal(lib.tensor(LOC), lib.tensor(SCALE)),
                         d.Normal(lib.tensor(0.5), lib.tensor(2.0, dtype=lib.float64)))),
        (lambda d, lib: (d.Categorical(logits=lib.tensor(LOGITS)),
                         d.Categorical(probs=lib.tensor(np.array([0.1, 0.2, 0.3, 0.4]))))),
        (lambda d, lib: (d.Bernoulli(probs=lib.tensor(PROBS)),
                         d.Bernoulli(logits=lib.tensor(LOC)))),
    ]  # fmt: skip
    for make in pairs:
        ours = D.kl_divergence(*make(D, gn))
        theirs = TD.kl_divergence(*make(TD, torch))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(NotImplementedError, match=r"kl_divergence of Normal and Bernoulli"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(probs=0.5))


def test_samples_have_the_right_shapes_and_statistics():
    gn.manual_seed(0)
    normal = D.Normal(gn.tensor(LOC), gn.tensor(SCALE))
    draws = normal.sample((20000,)).numpy()
    assert draws.shape == (20000, 3)
    np.testing.assert_allclose(draws.mean(0), LOC, atol=0.05)
    np.testing.assert_allclose(draws.std(0), SCALE, rtol=0.03)
    categorical = D.Categorical(probs=gn.tensor([0.1, 0.6, 0.3]))
    classes = categorical.sample((30000,)).numpy()
    assert classes.dtype == np.int64 and classes.shape == (30000,)
    np.testing.assert_allclose(
        np.bincount(classes, minlength=3) / 30000, [0.1, 0.6, 0.3], atol=0.01
    )
    assert D.Categorical(logits=gn.tensor(LOGITS)).sample((5,)).shape == (5, 2)
    coin = D.Bernoulli(probs=gn.tensor(PROBS)).sample((20000,)).numpy()
    np.testing.assert_allclose(coin.mean(0), PROBS, atol=0.015)
    box = D.Uniform(gn.tensor(-1.0), gn.tensor(3.0)).sample((20000,)).numpy()
    assert box.min() >= -1 and box.max() < 3 and abs(box.mean() - 1.0) < 0.05


def test_rsample_carries_gradients_to_the_parameters():
    gn.manual_seed(1)
    loc = gn.tensor([0.5, -1.0], requires_grad=True)
    scale = gn.tensor([1.0, 2.0], requires_grad=True)
    draw = D.Normal(loc, scale).rsample()
    draw.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [1.0, 1.0])  # d(loc + scale eps)/d loc
    eps = (draw.detach().numpy() - loc.numpy()) / scale.numpy()
    np.testing.assert_allclose(scale.grad.numpy(), eps, rtol=1e-6)  # ... / d scale = eps
    assert D.Normal(loc, scale).sample().requires_grad is False


def test_a_policy_gradient_step_as_the_reinforce_tutorial_writes_it():
    gn.manual_seed(0)
    policy = gn.nn.Linear(4, 2)
    state = gn.randn(1, 4)
    probs = gn.nn.functional.softmax(policy(state), dim=1)
    m = D.Categorical(probs)
    action = m.sample()
    loss = -m.log_prob(action) * 1.5
    loss.sum().backward()
    assert action.shape == (1,) and policy.weight.grad is not None
    assert np.abs(policy.weight.grad.numpy()).sum() > 0


def test_bad_parameters_get_one_clear_line():
    with pytest.raises(ValueError, match=r"Normal: scale must be positive"):
        D.Normal(0.0, 0.0)
    with pytest.raises(ValueError, match=r"give either probs or logits"):
        D.Categorical()
    with pytest.raises(ValueError, match=r"Bernoulli: probs must be between 0 and 1"):
        D.Bernoulli(probs=1.5)
    with pytest.raises(ValueError, match=r"Uniform: low must be below high"):
        D.Uniform(1.0, 1.0)
