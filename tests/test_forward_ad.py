"""glassnet.forward_ad (torch.autograd.forward_ad): dual tensors, their tangents J t, checked against torch and finite differences."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import glassnet
import glassnet.nn.functional as F
from glassnet import forward_ad as fwAD
from glassnet import run as glassnet_run

try:
    import torch
    import torch.autograd.forward_ad as tfwAD
except ImportError:  # the core suite runs without torch
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs PyTorch as the oracle")
# torch's make_dual loads its JVP decompositions through torch.jit.script, which warns.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def arr(rng, *shape):
    return rng.standard_normal(shape)


def close(ours, theirs, tol=1e-10):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=tol, atol=tol)


def jt_ours(f, *pairs):
    """(f's value, its tangent) with glassnet: each pair (primal array, tangent array) is made
    a float64 dual tensor and given to f in order."""
    with fwAD.dual_level():
        duals = [fwAD.make_dual(glassnet.tensor(p), glassnet.tensor(t)) for p, t in pairs]
        return fwAD.unpack_dual(f(*duals))


def jt_torch(f, *pairs):
    with tfwAD.dual_level():
        duals = [tfwAD.make_dual(torch.tensor(p), torch.tensor(t)) for p, t in pairs]
        return tfwAD.unpack_dual(f(*duals))


# ------------------------------------------------------------------------------------------
# elementwise functions, products, reductions, broadcasting: against torch
# ------------------------------------------------------------------------------------------

ELEMENTWISE = {
    "sin": lambda m, x: x.sin(),
    "exp": lambda m, x: m.exp(x),
    "tanh": lambda m, x: m.tanh(x),
    "sigmoid": lambda m, x: m.sigmoid(x),
    "cube": lambda m, x: x**3,
    "log1p-abs": lambda m, x: m.log(x.abs() + 1),
    "reciprocal": lambda m, x: 1 / (1 + x * x),
    "relu": lambda m, x: m.relu(x),
    "softplus": lambda m, x: m.nn.functional.softplus(x),
    "gelu": lambda m, x: m.nn.functional.gelu(x),
    "sqrt-exp": lambda m, x: (x.exp() + 1).sqrt() * x,
}


@needs_torch
@pytest.mark.parametrize("name", list(ELEMENTWISE), ids=list(ELEMENTWISE))
def test_elementwise_tangents_match_torch(name):
    rng = np.random.default_rng(1)
    f = ELEMENTWISE[name]
    pair = (arr(rng, 3, 4), arr(rng, 3, 4))
    ours = jt_ours(lambda x: f(glassnet, x), pair)
    theirs = jt_torch(lambda x: f(torch, x), pair)
    close(ours.primal, theirs.primal)
    close(ours.tangent, theirs.tangent)


_RNG = np.random.default_rng(2)
B_PLAIN = arr(_RNG, 4, 2)
A_PLAIN = arr(_RNG, 5, 3)

# name: (f(module, *duals), shapes of the dual inputs)
PRODUCTS = {
    "dual@plain": (lambda m, a: a @ m.tensor(B_PLAIN), [(3, 4)]),
    "plain@dual": (lambda m, a: m.tensor(A_PLAIN) @ a, [(3, 2)]),
    "dual@dual": (lambda m, a, b: a @ b, [(3, 2), (2, 4)]),
    "batched": (lambda m, a, b: m.matmul(a, b), [(2, 3, 2), (2, 2, 4)]),
    "matrix@vector": (lambda m, a, b: m.mv(a, b) * b.sum(), [(3, 4), (4,)]),
    "einsum": (lambda m, a, b: m.einsum("ij,jk->ik", a, b) * a.sum(), [(3, 2), (2, 4)]),
}


@needs_torch
@pytest.mark.parametrize("name", list(PRODUCTS), ids=list(PRODUCTS))
def test_product_tangents_match_torch(name):
    rng = np.random.default_rng(3)
    f, shapes = PRODUCTS[name]
    pairs = [(arr(rng, *s), arr(rng, *s)) for s in shapes]
    ours = jt_ours(lambda *d: f(glassnet, *d), *pairs)
    theirs = jt_torch(lambda *d: f(torch, *d), *pairs)
    close(ours.primal, theirs.primal)
    close(ours.tangent, theirs.tangent)


REDUCTIONS = {
    "sum": lambda m, x: x.sum(),
    "sum-dim": lambda m, x: x.sum(dim=1, keepdim=True),
    "mean": lambda m, x: (x * x).mean(0),
    "max": lambda m, x: x.max(),
    "amax-dim": lambda m, x: x.amax(dim=0),
    "logsumexp": lambda m, x: m.logsumexp(x, dim=1),
    "softmax": lambda m, x: m.softmax(x, dim=-1),
    "norm": lambda m, x: x.norm(),
    "var": lambda m, x: x.var(dim=1),
    "cumsum": lambda m, x: x.cumsum(dim=1),
    "prod": lambda m, x: x.prod(dim=0),
}


@needs_torch
@pytest.mark.parametrize("name", list(REDUCTIONS), ids=list(REDUCTIONS))
def test_reduction_tangents_match_torch(name):
    rng = np.random.default_rng(4)
    f = REDUCTIONS[name]
    pair = (arr(rng, 3, 5), arr(rng, 3, 5))
    ours = jt_ours(lambda x: f(glassnet, x), pair)
    theirs = jt_torch(lambda x: f(torch, x), pair)
    close(ours.primal, theirs.primal)
    close(ours.tangent, theirs.tangent)


BROADCASTS = {
    "column+row": ((3, 1), (1, 4)),
    "vector*matrix": ((4,), (3, 4)),
    "scalar*matrix": ((), (2, 3)),
}


@needs_torch
@pytest.mark.parametrize("name", list(BROADCASTS), ids=list(BROADCASTS))
def test_broadcasting_tangents_match_torch(name):
    rng = np.random.default_rng(5)
    sa, sb = BROADCASTS[name]
    a, ta, b = arr(rng, *sa), arr(rng, *sa), arr(rng, *sb)

    def f(m):
        return lambda d: (d + m.tensor(b)) * d.exp() - m.tensor(b) ** 2 * d

    ours = jt_ours(f(glassnet), (a, ta))
    theirs = jt_torch(f(torch), (a, ta))
    close(ours.tangent, theirs.tangent)
    # two duals of different shapes meeting in one broadcast
    tb = arr(rng, *sb)
    ours = jt_ours(lambda x, y: x * y.sin(), (a, ta), (b, tb))
    theirs = jt_torch(lambda x, y: x * y.sin(), (a, ta), (b, tb))
    close(ours.tangent, theirs.tangent)


# ------------------------------------------------------------------------------------------
# modules: a dual input, dual weights (functional_call, and del + setattr)
# ------------------------------------------------------------------------------------------


def _mlp_pair(seed):
    """The same float64 MLP (Linear, tanh, Linear) in glassnet and in torch."""
    glassnet.manual_seed(seed)
    ours = glassnet.nn.Sequential(
        glassnet.nn.Linear(4, 6), glassnet.nn.Tanh(), glassnet.nn.Linear(6, 3)
    ).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    theirs = theirs.double()
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            q.copy_(torch.tensor(p.detach().numpy()))
    return ours, theirs


@needs_torch
def test_mlp_with_a_dual_input_matches_torch():
    ours, theirs = _mlp_pair(0)
    rng = np.random.default_rng(6)
    x, t = arr(rng, 5, 4), arr(rng, 5, 4)
    got = jt_ours(ours, (x, t))
    want = jt_torch(theirs, (x, t))
    close(got.primal, want.primal)
    close(got.tangent, want.tangent)
    # the weights require grad, so primal and tangent stay differentiable, as torch's
    assert got.primal.requires_grad and want.primal.requires_grad
    assert got.tangent.requires_grad and want.tangent.requires_grad


@needs_torch
def test_dual_weights_through_functional_call_match_torch():
    ours, theirs = _mlp_pair(1)
    rng = np.random.default_rng(7)
    x = arr(rng, 5, 4)
    tangents = {name: arr(rng, *p.shape) for name, p in ours.named_parameters()}
    with fwAD.dual_level():
        duals = {
            name: fwAD.make_dual(p, glassnet.tensor(tangents[name]))
            for name, p in ours.named_parameters()
        }
        got = fwAD.unpack_dual(glassnet.func.functional_call(ours, duals, (glassnet.tensor(x),)))
    with tfwAD.dual_level():
        duals = {
            name: tfwAD.make_dual(p, torch.tensor(tangents[name]))
            for name, p in theirs.named_parameters()
        }
        want = tfwAD.unpack_dual(torch.func.functional_call(theirs, duals, (torch.tensor(x),)))
    close(got.primal, want.primal)
    close(got.tangent, want.tangent)


@needs_torch
def test_dual_weights_set_with_del_and_setattr_match_torch():
    rng = np.random.default_rng(8)
    glassnet.manual_seed(2)
    ours = glassnet.nn.Linear(5, 3).double()
    theirs = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))
    x = arr(rng, 4, 5)
    tangents = {"weight": arr(rng, 3, 5), "bias": arr(rng, 3)}
    results = []
    for m, ad, model in ((glassnet, fwAD, ours), (torch, tfwAD, theirs)):
        params = dict(model.named_parameters())
        with ad.dual_level():
            for name, p in params.items():
                delattr(model, name)
                setattr(model, name, ad.make_dual(p, m.tensor(tangents[name])))
            results.append(ad.unpack_dual(model(m.tensor(x))).tangent)
    close(results[0], results[1])
    # J t of a Linear in its weights is x @ t_W^T + t_b
    close(results[0], x @ tangents["weight"].T + tangents["bias"])


# ------------------------------------------------------------------------------------------
# which tensors have tangents, and when
# ------------------------------------------------------------------------------------------


def test_a_dual_returns_its_tangent_as_given_and_others_have_none():
    x, t = glassnet.randn(3), glassnet.randn(3)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        assert fwAD.unpack_dual(d).tangent is t
        np.testing.assert_array_equal(fwAD.unpack_dual(d).primal.numpy(), x.numpy())
        assert fwAD.unpack_dual(x).tangent is None  # the primal itself carries nothing
        assert fwAD.unpack_dual(x * 2 + 1).tangent is None
        assert fwAD.unpack_dual(glassnet.ones(3)).tangent is None
        w = glassnet.randn(3, requires_grad=True)
        assert fwAD.unpack_dual(w.exp()).tangent is None  # requires grad, but no dual
        assert fwAD.unpack_dual(d.argmax()).tangent is None  # integer result
        assert fwAD.unpack_dual(d > 0).tangent is None
        assert fwAD.unpack_dual(d.detach() * 3).tangent is None
        y = d * 3
        assert fwAD.unpack_dual(y).tangent is not None
        unpacked = fwAD.unpack_dual(y)
        assert isinstance(unpacked, fwAD.UnpackedDualTensor) and isinstance(unpacked, tuple)
        assert unpacked._fields == ("primal", "tangent")
    # after the level: every tangent is gone, values stay
    assert fwAD.unpack_dual(y).tangent is None
    assert fwAD.unpack_dual(d).tangent is None
    np.testing.assert_allclose(fwAD.unpack_dual(y).primal.detach().numpy(), 3 * x.numpy())
    with fwAD.dual_level():  # nor do they come back in the next level
        assert fwAD.unpack_dual(y).tangent is None


def test_several_duals_add_their_directional_derivatives():
    with fwAD.dual_level():
        x = fwAD.make_dual(glassnet.tensor([1.0, 2.0]), glassnet.tensor([1.0, 0.0]))
        y = fwAD.make_dual(glassnet.tensor([3.0, 4.0]), glassnet.tensor([0.0, 1.0]))
        # d(x*y) = t_x * y + x * t_y
        np.testing.assert_allclose(fwAD.unpack_dual(x * y).tangent.numpy(), [3.0, 2.0])
        np.testing.assert_allclose(fwAD.unpack_dual(x + 0 * y).tangent.numpy(), [1.0, 0.0])


def test_primal_of_unpack_dual_carries_no_tangent():
    with fwAD.dual_level():
        w = glassnet.tensor([0.5, -1.5], requires_grad=True)
        d = fwAD.make_dual(w, glassnet.tensor([1.0, 2.0]))
        p = fwAD.unpack_dual(d * d).primal
        assert p.requires_grad  # still differentiable with respect to w
        assert fwAD.unpack_dual(p).tangent is None
        # in z = p * d only d moves: J t = p * t
        np.testing.assert_allclose(
            fwAD.unpack_dual(p * d).tangent.detach().numpy(), [0.25 * 1.0, 2.25 * 2.0]
        )
        fwAD.make_dual(fwAD.unpack_dual(d).primal, glassnet.tensor([1.0, 1.0]))  # allowed
        (g,) = glassnet.autograd.grad(p.sum(), w)
        np.testing.assert_allclose(g.numpy(), 2 * w.detach().numpy())


def test_values_written_into_plain_tensors_and_changed_in_place_keep_tangents():
    t = glassnet.tensor([1.0, 2.0, 3.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(glassnet.tensor([1.0, 1.0, 1.0]), t)
        w = glassnet.zeros(3)
        w[1:] = d[1:] * 2
        np.testing.assert_allclose(fwAD.unpack_dual(w).tangent.numpy(), [0.0, 4.0, 6.0])
        y = d * 2
        y.mul_(3)
        np.testing.assert_allclose(fwAD.unpack_dual(y).tangent.numpy(), 6 * t.numpy())
        d.mul_(2)
        np.testing.assert_allclose(fwAD.unpack_dual(d).tangent.numpy(), 2 * t.numpy())
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0, 3.0])  # the given tangent as it was


def test_tangents_agree_with_glassnet_func_jvp_and_jacfwd():
    rng = np.random.default_rng(9)
    x, t = glassnet.tensor(arr(rng, 4)), glassnet.tensor(arr(rng, 4))

    def f(v):
        return (v.sin() * v.sum()).exp()[:3]

    with fwAD.dual_level():
        jt = fwAD.unpack_dual(f(fwAD.make_dual(x, t))).tangent
    _, want = glassnet.func.jvp(f, (x,), (t,))
    close(jt, want)
    close(jt, glassnet.func.jacfwd(f)(x) @ t)


def test_the_level_forgets_duals_nothing_refers_to_any_more():
    x = glassnet.randn(3)
    with fwAD.dual_level():
        keep = fwAD.make_dual(x, glassnet.ones(3))
        for _ in range(50):
            d = fwAD.make_dual(x, glassnet.randn(3))
            fwAD.unpack_dual(d.sin())
        del d
        gc.collect()
        assert len(fwAD._level.duals) == 1  # only `keep` is left
        assert fwAD.unpack_dual(keep).tangent is not None


def test_dual_level_as_decorator_and_the_enter_exit_functions():
    @fwAD.dual_level()
    def derivative_of_square(x, t):
        return fwAD.unpack_dual(fwAD.make_dual(x, t) ** 2).tangent

    x = glassnet.tensor([1.0, -2.0])
    np.testing.assert_allclose(derivative_of_square(x, glassnet.ones(2)).numpy(), [2.0, -4.0])
    assert fwAD._level is None
    assert fwAD.enter_dual_level() == 0
    try:
        d = fwAD.make_dual(x, glassnet.ones(2), level=0)
        assert fwAD.unpack_dual(d, level=0).tangent is not None
        assert fwAD.unpack_dual(d, level=-1).tangent is None
    finally:
        assert fwAD.exit_dual_level() is None
    with fwAD.dual_level() as level:
        assert level == 0


def test_reached_through_autograd_with_pytorch_public_names():
    assert glassnet.autograd.forward_ad is fwAD
    names = {"UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level"}
    assert set(fwAD.__all__) == names | {"make_dual", "unpack_dual"}
    if torch is not None:
        assert set(fwAD.__all__) == set(tfwAD.__all__)


# ------------------------------------------------------------------------------------------
# reverse mode through dual tensors and their tangents
# ------------------------------------------------------------------------------------------


@needs_torch
def test_reverse_mode_through_the_dual_and_its_tangent_matches_torch():
    rng = np.random.default_rng(10)
    x0, t0 = arr(rng, 4), arr(rng, 4)
    got, want = [], []
    for m, ad, out in ((glassnet, fwAD, got), (torch, tfwAD, want)):
        x = m.tensor(x0, requires_grad=True)
        t = m.tensor(t0, requires_grad=True)
        with ad.dual_level():
            d = ad.make_dual(x, t)
            assert d.requires_grad
            y = (d.sin() * d).sum()
            p, jt = ad.unpack_dual(y)
            assert x.grad is None  # unpack_dual writes no .grad
            # d(J t)/dx is the Hessian times t; d(J t)/dt is the gradient
            gx, gt = m.autograd.grad(jt, (x, t), retain_graph=True)
            (gp,) = m.autograd.grad(p, x)
        out.extend([p, jt, gx, gt, gp])
    for ours, theirs in zip(got, want):
        close(ours, theirs)


def test_results_of_duals_of_plain_tensors_need_no_gradient():
    with fwAD.dual_level():
        d = fwAD.make_dual(glassnet.randn(3), glassnet.randn(3))
        p, jt = fwAD.unpack_dual((d * d).sum())
        assert not p.requires_grad and not jt.requires_grad  # as torch's


# ------------------------------------------------------------------------------------------
# J t against finite differences
# ------------------------------------------------------------------------------------------


def _composite(m, x):
    h = m.tanh(x @ m.tensor(W1) + 0.5)
    return m.softmax(h * h.sum(dim=1, keepdim=True), dim=1) + (x**2).mean()


_W = np.random.default_rng(11)
W1 = arr(_W, 5, 4)


@pytest.mark.parametrize("seed", [0, 1, 2], ids=["seed0", "seed1", "seed2"])
def test_tangent_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    x, t = arr(rng, 3, 5), arr(rng, 3, 5)
    jt = jt_ours(lambda d: _composite(glassnet, d), (x, t)).tangent.numpy()
    eps = 1e-6
    with glassnet.no_grad():
        up = _composite(glassnet, glassnet.tensor(x + eps * t)).numpy()
        down = _composite(glassnet, glassnet.tensor(x - eps * t)).numpy()
    np.testing.assert_allclose(jt, (up - down) / (2 * eps), rtol=1e-6, atol=1e-8)
    # J t is linear in t: twice the direction, twice the derivative
    jt2 = jt_ours(lambda d: _composite(glassnet, d), (x, 2 * t)).tangent.numpy()
    np.testing.assert_allclose(jt2, 2 * jt, rtol=1e-12, atol=1e-12)


def test_float32_duals_keep_float32():
    x = glassnet.randn(4, 3)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, glassnet.randn(4, 3))
        p, jt = fwAD.unpack_dual(F.relu(d) @ glassnet.randn(3, 2))
    assert p.dtype == glassnet.float32 and jt.dtype == glassnet.float32
    assert jt.shape == (4, 2)


# ------------------------------------------------------------------------------------------
# mistakes
# ------------------------------------------------------------------------------------------


def test_make_dual_outside_a_level_is_refused():
    with pytest.raises(RuntimeError, match="no dual level is active"):
        fwAD.make_dual(glassnet.randn(2), glassnet.randn(2))
    with pytest.raises(RuntimeError, match="no dual level is active"):
        fwAD.exit_dual_level()
    # unpack_dual outside a level is no mistake: nothing has a tangent
    x = glassnet.randn(2)
    assert fwAD.unpack_dual(x) == (x, None)


MISTAKES = {
    "tangent-shape": (
        lambda x: fwAD.make_dual(x, glassnet.randn(4)),
        glassnet.errors.ShapeError,
        r"tangent must have the primal's shape \(3,\), got shape \(4,\)",
    ),
    "no-broadcast": (
        lambda x: fwAD.make_dual(x, glassnet.randn(1)),
        RuntimeError,
        r"primal's shape \(3,\), got shape \(1,\)",
    ),
    "integer-primal": (
        lambda x: fwAD.make_dual(glassnet.tensor([1, 2, 3]), x),
        ValueError,
        "expected the primal to be a floating-point tensor, got dtype",
    ),
    "integer-tangent": (
        lambda x: fwAD.make_dual(x, glassnet.tensor([1, 2, 3])),
        ValueError,
        "expected the tangent to be a floating-point tensor",
    ),
    "list-tangent": (
        lambda x: fwAD.make_dual(x, [1.0, 2.0, 3.0]),
        TypeError,
        "expected a Tensor as the tangent, got list",
    ),
    "unpack-number": (lambda x: fwAD.unpack_dual(3.0), TypeError, "got float"),
    "dual-of-dual": (
        lambda x: fwAD.make_dual(fwAD.make_dual(x, x) * 2, x),
        RuntimeError,
        "already has a tangent at dual level 0",
    ),
    "wrong-level": (
        lambda x: fwAD.make_dual(x, x, level=3),
        RuntimeError,
        r"level 3 is not an active dual level \(the active one is 0\)",
    ),
    "nested-level": (fwAD.enter_dual_level, RuntimeError, "levels do not nest"),
    "exit-wrong-level": (
        lambda x: fwAD.exit_dual_level(level=2),
        RuntimeError,
        "level 2 is not the active dual level 0",
    ),
}


@pytest.mark.parametrize("name", list(MISTAKES), ids=list(MISTAKES))
def test_mistakes_inside_a_level_are_one_line(name):
    call, error, words = MISTAKES[name]
    with fwAD.dual_level():
        x = glassnet.randn(3)
        with pytest.raises(error, match=words) as caught:
            call(x) if name != "nested-level" else call()
    assert "\n" not in str(caught.value)


@needs_torch
def test_torch_refuses_the_same_mistakes():
    """The oracle agrees these are mistakes (the messages are glassnet's own)."""
    with pytest.raises(RuntimeError):
        tfwAD.make_dual(torch.randn(2), torch.randn(2))
    with tfwAD.dual_level():
        with pytest.raises(RuntimeError):
            tfwAD.make_dual(torch.randn(3), torch.randn(4))
        with pytest.raises(ValueError):
            tfwAD.make_dual(torch.tensor([1, 2, 3]), torch.randn(3))
        with pytest.raises(RuntimeError):
            tfwAD.enter_dual_level()


def test_a_freed_graph_is_reported_not_guessed():
    w = glassnet.randn(3, requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(glassnet.randn(3), glassnet.randn(3))
        y = (d * w).exp().sum()
        y.backward()
        with pytest.raises(RuntimeError, match="freed by a backward pass"):
            fwAD.unpack_dual(y)


def test_an_op_without_a_differentiable_backward_is_named():
    from glassnet.function import once_differentiable

    class ExpOnceDifferentiable(glassnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.result = x.exp()
            return ctx.result

        @staticmethod
        @once_differentiable
        def backward(ctx, g):  # no second derivative, and no jvp: no tangent can be found
            return g * ctx.result

    with fwAD.dual_level():
        d = fwAD.make_dual(glassnet.randn(3), glassnet.randn(3))
        y = ExpOnceDifferentiable.apply(d)
        with pytest.raises(RuntimeError, match="marked with @once_differentiable") as caught:
            fwAD.unpack_dual(y)
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------------------------------
# under `glassnet run`
# ------------------------------------------------------------------------------------------

SCRIPT = """\
import torch
import torch.autograd.forward_ad as fwAD

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
x = torch.randn(5, 3)
t = torch.randn(5, 3)
with fwAD.dual_level():
    out = model(fwAD.make_dual(x, t))
    primal, tangent = fwAD.unpack_dual(out)
    print("shapes", tuple(primal.shape), tuple(tangent.shape))
_, want = torch.func.jvp(model, (x,), (t,))
print("agrees", torch.allclose(tangent, want, atol=1e-5))
print("after", fwAD.unpack_dual(out).tangent)
"""


def test_a_pytorch_script_runs_under_glassnet_run(tmp_path, capsys):
    path = tmp_path / "forward_ad_script.py"
    path.write_text(SCRIPT)
    assert glassnet_run.main([str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "shapes (5, 2) (5, 2)",
        "agrees True",
        "after None",
    ]


def test_unpack_dual_under_no_grad_warns_that_tangents_need_the_graph():
    with fwAD.dual_level():
        d = fwAD.make_dual(glassnet.randn(3), glassnet.randn(3))
        with glassnet.no_grad():
            y = d * 2
            with pytest.warns(UserWarning, match="under no_grad"):
                assert fwAD.unpack_dual(y).tangent is None
        assert fwAD.unpack_dual(d * 2).tangent is not None  # with grad mode on it is there


def test_a_function_with_jvp_and_no_backward_gives_its_own_tangents():
    class Exp(glassnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            return x.exp()

        @staticmethod
        def jvp(ctx, tangent):
            (x,) = ctx.saved_tensors
            return tangent * x.exp()

    rng = np.random.default_rng(5)
    primal = glassnet.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    tangent = glassnet.tensor(rng.standard_normal((3, 4)))
    with fwAD.dual_level():
        dual = fwAD.make_dual(primal, tangent)
        out = Exp.apply(dual)
        np.testing.assert_allclose(
            fwAD.unpack_dual(out).tangent.numpy(), tangent.numpy() * np.exp(primal.detach().numpy())
        )
        later = (Exp.apply(dual) * 3).sum()  # and on through ordinary ops
        expected = (3 * tangent.numpy() * np.exp(primal.detach().numpy())).sum()
        np.testing.assert_allclose(float(fwAD.unpack_dual(later).tangent), expected, rtol=1e-10)
    assert glassnet.autograd.gradcheck(
        Exp.apply, (primal,), check_forward_ad=True, check_backward_ad=False
    )
    np.testing.assert_allclose(Exp.apply(primal).detach().numpy(), np.exp(primal.detach().numpy()))
