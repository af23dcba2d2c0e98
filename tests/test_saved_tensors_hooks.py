"""Saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks) and which values each op saves."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd_graph import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks


def _counting_pack(log):
    def pack(t):
        log.append(("pack", tuple(t.shape), gn.is_grad_enabled()))
        return t

    return pack


def test_mul_packs_both_factors_and_unpacks_them_in_backward():
    log = []
    a = gn.ones(5, requires_grad=True)
    b = (gn.ones(5) * 2).requires_grad_()

    def unpack(t):
        log.append(("unpack", tuple(t.shape), gn.is_grad_enabled()))
        return t

    with saved_tensors_hooks(_counting_pack(log), unpack):
        y = a * b
    assert log == [("pack", (5,), False), ("pack", (5,), False)]
    y.sum().backward()
    assert log[2:] == [("unpack", (5,), False), ("unpack", (5,), False)]
    np.testing.assert_array_equal(a.grad.numpy(), np.full(5, 2.0))


def test_the_rule_reads_what_unpack_returns():
    a = gn.ones(5, requires_grad=True)
    b = (gn.ones(5) * 2).requires_grad_()
    with saved_tensors_hooks(lambda t: t * 4, lambda t: t / 2):
        y = a * b
    y.sum().backward()
    # dL/da = unpack(pack(b)) = 2 b = 4 and dL/db = 2 a = 2
    np.testing.assert_array_equal(a.grad.numpy(), np.full(5, 4.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(5, 2.0))


def test_hooks_outside_the_block_do_not_apply():
    log = []
    a = gn.ones(3, requires_grad=True)
    with saved_tensors_hooks(_counting_pack(log), lambda t: t):
        pass
    (a * a).sum().backward()
    with saved_tensors_hooks(_counting_pack(log), lambda t: t), gn.no_grad():
        a * a  # nothing recorded, nothing packed
    assert log == []


def test_the_innermost_block_wins_and_retain_graph_unpacks_again():
    outer, inner, unpacks = [], [], []
    a = gn.ones(3, requires_grad=True)
    with saved_tensors_hooks(_counting_pack(outer), lambda t: t):
        with saved_tensors_hooks(_counting_pack(inner), lambda t: unpacks.append(1) or t):
            y = a.exp()
    assert outer == [] and len(inner) == 1
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert len(unpacks) == 2
    np.testing.assert_allclose(a.grad.numpy(), 2 * np.e * np.ones(3), rtol=1e-6)


def test_a_custom_function_packs_its_saved_tensors():
    class Double(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x

    a = gn.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t * 3, lambda t: t):
        y = Double.apply(a)
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full(3, 3.0))


def test_packing_to_disk_and_back(tmp_path):
    names = []

    def pack(t):
        name = str(tmp_path / f"saved{len(names)}.pt")
        gn.save(t, name)
        names.append(name)
        return name

    model = gn.nn.Sequential(gn.nn.Linear(5, 5), gn.nn.ReLU(), gn.nn.Linear(5, 1))
    x = gn.randn(3, 5)
    expected = gn.autograd.grad(model(x).sum(), model[0].weight)[0]
    with saved_tensors_hooks(pack, lambda name: gn.load(name)):
        out = model(x).sum()
    assert names  # the layers' saved tensors went to files
    out.backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), expected.numpy(), rtol=1e-6)


def test_save_on_cpu_gives_the_same_gradients():
    x = gn.randn(4, requires_grad=True)
    with save_on_cpu(pin_memory=False):
        y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy(), rtol=1e-6)


def test_identity_hooks_keep_second_derivatives():
    x = gn.tensor([1.5, -2.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        y = (x**3).sum()
    (g,) = gn.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([1.5, -2.0]), rtol=1e-6)


def test_disable_refuses_hooks_with_its_message():
    a = gn.ones(3, requires_grad=True)
    with disable_saved_tensors_hooks("no hooks in this block"):
        with pytest.raises(RuntimeError, match="no hooks in this block"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        with disable_saved_tensors_hooks("not here either"):
            with pytest.raises(RuntimeError, match="not here either"):
                a.exp()
    with saved_tensors_hooks(lambda t: t, lambda t: t):  # usable again after the block
        a.exp()


def test_bad_unpack_results_get_one_clear_line():
    a = gn.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = a * a
    with pytest.raises(TypeError, match="unpack hook must return a Tensor, got int"):
        y.sum().backward()
    with saved_tensors_hooks(lambda t: t, lambda t: gn.ones(2)):
        y = a * a
    with pytest.raises(RuntimeError, match=r"shape \(2,\) for a saved tensor of shape \(3,\)"):
        y.sum().backward()
    with pytest.raises(TypeError, match="expected two functions"):
        saved_tensors_hooks(1, 2)


def test_raw_saved_tensor_hooks_apply_to_one_value():
    calls = []
    x = gn.randn(5, requires_grad=True)
    y = x.pow(2)
    y.grad_fn._raw_saved_self.register_hooks(
        lambda t: calls.append("pack") or t, lambda t: calls.append("unpack") or t
    )
    with pytest.raises(RuntimeError, match="already has hooks"):
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
    y.sum().backward()
    assert calls == ["pack", "unpack"]
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="already freed"):
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)


# -- parity with PyTorch: which tensors each op saves -------------------------------------------

_CASES = {
    "mul": lambda m, a, b, w: a * b,
    "add": lambda m, a, b, w: a + b,
    "div": lambda m, a, b, w: a / b,
    "exp": lambda m, a, b, w: a.exp(),
    "sin": lambda m, a, b, w: a.sin(),
    "tanh": lambda m, a, b, w: a.tanh(),
    "sigmoid": lambda m, a, b, w: a.sigmoid(),
    "relu": lambda m, a, b, w: a.relu(),
    "pow": lambda m, a, b, w: a.pow(2),
    "neg": lambda m, a, b, w: -a,
    "sum": lambda m, a, b, w: a.sum(),
    "mean": lambda m, a, b, w: a.mean(),
    "matmul": lambda m, a, b, w: a @ b.T,
    "linear": lambda m, a, b, w: m.nn.functional.linear(a, w),
    "linear_const_input": lambda m, a, b, w: m.nn.functional.linear(a.detach(), w),
    "softmax": lambda m, a, b, w: a.softmax(-1),
    "log_softmax": lambda m, a, b, w: a.log_softmax(-1),
    "view": lambda m, a, b, w: a.view(20),
    "abs": lambda m, a, b, w: a.abs(),
    "clamp": lambda m, a, b, w: a.clamp(-0.5, 0.5),
}


def _pack_count(m, name):
    m.manual_seed(0)
    a = m.randn(4, 5).requires_grad_()
    b = m.randn(4, 5).requires_grad_()
    w = m.randn(3, 5).requires_grad_()
    count = []
    with m.autograd.graph.saved_tensors_hooks(lambda t: count.append(1) or t, lambda t: t):
        _CASES[name](m, a, b, w)
    return len(count)


@pytest.mark.parametrize("name", sorted(_CASES))
def test_each_op_packs_as_many_tensors_as_torch(name):
    torch = pytest.importorskip("torch")
    assert _pack_count(gn, name) == _pack_count(torch, name)


def _raises_after_inplace_change(m, name):
    """Whether changing the op's input in place between forward and backward is refused."""
    m.manual_seed(0)
    a = m.randn(4, 5).requires_grad_()
    b = m.randn(4, 5).requires_grad_()
    w = m.randn(3, 5).requires_grad_()
    a2, b2, w2 = a * 1, b * 1, w * 1  # non-leaves, so they may change in place
    y = _CASES[name](m, a2, b2, w2)
    with m.no_grad():
        a2.add_(1)
    try:
        y.sum().backward()
    except RuntimeError as error:
        assert "in-place" in str(error) or "inplace" in str(error)
        return True
    return False


