"""What PyTorch tutorials met in glassnet, each checked against torch 2.13: layer outputs
stored in PyTorch's memory order (so .view() works on them), 0-d indices in scatter/gather,
losses called with keywords, extra Nones from a Function's backward, gradcheck's switches and
the scheduler-order warning."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F

torch = pytest.importorskip("torch")

LAYOUT_CASES = {
    "conv2d": lambda L: L.nn.Conv2d(3, 6, 5)(L.ones(4, 3, 12, 12)),
    "conv2d_groups": lambda L: L.nn.Conv2d(3, 6, 3, groups=3, bias=False)(L.ones(4, 3, 9, 9)),
    "conv1d": lambda L: L.nn.Conv1d(3, 6, 3)(L.ones(4, 3, 20)),
    "conv3d": lambda L: L.nn.Conv3d(3, 4, 3)(L.ones(2, 3, 6, 6, 6)),
    "conv_transpose2d": lambda L: L.nn.ConvTranspose2d(3, 4, 3, stride=2)(L.ones(4, 3, 5, 5)),
    "conv_transpose3d": lambda L: L.nn.ConvTranspose3d(3, 2, 2)(L.ones(2, 3, 3, 3, 3)),
    "max_pool_after_conv": lambda L: L.nn.functional.max_pool2d(
        L.nn.functional.relu(L.nn.Conv2d(3, 6, 5)(L.ones(4, 3, 32, 32))), 2
    ),
    "fold": lambda L: L.nn.functional.fold(L.ones(4, 27, 100), (12, 12), 3),
    "unfold": lambda L: L.nn.functional.unfold(L.ones(4, 3, 12, 12), 3),
    "interpolate": lambda L: L.nn.functional.interpolate(L.ones(2, 3, 4, 4), scale_factor=2),
    "bilinear": lambda L: L.nn.functional.interpolate(
        L.ones(2, 3, 4, 4), size=(7, 5), mode="bilinear", align_corners=False
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUT_CASES))
def test_layer_outputs_are_stored_as_torch_stores_them(name):
    ours, theirs = LAYOUT_CASES[name](gn), LAYOUT_CASES[name](torch)
    assert ours.shape == tuple(theirs.shape)
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert ours.stride() == theirs.stride()
    assert ours.view(ours.shape[0], -1).shape == (ours.shape[0], theirs[0].numel())


def test_lenet_flattens_with_view_and_trains():
    gn.manual_seed(0)
    conv = nn.Conv2d(3, 6, 5)
    fc = nn.Linear(6 * 14 * 14, 10)
    x = F.max_pool2d(F.relu(conv(gn.rand(4, 3, 32, 32))), 2)
    loss = F.cross_entropy(fc(x.view(-1, 6 * 14 * 14)), gn.tensor([0, 1, 2, 3]))
    loss.backward()
    assert conv.weight.grad is not None and conv.weight.grad.shape == (6, 3, 5, 5)


def test_heads_split_by_a_transpose_give_attention_output_in_that_order():
    def heads(lib):
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 16, 192)).astype(np.float32))
        q, k, v = [t.view(4, -1, 8, 8).transpose(1, 2) for t in x.chunk(3, -1)]
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)

    ours, theirs = heads(gn), heads(torch)
    assert ours.stride() == theirs.stride()
    merged = ours.transpose(1, 2).view(4, 16, 64)  # the tutorial's merge of the heads
    np.testing.assert_allclose(
        merged.numpy(), theirs.transpose(1, 2).reshape(4, 16, 64).numpy(), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "code",
    [
        "L.zeros(10).scatter_(0, L.tensor(3), value=1)",
        "L.zeros(5).scatter(0, L.tensor(3), L.tensor(7.0))",
        "L.zeros(5).scatter_add(0, L.tensor(2), L.tensor(4.0))",
        "L.zeros(4).scatter_reduce(0, L.tensor(2), L.tensor(3.0), 'sum')",
        "L.arange(3.0).gather(0, L.tensor(1))",
        "L.zeros(3).scatter_(0, L.tensor(1), L.tensor([5.0, 6.0]))",
    ],
)
def test_a_0d_index_into_a_1d_tensor(code):
    ours, theirs = eval(code, {"L": gn}), eval(code, {"L": torch})
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_a_0d_index_into_a_2d_tensor_is_still_refused():
    with pytest.raises(RuntimeError, match="as many dims"):
        gn.zeros(2, 3).gather(0, gn.tensor(0))


def test_losses_take_their_inputs_by_keyword():
    for lib in (gn, torch):
        a, b = lib.ones(4, 3), lib.ones(4, 3) * 2
        cos = lib.nn.CosineEmbeddingLoss()(a, b, target=lib.ones(4))
        rank = lib.nn.MarginRankingLoss(0.5)(input1=a[:, 0], input2=b[:, 0], target=lib.ones(4))
        hinge = lib.nn.HingeEmbeddingLoss()(input=a[:, 0], target=-lib.ones(4))
        if lib is gn:
            ours = [cos.item(), rank.item(), hinge.item()]
        else:
            np.testing.assert_allclose(ours, [cos.item(), rank.item(), hinge.item()], rtol=1e-6)


def test_a_functions_backward_may_return_extra_nones():
    class Scale(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, eps=1e-3):
            ctx.save_for_backward(x, w)
            return x * w + eps

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return g * w, g * x, None, None, None

    x = gn.randn(3, dtype=gn.float64, requires_grad=True)
    w = gn.randn(3, dtype=gn.float64, requires_grad=True)
    assert gn.autograd.gradcheck(Scale.apply, (x, w), fast_mode=False, check_forward_ad=False)
    Scale.apply(x, w).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), w.detach().numpy())

    class TooMany(Scale):
        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return g * w, g * x, g

    with pytest.raises(RuntimeError, match="returned 3 gradients"):
        TooMany.apply(x, w).sum().backward()


def test_gradcheck_takes_torchs_switches():
    x = gn.randn(3, 2, dtype=gn.float64, requires_grad=True)

    def f(t):
        return (t.sin() * t).sum(1)

    assert gn.autograd.gradcheck(f, (x,), check_forward_ad=True, fast_mode=True)
    assert gn.autograd.gradcheck(f, [x], check_grad_dtypes=True, nondet_tol=1e-12)
    ones = gn.ones(3, dtype=gn.float64)
    assert gn.autograd.gradgradcheck(f, (x,), (ones,))
    assert gn.autograd.gradgradcheck(f, (x,), grad_outputs=(ones,), check_rev_over_rev=True)

    class WrongBackward(gn.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t**2

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g * 3 * t

    assert not gn.autograd.gradcheck(WrongBackward.apply, (x,), raise_exception=False)
    assert gn.autograd.gradcheck(WrongBackward.apply, (x,), check_backward_ad=False)


def test_a_second_scheduler_does_not_warn_once_the_optimizer_has_stepped():
    counts = []
    for lib in (gn, torch):
        p = lib.nn.Parameter(lib.zeros(1))
        opt = lib.optim.SGD([p], lr=0.1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first = lib.optim.lr_scheduler.StepLR(opt, 1)
            opt.step()
            first.step()
            second = lib.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5)
            second.step()
            fresh = lib.optim.lr_scheduler.StepLR(lib.optim.SGD([p], lr=0.1), 1)
            fresh.step()
        counts.append(sum("before `optimizer.step()`" in str(w.message) for w in caught))
    assert counts == [1, 1]
