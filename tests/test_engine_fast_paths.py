"""The engine's fast paths agree with their readable twins.

* Tensor's ``+``, ``-``, ``*`` go straight to the op for floats of one dtype; ``api.binary``
  (dtype promotion, the broadcasting error) is the general way.
* Sum and Mean spread the gradient back as a broadcast view in the first-order walk (a new
  filled array when small), and with Tensor ops when the walk is recorded (``create_graph=True``).
* Gradients meeting at a node are summed as arrays first-order, as Tensors when recorded.
* The version check skips calling ``saved_inputs`` for ops that read every input.
* Cross-entropy picks target entries by one fancy index for (N, C), take_along_axis otherwise.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ShapeError
from glassnet.ops import api
from glassnet.ops import elementwise as E
from glassnet.ops.loss import _add_to_target_entries, _target_entries
from glassnet.ops.reduce import FILL_MAX_NUMBERS

RNG = np.random.default_rng(7)

OPERATORS = {
    "add": (lambda a, b: a + b, E.Add, False),
    "radd": (lambda a, b: b + a, E.Add, True),
    "sub": (lambda a, b: a - b, E.Sub, False),
    "rsub": (lambda a, b: b - a, E.Sub, True),
    "mul": (lambda a, b: a * b, E.Mul, False),
    "rmul": (lambda a, b: b * a, E.Mul, True),
}
OTHERS = {
    "tensor": lambda: gn.tensor(RNG.standard_normal((2, 3)).astype(np.float32)),
    "row": lambda: gn.tensor(RNG.standard_normal(3).astype(np.float32)),
    "float": lambda: 2.5,
    "int": lambda: 3,
}


@pytest.mark.parametrize("other", sorted(OTHERS), ids=sorted(OTHERS))
@pytest.mark.parametrize("name", sorted(OPERATORS), ids=sorted(OPERATORS))
def test_operator_fast_path_equals_api_binary(name, other):
    apply, op_class, reflected = OPERATORS[name]
    a = gn.tensor(RNG.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = OTHERS[other]()
    fast = apply(a, b)
    general = api.binary(op_class, a, b, reflected=reflected)
    assert fast.dtype == general.dtype
    np.testing.assert_array_equal(fast.numpy(), general.numpy())
    assert type(fast.grad_fn) is type(general.grad_fn)


@pytest.mark.parametrize("name", sorted(OPERATORS), ids=sorted(OPERATORS))
def test_operator_fast_path_names_shapes_that_do_not_broadcast(name):
    apply = OPERATORS[name][0]
    a, b = gn.ones(2, 3), gn.ones(4)
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(4,\)|\(4,\).*\(2, 3\)"):
        apply(a, b)


def test_operator_with_an_integer_tensor_still_promotes():
    x = gn.tensor([1, 2, 3])
    assert (x * 2.5).dtype == gn.float32
    assert (x + gn.tensor([0.5, 0.5, 0.5])).dtype == gn.float32
    assert (True + gn.tensor([1.0])).dtype == gn.float32


REDUCTIONS = {
    "sum_all": lambda x: x.sum(),
    "sum_dim": lambda x: x.sum(dim=1),
    "sum_keepdim": lambda x: x.sum(dim=(0, 2), keepdim=True),
    "mean_all": lambda x: x.mean(),
    "mean_dim": lambda x: x.mean(dim=-1),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS), ids=sorted(REDUCTIONS))
def test_reduction_backward_is_the_same_first_order_and_recorded(name):
    data = RNG.standard_normal((2, 3, 4))
    weights = gn.tensor(RNG.standard_normal((2, 3, 4)))
    results = []
    for create_graph in (False, True):
        x = gn.tensor(data, requires_grad=True)
        (REDUCTIONS[name](x * weights) ** 2).sum().backward(create_graph=create_graph)
        assert x.grad.requires_grad is create_graph
        results.append(x.grad.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("rows", [3, 1 + FILL_MAX_NUMBERS // 4], ids=["small", "large"])
def test_sum_first_order_gradient_is_a_view_when_large_and_filled_when_small(rows):
    x = gn.tensor(RNG.standard_normal((rows, 4)), requires_grad=True)
    y = x.sum(dim=0)
    with gn.no_grad():
        (g,) = y.grad_fn.backward(gn.tensor(np.arange(4.0)))
    np.testing.assert_array_equal(g.numpy(), np.broadcast_to(np.arange(4.0), (rows, 4)))
    large = rows * 4 > FILL_MAX_NUMBERS
    assert g.numpy().flags.writeable is not large  # a read-only view, or a new array
    assert (g.numpy().strides[0] == 0) is large
    y.sum().backward()
    x.grad.add_(1.0)  # the leaf's gradient is its own array, free to change in place
    np.testing.assert_array_equal(x.grad.numpy(), np.full((rows, 4), 2.0))


@pytest.mark.parametrize("create_graph", [False, True], ids=["first_order", "recorded"])
def test_gradients_meeting_at_a_node_add_up_without_touching_each_other(create_graph):
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2.0  # a node whose output feeds three consumers
    (h + h * h + h.exp()).sum().backward(create_graph=create_graph)
    hv = 2.0 * np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * (1 + 2 * hv + np.exp(hv)), rtol=1e-6)


def test_an_op_that_reads_every_input_still_refuses_a_changed_one():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = gn.tensor([3.0, 4.0])
    y = (a.exp() * b).sum()  # Exp keeps its output, Mul reads b for dL/da
    b.add_(1.0)
    with pytest.raises(RuntimeError, match="input 1 of Mul"):
        y.backward()


def test_the_same_tensor_twice_is_named_by_its_first_position():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    y = gn.maximum(h, h).sum()  # Maximum reads both inputs, which are one tensor
    with gn.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="input 0 of Maximum"):
        y.backward()


@pytest.mark.parametrize("shape", [(5, 4), (5, 4, 3), (5, 4, 2, 3)], ids=["2d", "3d", "4d"])
def test_target_entries_equal_take_along_axis(shape):
    a = RNG.standard_normal(shape)
    index = RNG.integers(0, shape[1], size=(shape[0],) + shape[2:])
    expected = np.take_along_axis(a, index[:, None], axis=1)[:, 0]
    np.testing.assert_array_equal(_target_entries(a, index), expected)
    values = RNG.standard_normal(index.shape)
    added = a.copy()
    _add_to_target_entries(added, index, values)
    hit = np.take_along_axis(a, index[:, None], axis=1) + values[:, None]
    reference = a.copy()
    np.put_along_axis(reference, index[:, None], hit, axis=1)
    np.testing.assert_array_equal(added, reference)