@pytest.mark.parametrize("name", sorted(_CASES))
def test_inplace_change_is_refused_exactly_where_torch_refuses_it(name):
    torch = pytest.importorskip("torch")
    assert _raises_after_inplace_change(gn, name) == _raises_after_inplace_change(torch, name)


class _Mixed(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = gn.nn.Conv2d(2, 3, 3, padding=1)
        self.bn = gn.nn.BatchNorm2d(3)
        self.lstm = gn.nn.LSTM(12, 5, batch_first=True)
        self.norm = gn.nn.LayerNorm(5)
        self.head = gn.nn.Linear(5, 2)

    def forward(self, x):
        h = gn.nn.functional.max_pool2d(self.bn(self.conv(x)).relu(), 2)  # (N, 3, 2, 2)
        seq = h.reshape(h.shape[0], 1, 12).repeat(1, 3, 1)
        out, _ = self.lstm(seq)
        return gn.nn.functional.cross_entropy(self.head(self.norm(out[:, -1])), gn.tensor([0, 1]))


@pytest.mark.parametrize("pack", [lambda t: t, lambda t: t.clone()], ids=["same", "copy"])
def test_every_layer_gives_the_same_gradients_under_hooks(pack):
    gn.manual_seed(3)
    model = _Mixed()
    x = gn.randn(2, 2, 4, 4)
    model(x).backward()
    expected = {n: p.grad.numpy().copy() for n, p in model.named_parameters()}
    model.zero_grad()
    with saved_tensors_hooks(pack, lambda t: t):
        loss = model(x)
    loss.backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), expected[name], rtol=1e-5, atol=1e-7, err_msg=name
        )
