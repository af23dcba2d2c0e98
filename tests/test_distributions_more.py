"""The distributions added after the first set (HalfNormal ... LogisticNormal) against torch, float64."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

RNG = np.random.default_rng(2024)


def _arrays(**named):
    return {k: np.asarray(v, dtype=np.float64) for k, v in named.items()}


# name -> (class name, parameters (numpy, float64; shapes broadcast to the batch), values in
# the support of shape (2,) + batch_shape, which of cdf / icdf / entropy torch has)
CASES = {
    "half_normal": (
        "HalfNormal", _arrays(scale=[0.4, 1.0, 2.5]), np.abs(RNG.normal(size=(2, 3))) + 0.01,
        ("cdf", "icdf", "entropy"),
    ),
    "half_cauchy": (
        "HalfCauchy", _arrays(scale=[[0.4], [3.0]]), np.abs(RNG.standard_cauchy((2, 2, 3))) + 0.01,
        ("cdf", "icdf", "entropy"),
    ),
    "weibull": (
        "Weibull", _arrays(scale=[[0.5], [2.0]], concentration=[0.7, 1.5, 4.0]),
        RNG.uniform(0.05, 3.0, size=(2, 2, 3)), ("cdf", "icdf", "entropy"),
    ),
    "pareto": (
        "Pareto", _arrays(scale=[0.5, 1.0, 2.0], alpha=[[0.8], [2.5], [6.0]]),
        np.array([0.5, 1.0, 2.0]) + RNG.uniform(0.0, 4.0, size=(2, 3, 3)),
        ("cdf", "icdf", "entropy"),
    ),
    "negative_binomial_probs": (
        "NegativeBinomial", _arrays(total_count=[0.5, 3.0, 12.0], probs=[[0.1], [0.6]]),
        RNG.integers(0, 15, size=(2, 2, 3)).astype(np.float64), (),
    ),
    "negative_binomial_logits": (
        "NegativeBinomial", _arrays(total_count=[[2.0], [7.0]], logits=[-2.0, 0.3, 2.0]),
        RNG.integers(0, 40, size=(2, 2, 3)).astype(np.float64), (),
    ),
    "von_mises": (
        "VonMises", _arrays(loc=[-2.0, 0.0, 1.0], concentration=[[0.3], [4.0]]),
        RNG.uniform(-math.pi, math.pi, size=(2, 2, 3)), (),
    ),
    "kumaraswamy": (
        "Kumaraswamy", _arrays(concentration1=[0.6, 2.0, 5.0], concentration0=[[0.8], [3.0]]),
        RNG.uniform(0.02, 0.98, size=(2, 2, 3)), ("cdf", "icdf", "entropy"),
    ),
    "continuous_bernoulli_probs": (
        "ContinuousBernoulli", _arrays(probs=[0.05, 0.3, 0.4995, 0.5, 0.8, 0.99]),
        RNG.uniform(0.0, 1.0, size=(2, 6)), ("cdf", "icdf", "entropy"),
    ),
    "continuous_bernoulli_logits": (
        "ContinuousBernoulli", _arrays(logits=[[-3.0, 0.0, 0.002], [1.0, 4.0, -0.5]]),
        RNG.uniform(0.0, 1.0, size=(2, 2, 3)), ("cdf", "icdf", "entropy"),
    ),
    "fisher_snedecor": (
        "FisherSnedecor", _arrays(df1=[1.0, 3.0, 8.0], df2=[[1.5], [3.0], [5.0], [30.0]]),
        RNG.uniform(0.05, 4.0, size=(2, 4, 3)), (),
    ),
}  # fmt: skip

# VonMises: torch's log I_0 is a polynomial fit (relative error ~1e-7); glassnet's is a series.
TOLERANCE = {"von_mises": 1e-6}


def _pair(name, requires_grad=False):
    kind, params, _, _ = CASES[name]
    ours_p = {k: gn.tensor(v, requires_grad=requires_grad) for k, v in params.items()}
    theirs_p = {k: torch.tensor(v, requires_grad=requires_grad) for k, v in params.items()}
    return (getattr(D, kind)(**ours_p), ours_p), (getattr(TD, kind)(**theirs_p), theirs_p)


def _close(ours, theirs, tol=1e-10):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_cdf_icdf_entropy_match_pytorch(name):
    (ours, _), (theirs, _) = _pair(name)
    _, _, values, extra = CASES[name]
    tol = TOLERANCE.get(name, 1e-10)
    assert ours.batch_shape == tuple(theirs.batch_shape)
    assert ours.event_shape == tuple(theirs.event_shape)
    _close(ours.log_prob(gn.tensor(values)), theirs.log_prob(torch.tensor(values)), tol)
    if "cdf" in extra:
        _close(ours.cdf(gn.tensor(values)), theirs.cdf(torch.tensor(values)), tol)
    if "icdf" in extra:
        q = RNG.uniform(0.01, 0.99, size=values.shape)
        _close(ours.icdf(gn.tensor(q)), theirs.icdf(torch.tensor(q)), 1e-9)
    if "entropy" in extra:
        _close(ours.entropy(), theirs.entropy(), tol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_moments_match_pytorch(name):
    (ours, _), (theirs, _) = _pair(name)
    tol = TOLERANCE.get(name, 1e-10)
    for prop in ("mean", "variance", "stddev"):
        _close(getattr(ours, prop), getattr(theirs, prop), tol)
    if name == "kumaraswamy":  # torch 2.13's Kumaraswamy.mode is NaN for b > 1 (a bug)
        return
    try:
        expected = theirs.mode
    except NotImplementedError:  # ContinuousBernoulli has no mode in torch either
        with pytest.raises(NotImplementedError):
            ours.mode
        return
    _close(ours.mode, expected, tol)


def test_kumaraswamy_mode_is_the_argmax_of_the_density():
    a, b = np.array([2.0, 3.0, 1.5]), np.array([3.0, 1.5, 1.2])
    d = D.Kumaraswamy(gn.tensor(a), gn.tensor(b))
    grid = np.linspace(1e-4, 1 - 1e-4, 200001)[:, None]
    density = d.log_prob(gn.tensor(np.broadcast_to(grid, (grid.shape[0], 3)).copy())).numpy()
    np.testing.assert_allclose(d.mode.numpy(), grid[density.argmax(0), 0], atol=1e-4)
    assert np.isnan(D.Kumaraswamy(gn.tensor([0.5]), gn.tensor([2.0])).mode.numpy()).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_gradients_match_pytorch(name):
    (ours, ours_p), (theirs, theirs_p) = _pair(name, requires_grad=True)
    _, _, values, extra = CASES[name]
    lo, lt = ours.log_prob(gn.tensor(values)).sum(), theirs.log_prob(torch.tensor(values)).sum()
    if "entropy" in extra:
        lo, lt = lo + ours.entropy().sum(), lt + theirs.entropy().sum()
    lo.backward()
    lt.backward()
    tol = TOLERANCE.get(name, 1e-8)
    for k in ours_p:
        np.testing.assert_allclose(
            ours_p[k].grad.numpy(), theirs_p[k].grad.numpy(), rtol=tol, atol=tol, err_msg=k
        )


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_shapes_and_expand_match_pytorch(name):
    (ours, _), (theirs, _) = _pair(name)
    assert tuple(ours.sample((5, 2)).shape) == tuple(theirs.sample((5, 2)).shape)
    assert ours.sample().dtype == gn.float64
    assert ours.has_rsample == theirs.has_rsample
    if ours.has_rsample:
        assert tuple(ours.rsample((4,)).shape) == tuple(theirs.rsample((4,)).shape)
    batch = (4,) + ours.batch_shape
    big_ours, big_theirs = ours.expand(batch), theirs.expand(batch)
    assert type(big_ours) is type(ours) and big_ours.batch_shape == tuple(big_theirs.batch_shape)
    values = CASES[name][2][0]
    _close(
        big_ours.log_prob(gn.tensor(values)),
        big_theirs.log_prob(torch.tensor(values)),
        TOLERANCE.get(name, 1e-10),
    )


# name -> the moment checks that exist (heavy tails have no finite mean / variance)
MOMENT_CASES = {
    "half_normal": ("mean", "variance"),
    "weibull": ("mean", "variance"),
    "negative_binomial_probs": ("mean", "variance"),
    "negative_binomial_logits": ("mean",),
    "kumaraswamy": ("mean", "variance"),
    "continuous_bernoulli_probs": ("mean", "variance"),
    "continuous_bernoulli_logits": ("mean", "variance"),
}


@pytest.mark.parametrize("name", sorted(MOMENT_CASES))
def test_seeded_sample_moments(name):
    (ours, _), _ = _pair(name)
    gn.manual_seed(7)
    draws = ours.sample((20000,)).numpy()
    mean, var = ours.mean.numpy(), ours.variance.numpy()
    # 5 standard errors of the sample mean; the variance to 10 % (its own error is ~1-3 %).
    assert np.all(np.abs(draws.mean(0) - mean) <= 5 * np.sqrt(var / 20000) + 1e-12)
    if "variance" in MOMENT_CASES[name]:
        np.testing.assert_allclose(draws.var(0), var, rtol=0.1)


def test_pareto_and_fisher_snedecor_sample_moments_where_they_exist():
    gn.manual_seed(3)
    p = D.Pareto(gn.tensor([1.0, 2.0], dtype=gn.float64), gn.tensor([5.0, 8.0], dtype=gn.float64))
    x = p.sample((20000,)).numpy()
    assert (x >= np.array([1.0, 2.0])).all()
    np.testing.assert_allclose(x.mean(0), p.mean.numpy(), rtol=0.02)
    f = D.FisherSnedecor(gn.tensor([6.0], dtype=gn.float64), gn.tensor([30.0], dtype=gn.float64))
    y = f.sample((20000,)).numpy()
    np.testing.assert_allclose(y.mean(0), f.mean.numpy(), rtol=0.03)
    np.testing.assert_allclose(y.var(0), f.variance.numpy(), rtol=0.15)
    # Half-Cauchy: the median is scale (cdf(scale) = 1/2).
    h = D.HalfCauchy(gn.tensor([0.5, 3.0], dtype=gn.float64)).sample((20000,)).numpy()
    np.testing.assert_allclose(np.median(h, 0), [0.5, 3.0], rtol=0.05)


def test_von_mises_samples_have_the_circular_mean_and_variance():
    loc, kappa = np.array([-3.0, 0.5, 2.9, 1.0]), np.array([1e-7, 2.0, 50.0, 900.0])
    d = D.VonMises(gn.tensor(loc), gn.tensor(kappa))
    gn.manual_seed(11)
    x = d.sample((20000,)).numpy()
    assert (x >= -math.pi).all() and (x < math.pi).all()
    resultant = np.exp(1j * x).mean(0)
    # |resultant| of 20k draws errs by ~sqrt(1 / 20000) = 0.007 (most near kappa = 0).
    np.testing.assert_allclose(1 - np.abs(resultant), d.variance.numpy(), atol=0.025)
    direction = np.angle(resultant[1:] * np.exp(-1j * loc[1:]))  # the wrapped error of the mean
    assert np.all(np.abs(direction) < 0.03)
    gn.manual_seed(11)
    np.testing.assert_array_equal(d.sample((20000,)).numpy(), x)  # seeded: the same draws


# name -> (class, parameters, a function of the parameters giving the mean)
PATHWISE = {
    "half_normal": ("HalfNormal", {"scale": [0.7, 2.0]}),
    "weibull": ("Weibull", {"scale": [0.8, 1.5], "concentration": [1.2, 3.0]}),
    "pareto": ("Pareto", {"scale": [0.5, 1.0], "alpha": [3.0, 5.0]}),
    "kumaraswamy": ("Kumaraswamy", {"concentration1": [1.5, 3.0], "concentration0": [2.0, 0.9]}),
    "continuous_bernoulli": ("ContinuousBernoulli", {"probs": [0.2, 0.85]}),
    "fisher_snedecor": ("FisherSnedecor", {"df1": [5.0, 9.0], "df2": [12.0, 20.0]}),
}


@pytest.mark.parametrize("name", sorted(PATHWISE))
def test_rsample_gradient_is_the_derivative_of_the_mean(name):
    """E[dx/dtheta] = d E[x] / dtheta: the average pathwise gradient of 20k draws against the
    gradient of the closed-form mean (torch's, as the oracle)."""
    kind, params = PATHWISE[name]
    ours_p = {k: gn.tensor(np.array(v), requires_grad=True) for k, v in params.items()}
    theirs_p = {k: torch.tensor(np.array(v), requires_grad=True) for k, v in params.items()}
    gn.manual_seed(5)
    getattr(D, kind)(**ours_p).rsample((20000,)).mean(0).sum().backward()
    getattr(TD, kind)(**theirs_p).mean.sum().backward()
    for k in params:
        # (torch leaves .grad None for a parameter the mean does not depend on: df1 of an F.)
        expected = 0.0 if theirs_p[k].grad is None else theirs_p[k].grad.numpy()
        np.testing.assert_allclose(
            ours_p[k].grad.numpy(), expected, rtol=0.08, atol=0.01, err_msg=k
        )


# ---------------------------------------------------------------- LowRankMultivariateNormal


def _low_rank_pair(requires_grad=False):
    loc = RNG.normal(size=(2, 5))
    w = RNG.normal(size=(3, 1, 5, 2))
    d = RNG.uniform(0.3, 2.0, size=(5,))
    ours = [gn.tensor(a, requires_grad=requires_grad) for a in (loc, w, d)]
    theirs = [torch.tensor(a, requires_grad=requires_grad) for a in (loc, w, d)]
    return (D.LowRankMultivariateNormal(*ours), ours), (
        TD.LowRankMultivariateNormal(*theirs),
        theirs,
    )


def test_low_rank_normal_matches_pytorch():
    (ours, _), (theirs, _) = _low_rank_pair()
    assert ours.batch_shape == (3, 2) and ours.event_shape == (5,)
    x = RNG.normal(size=(4, 3, 2, 5))
    _close(ours.log_prob(gn.tensor(x)), theirs.log_prob(torch.tensor(x)))
    for prop in ("entropy",):
        _close(getattr(ours, prop)(), getattr(theirs, prop)())
    for prop in ("mean", "mode", "variance", "stddev", "covariance_matrix", "precision_matrix",
                 "scale_tril"):  # fmt: skip
        _close(getattr(ours, prop), getattr(theirs, prop))
    assert tuple(ours.rsample((6,)).shape) == tuple(theirs.rsample((6,)).shape)
    big = ours.expand((4, 3, 2))
    _close(big.log_prob(gn.tensor(x[0])), theirs.expand((4, 3, 2)).log_prob(torch.tensor(x[0])))


def test_low_rank_normal_gradients_match_pytorch():
    (ours, op), (theirs, tp) = _low_rank_pair(requires_grad=True)
    x = RNG.normal(size=(3, 2, 5))
    (ours.log_prob(gn.tensor(x)).sum() + ours.entropy().sum()).backward()
    (theirs.log_prob(torch.tensor(x)).sum() + theirs.entropy().sum()).backward()
    for a, b in zip(op, tp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_low_rank_normal_samples_have_its_covariance():
    w = gn.tensor([[1.0, 0.0], [0.5, 1.0], [-1.0, 0.3]], dtype=gn.float64)
    d = D.LowRankMultivariateNormal(gn.tensor([1.0, -2.0, 0.5]), w, gn.tensor([0.2, 0.5, 1.0]))
    gn.manual_seed(1)
    x = d.sample((20000,)).numpy()
    np.testing.assert_allclose(x.mean(0), d.mean.numpy(), atol=0.05)
    np.testing.assert_allclose(np.cov(x.T), d.covariance_matrix.numpy(), atol=0.08)


# ---------------------------------------------------------------- LogisticNormal


def test_logistic_normal_matches_pytorch_with_gradients():
    loc, scale = RNG.normal(size=(2, 3)), RNG.uniform(0.4, 1.5, size=(3,))
    ours_p = [gn.tensor(a, requires_grad=True) for a in (loc, scale)]
    theirs_p = [torch.tensor(a, requires_grad=True) for a in (loc, scale)]
    ours, theirs = D.LogisticNormal(*ours_p), TD.LogisticNormal(*theirs_p)
    assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape), (4,))
    y = theirs.sample((5,)).detach()
    lo, lt = ours.log_prob(gn.tensor(y.numpy())), theirs.log_prob(y)
    _close(lo, lt)
    lo.sum().backward()
    lt.sum().backward()
    for a, b in zip(ours_p, theirs_p):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)
    gn.manual_seed(2)
    draws = ours.rsample((20000,))
    assert tuple(draws.shape) == (20000, 2, 4)
    np.testing.assert_allclose(draws.numpy().sum(-1), 1.0, atol=1e-12)
    torch.manual_seed(2)
    np.testing.assert_allclose(
        draws.numpy().mean(0), theirs.sample((20000,)).mean(0).numpy(), atol=0.01
    )
    assert D.LogisticNormal(0.3, 2.0).event_shape == (2,)
    assert ours.expand((5, 2)).batch_shape == (5, 2)


