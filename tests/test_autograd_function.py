"""autograd.Function: a user's own op with forward/backward, checked like every built-in op."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import Function


def _make_functions(base):
    """The same user-written Functions on top of ``base`` (glassnet's or torch's Function).

    Written only with methods both libraries share, so one body serves the parity test too.
    """

    class Exp(base):
        """y = e**x;   dL/dx = g * y (the output is saved)."""

        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class ScaledMul(base):
        """y = k * a * b with k a Python number;   dL/da = k g b,   dL/db = k g a,   k: None."""

        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            ctx.k = k
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = g * b * ctx.k if ctx.needs_input_grad[0] else None
            gb = g * a * ctx.k if ctx.needs_input_grad[1] else None
            return ga, gb, None

    class Clamp(base):
        """y = min(max(x, lo), hi);   dL/dx = g where lo < x < hi, else 0."""

        @staticmethod
        def forward(ctx, x, lo, hi):
            ctx.save_for_backward(x)
            ctx.lo, ctx.hi = lo, hi
            return x.clamp(lo, hi)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            inside = (x > ctx.lo) & (x < ctx.hi)
            return g * inside.to(g.dtype), None, None

    class SinCos(base):
        """(sin x, cos x);   dL/dx = g_sin cos x - g_cos sin x (two outputs)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return g_sin * x.cos() - g_cos * x.sin()

    return {"exp": Exp, "scaled_mul": ScaledMul, "clamp": Clamp, "sincos": SinCos}


FUNCTIONS = _make_functions(Function)


def _x(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return gn.tensor(rng.uniform(-1, 1, size=shape), dtype=gn.float64, requires_grad=True)


# Each case: a function of float64 tensors built on a user Function, and its input shapes.
CASES = {
    "exp": (lambda x: FUNCTIONS["exp"].apply(x), [(3, 4)]),
    "scaled_mul": (lambda a, b: FUNCTIONS["scaled_mul"].apply(a, b, 2.5), [(3, 4), (3, 4)]),
    "scaled_mul_broadcast": (
        lambda a, b: FUNCTIONS["scaled_mul"].apply(a, b, -1.5),
        [(3, 4), (4,)],
    ),
    "clamp": (lambda x: FUNCTIONS["clamp"].apply(x, -0.5, 0.5), [(5, 3)]),
    "sincos_product": (
        lambda x: FUNCTIONS["sincos"].apply(x)[0] * FUNCTIONS["sincos"].apply(x)[1],
        [(6,)],
    ),
    "sincos_second_output": (lambda x: FUNCTIONS["sincos"].apply(x)[1], [(2, 3)]),
    "exp_composed": (lambda x: FUNCTIONS["exp"].apply(x * 2).sum(dim=1), [(2, 5)]),
}


@pytest.mark.parametrize("name", sorted(CASES), ids=sorted(CASES))
def test_gradcheck(name):
    f, shapes = CASES[name]
    inputs = [_x(*shape, seed=i) for i, shape in enumerate(shapes)]
    assert gn.gradcheck(f, *inputs)


SMOOTH = sorted(set(CASES) - {"clamp"})


@pytest.mark.parametrize("name", SMOOTH, ids=SMOOTH)
def test_gradgradcheck_when_backward_uses_differentiable_ops(name):
    f, shapes = CASES[name]
    inputs = [_x(*shape, seed=i) for i, shape in enumerate(shapes)]
    assert gn.gradgradcheck(f, *inputs)


def test_a_wrong_backward_is_caught_by_gradcheck():
    class WrongExp(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be g * e**x

    with pytest.raises(gn.GradcheckError):
        gn.gradcheck(WrongExp.apply, _x(4))


def test_second_derivative_with_create_graph():
    x = gn.tensor([0.3, -1.2], dtype=gn.float64, requires_grad=True)
    y = FUNCTIONS["exp"].apply(x).sum()
    (dx,) = gn.autograd.grad(y, x, create_graph=True)
    (d2x,) = gn.autograd.grad(dx.sum(), x)
    np.testing.assert_allclose(d2x.numpy(), np.exp([0.3, -1.2]), rtol=1e-12)


def test_needs_input_grad_and_none_for_non_tensor_arguments():
    seen = {}

    class Record(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen["needs"] = ctx.needs_input_grad
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            return None, g, None

    a = gn.ones(2)
    b = gn.ones(2, requires_grad=True)
    Record.apply(a, b, 3.0).sum().backward()
    assert seen["needs"] == (False, True, False)
    assert a.grad is None and b.grad is not None


def test_no_node_when_nothing_requires_grad_or_under_no_grad():
    x = _x(3)
    with gn.no_grad():
        y = FUNCTIONS["exp"].apply(x)
    assert not y.requires_grad and y.grad_fn is None
    z = FUNCTIONS["exp"].apply(x.detach())
    assert not z.requires_grad


def test_grad_fn_is_named_after_the_function():
    y = FUNCTIONS["exp"].apply(_x(2))
    assert "ExpBackward" in repr(y.grad_fn)
    s, c = FUNCTIONS["sincos"].apply(_x(2))
    assert "SinCosBackward" in repr(s.grad_fn) and "SinCosBackward" in repr(c.grad_fn)


def test_one_unused_output_gets_a_zero_gradient():
    got = {}

    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g2, g3):
            got["g3"] = g3.numpy().copy()
            return g2 * 2 + g3 * 3

    x = _x(3)
    first, _ = Pair.apply(x)
    first.sum().backward()
    np.testing.assert_array_equal(got["g3"], np.zeros(3))
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2.0))


