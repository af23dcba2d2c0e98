"""glassnet.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against PyTorch's."""

import numpy as np
import pytest

import glassnet as gn

RNG = np.random.default_rng(4)
X = RNG.standard_normal(3)
Y = RNG.standard_normal((2, 2))


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _f(lib):
    return lambda x: (x**2).sin() * x.sum()


def _g(lib):
    return lambda x, y: ((x**3).sum() * y.exp(), x.sum() + y.sum())


def _scalar(lib):
    return lambda x, y: (x**3).sum() * y.exp().sum() + (x * x.sum()).sum()


def _close(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for p, q in zip(a, b):
            _close(p, q)
        return
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_jacobians_match_pytorch(torch):
    _close(gn.autograd.functional.jacobian(_f(gn), gn.tensor(X)),
           torch.autograd.functional.jacobian(_f(torch), torch.tensor(X)))  # fmt: skip
    _close(gn.autograd.functional.jacobian(_g(gn), (gn.tensor(X), gn.tensor(Y))),
           torch.autograd.functional.jacobian(_g(torch), (torch.tensor(X), torch.tensor(Y))))  # fmt: skip


def test_hessians_match_pytorch(torch):
    one = lambda lib: lambda x: (x**3).sum() * x.prod()  # noqa: E731
    _close(gn.autograd.functional.hessian(one(gn), gn.tensor(X)),
           torch.autograd.functional.hessian(one(torch), torch.tensor(X)))  # fmt: skip
    _close(gn.autograd.functional.hessian(_scalar(gn), (gn.tensor(X), gn.tensor(Y))),
           torch.autograd.functional.hessian(_scalar(torch), (torch.tensor(X), torch.tensor(Y))))  # fmt: skip


@pytest.mark.parametrize("name", ["vjp", "jvp"])
def test_vector_products_match_pytorch(torch, name):
    v_out, v_in = RNG.standard_normal(3), RNG.standard_normal(3)
    v = v_out if name == "vjp" else v_in
    ours = getattr(gn.autograd.functional, name)(_f(gn), gn.tensor(X), gn.tensor(v))
    theirs = getattr(torch.autograd.functional, name)(_f(torch), torch.tensor(X), torch.tensor(v))
    _close(ours, theirs)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hessian_products_match_pytorch(torch, name):
    vs = (RNG.standard_normal(3), RNG.standard_normal((2, 2)))
    ours = getattr(gn.autograd.functional, name)(_scalar(gn), (gn.tensor(X), gn.tensor(Y)),
                                                  tuple(gn.tensor(v) for v in vs))  # fmt: skip
    theirs = getattr(torch.autograd.functional, name)(
        _scalar(torch), (torch.tensor(X), torch.tensor(Y)), tuple(torch.tensor(v) for v in vs)
    )
    _close(ours, theirs)


def test_unused_inputs_get_zeros_and_the_hessian_needs_a_scalar():
    jac = gn.autograd.functional.jacobian(lambda a, b: a * 2, (gn.tensor(X), gn.tensor(Y)))
    np.testing.assert_array_equal(jac[1].numpy(), np.zeros((3, 2, 2)))
    with pytest.raises(RuntimeError, match="one element"):
        gn.autograd.functional.hessian(lambda a: a * 2, gn.tensor(X))
