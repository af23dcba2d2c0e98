"""grad_fn as PyTorch's torch.autograd.graph.Node: name(), metadata, register_hook,
register_prehook, isinstance(.., Node), increment_version; compared with torch 2.13."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd
from glassnet.autograd_graph import Node, increment_version

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def test_every_grad_fn_and_accumulate_grad_is_a_node():
    x = gn.randn(3, requires_grad=True)
    y = (x.exp() * 2).sum()
    assert isinstance(y.grad_fn, Node)
    mul = y.grad_fn.next_functions[0][0]
    assert isinstance(mul, Node) and isinstance(mul.next_functions[0][0].next_functions[0][0], Node)
    assert not isinstance(x, Node)


def test_name_is_a_string_and_callable():
    x = gn.randn(3, requires_grad=True)
    y = (x * 2).sum()
    assert y.grad_fn.name == "Sum" and f"{y.grad_fn.name}" == "Sum"
    assert y.grad_fn.name() == "SumBackward"
    assert y.grad_fn.next_functions[0][0].next_functions[0][0].name() == "AccumulateGrad"


def _pair(lib):
    data = np.array([0.5, -1.0, 2.0], np.float32)
    z = lib.tensor(data, requires_grad=True)
    return z, (z.exp() * 3).sum()


@needs_torch
def test_a_post_hook_sees_and_replaces_the_input_gradients_as_in_torch():
    results = []
    for lib in (gn, torch):
        z, w = _pair(lib)
        seen = []

        def hook(grad_inputs, grad_outputs, seen=seen):
            seen.append((len(grad_inputs), [g is None for g in grad_inputs], len(grad_outputs)))
            return tuple(None if g is None else g * 10 for g in grad_inputs)

        handle = w.grad_fn.next_functions[0][0].register_hook(hook)
        w.backward(retain_graph=True)
        first = z.grad.numpy().copy()
        handle.remove()
        z.grad = None
        w.backward()
        results.append((seen, first, z.grad.numpy()))
    (g_seen, g_first, g_after), (t_seen, t_first, t_after) = results
    assert g_seen == t_seen
    np.testing.assert_allclose(g_first, t_first, rtol=1e-6)
    np.testing.assert_allclose(g_after, t_after, rtol=1e-6)
    np.testing.assert_allclose(g_first, 10 * g_after, rtol=1e-6)


@needs_torch
def test_a_pre_hook_replaces_the_output_gradient_as_in_torch():
    grads = []
    for lib in (gn, torch):
        z, w = _pair(lib)
        mul = w.grad_fn.next_functions[0][0]
        handle = mul.register_prehook(lambda grad_outputs: (grad_outputs[0] * -2,))
        w.backward()
        handle.remove()  # a hook left registered would keep the walk off its fast paths
        grads.append(z.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_hooks_cost_nothing_once_removed_and_bad_returns_are_refused():
    before = autograd._grad_hook_count
    z, w = _pair(gn)
    handle = w.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
    assert autograd._grad_hook_count == before + 1
    with pytest.raises(RuntimeError, match="returned 2 gradients; expected 1"):
        w.backward(retain_graph=True)
    handle.remove()
    handle.remove()  # twice is harmless
    assert autograd._grad_hook_count == before
    w.backward()
    np.testing.assert_allclose(z.grad.numpy(), 3 * np.exp(z.detach().numpy()), rtol=1e-6)


def test_metadata_and_increment_version():
    z, w = _pair(gn)
    w.grad_fn.metadata["step"] = 3
    assert w.grad_fn.metadata == {"step": 3}
    x = gn.randn(3, requires_grad=True)
    y = x.exp()  # Exp saves its output for backward
    increment_version(y)
    with pytest.raises(RuntimeError, match="modified by an"):
        y.sum().backward()
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        increment_version([[1]])


def test_hooks_on_a_graph_that_is_gone_leave_the_count():
    import gc

    before = autograd._grad_hook_count
    z, w = _pair(gn)
    w.grad_fn.register_prehook(lambda grad_outputs: None)
    w.grad_fn.register_hook(lambda grad_inputs, grad_outputs: None)
    t = gn.randn(2, requires_grad=True)
    t.register_hook(lambda g: None)
    assert autograd._grad_hook_count == before + 3
    del w, t
    gc.collect()
    assert autograd._grad_hook_count == before


def test_saved_tensors_as_torch_names_them():
    x = gn.randn(5, requires_grad=True)
    assert x.pow(2).grad_fn._saved_self is x
    a, b = gn.randn(3, requires_grad=True), gn.randn(3, requires_grad=True)
    z = a * b
    assert z.grad_fn._saved_self is a and z.grad_fn._saved_other is b
    e = x.exp()
    np.testing.assert_array_equal(e.grad_fn._saved_result.detach().numpy(), e.detach().numpy())
    with pytest.raises(AttributeError, match="keeps no copy of its result"):
        z.grad_fn._saved_result
    e.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        e.grad_fn._saved_result
