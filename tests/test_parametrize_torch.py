"""nn.utils.parametrize and nn.utils.parametrizations (weight_norm, spectral_norm, orthogonal)
against PyTorch: values, gradients w.r.t. the stored originals, state_dict, removal, errors."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.nn.utils import parametrizations as gp
from glassnet.nn.utils import parametrize as P
from glassnet.numerical import gradcheck

torch = pytest.importorskip("torch")


def t2g(t):
    return gn.tensor(t.detach().numpy().copy())


def copy_linear(tm, gm):
    gm.weight.array[...] = tm.weight.detach().numpy()
    gm.bias.array[...] = tm.bias.detach().numpy()


def pair_linear(i=4, o=3, seed=0):
    torch.manual_seed(seed)
    tm = torch.nn.Linear(i, o)
    gm = nn.Linear(i, o)
    copy_linear(tm, gm)
    return tm, gm


class GSym(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class TSym(torch.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


def test_register_symmetric_values_grads_state_dict():
    tm, gm = pair_linear(3, 3)
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", TSym())
    P.register_parametrization(gm, "weight", GSym())
    assert type(gm).__name__ == "ParametrizedLinear" and isinstance(gm, nn.Linear)
    assert list(gm.state_dict()) == list(tm.state_dict())
    for k in tm.state_dict():
        np.testing.assert_allclose(gm.state_dict()[k].numpy(), tm.state_dict()[k].numpy())
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (gm(gn.tensor(x)) ** 2).sum().backward()
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(
        gm.parametrizations.weight.original.grad.numpy(),
        tm.parametrizations.weight.original.grad.numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    assert [n for n, _ in gm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    # assigning runs right_inverse
    a = np.arange(9.0, dtype=np.float32).reshape(3, 3)
    tm.weight = torch.tensor(a)
    gm.weight = gn.tensor(a)
    np.testing.assert_allclose(
        gm.parametrizations.weight.original.numpy(),
        tm.parametrizations.weight.original.detach().numpy(),
    )


def test_remove_parametrizations_keeps_values_and_class():
    tm, gm = pair_linear(3, 3)
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", TSym())
    P.register_parametrization(gm, "weight", GSym())
    original = gm.parametrizations.weight.original
    P.remove_parametrizations(gm, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    assert type(gm) is nn.Linear and not P.is_parametrized(gm)
    assert gm.weight is original and isinstance(gm.weight, nn.Parameter)
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy())
    assert list(gm.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    # leave_parametrized=False gives back the original
    gm2 = nn.Linear(3, 3)
    w0 = gm2.weight.numpy().copy()
    P.register_parametrization(gm2, "weight", GSym())
    P.remove_parametrizations(gm2, "weight", leave_parametrized=False)
    np.testing.assert_allclose(gm2.weight.numpy(), np.triu(w0))


def test_chained_parametrizations_and_cached():
    calls = []

    class Double(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 2

    gm = nn.Linear(3, 3)
    w0 = gm.weight.numpy().copy()
    P.register_parametrization(gm, "weight", GSym())
    P.register_parametrization(gm, "weight", Double())
    sym = np.triu(w0) + np.triu(w0, 1).T
    np.testing.assert_allclose(gm.weight.numpy(), 2 * sym, rtol=1e-6)
    calls.clear()
    with P.cached():
        a, b = gm.weight, gm.weight
    assert a is b and len(calls) == 1
    assert gm.weight is not gm.weight
    assert P.is_parametrized(gm) and P.is_parametrized(gm, "weight")
    assert not P.is_parametrized(gm, "bias")
    assert P.type_before_parametrizations(gm) is nn.Linear


def test_parametrize_errors():
    gm = nn.Linear(3, 3)
    with pytest.raises(
        ValueError, match="no parameter, buffer or parametrized tensor named 'nope'"
    ):
        P.register_parametrization(gm, "nope", GSym())
    with pytest.raises(ValueError, match="has no parametrization on 'weight'"):
        P.remove_parametrizations(gm, "weight")

    class Shrink(nn.Module):
        def forward(self, x):
            return x[:2]

    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(gm, "weight", Shrink())
    assert type(gm) is nn.Linear and "weight" in gm._parameters  # left untouched

    class NoInverse(nn.Module):
        def forward(self, x):
            return x * 1

    P.register_parametrization(gm, "weight", NoInverse())
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        gm.weight = gn.zeros(3, 3)
    with pytest.raises(TypeError, match="must be a Module"):
        P.register_parametrization(gm, "bias", lambda x: x)


@pytest.mark.parametrize("dim", [0, 1, None, -2], ids=["dim0", "dim1", "dimNone", "dim-2"])
def test_weight_norm_matches_torch(dim):
    torch.manual_seed(1)
    tm = torch.nn.Conv2d(2, 3, 3)
    gm = nn.Conv2d(2, 3, 3)
    gm.weight.array[...] = tm.weight.detach().numpy()
    gm.bias.array[...] = tm.bias.detach().numpy()
    torch.nn.utils.parametrizations.weight_norm(tm, dim=dim)
    gp.weight_norm(gm, dim=dim)
    tp, gpz = tm.parametrizations.weight, gm.parametrizations.weight
    assert gpz.original0.shape == tuple(tp.original0.shape)
    np.testing.assert_allclose(gpz.original0.numpy(), tp.original0.detach().numpy(), rtol=1e-6)
    assert list(gm.state_dict()) == list(tm.state_dict())
    x = np.random.default_rng(2).standard_normal((2, 2, 5, 5)).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (gm(gn.tensor(x)) ** 2).sum().backward()
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    for name in ("original0", "original1"):
        np.testing.assert_allclose(
            getattr(gpz, name).grad.numpy(), getattr(tp, name).grad.numpy(), rtol=1e-4, atol=1e-5
        )
    P.remove_parametrizations(gm, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    assert isinstance(gm.weight, nn.Parameter)
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_weight_norm_gradcheck():
    wn = gp._WeightNorm(0)
    rng = np.random.default_rng(0)
    g = gn.tensor(rng.standard_normal((3, 1)), requires_grad=True)
    v = gn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda a, b: wn(a, b), g, v)


@pytest.mark.parametrize("n_iter", [1, 3], ids=["1iter", "3iter"])
def test_spectral_norm_matches_torch_with_copied_vectors(n_iter):
    tm, gm = pair_linear(5, 4, seed=3)
    torch.nn.utils.parametrizations.spectral_norm(tm, n_power_iterations=n_iter)
    gp.spectral_norm(gm, n_power_iterations=n_iter)
    tsn, gsn = tm.parametrizations.weight[0], gm.parametrizations.weight[0]
    assert list(gm.state_dict()) == list(tm.state_dict())
    assert "parametrizations.weight.0._u" in gm.state_dict()
    gsn._u.array[...] = tsn._u.detach().numpy()
    gsn._v.array[...] = tsn._v.detach().numpy()
    x = np.random.default_rng(4).standard_normal((6, 5)).astype(np.float32)
    for _ in range(2):  # training mode: each forward runs n_iter power steps
        tm.zero_grad()
        gm.zero_grad()
        (tm(torch.tensor(x)) ** 2).sum().backward()
        (gm(gn.tensor(x)) ** 2).sum().backward()
        np.testing.assert_allclose(gsn._u.numpy(), tsn._u.detach().numpy(), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(
            gm.parametrizations.weight.original.grad.numpy(),
            tm.parametrizations.weight.original.grad.numpy(),
            rtol=1e-4,
            atol=1e-5,
        )
    sigma = np.linalg.svd(gm.parametrizations.weight.original.numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(
        gm.weight.numpy(), gm.parametrizations.weight.original.numpy() / sigma, rtol=1e-3
    )
    # eval: u, v frozen
    gm.eval()
    u = gsn._u.numpy().copy()
    _ = gm.weight
    np.testing.assert_array_equal(gsn._u.numpy(), u)


def test_spectral_norm_gradient_formula_and_errors():
    sn = gp._SpectralNorm(gn.randn(3, 4, dtype=gn.float64), 1, 0, 1e-12)
    sn.eval()
    w = gn.randn(3, 4, dtype=gn.float64, requires_grad=True)
    assert gradcheck(lambda a: sn(a), w)
    with pytest.raises(ValueError, match="n_power_iterations must be positive, got 0"):
        gp.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="dim must be in"):
        gp.spectral_norm(nn.Linear(2, 2), dim=2)
    with pytest.raises(ValueError, match="no parameter or buffer named 'w'"):
        gp.spectral_norm(nn.Linear(2, 2), name="w")


@pytest.mark.parametrize(
    "shape,omap",
    [((4, 4), None), ((4, 4), "cayley"), ((5, 3), None), ((3, 5), None)],
    ids=["square-exp", "square-cayley", "tall-householder", "wide-householder"],
)
def test_orthogonal_matches_torch(shape, omap):
    torch.manual_seed(5)
    tm = torch.nn.Linear(shape[1], shape[0])
    gm = nn.Linear(shape[1], shape[0])
    copy_linear(tm, gm)
    torch.nn.utils.parametrizations.orthogonal(tm, orthogonal_map=omap)
    gp.orthogonal(gm, orthogonal_map=omap)
    gbase = gm.parametrizations.weight[0].base
    gbase.array[...] = tm.parametrizations.weight[0].base.numpy()  # random completion aside
    q = gm.weight.numpy()
    np.testing.assert_allclose(q, tm.weight.detach().numpy(), rtol=1e-4, atol=1e-5)
    small = min(shape)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)
    x = np.random.default_rng(6).standard_normal((2, shape[1])).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (gm(gn.tensor(x)) ** 2).sum().backward()
    np.testing.assert_allclose(
        gm.parametrizations.weight.original.grad.numpy(),
        tm.parametrizations.weight.original.grad.numpy(),
        rtol=1e-3,
        atol=1e-5,
    )


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="expected a matrix or batch of matrices"):
        gp.orthogonal(nn.Linear(2, 2), name="bias")
    with pytest.raises(ValueError, match="orthogonal_map must be one of"):
        gp.orthogonal(nn.Linear(2, 2), orthogonal_map="qr")