def test_stick_breaking_transform_matches_pytorch():
    x = RNG.normal(size=(4, 3))
    ours, theirs = D.StickBreakingTransform(), TD.transforms.StickBreakingTransform()
    y = ours(gn.tensor(x))
    _close(y, theirs(torch.tensor(x)))
    _close(ours.inv(y), x)
    _close(ours.log_abs_det_jacobian(gn.tensor(x), y),
           theirs.log_abs_det_jacobian(torch.tensor(x), theirs(torch.tensor(x))))  # fmt: skip


# ---------------------------------------------------------------- KL divergences


def _kl_distributions(lib):
    """Two of each family (float64), on batch shape (2,); the second differs from the first."""
    d = lib.distributions

    def t(*v):
        return lib.tensor(np.array(v, dtype=np.float64))

    return {
        "HalfNormal": (d.HalfNormal(t(0.5, 2.0)), d.HalfNormal(t(1.5, 0.7))),
        "Pareto": (d.Pareto(t(1.0, 2.0), t(3.0, 5.0)), d.Pareto(t(0.5, 2.5), t(2.0, 1.0))),
        "ContinuousBernoulli": (d.ContinuousBernoulli(t(0.2, 0.8)),
                                d.ContinuousBernoulli(t(0.6, 0.4997))),
        "LowRankMultivariateNormal": (
            d.LowRankMultivariateNormal(t([0.0, 1.0, -1.0], [0.5, 0.0, 0.2]),
                                        t([[1.0], [0.5], [-0.3]], [[0.2], [0.1], [0.4]]),
                                        t(0.5, 1.0, 0.7)),
            d.LowRankMultivariateNormal(t([1.0, 0.0, 0.0], [0.0, 0.3, 0.2]),
                                        t([[0.3, 0.1], [0.2, 0.4], [0.1, 0.0]]),
                                        t(1.0, 0.4, 0.9)),
        ),
        "MultivariateNormal": (
            d.MultivariateNormal(t([0.0, 1.0, -1.0], [0.5, 0.0, 0.2]),
                                 covariance_matrix=t([2.0, 0.3, 0.1], [0.3, 1.0, 0.2],
                                                     [0.1, 0.2, 1.5])),
        ) * 2,
        "Beta": (d.Beta(t(2.0, 0.7), t(3.0, 1.5)),) * 2,
        "Exponential": (d.Exponential(t(0.5, 2.0)),) * 2,
        "Gamma": (d.Gamma(t(2.0, 0.5), t(1.5, 3.0)),) * 2,
        "Gumbel": (d.Gumbel(t(0.0, 1.0), t(1.0, 2.0)),) * 2,
        "Laplace": (d.Laplace(t(0.0, 1.0), t(1.0, 2.0)),) * 2,
        "Normal": (d.Normal(t(0.3, -1.0), t(1.0, 2.0)),) * 2,
        "Uniform": (d.Uniform(t(0.1, 2.0), t(0.9, 3.0)), d.Uniform(t(-0.5, 0.5), t(1.5, 4.0))),
    }  # fmt: skip


