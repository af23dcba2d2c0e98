"""The engine: accumulation, fan-out, no_grad, retain_graph, long chains, version counters, higher order."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd


def test_fan_out_accumulates_every_use():
    x = gn.tensor(3.0, requires_grad=True)
    y = x * x + x * 2 + x  # dy/dx = 2x + 3 = 9
    y.backward()
    assert x.grad.item() == pytest.approx(9.0)


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])
    x.grad.zero_()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0])


def test_pass_through_gradients_are_not_shared_between_leaves():
    a = gn.tensor([1.0], requires_grad=True)
    b = gn.tensor([2.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 5  # must not change b.grad
    assert b.grad.item() == 1.0


def test_only_leaves_keep_grad_unless_retain_grad():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = x * 3
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None
    np.testing.assert_allclose(k.grad.numpy(), h.numpy())


def test_non_scalar_backward_needs_a_gradient():
    y = gn.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2,\)"):
        y.backward()
    y.backward(gn.tensor([1.0, 10.0]))


def test_gradient_of_wrong_shape_is_refused():
    y = gn.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(
        ValueError, match=r"gradient has shape \(3,\) but the output has shape \(2,\)"
    ):
        y.backward(gn.ones(3))


def test_second_backward_through_freed_graph_raises_and_retain_graph_allows_it():
    x = gn.tensor(2.0, requires_grad=True)
    y = x.exp() * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 3 * np.exp(2.0), rel=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_backward_on_tensor_without_grad_fails_clearly():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gn.tensor(1.0).backward()


def test_no_grad_context_and_decorator():
    x = gn.tensor(1.0, requires_grad=True)
    with gn.no_grad():
        assert not gn.is_grad_enabled()
        y = x * 2
        with gn.enable_grad():
            z = x * 2
    assert gn.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @gn.no_grad()
    def predict(v):
        return v * 2

    assert not predict(x).requires_grad
    assert gn.is_grad_enabled()


def test_ten_thousand_op_chain_does_not_recurse():
    x = gn.tensor(1.0, dtype=gn.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**10_000, rel=1e-9)


def test_in_place_change_of_saved_input_is_detected():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * b  # Mul saves b
    b.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation.*Mul.*version 1"):
        c.sum().backward()


def test_in_place_change_of_saved_output_is_detected():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = a.exp()  # Exp saves its output
    b += 1
    with pytest.raises(RuntimeError, match="output of Exp is needed"):
        b.sum().backward()


def test_in_place_change_through_a_view_is_detected():
    a = gn.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    b = a * 1
    c = (b * b).sum()
    v = b.view(2, 2)
    with gn.no_grad():
        v[0, 0] = 10.0
    with pytest.raises(RuntimeError, match="in-place"):
        c.backward()


def test_in_place_op_on_non_leaf_is_differentiated_correctly():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.add_(a)  # b = 3a
    b.mul_(a)  # b = 3a^2 -> db/da = 6a
    b.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [6.0, 12.0])


def test_in_place_on_leaf_requiring_grad_is_refused_outside_no_grad():
    w = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.add_(1)
    with gn.no_grad():
        w.sub_(0.5)
    assert w.item() == 0.5


def test_only_floating_tensors_require_grad():
    with pytest.raises(TypeError, match="only floating tensors.*int64"):
        gn.tensor([1, 2], requires_grad=True)


def test_autograd_grad_returns_without_touching_dot_grad():
    x = gn.tensor(2.0, requires_grad=True)
    (dy,) = gn.autograd.grad(x**3, x, create_graph=True)
    assert dy.item() == pytest.approx(12.0)
    (d2y,) = gn.autograd.grad(dy, x)
    assert d2y.item() == pytest.approx(12.0)
    assert x.grad is None


def test_autograd_grad_of_intermediate_and_unused():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    u = gn.tensor([1.0], requires_grad=True)
    y = (h * h).sum()
    gh, gu = gn.autograd.grad(y, [h, u], allow_unused=True)
    np.testing.assert_allclose(gh.numpy(), 2 * h.numpy())
    assert gu is None
    with pytest.raises(RuntimeError, match="was not used"):
        gn.autograd.grad((x * 2).sum(), [x, u])


def test_create_graph_gives_differentiable_leaf_grad():
    x = gn.tensor(3.0, dtype=gn.float64, requires_grad=True)
    y = x**4
    y.backward(create_graph=True)  # x.grad = 4x^3 with a graph
    g = x.grad
    x.grad = None
    g.backward()  # d(4x^3)/dx = 12x^2 = 108
    assert x.grad.item() == pytest.approx(108.0)


def test_functional_grad_composes_to_any_order():
    def f(x):
        return x.sin() * x

    g1, g2 = gn.grad(f), gn.grad(gn.grad(f))
    x = 0.7
    assert g1(x).item() == pytest.approx(np.cos(x) * x + np.sin(x))
    assert g2(x).item() == pytest.approx(-np.sin(x) * x + 2 * np.cos(x))
    with pytest.raises(ValueError, match="scalar"):
        gn.grad(lambda v: v * gn.ones(2, dtype=gn.float64))(1.0)


def test_functional_grad_with_argnums_tuple():
    da, db = gn.grad(lambda a, b: a * b * b, argnums=(0, 1))(2.0, 3.0)
    assert (da.item(), db.item()) == pytest.approx((9.0, 12.0))


def test_unbroadcast_sums_stretched_axes():
    g = gn.ones(4, 2, 3)
    assert autograd.unbroadcast(g, (2, 1)).numpy().tolist() == [[12.0], [12.0]]
    assert autograd.unbroadcast(g, (3,)).shape == (3,)
    with pytest.raises(
        ValueError, match=r"cannot reduce a gradient of shape \(4, 2, 3\) to shape \(5,\)"
    ):
        autograd.unbroadcast(g, (5,))


def test_registry_lists_ops_with_their_formula():
    assert "Mul" in autograd.OP_REGISTRY and "MatMul" in autograd.OP_REGISTRY
    assert autograd.OP_REGISTRY["Mul"].formula().startswith("y = a * b")
    for name, cls in autograd.OP_REGISTRY.items():
        assert cls.__doc__, f"{name} has no docstring formula"


# ----------------------------------------------------------------------------------------------
# Version checks cover exactly the values a backward reads (issue 9, bug 5)
# ----------------------------------------------------------------------------------------------

# Each program changes a tensor in place after an op used it; in all of them the op's backward
# never reads the changed value, so PyTorch backpropagates and so must glassnet.
IN_PLACE_AFTER_UNREAD_USE = {
    "mul_by_constant_then_add": lambda lib, a: _inplace_program(a, lambda d: d.add_(3 * d)),
    "constant_times_then_mul": lambda lib, a: _inplace_program(a, lambda d: d.mul_(2)),
    "div_by_constant_then_sub": lambda lib, a: _inplace_program(
        a, lambda d: d.sub_(d / 4), first=lambda a: a / 2
    ),
    "add_then_add": lambda lib, a: _inplace_program(
        a, lambda d: d.add_(d + 1), first=lambda a: a + 1
    ),
}


def _inplace_program(a, change, first=lambda a: a * 1):
    d = first(a)
    change(d)
    (d * d).sum().backward()
    return a.grad


@pytest.mark.parametrize(
    "name", sorted(IN_PLACE_AFTER_UNREAD_USE), ids=sorted(IN_PLACE_AFTER_UNREAD_USE)
)
def test_in_place_change_of_an_unread_input_matches_torch(name):
    torch = pytest.importorskip("torch")
    program = IN_PLACE_AFTER_UNREAD_USE[name]
    values = [1.0, -2.0, 0.5]
    ours = program(gn, gn.tensor(values, dtype=gn.float64, requires_grad=True))
    theirs = program(torch, torch.tensor(values, dtype=torch.float64, requires_grad=True))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_issue_9_bug_5_mul_by_constant_then_in_place_add():
    """d = a*1; d += 3*d; d.backward() gives a.grad == 4 (as in PyTorch)."""
    a = gn.tensor(1.0, requires_grad=True)
    d = a * 1
    d += 3 * d
    d.backward()
    assert a.grad.item() == 4.0


@pytest.mark.parametrize("side", ["left", "right"])
def test_in_place_change_of_an_operand_the_other_gradient_reads_still_raises(side):
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    h = a * 1.0
    w = gn.tensor([3.0, 4.0], requires_grad=True)
    y = h * w if side == "left" else w * h  # dL/dw reads h
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_an_op_keeps_saved_values_only_until_its_backward():
    x = gn.tensor([0.5, -0.5], requires_grad=True)
    y = x.exp() * 2.0
    node = y.grad_fn
    y.sum().backward(retain_graph=True)
    assert node.inputs  # retained: a second backward could still run
    y.sum().backward()
    assert node.inputs == () and node.saved == () and node.out_data is None


def test_dropout_reads_only_its_mask_so_its_input_may_change_in_place():
    a = gn.ones(200, requires_grad=True)
    h = a * 1.0
    y = gn.nn.functional.dropout(h, p=0.5, training=True)
    h.add_(1.0)  # dL/dh = mask / (1 - p) does not read h
    y.sum().backward()
    kept = y.numpy() != 0
    np.testing.assert_allclose(a.grad.numpy(), np.where(kept, 2.0, 0.0))
