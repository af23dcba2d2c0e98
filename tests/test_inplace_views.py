"""In-place changes through views: ``y[1:].mul_(3)`` changes y, and y's gradient goes through
the change (ViewWrite), as in PyTorch; an indexed assignment from the tensor itself
(``y[1:] *= 3``, ``y[:, :2] = y[:, :2].sigmoid()``) is not refused."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.numerical import gradcheck

# Each case: code run with `torch` bound to glassnet or to PyTorch; it sets `out` (x.grad).
CASES = {
    "slice_mul_": "y = x * 2; y[1:].mul_(3); y.sum().backward()",
    "row_zero_": "y = x + 0; y[0].zero_(); (y * y).sum().backward()",
    "slice_sigmoid_": "y = x * 1; y[:2].sigmoid_(); (y * 3).sum().backward()",
    "view_then_row_relu_": "y = x * 1; torch.relu_(y.view(2, 2)[0]); y.sum().backward()",
    "transpose_add_": "y = x * 2; y.t().add_(1); (y ** 2).sum().backward()",
    "view_of_view": "y = x * 3; y[1:][0].mul_(5); (y * y).sum().backward()",
    "narrow_mul_": "y = x * 2; y.narrow(0, 1, 2).mul_(3); y.sum().backward()",
    "augmented_slice": "y = x * 2; y[1:] *= 3; y.sum().backward()",
    "assign_from_itself": "y = x * 2; y[:, :1] = y[:, :1].sigmoid(); (y * y).sum().backward()",
    "assign_sum_of_rows": "y = x * 2; y[0] = y[1] + y[1]; y.sum().backward()",
    "view_used_after": "y = x * 2; v = y[1:]; v.mul_(3); (v.sum() + y.sum()).backward()",
    "copy_into_buffer": "buf = torch.zeros(4, 2); buf[1].copy_(x[0] * 2); buf.sum().backward()",
    "add_into_buffer_row": "buf = torch.ones(4, 2); buf[2].add_(x[1]); (buf * buf).sum().backward()",
}


def _shape(name):
    return (4,) if name in ("slice_mul_", "slice_sigmoid_", "view_then_row_relu_", "augmented_slice",
                            "view_used_after", "view_of_view") else (4, 2)  # fmt: skip


def _run(module, code, x_values):
    x = module.tensor(x_values, requires_grad=True)
    scope = {"torch": module, "x": x}
    exec(code, scope)
    return x.grad.numpy()


@pytest.mark.parametrize("name", CASES)
def test_gradients_through_in_place_changes_of_views_match_pytorch(name):
    torch = pytest.importorskip("torch")
    x_values = np.random.default_rng(0).standard_normal(_shape(name))
    if name == "transpose_add_":
        x_values = x_values.reshape(2, 4)
    ours = _run(gn, CASES[name], x_values)
    theirs = _run(torch, CASES[name], x_values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_the_base_sees_the_new_values_and_the_gradient_from_first_principles():
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1:].mul_(3)  # y = (2x0, 6x1, 6x2)
    np.testing.assert_array_equal(y.numpy(), [2.0, 12.0, 18.0])
    (y**2).sum().backward()  # d/dx_i of (c_i x_i)^2 = 2 c_i^2 x_i
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 144.0, 216.0])


def test_gradient_through_a_view_write_agrees_with_finite_differences():
    def f(x):
        y = x * 1.5
        y[1:].mul_(x[:2])  # the new values depend on x too
        y.t()[0].tanh_() if y.ndim == 2 else None
        return (y**3).sum()

    x = gn.tensor(np.random.default_rng(1).standard_normal(3), requires_grad=True)
    assert gradcheck(f, x)


def test_second_derivatives_through_a_view_write():
    x = gn.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * x
    y[:2].mul_(x[1:])  # y = (x0^2 x1, x1^2 x2, x2^2)
    (g,) = gn.autograd.grad(y.sum(), x, create_graph=True)
    expected = [2 * 0.5 * -1.0, 0.5**2 + 2 * -1.0 * 2.0, (-1.0) ** 2 + 2 * 2.0]
    np.testing.assert_allclose(g.numpy(), expected)
    (h,) = gn.autograd.grad(g[1], x)  # d/dx of (x0^2 + 2 x1 x2)
    np.testing.assert_allclose(h.numpy(), [2 * 0.5, 2 * 2.0, 2 * -1.0])


def test_a_view_of_a_leaf_that_requires_grad_is_refused_in_one_line():
    x = gn.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"a view of a leaf tensor that requires grad \(shape \(3,\)\)"
    ):
        x[1:].mul_(2)
    np.testing.assert_array_equal(x.numpy(), [1.0, 1.0, 1.0])  # nothing was written
    with gn.no_grad():
        x[1:].mul_(2)  # allowed without recording, as an optimizer's update
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 2.0])


def test_views_without_gradients_stay_plain_writes():
    buf = gn.zeros(3, 2)
    buf[1].fill_(5.0)
    assert buf.grad_fn is None and not buf.requires_grad
    np.testing.assert_array_equal(buf.numpy()[1], [5.0, 5.0])


def test_one_element_of_a_vector_is_a_view_so_filling_it_fills_the_vector():
    w = gn.zeros(3)
    w[0].fill_(1.0)  # NumPy's w[0] is a copy; glassnet's, as PyTorch's, a 0-d view
    with gn.no_grad():
        p = gn.zeros(3, requires_grad=True)
        p[2].add_(4.0)
    np.testing.assert_array_equal(w.numpy(), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(p.numpy(), [0.0, 0.0, 4.0])
    assert w[1].shape == () and float(w[0]) == 1.0
