"""The distributions PyTorch has that glassnet lacked: the new transforms, biject_to/transform_to, ExponentialFamily, InverseGamma, GeneralizedPareto, Wishart, LKJCholesky and distributions.utils, against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import distributions as D
from glassnet.distributions import constraints as C
from glassnet.distributions.exp_family import bregman_kl

torch = pytest.importorskip("torch")
TD = torch.distributions


def g64(a, grad=False):
    t = gn.tensor(np.asarray(a, dtype=np.float64))
    return t.requires_grad_() if grad else t


def t64(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(a, b, tol=1e-9):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def spd(rng, *batch, n=3):
    a = rng.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


# ------------------------------------------------------------------------------ transforms

# id -> (glassnet transform, torch transform, input shape, has log|det|)
TRANSFORMS = {
    "abs": (lambda: D.AbsTransform(), lambda: TD.AbsTransform(), (3, 4), False),
    "softmax": (lambda: D.SoftmaxTransform(), lambda: TD.SoftmaxTransform(), (3, 4), False),
    "lower_cholesky": (lambda: D.LowerCholeskyTransform(), lambda: TD.LowerCholeskyTransform(),
                       (2, 3, 3), False),
    "positive_definite": (lambda: D.PositiveDefiniteTransform(),
                          lambda: TD.PositiveDefiniteTransform(), (2, 3, 3), False),
    "corr_cholesky": (lambda: D.CorrCholeskyTransform(), lambda: TD.CorrCholeskyTransform(),
                      (2, 6), True),
    "corr_cholesky_2x2": (lambda: D.CorrCholeskyTransform(), lambda: TD.CorrCholeskyTransform(),
                          (5, 1), True),
    "independent_exp": (lambda: D.IndependentTransform(D.ExpTransform(), 1),
                        lambda: TD.IndependentTransform(TD.ExpTransform(), 1), (3, 4), True),
    "independent_sigmoid_2": (lambda: D.IndependentTransform(D.SigmoidTransform(), 2),
                              lambda: TD.IndependentTransform(TD.SigmoidTransform(), 2),
                              (2, 3, 4), True),
    "reshape": (lambda: D.ReshapeTransform((2, 3), (6,)),
                lambda: TD.ReshapeTransform((2, 3), (6,)), (4, 2, 3), True),
    "cat_last": (lambda: D.CatTransform([D.ExpTransform(), D.identity_transform,
                                         D.SigmoidTransform()], dim=-1, lengths=[2, 1, 2]),
                 lambda: TD.CatTransform([TD.ExpTransform(), TD.identity_transform,
                                          TD.SigmoidTransform()], dim=-1, lengths=[2, 1, 2]),
                 (3, 5), True),
    "cat_first": (lambda: D.CatTransform([D.ExpTransform(), D.TanhTransform()], dim=0,
                                         lengths=[1, 2]),
                  lambda: TD.CatTransform([TD.ExpTransform(), TD.TanhTransform()], dim=0,
                                          lengths=[1, 2]), (3, 4), True),
    "cat_event": (lambda: D.CatTransform([D.IndependentTransform(D.ExpTransform(), 1),
                                          D.IndependentTransform(D.SigmoidTransform(), 1)],
                                         dim=-1, lengths=[2, 3]),
                  lambda: TD.CatTransform([TD.IndependentTransform(TD.ExpTransform(), 1),
                                           TD.IndependentTransform(TD.SigmoidTransform(), 1)],
                                          dim=-1, lengths=[2, 3]), (4, 5), True),
    "stack": (lambda: D.StackTransform([D.ExpTransform(), D.SigmoidTransform(),
                                        D.AffineTransform(1.0, -2.0)], dim=1),
              lambda: TD.StackTransform([TD.ExpTransform(), TD.SigmoidTransform(),
                                         TD.AffineTransform(1.0, -2.0)], dim=1), (4, 3), True),
    "cdf_normal": (lambda: D.CumulativeDistributionTransform(D.Normal(g64(0.5), g64(2.0))),
                   lambda: TD.CumulativeDistributionTransform(TD.Normal(t64(0.5), t64(2.0))),
                   (6,), True),
}  # fmt: skip


@pytest.mark.parametrize("name", list(TRANSFORMS), ids=list(TRANSFORMS))
def test_transform_matches_torch(name):
    make_g, make_t, shape, has_ladj = TRANSFORMS[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    x_np = rng.normal(size=shape)
    tg, tt = make_g(), make_t()
    xg, xt = g64(x_np, grad=True), t64(x_np, grad=True)
    yg, yt = tg(xg), tt(xt)
    close(yg, yt)
    # the gradient of a weighted sum of the output reaches x as in torch
    w = rng.normal(size=tuple(yt.shape))
    (yg * g64(w)).sum().backward()
    (yt * t64(w)).sum().backward()
    close(xg.grad, xt.grad, 1e-8)
    # the inverse of the output (torch's value: it is x itself for the bijections)
    close(tg.inv(g64(yt.detach().numpy())), tt.inv(yt.detach()), 1e-8)
    if has_ladj:
        close(tg.log_abs_det_jacobian(xg, yg), tt.log_abs_det_jacobian(xt, yt), 1e-8)
    assert tg.forward_shape(shape) == tuple(tt.forward_shape(torch.Size(shape)))
    assert tg.inverse_shape(tuple(yt.shape)) == tuple(tt.inverse_shape(yt.shape))
    assert tg.domain.event_dim == tt.domain.event_dim
    assert tg.codomain.event_dim == tt.codomain.event_dim
    assert tg.bijective == tt.bijective
    assert bool(tg.codomain.check(yg).numpy().all())


def test_corr_cholesky_log_det_is_the_jacobian_of_the_lower_triangle():
    # log |det| of x -> strict lower triangle of L, checked against a numerical Jacobian.
    t = D.CorrCholeskyTransform()
    x = np.random.default_rng(3).normal(size=6)
    rows, cols = np.tril_indices(4, -1)

    def f(v):
        return t(g64(v)).numpy()[rows, cols]

    h = 1e-6
    jac = np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(6)], 1)
    ladj = t.log_abs_det_jacobian(g64(x), t(g64(x))).item()
    assert ladj == pytest.approx(np.linalg.slogdet(jac)[1], abs=1e-6)


def test_corr_cholesky_rows_have_unit_length_and_round_trip():
    t = D.CorrCholeskyTransform()
    x = g64(np.random.default_rng(4).normal(size=(3, 10)) * 2)
    y = t(x)
    assert y.shape == (3, 5, 5)
    np.testing.assert_allclose((y.numpy() ** 2).sum(-1), 1.0, atol=1e-12)
    assert bool(C.corr_cholesky.check(y).numpy().all())
    close(t.inv(y), x, 1e-8)


def test_transform_equality_and_cache():
    assert D.AbsTransform() == D.AbsTransform()
    assert D.SoftmaxTransform() != D.AbsTransform()
    assert D.LowerCholeskyTransform() == D.LowerCholeskyTransform()
    assert D.CorrCholeskyTransform() == D.CorrCholeskyTransform()
    t = D.IndependentTransform(D.ExpTransform(), 1, cache_size=1)
    x = g64([[0.5, 1.0]])
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    assert t.with_cache(1) is t
    c = D.CatTransform([D.ExpTransform(), D.AbsTransform()], dim=-1, cache_size=1)
    assert all(p._cache_size == 1 for p in c.transforms)
    s = D.StackTransform([D.TanhTransform()], dim=0).with_cache(1)
    assert s._cache_size == 1 and s.transforms[0]._cache_size == 1


def test_transform_errors():
    with pytest.raises(ValueError, match="different numbers of elements"):
        D.ReshapeTransform((2, 3), (5,))
    with pytest.raises(ValueError, match="expected a shape ending in"):
        D.ReshapeTransform((2, 3), (6,)).forward_shape((4, 3, 2))
    with pytest.raises(ValueError, match="expected axis -1 of length 3"):
        D.CatTransform([D.ExpTransform(), D.ExpTransform()], dim=-1, lengths=[1, 2])(g64([1.0]))
    with pytest.raises(ValueError, match="expected 2 lengths"):
        D.CatTransform([D.ExpTransform(), D.ExpTransform()], lengths=[1])
    with pytest.raises(ValueError, match="one per transform"):
        D.StackTransform([D.ExpTransform()], dim=0)(g64([1.0, 2.0]))
    with pytest.raises(ValueError, match="not the strict lower triangle"):
        D.CorrCholeskyTransform().forward_shape((4,))
    with pytest.raises(NotImplementedError, match="not monotone"):
        _ = D.AbsTransform().sign
    with pytest.raises(ValueError, match="expected at least 2 dimensions"):
        D.IndependentTransform(D.ExpTransform(), 2)(g64([1.0]))


def test_transformed_distribution_through_corr_cholesky_and_reshape():
    # a batch of base vectors pushed onto correlation factors: shapes as in torch
    base_g = D.Independent(D.Normal(g64(np.zeros((2, 3))), g64(np.ones((2, 3)))), 1)
    base_t = TD.Independent(TD.Normal(t64(np.zeros((2, 3))), t64(np.ones((2, 3)))), 1)
    dg = D.TransformedDistribution(base_g, [D.CorrCholeskyTransform()])
    dt = TD.TransformedDistribution(base_t, [TD.CorrCholeskyTransform()])
    assert dg.batch_shape == tuple(dt.batch_shape) and dg.event_shape == tuple(dt.event_shape)
    y = dt.sample()
    close(dg.log_prob(g64(y.numpy())), dt.log_prob(y), 1e-8)
    rg = D.TransformedDistribution(base_g, [D.ReshapeTransform((3,), (3, 1))])
    assert rg.event_shape == (3, 1) and rg.sample((5,)).shape == (5, 2, 3, 1)


# ------------------------------------------------------------------------ biject_to / transform_to

# id -> (glassnet constraint, torch constraint, unconstrained input shape)
CONSTRAINTS = {
    "real": (C.real, TD.constraints.real, (4,)),
    "real_vector": (C.real_vector, TD.constraints.real_vector, (2, 3)),
    "positive": (C.positive, TD.constraints.positive, (4,)),
    "nonnegative": (C.nonnegative, TD.constraints.nonnegative, (4,)),
    "greater_than": (C.greater_than(2.5), TD.constraints.greater_than(2.5), (4,)),
    "greater_than_eq": (C.greater_than_eq(-1.0), TD.constraints.greater_than_eq(-1.0), (4,)),
    "less_than": (C.less_than(1.5), TD.constraints.less_than(1.5), (4,)),
    "unit_interval": (C.unit_interval, TD.constraints.unit_interval, (4,)),
    "interval": (C.interval(-2.0, 3.0), TD.constraints.interval(-2.0, 3.0), (4,)),
    "half_open_interval": (C.half_open_interval(0.0, 2.0),
                           TD.constraints.half_open_interval(0.0, 2.0), (4,)),
    "simplex": (C.simplex, TD.constraints.simplex, (3, 4)),
    "corr_cholesky": (C.corr_cholesky, TD.constraints.corr_cholesky, (2, 3)),
    "independent": (C.independent(C.positive, 1), TD.constraints.independent(
        TD.constraints.positive, 1), (2, 3)),
    "cat": (C.cat([C.positive, C.unit_interval], -1, [2, 1]),
            TD.constraints.cat([TD.constraints.positive, TD.constraints.unit_interval], -1,
                               [2, 1]), (4, 3)),
    "stack": (C.stack([C.real, C.positive, C.interval(0.0, 5.0)], 0),
              TD.constraints.stack([TD.constraints.real, TD.constraints.positive,
                                    TD.constraints.interval(0.0, 5.0)], 0), (3, 2)),
    "lower_cholesky": (C.lower_cholesky, TD.constraints.lower_cholesky, (2, 3, 3)),
    "positive_definite": (C.positive_definite, TD.constraints.positive_definite, (2, 3, 3)),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CONSTRAINTS), ids=list(CONSTRAINTS))
@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_registry_lands_in_the_support(name, registry):
    cg, ct, shape = CONSTRAINTS[name]
    reg_g, reg_t = getattr(D, registry), getattr(TD, registry)
    try:
        tt = reg_t(ct)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            reg_g(cg)
        return
    tg = reg_g(cg)
    assert type(tg).__name__ == type(tt).__name__
    x = np.random.default_rng(7).normal(size=shape)
    yg = tg(g64(x))
    close(yg, tt(t64(x)), 1e-8)
    assert bool(cg.check(yg).numpy().all())
    if registry == "biject_to" and name not in ("corr_cholesky",):
        close(tg.inv(yg), x, 1e-7)
        close(
            tg.log_abs_det_jacobian(g64(x), yg), tt.log_abs_det_jacobian(t64(x), tt(t64(x))), 1e-8
        )


def test_registry_register_and_errors():
    class Odd(C.Constraint):
        def check(self, value):
            return gn.as_tensor(value) > 0

    registry = D.constraint_registry.ConstraintRegistry()

    @registry.register(Odd)
    def _factory(constraint):
        return D.ExpTransform()

    assert isinstance(registry(Odd()), D.ExpTransform)
    registry.register(C.boolean, lambda c: D.AbsTransform())  # an instance registers its type
    assert isinstance(registry(C.boolean), D.AbsTransform)
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        D.biject_to(C.boolean)
    with pytest.raises(TypeError, match="expected a Constraint subclass or instance"):
        registry.register(int, _factory)


def test_transform_to_keeps_gradients():
    u = g64([0.3, -1.2], grad=True)
    (D.transform_to(C.interval(-1.0, 4.0))(u).sum()).backward()
    ut = t64([0.3, -1.2], grad=True)
    (TD.transform_to(TD.constraints.interval(-1.0, 4.0))(ut).sum()).backward()
    close(u.grad, ut.grad, 1e-10)


# ------------------------------------------------------------------------------ families


def _grads(params):
    return [p.grad for p in params]


def test_inverse_gamma_matches_torch():
    a, b = [0.7, 1.5, 3.0], [2.0, 0.5, 1.2]
    ag, bg, at, bt = g64(a, True), g64(b, True), t64(a, True), t64(b, True)
    dg, dt = D.InverseGamma(ag, bg), TD.InverseGamma(at, bt)
    x = [0.3, 1.2, 2.5]
    lg, lt = dg.log_prob(g64(x)), dt.log_prob(t64(x))
    close(lg, lt)
    (lg.sum() + dg.entropy().sum()).backward()
    (lt.sum() + dt.entropy().sum()).backward()
    close(ag.grad, at.grad, 1e-8)
    close(bg.grad, bt.grad, 1e-8)
    close(dg.entropy(), dt.entropy())
    for m in ("mean", "variance", "mode"):
        close(getattr(dg, m), getattr(dt, m))
    close(dg.cdf(g64(x)), dt.cdf(t64(x)), 1e-8)
    assert dg.support is C.positive and dg.has_rsample
    e = dg.expand((2, 3))
    assert e.batch_shape == (2, 3) and e.rsample((4,)).shape == (4, 2, 3)


def test_inverse_gamma_samples_and_errors():
    gn.manual_seed(0)
    d = D.InverseGamma(g64([4.0, 6.0], True), g64([3.0, 1.0], True))
    x = d.rsample((20000,))
    np.testing.assert_allclose(x.numpy().mean(0), d.mean.numpy(), rtol=0.04)
    x.mean().backward()  # gradients reach both parameters through the draw
    assert (
        np.isfinite(d.concentration.grad.numpy()).all()
        and (d.concentration.grad.numpy() != 0).all()
    )
    assert np.isfinite(d.rate.grad.numpy()).all() and (d.rate.grad.numpy() > 0).all()
    with pytest.raises(ValueError, match="InverseGamma: expected parameter rate"):
        D.InverseGamma(1.0, g64([-1.0]))
    with pytest.raises(ValueError, match="expected values in the support"):
        D.InverseGamma(1.0, 1.0).log_prob(gn.tensor([-0.5]))


def test_inverse_gamma_rsample_gradient_in_rate_is_exact():
    # x = rate / y with y ~ Gamma(a, 1): dx/drate = x / rate for every draw
    rate = g64([2.0], True)
    gn.manual_seed(1)
    x = D.InverseGamma(g64([3.0]), rate).rsample((50,))
    x.sum().backward()
    assert rate.grad.item() == pytest.approx((x.detach().numpy() / 2.0).sum(), rel=1e-10)


GP = {
    "loc": [0.0, 1.0, -1.0, 0.5, 0.0],
    "scale": [1.0, 2.0, 0.5, 1.0, 1.5],
    "concentration": [0.3, 0.0, -0.4, -1.0, 0.8],
}


def test_generalized_pareto_matches_torch():
    # torch's GeneralizedPareto compares against a float32 zero: run both in float32
    f32 = {k: np.asarray(v, np.float32) for k, v in GP.items()}
    pg = {k: gn.tensor(v).requires_grad_() for k, v in f32.items()}
    pt = {k: torch.tensor(v, requires_grad=True) for k, v in f32.items()}
    dg, dt = D.GeneralizedPareto(**pg), TD.GeneralizedPareto(**pt)
    x = np.asarray([0.5, 2.0, -0.5, 1.0, 3.0], np.float32)
    lg, lt = dg.log_prob(gn.tensor(x)), dt.log_prob(torch.tensor(x))
    close(lg, lt, 1e-5)
    lg.sum().backward()
    lt.sum().backward()
    for k in GP:
        if k != "concentration":
            close(pg[k].grad, pt[k].grad, 1e-5)
    # At xi = -1 exactly torch's guard gives d/dxi = 1; the density's derivative there is
    # log(1 + xi z) / xi**2 - (1/xi + 1) z / (1 + xi z) = log(1 - z) (z = 0.5), checked by a
    # central difference.
    keep = [0, 1, 2, 4]
    close(pg["concentration"].grad.numpy()[keep], pt["concentration"].grad.numpy()[keep], 1e-5)
    h = 1e-6
    lp = [
        D.GeneralizedPareto(g64(0.5), g64(1.0), g64(-1.0 + s * h)).log_prob(g64(1.0)).item()
        for s in (1, -1)
    ]
    assert pg["concentration"].grad.numpy()[3] == pytest.approx((lp[0] - lp[1]) / (2 * h), abs=1e-4)
    close(dg.cdf(gn.tensor(x)), dt.cdf(torch.tensor(x)), 1e-5)
    q = np.asarray([0.1, 0.5, 0.9, 0.3, 0.99], np.float32)
    close(dg.icdf(gn.tensor(q)), dt.icdf(torch.tensor(q)), 1e-5)
    for m in ("mean", "variance", "mode"):
        close(getattr(dg, m), getattr(dt, m), 1e-6)
    close(dg.entropy(), dt.entropy(), 1e-6)
    close(dg.support.upper_bound, dt.support.upper_bound)
    assert dg.expand((3, 5)).rsample((2,)).shape == (2, 3, 5)


def test_generalized_pareto_samples_and_errors():
    gn.manual_seed(0)
    d = D.GeneralizedPareto(g64([0.0, 1.0, 0.0]), g64([1.0, 2.0, 1.0], True), g64([0.2, 0.0, -0.5]))
    x = d.rsample((20000,))
    np.testing.assert_allclose(x.numpy().mean(0), d.mean.numpy(), rtol=0.05)
    assert bool(d.support.check(x).numpy().all())
    x.mean().backward()
    assert np.isfinite(d.scale.grad.numpy()).all()
    with pytest.raises(ValueError, match="GeneralizedPareto: expected parameter scale"):
        D.GeneralizedPareto(0.0, -1.0, 0.1)
    with pytest.raises(ValueError, match="expected values in the support"):
        D.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(g64([2.5]))


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_matches_torch(form):
    rng = np.random.default_rng(11)
    sigma = spd(rng, 2)
    m = np.linalg.cholesky(sigma) if form == "scale_tril" else sigma
    df = [4.5, 6.0]
    mg, mt, dfg, dft = g64(m, True), t64(m, True), g64(df, True), t64(df, True)
    dg, dt = D.Wishart(dfg, **{form: mg}), TD.Wishart(dft, **{form: mt})
    x = spd(rng, 2)
    lg, lt = dg.log_prob(g64(x)), dt.log_prob(t64(x))
    close(lg, lt)
    (lg.sum() + dg.entropy().sum()).backward()
    (lt.sum() + dt.entropy().sum()).backward()
    close(mg.grad, mt.grad, 1e-7)
    close(dfg.grad, dft.grad, 1e-7)
    for name in ("mean", "variance", "mode", "covariance_matrix", "precision_matrix", "scale_tril"):
        close(getattr(dg, name), getattr(dt, name), 1e-8)
    # the exponential-family entropy (one autograd gradient of the log-normalizer) agrees
    close(D.ExponentialFamily.entropy(dg), dt.entropy(), 1e-8)
    assert isinstance(dg, D.ExponentialFamily)
    e = dg.expand((3, 2))
    assert e.batch_shape == (3, 2) and e.log_prob(g64(x)).shape == (3, 2)


def test_wishart_samples_and_errors():
    rng = np.random.default_rng(12)
    sigma = spd(rng, n=3)
    low = g64(np.linalg.cholesky(sigma), True)
    d = D.Wishart(g64(7.0, True), scale_tril=low)
    gn.manual_seed(0)
    x = d.rsample((4000,))
    assert x.shape == (4000, 3, 3)
    assert bool(C.positive_definite.check(x).numpy().all())
    np.testing.assert_allclose(x.numpy().mean(0), d.mean.numpy(), rtol=0.1, atol=0.3)
    x.mean().backward()
    assert np.isfinite(low.grad.numpy()).all() and np.isfinite(d.df.grad.numpy()).all()
    with pytest.raises(ValueError, match=r"Wishart: expected df > p - 1 = 2"):
        D.Wishart(1.5, covariance_matrix=g64(sigma))
    with pytest.raises(ValueError, match="exactly one of"):
        D.Wishart(5.0)
    with pytest.raises(ValueError, match="square matrices"):
        D.Wishart(5.0, covariance_matrix=g64(np.ones((2, 3))))
    with pytest.raises(ValueError, match="Wishart: expected parameter covariance_matrix"):
        D.Wishart(5.0, covariance_matrix=g64(-np.eye(3)), validate_args=True)


def test_lkj_cholesky_matches_torch():
    conc = [0.5, 1.0, 3.0]
    cg, ct = g64(conc, True), t64(conc, True)
    dg, dt = D.LKJCholesky(4, cg), TD.LKJCholesky(4, ct)
    torch.manual_seed(0)
    x = dt.sample((5,))
    lg, lt = dg.log_prob(g64(x.numpy())), dt.log_prob(x)
    close(lg, lt)
    lg.sum().backward()
    lt.sum().backward()
    close(cg.grad, ct.grad, 1e-8)
    assert dg.event_shape == (4, 4) and dg.support is C.corr_cholesky
    assert dg.expand((2, 3)).sample().shape == (2, 3, 4, 4)


def test_lkj_cholesky_samples_and_errors():
    gn.manual_seed(0)
    eta = np.array([0.5, 2.0])
    d = D.LKJCholesky(2, g64(eta))
    s = d.sample((20000,))
    assert bool(C.corr_cholesky.check(s).numpy().all())
    r = s.numpy()[..., 1, 0]  # the correlation: (r + 1) / 2 ~ Beta(eta, eta)
    np.testing.assert_allclose(r.mean(0), 0.0, atol=0.02)
    np.testing.assert_allclose(r.var(0), 1 / (2 * eta + 1), rtol=0.05)
    # dim 4 against torch's own sampler: the variance of each correlation
    torch.manual_seed(0)
    ts = TD.LKJCholesky(4, t64(1.5)).sample((20000,))
    gs = D.LKJCholesky(4, g64(1.5)).sample((20000,)).numpy()
    tc, gc = (ts @ ts.mT).numpy(), gs @ np.swapaxes(gs, -1, -2)
    np.testing.assert_allclose(gc.var(0), tc.var(0), atol=0.01)
    with pytest.raises(ValueError, match="expected dim to be an integer >= 2"):
        D.LKJCholesky(1)
    with pytest.raises(ValueError, match="LKJCholesky: expected parameter concentration"):
        D.LKJCholesky(3, -1.0)


# ------------------------------------------------------------------------- exponential family


class _ExpRate(D.ExponentialFamily):
    """Exponential(rate) written as an exponential family: eta = -rate, A(eta) = -log(-eta)."""

    arg_constraints = {"rate": C.positive}

    def __init__(self, rate):
        self.rate = rate
        super().__init__(tuple(rate.shape))

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, eta):
        return -(-eta).log()

    _mean_carrier_measure = 0


def test_exponential_family_entropy_and_bregman_kl():
    rate = g64([0.5, 2.0, 3.0], True)
    h = _ExpRate(rate).entropy()
    close(h, TD.Exponential(t64([0.5, 2.0, 3.0])).entropy(), 1e-12)
    h.sum().backward()  # d(1 - log rate)/drate = -1/rate: the entropy is differentiable
    close(rate.grad, -1 / np.array([0.5, 2.0, 3.0]), 1e-12)
    rp, rq, tp_rate, tq_rate = g64([0.5, 2.0], True), g64([1.5, 0.7], True), \
        t64([0.5, 2.0], True), t64([1.5, 0.7], True)  # fmt: skip
    kl = bregman_kl(_ExpRate(rp), _ExpRate(rq))
    kl_t = TD.kl_divergence(TD.Exponential(tp_rate), TD.Exponential(tq_rate))
    close(kl, kl_t, 1e-12)
    kl.sum().backward()
    kl_t.sum().backward()
    close(rp.grad, tp_rate.grad, 1e-12)
    close(rq.grad, tq_rate.grad, 1e-12)
    with pytest.raises(NotImplementedError, match="_natural_params"):
        D.ExponentialFamily().entropy()


# ------------------------------------------------------------------------------------- utils


def test_utils_match_torch():
    from torch.distributions import utils as TU

    from glassnet.distributions import utils as U

    p = np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])
    close(U.probs_to_logits(g64(p)), TU.probs_to_logits(t64(p)))
    close(U.probs_to_logits(g64(p), is_binary=True), TU.probs_to_logits(t64(p), is_binary=True))
    logits = np.random.default_rng(0).normal(size=(2, 3))
    close(U.logits_to_probs(g64(logits)), TU.logits_to_probs(t64(logits)))
    close(U.logits_to_probs(g64(logits), True), TU.logits_to_probs(t64(logits), True))
    close(U.clamp_probs(g64(p)), TU.clamp_probs(t64(p)))
    a, b, c = U.broadcast_all(g64([[1.0], [2.0]]), 3.0, g64([1.0, 2.0, 3.0]))
    assert a.shape == b.shape == c.shape == (2, 3) and b.dtype == np.float64
    with pytest.raises(ValueError, match="Tensor or a number"):
        U.broadcast_all(g64([1.0]), "x")
    m = np.random.default_rng(1).normal(size=(2, 4, 4))
    for diag in (0, -1, -2):
        v = U.tril_matrix_to_vec(g64(m), diag)
        close(v, TU.tril_matrix_to_vec(t64(m), diag))
        close(U.vec_to_tril_matrix(v, diag), TU.vec_to_tril_matrix(t64(v.numpy()), diag))
    assert U.euler_constant == pytest.approx(TU.euler_constant)

    calls = []

    class Thing:
        @U.lazy_property
        def value(self):
            calls.append(1)
            return 42

    t = Thing()
    assert t.value == 42 and t.value == 42 and calls == [1]
    assert isinstance(Thing.value, U.lazy_property)


def test_torch_module_paths_import_under_the_alias():
    from glassnet.torch_alias import aliased_torch

    with aliased_torch():
        import torch.distributions.constraint_registry as cr  # noqa: F811
        import torch.distributions.exp_family as ef
        from torch.distributions.utils import lazy_property, probs_to_logits  # noqa: F401

        assert cr.biject_to is D.biject_to and ef.ExponentialFamily is D.ExponentialFamily


# id -> (glassnet p, glassnet q) built from float64 parameters
FAMILIES = {
    "normal": lambda a, b: D.Normal(g64(a), g64(b)),
    "exponential": lambda a, b: D.Exponential(g64(b)),
    "gamma": lambda a, b: D.Gamma(g64(a), g64(b)),
    "poisson": lambda a, b: D.Poisson(g64(b)),
    "bernoulli": lambda a, b: D.Bernoulli(probs=g64(b) / 4),
    "beta": lambda a, b: D.Beta(g64(a), g64(b)),
    "dirichlet": lambda a, b: D.Dirichlet(g64(np.stack([a, b], -1))),
}


@pytest.mark.parametrize("name", list(FAMILIES), ids=list(FAMILIES))
def test_families_are_exponential_families(name):
    make = FAMILIES[name]
    p = make(np.array([0.5, 1.5, 3.0]), np.array([1.0, 0.4, 2.5]))
    q = make(np.array([2.0, 0.7, 1.1]), np.array([0.6, 1.9, 0.9]))
    torch_type = getattr(TD, type(p).__name__)
    assert isinstance(p, D.ExponentialFamily) == issubclass(torch_type, TD.ExponentialFamily)
    # the Bregman divergence of the log-normalizer is each family's closed-form KL
    close(bregman_kl(p, q), D.kl_divergence(p, q), 1e-8)
    if name in ("normal", "exponential", "gamma", "bernoulli"):  # h(x) = 1: entropy from A
        close(D.ExponentialFamily.entropy(p), p.entropy(), 1e-8)


def test_wishart_kl_by_the_bregman_divergence_matches_monte_carlo():
    rng = np.random.default_rng(21)
    p = D.Wishart(g64([4.0, 5.0]), covariance_matrix=g64(spd(rng, 2)))
    q = D.Wishart(g64([6.0, 3.5]), covariance_matrix=g64(spd(rng, 2)))
    gn.manual_seed(0)
    x = p.sample((40000,))
    estimate = (p.log_prob(x) - q.log_prob(x)).numpy().mean(0)
    np.testing.assert_allclose(D.kl_divergence(p, q).numpy(), estimate, rtol=0.03)
    with pytest.raises(NotImplementedError, match="kl_divergence of Beta and Cauchy"):
        D.kl_divergence(D.Beta(1.0, 2.0), D.Cauchy(0.0, 1.0))


def test_expanded_families_give_the_broadcast_log_prob():
    cases = [
        (D.InverseGamma(g64([1.5, 3.0]), g64([2.0, 0.5])), g64([0.7, 1.3])),
        (D.GeneralizedPareto(g64([0.0, 1.0]), g64([1.0, 2.0]), g64([0.2, -0.3])), g64([0.5, 2.0])),
        (D.LKJCholesky(3, g64([0.5, 2.0])), D.LKJCholesky(3, g64(1.0)).sample()),
    ]
    for d, x in cases:
        e = d.expand((4,) + d.batch_shape)
        assert e.batch_shape == (4,) + d.batch_shape and e.event_shape == d.event_shape
        close(e.log_prob(x), np.broadcast_to(d.log_prob(x).numpy(), (4,) + d.batch_shape))


def test_wishart_low_df_warns_and_draws_stay_positive_definite():
    with pytest.warns(UserWarning, match="singular draws likely"):
        d = D.Wishart(g64(2.5), covariance_matrix=g64(np.eye(3)))
    gn.manual_seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = d.rsample((500,))
    assert x.shape == (500, 3, 3)
    np.testing.assert_allclose(x.numpy(), np.swapaxes(x.numpy(), -1, -2), atol=1e-12)


def test_new_constraints_check_as_torch():
    rng = np.random.default_rng(5)
    good = TD.CorrCholeskyTransform()(t64(rng.normal(size=(3, 3)))).numpy()
    bad = good.copy()
    bad[1, 2, 0] += 0.1  # a row off unit length
    mats = np.concatenate([good, bad, rng.normal(size=(2, 3, 3))])
    sym = mats + np.swapaxes(mats, -1, -2)
    for cg, ct, value in [
        (C.corr_cholesky, TD.constraints.corr_cholesky, mats),
        (C.square, TD.constraints.square, mats),
        (C.symmetric, TD.constraints.symmetric, np.concatenate([sym, mats])),
        (C.cat([C.positive, C.unit_interval], -1, [2, 2]),
         TD.constraints.cat([TD.constraints.positive, TD.constraints.unit_interval], -1, [2, 2]),
         rng.uniform(-0.5, 1.5, size=(6, 4))),
        (C.stack([C.positive, C.real], 0), TD.constraints.stack(
            [TD.constraints.positive, TD.constraints.real], 0), rng.normal(size=(2, 5))),
    ]:  # fmt: skip
        np.testing.assert_array_equal(cg.check(g64(value)).numpy(), ct.check(t64(value)).numpy())
        assert cg.event_dim == ct.event_dim and cg.is_discrete == ct.is_discrete


def test_normal_and_bernoulli_declare_torchs_support_and_parameter_constraints():
    torch = pytest.importorskip("torch")
    pairs = [
        (D.Normal(gn.zeros(2), gn.ones(2)), torch.distributions.Normal(torch.zeros(2), torch.ones(2))),
        (D.Bernoulli(probs=gn.tensor([0.3])), torch.distributions.Bernoulli(probs=torch.tensor([0.3]))),
    ]  # fmt: skip
    for ours, theirs in pairs:
        assert type(ours.support).__name__.lstrip("_") == type(theirs.support).__name__.lstrip("_")
        assert sorted(ours.arg_constraints) == sorted(theirs.arg_constraints)
    with pytest.raises(ValueError, match="support"):
        pairs[0][0].log_prob(gn.tensor([float("nan"), 0.0]))
    assert D.biject_to(pairs[0][0].support)(gn.tensor([3.0])).item() == 3.0