KL_PAIRS = [
    ("HalfNormal", "HalfNormal"), ("Pareto", "Pareto"),
    ("ContinuousBernoulli", "ContinuousBernoulli"),
    ("LowRankMultivariateNormal", "LowRankMultivariateNormal"),
    ("MultivariateNormal", "LowRankMultivariateNormal"),
    ("LowRankMultivariateNormal", "MultivariateNormal"),
    ("Beta", "ContinuousBernoulli"), ("Beta", "Pareto"), ("ContinuousBernoulli", "Pareto"),
    ("ContinuousBernoulli", "Exponential"), ("ContinuousBernoulli", "Normal"),
    ("ContinuousBernoulli", "Uniform"), ("Exponential", "Pareto"),
    ("Exponential", "ContinuousBernoulli"), ("Gamma", "Pareto"), ("Gamma", "ContinuousBernoulli"),
    ("Gumbel", "Pareto"), ("Gumbel", "ContinuousBernoulli"), ("Laplace", "Pareto"),
    ("Laplace", "ContinuousBernoulli"), ("Normal", "Pareto"), ("Normal", "ContinuousBernoulli"),
    ("Pareto", "Uniform"), ("Pareto", "ContinuousBernoulli"), ("Pareto", "Beta"),
    ("Pareto", "Exponential"), ("Pareto", "Gamma"), ("Pareto", "Normal"),
    ("Uniform", "ContinuousBernoulli"), ("Uniform", "Pareto"),
]  # fmt: skip


