"""torch.autograd.graph's register_multi_grad_hook and gradient edges; autograd.grad's pruned walk."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd_graph import GradientEdge, get_gradient_edge, register_multi_grad_hook


def _as_lists(grads):
    return [None if g is None else g.tolist() for g in grads]


def _multi_hook_story(m):
    """The same calls in glassnet and torch; returns what the hooks saw."""
    a = m.ones(2, requires_grad=True)
    b = m.ones(3, requires_grad=True)
    c = m.ones(1, requires_grad=True)
    seen = []
    handle = m.autograd.graph.register_multi_grad_hook(
        (a, b, c), lambda g: seen.append(_as_lists(g))
    )
    (a.sum() * 2 + b.sum()).backward()
    (b.sum() * 3).backward()
    handle.remove()
    a.sum().backward()
    x, y = a * 1, b * 1
    handle = m.autograd.graph.register_multi_grad_hook((x, y), lambda g: seen.append(_as_lists(g)))
    (x.sum() + y.sum() * 5).backward()
    handle.remove()
    x, y = a * 1, b * 1
    handle = m.autograd.graph.register_multi_grad_hook((x, y), lambda g: seen.append(_as_lists(g)))
    m.autograd.grad(x.sum() + y.sum() * 5, [x])
    handle.remove()
    first = []
    handle = m.autograd.graph.register_multi_grad_hook(
        (a, c), lambda g: first.append(g.tolist()), mode="any"
    )
    (a.sum() * 2 + c.sum()).backward()
    (a.sum() * 4).backward()
    handle.remove()
    return seen, len(first)


def test_multi_grad_hook_sees_what_torch_sees():
    torch = pytest.importorskip("torch")
    assert _multi_hook_story(gn) == _multi_hook_story(torch)


def test_multi_grad_hook_values_and_refusals():
    seen, firsts = _multi_hook_story(gn)
    assert seen[0] == [[2.0, 2.0], [1.0, 1.0, 1.0], None]
    assert seen[1] == [None, [3.0, 3.0, 3.0], None]
    assert len(seen) == 4 and firsts == 2  # nothing after remove(); "any": once per walk
    a = gn.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="expected mode 'all' or 'any', got 'bad'"):
        register_multi_grad_hook((a,), print, mode="bad")
    with pytest.raises(RuntimeError, match="tensor 1 does not require grad"):
        register_multi_grad_hook((a, gn.ones(2)), print)


def test_gradient_edges_give_the_gradient_at_a_node():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    x = a * 3
    edge = get_gradient_edge(x)
    assert isinstance(edge, GradientEdge) and edge.node is x.grad_fn and edge.output_nr == 0
    (gx,) = gn.autograd.grad((x * x).sum(), edge)
    np.testing.assert_allclose(gx.numpy(), 2 * x.detach().numpy())
    (ga,) = gn.autograd.grad((a * 5).sum(), get_gradient_edge(a))  # a leaf's AccumulateGrad
    np.testing.assert_allclose(ga.numpy(), [5.0, 5.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        get_gradient_edge(gn.ones(2))


def test_grad_runs_no_rule_beyond_its_inputs():
    runs = []

    class Counted(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            runs.append(1)
            return g * 2

    a = gn.ones(3, requires_grad=True)
    h = Counted.apply(a)
    y = h * h
    (gh,) = gn.autograd.grad(y.sum(), h, retain_graph=True)
    np.testing.assert_allclose(gh.numpy(), 2 * h.detach().numpy())
    assert runs == []  # the rule below h was not needed
    (ga,) = gn.autograd.grad(y.sum(), a)
    assert runs == [1]
    np.testing.assert_allclose(ga.numpy(), 8 * np.ones(3))


def test_grad_of_an_intermediate_after_backward_freed_what_lies_below():
    torch = pytest.importorskip("torch")
    for m in (gn, torch):
        a = m.ones(2, requires_grad=True)
        x = a * 1
        x.sum().backward()  # frees x's node
        (gx,) = m.autograd.grad((x * 3).sum(), [x])
        assert gx.tolist() == [3.0, 3.0]
        with pytest.raises(RuntimeError, match="second time"):
            m.autograd.grad((x * 3).sum(), [a])
