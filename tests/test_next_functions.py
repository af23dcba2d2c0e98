"""grad_fn.next_functions: PyTorch's view of the graph, as the official tutorials print it."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import AccumulateGrad


def _walk(node):
    """The graph below ``node`` as nested (name, [children]) with leaves as their tensor."""
    if node is None:
        return None
    if isinstance(node, AccumulateGrad):
        return node.variable
    return [_walk(child) for child, index in node.next_functions if index == 0]


def test_next_functions_lead_to_the_inputs_nodes_and_leaves():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    x = gn.tensor([3.0, 4.0])  # needs no gradient
    loss = ((w * x - 1.0) ** 2).mean()
    ((pow_node, zero),) = loss.grad_fn.next_functions
    assert zero == 0 and pow_node.name == "Pow"
    (sub_node, _), (exponent, _) = pow_node.next_functions
    assert sub_node.name == "Sub" and exponent is None  # the 2 is a constant
    (mul_node, _), (one, _) = sub_node.next_functions
    assert mul_node.name == "Mul" and one is None
    (leaf, _), (constant, _) = mul_node.next_functions
    assert isinstance(leaf, AccumulateGrad) and leaf.variable is w and constant is None
    assert leaf.next_functions == () and repr(leaf) == "<AccumulateGrad>"


def test_after_backward_next_functions_need_retain_graph():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    before = _walk(loss.grad_fn)
    loss.backward(retain_graph=True)  # the graph stays, and so does its shape
    assert _walk(loss.grad_fn) == before and before[0][0] is w and before[0][1] is w
    loss.backward()  # this one frees it: the nodes let go of their inputs
    with pytest.raises(RuntimeError, match=r"backward\(\) has freed this part of the graph"):
        loss.grad_fn.next_functions
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 8.0])  # two backward passes


def test_the_same_shape_as_pytorch():
    torch = pytest.importorskip("torch")

    def shape(node):
        if node is None:
            return None
        if type(node).__name__ == "AccumulateGrad":
            return "leaf"
        return [shape(child) for child, _ in node.next_functions]

    results = []
    for lib in (gn, torch):
        w = lib.tensor([[1.0, 2.0]], requires_grad=True)
        b = lib.tensor([0.5], requires_grad=True)
        x = lib.tensor([[3.0], [4.0]])
        results.append(shape((x @ w + b).tanh().sum().grad_fn))
    assert results[0] == results[1]