def test_every_torch_kl_pair_among_glassnet_classes_is_tested():
    ours = set(D.__all__)
    registered = {
        (p.__name__, q.__name__)
        for p, q in TD.kl._KL_REGISTRY
        if {"HalfNormal", "Pareto", "ContinuousBernoulli", "LowRankMultivariateNormal"}
        & {p.__name__, q.__name__}
        and {p.__name__, q.__name__} <= ours
    }
    assert registered == set(KL_PAIRS)


@pytest.mark.parametrize("pair", KL_PAIRS, ids=["-".join(p) for p in KL_PAIRS])
def test_kl_divergence_matches_pytorch(pair):
    ours, theirs = _kl_distributions(gn), _kl_distributions(torch)
    kl_ours = D.kl_divergence(ours[pair[0]][0], ours[pair[1]][1])
    kl_theirs = TD.kl_divergence(theirs[pair[0]][0], theirs[pair[1]][1])
    _close(kl_ours, kl_theirs, 1e-9)


def test_kl_divergence_of_new_pairs_has_pytorchs_gradients():
    scale = [np.array([0.5, 2.0]), np.array([1.5, 0.7])]
    ours_p = [gn.tensor(s, requires_grad=True) for s in scale]
    theirs_p = [torch.tensor(s, requires_grad=True) for s in scale]
    D.kl_divergence(
        D.Pareto(ours_p[0], ours_p[1] + 2), D.Normal(ours_p[1], ours_p[0])
    ).sum().backward()
    TD.kl_divergence(TD.Pareto(theirs_p[0], theirs_p[1] + 2), TD.Normal(theirs_p[1], theirs_p[0])).sum().backward()  # fmt: skip
    for a, b in zip(ours_p, theirs_p):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8)


