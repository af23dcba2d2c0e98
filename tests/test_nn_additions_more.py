"""The later PyTorch additions (multi-class margin losses, RReLU, AlphaDropout, ChannelShuffle,
LPPool, MaxUnpool) against PyTorch: values and gradients, finite differences, error lines,
and seeded statistics for the random layers."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.errors import ShapeError
from glassnet.numerical import gradcheck

RNG = np.random.default_rng(5)
SCORES = RNG.standard_normal((6, 5))
CLASSES = RNG.integers(0, 5, 6)
CLASS_WEIGHTS = RNG.random(5) + 0.5
LABEL_SETS = np.array([[1, 1, -1, 2, 0], [0, -1, 3, 3, 3], [4, 2, 1, 0, -1], [-1, 0, 0, 0, 0],
                       [2, 0, 3, 1, 4], [3, -1, -1, -1, -1]])  # fmt: skip
IMAGES = RNG.standard_normal((2, 6, 7, 6))
SEQUENCES = RNG.standard_normal((2, 4, 9))


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# name, call of (F-like module, nn-like module, input tensor, reduction), input, extra arrays
CASES = [
    ("multi_margin", lambda f, m, x, e, r: f.multi_margin_loss(x, e[0], reduction=r), SCORES,
     (CLASSES,)),
    ("multi_margin_p2_weight", lambda f, m, x, e, r: f.multi_margin_loss(
        x, e[0], 2, 0.7, e[1], reduction=r), SCORES, (CLASSES, CLASS_WEIGHTS)),
    ("multi_margin_module", lambda f, m, x, e, r: m.MultiMarginLoss(
        p=1, margin=1.5, weight=e[1], reduction=r)(x, e[0]), SCORES, (CLASSES, CLASS_WEIGHTS)),
    ("multi_margin_unbatched", lambda f, m, x, e, r: f.multi_margin_loss(x[0], e[0][2],
                                                                         reduction=r),
     SCORES, (CLASSES,)),
    ("multilabel_margin", lambda f, m, x, e, r: f.multilabel_margin_loss(x, e[0], reduction=r),
     SCORES, (LABEL_SETS,)),
    ("multilabel_margin_module", lambda f, m, x, e, r: m.MultiLabelMarginLoss(reduction=r)(
        x, e[0]), SCORES, (LABEL_SETS,)),
    ("multilabel_margin_unbatched", lambda f, m, x, e, r: f.multilabel_margin_loss(
        x[1], e[0][1], reduction=r), SCORES, (LABEL_SETS,)),
]  # fmt: skip


def _run(lib, call, x, extra, reduction, nn_lib, f_lib):
    x_in = lib.tensor(x, requires_grad=True)
    extra_in = [lib.tensor(a) for a in extra]
    return x_in, call(f_lib, nn_lib, x_in, extra_in, reduction)


def _compare(torch, ours_x, ours, theirs_x, theirs, rtol=1e-10):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-12)
    weights = RNG.standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,call,x,extra", CASES, ids=[c[0] for c in CASES])
def test_losses_match_pytorch(torch, name, call, x, extra, reduction):
    ours_x, ours = _run(gn, call, x, extra, reduction, nn, F)
    theirs_x, theirs = _run(torch, call, x, extra, reduction, torch.nn, torch.nn.functional)
    assert tuple(ours.shape) == tuple(theirs.shape)
    _compare(torch, ours_x, ours, theirs_x, theirs)


@pytest.mark.parametrize("name", ["multi_margin_p2_weight", "multilabel_margin"])
def test_loss_gradients_agree_with_finite_differences(name):
    _, call, x, extra = next(c for c in CASES if c[0] == name)
    extra_in = [gn.tensor(a) for a in extra]
    x_in = gn.tensor(x + 0.01, requires_grad=True)  # off the hinges' kinks
    assert gradcheck(lambda t: call(F, nn, t, extra_in, "sum"), x_in)


def test_loss_errors_name_what_was_expected():
    x = gn.tensor(SCORES)
    with pytest.raises(ValueError, match=r"only p == 1 and p == 2 are supported, got p=3"):
        F.multi_margin_loss(x, gn.tensor(CLASSES), p=3)
    with pytest.raises(IndexError, match=r"class indices must be in \[0, 5\)"):
        F.multi_margin_loss(x, gn.tensor(CLASSES + 5))
    with pytest.raises(ShapeError, match=r"expected target of shape \(6,\).*got \(5,\)"):
        F.multi_margin_loss(x, gn.tensor(CLASSES[:5]))
    with pytest.raises(ShapeError, match=r"weight must have shape \(5,\)"):
        F.multi_margin_loss(x, gn.tensor(CLASSES), weight=gn.ones(4))
    with pytest.raises(TypeError, match=r"integer \(class index\) target, got dtype float64"):
        F.multilabel_margin_loss(x, gn.tensor(LABEL_SETS.astype(float)))
    with pytest.raises(IndexError, match=r"class indices in \[0, 5\) or -1"):
        F.multilabel_margin_loss(x, gn.tensor(LABEL_SETS + 1))
    with pytest.raises(ValueError, match=r"MultiLabelMarginLoss: reduction must be one of"):
        nn.MultiLabelMarginLoss(reduction="avg")


# ------------------------------------------------------------------------- RReLU


def test_rrelu_eval_matches_pytorch(torch):
    x = np.concatenate([SCORES.ravel(), [0.0]])
    for lower, upper in [(1 / 8, 1 / 3), (0.0, 0.5), (0.2, 0.2)]:
        ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours = nn.RReLU(lower, upper).eval()(ours_x)
        theirs = torch.nn.functional.rrelu(theirs_x, lower, upper, training=False)
        _compare(torch, ours_x, ours, theirs_x, theirs)


def test_rrelu_training_draws_seeded_slopes_in_range():
    x = gn.tensor(-np.ones(20000), requires_grad=True)
    gn.manual_seed(3)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.003 and abs(slopes.var() - 0.2**2 / 12) < 1e-4
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), slopes)  # the gradient is each drawn slope
    gn.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x, 0.1, 0.3, training=True).numpy(), y.numpy())
    positive = gn.tensor(np.abs(SCORES) + 0.1)
    np.testing.assert_array_equal(nn.RReLU()(positive).numpy(), positive.numpy())
    with pytest.raises(ValueError, match=r"RReLU: lower must be at most upper, got lower=0.5"):
        nn.RReLU(0.5, 0.1)


# ------------------------------------------------------------------------- AlphaDropout


def test_alpha_dropout_eval_is_the_identity(torch):
    x = gn.tensor(SCORES)
    assert nn.AlphaDropout(0.3).eval()(x) is x
    assert F.alpha_dropout(x, 0.3) is x  # training defaults to False, as in PyTorch
    theirs = torch.nn.AlphaDropout(0.3).eval()(torch.tensor(SCORES))
    np.testing.assert_array_equal(x.numpy(), theirs.numpy())


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_alpha_dropout_keeps_selu_statistics(p):
    gn.manual_seed(11)
    x = gn.randn(200000, dtype=gn.float64, requires_grad=True)
    y = nn.AlphaDropout(p)(x)
    assert abs(float(y.mean())) < 0.01 and abs(float(y.var()) - 1) < 0.01
    s = -1.0507009873554805 * 1.6732632423543772
    a = ((1 - p) * (1 + p * s * s)) ** -0.5
    dropped = np.isclose(y.numpy(), a * s - a * s * p)
    assert abs(dropped.mean() - p) < 0.005
    kept = ~dropped
    np.testing.assert_allclose(y.numpy()[kept], a * x.numpy()[kept] - a * s * p, atol=1e-14)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0), rtol=1e-12)


def test_alpha_dropout_matches_pytorch_formula_on_its_mask(torch):
    # Same mask in both: PyTorch's output where x = 1 reveals its mask (a + b vs a s + b).
    torch.manual_seed(0)
    theirs = torch.nn.functional.alpha_dropout(torch.ones(1000, dtype=torch.float64), 0.4, True)
    gn.manual_seed(0)
    ours = F.alpha_dropout(gn.ones(1000, dtype=gn.float64), 0.4, True)
    assert set(np.round(ours.numpy(), 12)) == set(np.round(theirs.numpy(), 12))
    assert F.alpha_dropout(gn.ones(3), 1.0, True).numpy().tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"dropout probability has to be between 0 and 1"):
        nn.AlphaDropout(1.5)


# ------------------------------------------------------------------------- ChannelShuffle


@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 2), 3), ((2, 6, 4), 2), ((1, 4, 2, 2, 2), 4)])
def test_channel_shuffle_matches_pytorch(torch, shape, groups):
    x = RNG.standard_normal(shape)
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _compare(torch, ours_x, nn.ChannelShuffle(groups)(ours_x), theirs_x,
             torch.nn.ChannelShuffle(groups)(theirs_x))  # fmt: skip


def test_channel_shuffle_errors():
    with pytest.raises(ShapeError, match=r"ChannelShuffle: .*divisible by groups, got 6 channels"):
        nn.ChannelShuffle(4)(gn.tensor(IMAGES))
    with pytest.raises(ShapeError, match=r"at least 3 dimensions \(N, C, \*\), got shape \(6, 5\)"):
        F.channel_shuffle(gn.tensor(SCORES), 5)


# ------------------------------------------------------------------------- LPPool


LP_CASES = [
    ("2d_p2", lambda f, m, x: f.lp_pool2d(x, 2, 2), IMAGES),
    ("2d_p3_ceil", lambda f, m, x: f.lp_pool2d(x, 3, (3, 2), (2, 1), ceil_mode=True),
     np.abs(IMAGES)),
    ("2d_p1.5_module", lambda f, m, x: m.LPPool2d(1.5, 3, stride=2)(x), np.abs(IMAGES)),
    ("2d_unbatched", lambda f, m, x: f.lp_pool2d(x[0], 2, (2, 3)), IMAGES),
    ("1d_p2", lambda f, m, x: f.lp_pool1d(x, 2, 3), SEQUENCES),
    ("1d_module_ceil", lambda f, m, x: m.LPPool1d(4, 2, ceil_mode=True)(x), SEQUENCES),
]  # fmt: skip


@pytest.mark.parametrize("name,call,x", LP_CASES, ids=[c[0] for c in LP_CASES])
def test_lp_pool_matches_pytorch(torch, name, call, x):
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _compare(torch, ours_x, call(F, nn, ours_x), theirs_x,
             call(torch.nn.functional, torch.nn, theirs_x), rtol=1e-9)  # fmt: skip


def test_lp_pool_zero_window_has_zero_gradient(torch):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = [[1.0, -2.0], [0.5, 3.0]]
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.lp_pool2d(ours_x, 2, 2)
    _compare(torch, ours_x, ours, theirs_x, torch.nn.functional.lp_pool2d(theirs_x, 2, 2))
    assert np.all(np.isfinite(ours_x.grad.numpy()))


def test_lp_pool_gradcheck():
    x = gn.tensor(np.abs(IMAGES[:1, :2]) + 0.1, requires_grad=True)
    assert gradcheck(lambda t: F.lp_pool2d(t, 3, 2, 1), x)


# ------------------------------------------------------------------------- MaxUnpool


UNPOOL_CASES = [(2, None, 0, None), (3, 2, 1, (7, 6)), ((3, 2), (2, 2), (1, 0), None),
                (2, 1, 0, None)]  # fmt: skip


@pytest.mark.parametrize("kernel,stride,padding,size", UNPOOL_CASES)
def test_max_unpool2d_matches_pytorch(torch, kernel, stride, padding, size):
    pooled, idx = torch.nn.functional.max_pool2d(
        torch.tensor(IMAGES), kernel, stride, padding, return_indices=True
    )
    ours_x = gn.tensor(pooled.numpy(), requires_grad=True)
    theirs_x = pooled.detach().clone().requires_grad_(True)
    ours = nn.MaxUnpool2d(kernel, stride, padding)(ours_x, gn.tensor(idx.numpy()), size)
    theirs = torch.nn.MaxUnpool2d(kernel, stride, padding)(theirs_x, idx, size)
    assert tuple(ours.shape) == tuple(theirs.shape)
    _compare(torch, ours_x, ours, theirs_x, theirs)


def test_max_unpool_roundtrip_with_glassnet_indices_and_1d(torch):
    x = gn.tensor(SEQUENCES, requires_grad=True)
    y, idx = F.max_pool1d(x, 3, return_indices=True)
    restored = nn.MaxUnpool1d(3)(y, idx, output_size=(9,))
    theirs = torch.nn.functional.max_unpool1d(
        torch.tensor(y.detach().numpy()), torch.tensor(idx.numpy()), 3, output_size=(9,)
    )
    np.testing.assert_array_equal(restored.numpy(), theirs.numpy())
    restored.sum().backward()  # every maximum is kept once: its gradient is 1
    expected = F.max_pool1d(gn.tensor(SEQUENCES), 3, return_indices=True)[1]
    assert x.grad.numpy().sum() == expected.numpy().size
    leaf = gn.tensor(y.detach().numpy(), requires_grad=True)
    assert gradcheck(lambda t: F.max_unpool1d(t, idx, 3), leaf)


def test_max_unpool_errors():
    y, idx = F.max_pool2d(gn.tensor(IMAGES), 2, return_indices=True)
    with pytest.raises(ValueError, match=r"output_size \(9, 6\) is invalid: dim 0 must be between"):
        F.max_unpool2d(y, idx, 2, output_size=(9, 6))
    with pytest.raises(IndexError, match=r"index 99 is outside the output plane of \(6, 6\)"):
        F.max_unpool2d(y, idx * 0 + 99, 2)
    with pytest.raises(ShapeError, match=r"expected indices of the input's shape \(2, 6, 3, 3\)"):
        F.max_unpool2d(y, idx[0], 2)
    with pytest.raises(TypeError, match=r"expected integer indices \(from max_pool\), got dtype"):
        F.max_unpool2d(y, idx.float(), 2)


# ------------------------------------------------------------------------- AdaptiveAvgPool3d


@pytest.mark.parametrize(
    "shape,size", [((2, 3, 5, 7, 6), (2, 3, 4)), ((3, 4, 4, 5), 2), ((1, 2, 6, 5, 4), (None, 1, 3))]
)
def test_adaptive_avg_pool3d_matches_pytorch(torch, shape, size):
    x = RNG.standard_normal(shape)
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _compare(torch, ours_x, nn.AdaptiveAvgPool3d(size)(ours_x), theirs_x,
             torch.nn.AdaptiveAvgPool3d(size)(theirs_x))  # fmt: skip


def test_adaptive_avg_pool3d_gradcheck_and_errors():
    x = gn.tensor(RNG.standard_normal((1, 2, 3, 4, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.adaptive_avg_pool3d(t, (2, 3, 2)), x)
    with pytest.raises(ShapeError, match=r"5-D \(N, C, D, H, W\) input, got shape \(6, 5\)"):
        F.adaptive_avg_pool3d(gn.tensor(SCORES), 1)
    with pytest.raises(
        ValueError, match=r"output_size must be an int or a tuple of 3, got \(1, 2\)"
    ):
        F.adaptive_avg_pool3d(x, (1, 2))
