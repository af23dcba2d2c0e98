"""torch.utils.checkpoint: a checkpointed block gives the gradients of the plain block, keeps
none of its inner values in the graph, and draws the same dropout mask when run again."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.autograd import Op
from glassnet.utils.checkpoint import checkpoint, checkpoint_sequential


def _block(seed=0, p=0.0):
    gn.manual_seed(seed)
    layers = [nn.Linear(4, 6), nn.Tanh()]
    if p:
        layers.append(nn.Dropout(p))
    return nn.Sequential(*layers, nn.Linear(6, 3))


def _nodes(t):
    """The names of the graph nodes behind t."""
    names, stack, seen = [], [t.grad_fn], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, Op) or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name)
        stack.extend(p for p in node.parents if p is not None)
    return names


def _grads(model, x, use_checkpoint, seed=1):
    model.zero_grad()
    if x.grad is not None:
        x.grad = None
    gn.manual_seed(seed)
    y = checkpoint(model, x, use_reentrant=False) if use_checkpoint else model(x)
    (y**2).sum().backward()
    return (
        y.numpy(),
        [p.grad.numpy().copy() for p in model.parameters()],
        (None if x.grad is None else x.grad.numpy().copy()),
    )


@pytest.mark.parametrize("x_requires_grad", [True, False])
@pytest.mark.parametrize("p", [0.0, 0.5])
def test_gradients_equal_the_plain_blocks(x_requires_grad, p):
    model = _block(p=p)
    x = gn.randn(5, 4, requires_grad=x_requires_grad)
    y0, g0, gx0 = _grads(model, x, False)
    y1, g1, gx1 = _grads(model, x, True)
    np.testing.assert_array_equal(y1, y0)  # the same numbers, computed in the same order
    for a, b in zip(g1, g0):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    if x_requires_grad:
        np.testing.assert_allclose(gx1, gx0, rtol=1e-6, atol=1e-7)
    else:
        assert gx1 is None and gx0 is None


def test_the_graph_keeps_none_of_the_blocks_inner_values():
    model = _block()
    x = gn.randn(5, 4, requires_grad=True)
    plain = _nodes((model(x) ** 2).sum())
    kept = _nodes((checkpoint(model, x) ** 2).sum())
    assert "Tanh" in " ".join(plain) or len(plain) > len(kept)
    assert len(kept) == 3, kept  # the sum, the square and the checkpoint node itself


def test_random_draws_after_the_block_go_on_as_without_it():
    model = _block(p=0.5)
    x = gn.randn(5, 4)
    gn.manual_seed(3)
    y = checkpoint(model, x)
    after_forward = gn.rand(3).numpy()
    gn.manual_seed(3)
    model(x)
    np.testing.assert_array_equal(after_forward, gn.rand(3).numpy())
    gn.manual_seed(4)
    expected = gn.rand(3).numpy()
    gn.manual_seed(4)
    y.sum().backward()  # runs the block again, restoring the generator around it
    np.testing.assert_array_equal(gn.rand(3).numpy(), expected)


def test_several_outputs_and_keyword_arguments():
    gn.manual_seed(0)
    w = gn.randn(3, 3, requires_grad=True)

    def block(a, b, scale=1.0):
        return (a @ w) * scale, (b * w).sum(), 7

    a, b = gn.randn(2, 3, requires_grad=True), gn.randn(3, 3, requires_grad=True)
    plain = block(a, b, scale=2.0)
    (plain[0].sum() + 3 * plain[1]).backward()
    expected = [t.grad.numpy().copy() for t in (w, a, b)]
    for t in (w, a, b):
        t.grad = None
    out = checkpoint(block, a, b, scale=2.0)
    assert out[2] == 7
    (out[0].sum() + 3 * out[1]).backward()
    for t, e in zip((w, a, b), expected):
        np.testing.assert_allclose(t.grad.numpy(), e, rtol=1e-6)


def test_autograd_grad_and_second_use_of_the_input():
    model = _block()
    x = gn.randn(5, 4, requires_grad=True)
    y = checkpoint(model, x)
    loss = (y**2).sum() + (x**3).sum()
    (gx,) = gn.autograd.grad(loss, x)
    y2 = model(x)
    (expected,) = gn.autograd.grad((y2**2).sum() + (x**3).sum(), x)
    np.testing.assert_allclose(gx.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7)


def test_a_tensor_captured_from_outside_the_block_gets_its_gradient():
    a = gn.randn(3, requires_grad=True)
    outer = a * 2  # a non-leaf made before the block
    x = gn.randn(4, 3, requires_grad=True)
    y = checkpoint(lambda v: (v * outer).tanh(), x)
    (y.sum() + outer.sum()).backward()
    got = a.grad.numpy().copy()
    a.grad = None
    outer = a * 2
    ((x * outer).tanh().sum() + outer.sum()).backward()
    np.testing.assert_allclose(got, a.grad.numpy(), rtol=1e-6)


def test_checkpoint_sequential_matches_the_plain_model():
    gn.manual_seed(0)
    model = nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.ReLU()) for _ in range(5)])
    x = gn.randn(3, 4, requires_grad=True)
    model(x).sum().backward()
    expected = [p.grad.numpy().copy() for p in model.parameters()] + [x.grad.numpy().copy()]
    model.zero_grad()
    x.grad = None
    for segments in (1, 2, 3, 5, 8):
        model.zero_grad()
        x.grad = None
        y = checkpoint_sequential(model, segments, x, use_reentrant=False)
        np.testing.assert_allclose(y.numpy(), model(x).numpy(), rtol=1e-6)
        y.sum().backward()
        got = [p.grad.numpy() for p in model.parameters()] + [x.grad.numpy()]
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)


def test_without_recording_it_is_the_plain_call():
    model = _block()
    x = gn.randn(2, 4)
    with gn.no_grad():
        y = checkpoint(model, x)
    assert y.grad_fn is None
    np.testing.assert_array_equal(y.numpy(), model(x).detach().numpy())


def test_bad_input_and_a_block_that_changes_between_runs():
    with pytest.raises(TypeError, match=r"checkpoint expects a function or a module, got int"):
        checkpoint(3, gn.randn(2))
    with pytest.raises(ValueError, match=r"determinism_check must be 'default' or 'none'"):
        checkpoint(lambda v: v, gn.randn(2), determinism_check="strict")
    with pytest.raises(ValueError, match=r"segments must be a whole number >= 1, got 0"):
        checkpoint_sequential(nn.Sequential(nn.ReLU()), 0, gn.randn(2))
    calls = []
    w = gn.randn(3, requires_grad=True)

    def changing(v):
        calls.append(1)
        return (v * w)[: 4 - len(calls)]

    y = checkpoint(changing, gn.randn(3))
    with pytest.raises(RuntimeError, match=r"shapes \[\(3,\)\] when first run and \[\(2,\)\]"):
        y.sum().backward()


def test_gradients_match_pytorchs_checkpoint():
    torch = pytest.importorskip("torch")
    from torch.utils.checkpoint import checkpoint as torch_checkpoint

    model = _block()
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    with torch.no_grad():
        for tp, p in zip(tmodel.parameters(), model.parameters()):
            tp.copy_(torch.from_numpy(p.numpy()))
    x_np = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    x, tx = gn.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    (checkpoint(model, x, use_reentrant=False) ** 2).sum().backward()
    (torch_checkpoint(tmodel, tx, use_reentrant=False) ** 2).sum().backward()
    for p, tp in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_torch_utils_checkpoint_under_glassnet_run():
    from glassnet.torch_alias import aliased_torch

    with aliased_torch():
        import torch.utils.checkpoint as tc

        assert tc.checkpoint is checkpoint and tc.checkpoint_sequential is checkpoint_sequential