def test_continuous_bernoulli_against_unit_uniform_is_finite():
    """KL(CB || U(0, 1)) = -H(CB), finite (torch 2.13 returns inf at the boundary low = 0)."""
    p = D.ContinuousBernoulli(gn.tensor([0.2, 0.9], dtype=gn.float64))
    q = D.Uniform(gn.tensor([0.0, 0.0], dtype=gn.float64), gn.tensor([1.0, 1.0], dtype=gn.float64))
    _close(D.kl_divergence(p, q), -p.entropy().numpy())
    grid = (np.arange(200000) + 0.5) / 200000
    density = np.exp(p.log_prob(gn.tensor(np.stack([grid, grid], 1))).numpy())
    _close(D.kl_divergence(p, q), (density * np.log(density)).mean(0), 1e-6)


# ---------------------------------------------------------------- validation


BAD_PARAMETERS = [
    ("HalfNormal", {"scale": [1.0, -0.5]}, "scale", "-0.5"),
    ("HalfCauchy", {"scale": [0.0]}, "scale", "0.0"),
    ("Weibull", {"scale": [1.0], "concentration": [-2.0]}, "concentration", "-2.0"),
    ("Pareto", {"scale": [-1.0], "alpha": [1.0]}, "scale", "-1.0"),
    ("NegativeBinomial", {"total_count": [-1.0], "probs": [0.5]}, "total_count", "-1.0"),
    ("NegativeBinomial", {"total_count": [2.0], "probs": [1.0]}, "probs", "1.0"),
    ("VonMises", {"loc": [0.0], "concentration": [-1.0]}, "concentration", "-1.0"),
    ("Kumaraswamy", {"concentration1": [1.0], "concentration0": [-3.0]}, "concentration0", "-3.0"),
    ("ContinuousBernoulli", {"probs": [1.5]}, "probs", "1.5"),
    ("FisherSnedecor", {"df1": [0.0], "df2": [1.0]}, "df1", "0.0"),
    ("LogisticNormal", {"loc": [0.0], "scale": [-2.0]}, "scale", "-2.0"),
    ("LowRankMultivariateNormal",
     {"loc": [0.0, 0.0], "cov_factor": [[1.0], [0.0]], "cov_diag": [1.0, -1.0]}, "cov_diag", "-1.0"),
]  # fmt: skip


