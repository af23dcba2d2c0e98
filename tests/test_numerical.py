"""Numerical derivatives as public tools, and gradcheck's verdicts and messages."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import Op


def test_numerical_derivative_of_the_seed_example():
    def square(x):
        return x**2

    assert gn.numerical_derivative(square, 3.0) == pytest.approx(6.0, abs=1e-6)
    assert gn.numerical_derivative(square, -3.0) == pytest.approx(-6.0, abs=1e-6)


def test_numerical_gradient_of_a_multivariable_function():
    def f(x, y):
        return 2 * x + 3 * y  # the seed's f

    assert gn.numerical_gradient(f, 1.0, 2.0) == pytest.approx((2.0, 3.0))
    gx, gy = gn.numerical_gradient(lambda x, y: f(x.sum(), y.sum()), np.ones(2), np.ones(3))
    np.testing.assert_allclose(gx, [2.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(gy, [3.0, 3.0, 3.0], atol=1e-6)
    (g,) = gn.numerical_gradient(lambda t: (t * t).sum(), gn.tensor([1.0, -2.0]))
    np.testing.assert_allclose(g, [2.0, -4.0], atol=1e-5)


def test_backprop_agrees_with_numerical_gradient():
    x = gn.tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
    f = lambda t: (t.tanh() * t).sum()  # noqa: E731
    f(x).backward()
    (numeric,) = gn.numerical_gradient(f, x)
    np.testing.assert_allclose(x.grad.numpy(), numeric, atol=1e-6)


class _WrongSquare(Op):
    """y = x**2 with a deliberately wrong derivative (3x instead of 2x)"""

    def forward(self, x):
        return x * x

    def backward(self, g):
        return (g * 3 * self.inputs[0],)


def test_gradcheck_names_input_element_and_values_when_wrong():
    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    with pytest.raises(
        gn.GradcheckError,
        match=r"input 0 \(shape \(2,\)\) at element \(0,\): "
        r"backprop gives [\d.]+, numerical gives [\d.]+, difference",
    ):
        gn.gradcheck(lambda t: _WrongSquare()(t), x)
    assert gn.gradcheck(lambda t: _WrongSquare()(t), x, raise_exception=False) is False
    from glassnet.autograd import OP_REGISTRY

    OP_REGISTRY.pop("_WrongSquare", None)


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        gn.gradcheck(lambda t: t * 2, gn.tensor([1.0], requires_grad=True))


def test_gradgradcheck_catches_wrong_second_derivative():
    class _FirstOrderOnly(Op):
        """y = x**3 whose backward forgets that 3x^2 depends on x"""

        def forward(self, x):
            return x**3

        def backward(self, g):
            return (g * gn.tensor(3 * self.inputs[0].numpy() ** 2),)

    x = gn.tensor([0.5, 1.5], dtype=gn.float64, requires_grad=True)
    assert gn.gradcheck(lambda t: _FirstOrderOnly()(t), x)
    with pytest.raises(gn.GradcheckError):
        gn.gradgradcheck(lambda t: _FirstOrderOnly()(t), x)
    # gradgradcheck passes gradcheck's options on. The second derivatives are off by 6x times
    # two random weights in [0.5, 1.5] (at most 6 * 1.5 * 1.5**2 ~ 20 here): atol=50 forgives.
    f = lambda t: _FirstOrderOnly()(t)  # noqa: E731
    assert gn.gradgradcheck(f, x, raise_exception=False) is False
    assert gn.gradgradcheck(f, x, atol=50.0) is True
    with pytest.raises(TypeError, match="atoll"):
        gn.gradgradcheck(f, x, atoll=1.0)
    from glassnet.autograd import OP_REGISTRY

    OP_REGISTRY.pop("_FirstOrderOnly", None)


def test_gradcheck_passes_integer_inputs_through_unchanged():
    logits = gn.tensor(np.random.default_rng(1).normal(size=(4, 3)), requires_grad=True)
    labels = gn.tensor([0, 2, 1, 2])

    def pick(x, idx):
        assert idx.dtype == gn.int64
        return x[gn.arange(4), idx]

    assert gn.gradcheck(pick, logits, labels)


def test_gradcheck_handles_non_contiguous_inputs():
    x = gn.tensor(np.random.default_rng(2).normal(size=(3, 4)), requires_grad=True)
    x_t = x.detach().T.requires_grad_()  # a transposed (non-contiguous) view
    assert not x_t.numpy().flags.c_contiguous
    assert gn.gradcheck(lambda t: (t * t).sum(dim=0), x_t)
    (g,) = gn.numerical_gradient(lambda t: (t * t).sum(), x_t)
    np.testing.assert_allclose(g, 2 * x_t.numpy(), atol=1e-5)


def test_gradcheck_names_the_right_input_when_a_later_one_is_wrong():
    a = gn.tensor([1.0, 2.0, 3.0], dtype=gn.float64, requires_grad=True)
    b = gn.tensor([0.5, 1.5], dtype=gn.float64, requires_grad=True)
    with pytest.raises(gn.GradcheckError, match=r"input 1 \(shape \(2,\)\)"):
        gn.gradcheck(lambda x, y: x.sum() + _WrongSquare()(y).sum(), a, b)


def test_pytorchs_form_with_a_tuple_of_inputs():
    x = gn.randn(3, dtype=gn.float64, requires_grad=True)
    w = gn.randn(3, dtype=gn.float64, requires_grad=True)
    shapes = []

    def f(a, b):
        shapes.append((a.shape, b.shape))
        return a * b

    assert gn.autograd.gradcheck(f, (x, w), eps=1e-6, atol=1e-4)  # torch.autograd's spelling
    assert shapes[0] == ((3,), (3,))  # each tensor reaches f as itself, not stacked
    assert gn.gradgradcheck(f, (x, w))

    class WrongSlope(Op):
        """y = 2 x, but backward says 3"""

        def forward(self, a):
            return 2 * a

        def backward(self, g):
            return (g * 3,)

    with pytest.raises(gn.GradcheckError, match=r"input 0 \(shape \(3,\)\)"):
        gn.autograd.gradcheck(lambda a, b: WrongSlope()(a) * b, (x, w))
