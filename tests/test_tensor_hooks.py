"""Tensor.register_hook: gradients seen and replaced during backward, as in PyTorch."""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")


def _run(lib, double_leaf_hook=True, mid_hook=True):
    """One graph in glassnet or PyTorch, with hooks that record and change gradients."""
    seen = {"leaf": [], "mid": [], "order": []}
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = lib.tensor([0.5, 0.25, -1.0], requires_grad=True)
    mid = x * w  # an intermediate result, used twice below
    mid.retain_grad()
    x.register_hook(lambda g: seen["leaf"].append(g.numpy().copy()))
    if double_leaf_hook:
        x.register_hook(lambda g: (seen["order"].append("second"), g * 2)[1])
    if mid_hook:
        mid.register_hook(lambda g: g + 1)
    loss = (mid * mid).sum() + (mid * x).sum() + (x * 3).sum()  # x reaches the loss 3 ways
    loss.backward()
    return x.grad.numpy(), w.grad.numpy(), mid.grad.numpy(), seen


@pytest.mark.parametrize("double_leaf_hook", [False, True])
@pytest.mark.parametrize("mid_hook", [False, True])
def test_hooks_see_and_change_what_pytorch_sees_and_changes(double_leaf_hook, mid_hook):
    ours = _run(gn, double_leaf_hook, mid_hook)
    theirs = _run(torch, double_leaf_hook, mid_hook)
    for a, b in zip(ours[:3], theirs[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert len(ours[3]["leaf"]) == len(theirs[3]["leaf"]) == 1  # once, with the whole sum
    np.testing.assert_allclose(ours[3]["leaf"][0], theirs[3]["leaf"][0], rtol=1e-6)
    assert ours[3]["order"] == theirs[3]["order"]


def test_a_removed_hook_is_not_called_and_post_accumulate_hooks_see_the_hooked_grad():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append("removed"))
    handle.remove()
    x.register_hook(lambda g: g * 0 + 7)
    x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.numpy().tolist()))
    (x * x).sum().backward()
    assert calls == [[7.0, 7.0]]


def test_hooks_in_a_recorded_backward_stay_differentiable():
    results = []
    for lib in (gn, torch):
        x = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        x.register_hook(lambda g: g * 3)
        (g,) = lib.autograd.grad((x**3).sum() + (x * x).sum(), x, create_graph=True)
        results.append((g.detach().numpy().copy(), lib.autograd.grad(g.sum(), x)[0].numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_one_clear_line_for_bad_hooks():
    with pytest.raises(RuntimeError, match=r"cannot register a hook on a tensor that doesn't"):
        gn.tensor([1.0]).register_hook(lambda g: g)
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"changed the gradient's shape from \(2,\) to \(\)"):
        (x * x).sum().backward()