@pytest.mark.parametrize("kind, params, name, shown", BAD_PARAMETERS, ids=[
    f"{b[0]}-{b[2]}" for b in BAD_PARAMETERS])  # fmt: skip
def test_invalid_parameters_are_rejected_naming_the_value(kind, params, name, shown):
    args = {k: gn.tensor(np.array(v)) for k, v in params.items()}
    with pytest.raises(ValueError, match=rf"{kind}.*{name}.*{shown}"):
        getattr(D, kind)(**args)
    if kind != "ContinuousBernoulli":  # torch 2.13 accepts probs outside [0, 1] there
        with pytest.raises(ValueError):  # torch refuses the same parameters
            getattr(TD, kind)(**{k: torch.tensor(np.array(v)) for k, v in params.items()})
    getattr(D, kind)(**args, validate_args=False)  # and both accept them when told not to check


OUTSIDE_SUPPORT = [
    (D.HalfNormal(gn.tensor([1.0])), -0.5),
    (D.Weibull(gn.tensor([1.0]), gn.tensor([2.0])), -1.0),
    (D.Pareto(gn.tensor([2.0]), gn.tensor([1.0])), 1.5),
    (D.NegativeBinomial(gn.tensor([2.0]), gn.tensor([0.5])), 1.5),
    (D.Kumaraswamy(gn.tensor([2.0]), gn.tensor([2.0])), 1.2),
    (D.ContinuousBernoulli(gn.tensor([0.3])), -0.1),
    (D.FisherSnedecor(gn.tensor([2.0]), gn.tensor([3.0])), -1.0),
]


