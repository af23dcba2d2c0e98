"""MixtureSameFamily against PyTorch: shapes, log_prob and its gradients, moments, cdf, sampling, errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import distributions as gd

torch = pytest.importorskip("torch")
td = torch.distributions


def _params(seed, batch, k, d):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=batch + (k,))
    loc = rng.normal(size=batch + (k,) + d)
    scale = rng.uniform(0.5, 1.5, size=batch + (k,) + d)
    return logits, loc, scale


def _both(logits, loc, scale, event):
    """The same mixture in glassnet and torch (float64 leaves that require grad)."""
    g = [gn.tensor(a, requires_grad=True) for a in (logits, loc, scale)]
    t = [torch.tensor(a, requires_grad=True) for a in (logits, loc, scale)]

    def build(lib, dist, p):
        comp = lib.Normal(p[1], p[2])
        if event:
            comp = lib.Independent(comp, 1)
        return lib.MixtureSameFamily(lib.Categorical(logits=p[0]), comp)

    return build(gd, gd, g), g, build(td, td, t), t


CASES = [((), 3, (), False), ((4,), 3, (), False), ((), 4, (2,), True), ((2,), 3, (5,), True)]
IDS = ["scalar_1d", "batch_1d", "gmm_2d", "batch_gmm_5d"]


@pytest.mark.parametrize("batch,k,d,event", CASES, ids=IDS)
def test_log_prob_values_and_gradients_match_torch(batch, k, d, event):
    gm, g, tm, t = _both(*_params(0, batch, k, d), event)
    assert gm.batch_shape == tuple(tm.batch_shape)
    assert gm.event_shape == tuple(tm.event_shape)
    x = np.random.default_rng(1).normal(size=(6,) + batch + d)
    lg, lt = gm.log_prob(gn.tensor(x)), tm.log_prob(torch.tensor(x))
    assert lg.shape == tuple(lt.shape)
    np.testing.assert_allclose(lg.numpy(), lt.detach().numpy(), rtol=1e-10, atol=1e-12)
    lg.sum().backward()
    lt.sum().backward()
    for a, b in zip(g, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch,k,d,event", CASES, ids=IDS)
def test_mean_and_variance_match_torch(batch, k, d, event):
    gm, g, tm, t = _both(*_params(2, batch, k, d), event)
    np.testing.assert_allclose(gm.mean.numpy(), tm.mean.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gm.variance.numpy(), tm.variance.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gm.stddev.numpy(), tm.stddev.detach().numpy(), rtol=1e-12)
    gm.variance.sum().backward()
    tm.variance.sum().backward()
    for a, b in zip(g, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_cdf_matches_torch_and_is_differentiable():
    gm, g, tm, t = _both(*_params(3, (4,), 3, ()), False)
    x = np.linspace(-2, 2, 4 * 5).reshape(5, 4)
    cg, ct = gm.cdf(gn.tensor(x)), tm.cdf(torch.tensor(x))
    np.testing.assert_allclose(cg.numpy(), ct.detach().numpy(), rtol=1e-10)
    cg.sum().backward()
    ct.sum().backward()
    for a, b in zip(g, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_log_prob_gradcheck_float64():
    logits, loc, scale = _params(4, (2,), 3, (2,))
    x = gn.tensor(np.random.default_rng(5).normal(size=(2, 2)))

    def f(lo, mu, s):
        comp = gd.Independent(gd.Normal(mu, s), 1)
        return gd.MixtureSameFamily(gd.Categorical(logits=lo), comp).log_prob(x)

    args = [gn.tensor(a, requires_grad=True) for a in (logits, loc, scale)]
    assert gn.numerical.gradcheck(f, tuple(args))


def test_samples_have_torch_shapes_and_the_mixture_moments():
    gn.manual_seed(0)
    logits, loc, scale = _params(6, (), 3, (2,))
    loc = loc * 4  # well separated components
    gm, _, tm, _ = _both(logits, loc, scale, True)
    s = gm.sample((20000,))
    assert s.shape == tuple(tm.sample((20000,)).shape) == (20000, 2)
    assert not s.requires_grad
    np.testing.assert_allclose(s.numpy().mean(0), tm.mean.detach().numpy(), atol=0.1)
    np.testing.assert_allclose(s.numpy().var(0), tm.variance.detach().numpy(), rtol=0.05)
    # every draw is one component's draw: with tiny scales it sits on one of the means
    sharp = gd.MixtureSameFamily(
        gd.Categorical(logits=gn.tensor(logits)),
        gd.Independent(gd.Normal(gn.tensor(loc), gn.tensor(np.full_like(scale, 1e-6))), 1),
    )
    draws = sharp.sample((500,)).numpy()
    dist = np.abs(draws[:, None, :] - loc[None]).max(-1).min(-1)
    assert dist.max() < 1e-4
    counts = np.bincount(np.abs(draws[:, None, :] - loc[None]).max(-1).argmin(-1), minlength=3)
    probs = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(counts / 500, probs, atol=0.08)


def test_batched_sample_shape_and_expand():
    gm, _, tm, _ = _both(*_params(7, (2,), 3, (4,)), True)
    assert gm.sample().shape == tuple(tm.sample().shape) == (2, 4)
    assert gm.sample((5, 3)).shape == (5, 3, 2, 4)
    big = gm.expand((6, 2))
    assert big.batch_shape == tuple(tm.expand((6, 2)).batch_shape)
    x = np.random.default_rng(8).normal(size=(6, 2, 4))
    np.testing.assert_allclose(
        big.log_prob(gn.tensor(x)).numpy(),
        tm.expand((6, 2)).log_prob(torch.tensor(x)).detach().numpy(),
        rtol=1e-10,
    )


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: gd.MixtureSameFamily(gd.Normal(0.0, 1.0), gd.Normal(gn.zeros(3), gn.ones(3))),
         "expected mixture_distribution to be a Categorical, got Normal"),
        (lambda: gd.MixtureSameFamily(gd.Categorical(logits=gn.zeros(3)), "x"),
         "expected component_distribution to be a Distribution"),
        (lambda: gd.MixtureSameFamily(gd.Categorical(logits=gn.zeros(3)),
                                      gd.Normal(gn.zeros(4), gn.ones(4))),
         "the mixture has 3 components but component_distribution.batch_shape"),
        (lambda: gd.MixtureSameFamily(gd.Categorical(logits=gn.zeros(2, 3)),
                                      gd.Normal(gn.zeros(4, 3), gn.ones(4, 3))),
         r"batch_shape \(2,\) is not compatible"),
        (lambda: gd.MixtureSameFamily(gd.Categorical(logits=gn.zeros(3)),
                                      gd.Independent(gd.Normal(gn.zeros(3), gn.ones(3)), 1)),
         "expected component_distribution to have a batch axis"),
    ],
    ids=["mixture_type", "component_type", "count", "batch", "no_components_axis"],
)  # fmt: skip
def test_bad_arguments_get_one_clear_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()