def test_mark_non_differentiable_output():
    class MaxWithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            index = x.argmax()
            value = x.max()
            ctx.mark_non_differentiable(index)
            ctx.save_for_backward(x, index)
            return value, index

        @staticmethod
        def backward(ctx, g_value, g_index):
            x, index = ctx.saved_tensors
            one_hot = (gn.arange(x.shape[0]) == index).to(g_value.dtype)
            return g_value * one_hot

    x = gn.tensor([1.0, 5.0, 2.0], requires_grad=True)
    value, index = MaxWithIndex.apply(x)
    assert value.requires_grad and not index.requires_grad
    value.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])


def test_an_argument_returned_unchanged_keeps_its_place_in_the_graph():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2  # deliberately not 1, to see that this backward ran

    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and x.grad_fn is None
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_saved_tensor_modified_in_place_raises():
    x = _x(3)
    h = x * 1.0
    y = FUNCTIONS["scaled_mul"].apply(h, x, 2.0)
    with gn.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_backward_with_the_wrong_number_of_gradients_raises():
    class TooFew(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    y = TooFew.apply(_x(2), _x(2))
    with pytest.raises(RuntimeError, match="returned 1 gradients but forward took 2"):
        y.sum().backward()


def test_backward_with_a_gradient_of_the_wrong_shape_raises():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum(dim=0)  # (2,) for an argument of shape (3, 2)

    y = WrongShape.apply(_x(3, 2))
    with pytest.raises(
        RuntimeError, match=r"shape \(2,\) for argument 0, a tensor of shape \(3, 2\)"
    ):
        y.sum().backward()


def test_save_for_backward_takes_tensors_only():
    class SavesNumber(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3.0)
            return x

        @staticmethod
        def backward(ctx, g):  # pragma: no cover - never reached
            return g

    with pytest.raises(TypeError, match="save_for_backward takes tensors"):
        SavesNumber.apply(_x(2))


def test_function_is_not_instantiated():
    with pytest.raises(RuntimeError, match=r"\.apply"):
        FUNCTIONS["exp"]()


def test_second_backward_through_freed_node_raises():
    y = FUNCTIONS["exp"].apply(_x(2)).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


# ----------------------------------------------------------------------------------------------
# Parity with torch.autograd.Function: the same class bodies on both libraries
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["exp", "scaled_mul", "clamp", "sincos"])
def test_matches_torch_autograd_function(name):
    torch = pytest.importorskip("torch")
    ours, theirs = FUNCTIONS[name], _make_functions(torch.autograd.Function)[name]
    rng = np.random.default_rng(7)
    arrays = [rng.uniform(-1, 1, size=(3, 4)) for _ in range(2)]
    extra = {"exp": (), "scaled_mul": (2.5,), "clamp": (-0.5, 0.5), "sincos": ()}[name]
    n_tensors = 2 if name == "scaled_mul" else 1

    def run(lib, fn):
        xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays[:n_tensors]]
        out = fn.apply(*xs, *extra)
        outs = out if isinstance(out, tuple) else (out,)
        total = sum((o * (k + 1.0)).sum() for k, o in enumerate(outs))
        total.backward()
        return [o.detach().numpy() for o in outs], [x.grad.numpy() for x in xs]

    (our_out, our_grads), (their_out, their_grads) = run(gn, ours), run(torch, theirs)
    for a, b in zip(our_out + our_grads, their_out + their_grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