@pytest.mark.parametrize(
    "dist, value", OUTSIDE_SUPPORT, ids=[type(d).__name__ for d, _ in OUTSIDE_SUPPORT]
)
def test_log_prob_outside_the_support_is_rejected(dist, value):
    with pytest.raises(ValueError, match=rf"{type(dist).__name__}.log_prob.*{value}"):
        dist.log_prob(gn.tensor([value]))


def test_low_rank_normal_shape_errors_name_the_shapes():
    with pytest.raises(
        ValueError, match=r"cov_factor must have shape \(\.\.\., 3, rank\).*\(2, 1\)"
    ):
        D.LowRankMultivariateNormal(gn.zeros(3), gn.zeros(2, 1), gn.ones(3))
    with pytest.raises(ValueError, match=r"cov_diag must have shape \(\.\.\., 3\).*\(2,\)"):
        D.LowRankMultivariateNormal(gn.zeros(3), gn.zeros(3, 1), gn.ones(2))


@pytest.mark.parametrize("make, shown", [
    (lambda: D.Normal(0.0, -1.0), r"Normal: scale must be positive, got \[-1\.0\]"),
    (lambda: D.Bernoulli(probs=gn.tensor([0.5, 1.5])), r"probs must be between 0 and 1, got \[1\.5\]"),
    (lambda: D.Uniform(2.0, 1.0), r"low must be below high, got low=\[2\.0\] and high=\[1\.0\]"),
    (lambda: D.Categorical(probs=gn.tensor([0.5, -0.5])), r"non-negative, got \[-0\.5\]"),
    (lambda: D.Categorical(probs=gn.tensor(0.5)), r"classes on the last axis, got .*shape \(\)"),
    (lambda: D.Categorical(logits=gn.tensor(0.5)), r"classes on the last axis, got .*shape \(\)"),
], ids=["normal", "bernoulli", "uniform", "categorical_probs", "categorical_ndim", "logits_ndim"])  # fmt: skip
def test_existing_classes_name_the_bad_value(make, shown):
    with pytest.raises(ValueError, match=shown):
        make()
