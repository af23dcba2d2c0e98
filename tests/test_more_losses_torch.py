"""F.pdist, F.triplet_margin_with_distance_loss (and its module), F.feature_alpha_dropout (and
nn.FeatureAlphaDropout), nn.AdaptiveLogSoftmaxWithLoss: values and gradients against PyTorch,
gradcheck in float64, the dropout's statistics, and the errors."""

import math

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.numerical import gradcheck


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _weighted_backward(ours, theirs, torch, seed=0):
    weights = np.random.default_rng(seed).standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()


# ----------------------------------------------------------------------------------------------
# pdist
# ----------------------------------------------------------------------------------------------

PDIST_DATA = {
    "random": np.random.default_rng(1).standard_normal((6, 3)),
    "small_integers": np.random.default_rng(2).integers(-2, 3, (5, 4)).astype(float),  # ties, 0s
    "repeated_row": np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.0, 1.0, 5.0]]),
}


@pytest.mark.parametrize("data", PDIST_DATA, ids=str)
@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, math.inf], ids=str)
def test_pdist_matches_pytorch(torch, p, data):
    x = PDIST_DATA[data]
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = F.pdist(ours_x, p), torch.nn.functional.pdist(theirs_x, p)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    _weighted_backward(ours, theirs, torch)
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_pdist_is_the_upper_triangle_of_the_distance_matrix():
    x = np.random.default_rng(3).standard_normal((5, 2))
    full = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.testing.assert_allclose(F.pdist(gn.tensor(x)).numpy(), full[np.triu_indices(5, 1)])
    assert F.pdist(gn.ones(1, 3)).shape == (0,)


@pytest.mark.parametrize("p", [1.5, 2, 3])
def test_pdist_gradcheck(p):
    x = gn.tensor(np.random.default_rng(4).standard_normal((4, 3)), dtype=gn.float64,
                  requires_grad=True)  # fmt: skip
    assert gradcheck(lambda a: F.pdist(a, p), x)


def test_pdist_errors():
    with pytest.raises(gn.errors.ShapeError, match=r"^pdist: expected input of shape \(N, M\)"):
        F.pdist(gn.ones(3))
    with pytest.raises(ValueError, match=r"^pdist: p must be a non-negative number, got -1"):
        F.pdist(gn.ones(3, 2), -1)


# ----------------------------------------------------------------------------------------------
# triplet_margin_with_distance_loss
# ----------------------------------------------------------------------------------------------

RNG = np.random.default_rng(5)
TRIPLET = tuple(RNG.standard_normal((7, 4)) for _ in range(3))


def _cosine_distance(functional):
    return lambda a, b: 1.0 - functional.cosine_similarity(a, b)


TRIPLET_CASES = [
    ("default", lambda f, m, t, r: f.triplet_margin_with_distance_loss(*t, reduction=r)),
    ("cosine_swap", lambda f, m, t, r: f.triplet_margin_with_distance_loss(
        *t, distance_function=_cosine_distance(f), margin=0.3, swap=True, reduction=r)),
    ("l1_margin", lambda f, m, t, r: f.triplet_margin_with_distance_loss(
        *t, distance_function=lambda a, b: f.pairwise_distance(a, b, 1.0), margin=2.5,
        reduction=r)),
    ("module_default", lambda f, m, t, r: m.TripletMarginWithDistanceLoss(
        margin=1.5, swap=True, reduction=r)(*t)),
    ("module_distance_module", lambda f, m, t, r: m.TripletMarginWithDistanceLoss(
        distance_function=m.PairwiseDistance(p=3.0), reduction=r)(*t)),
    ("unbatched", lambda f, m, t, r: f.triplet_margin_with_distance_loss(
        t[0][0], t[1][0], t[2][0], margin=5.0, reduction=r)),
]  # fmt: skip


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,call", TRIPLET_CASES, ids=[c[0] for c in TRIPLET_CASES])
def test_triplet_with_distance_matches_pytorch(torch, name, call, reduction):
    ours_in = [gn.tensor(a, requires_grad=True) for a in TRIPLET]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in TRIPLET]
    ours = call(F, nn, ours_in, reduction)
    theirs = call(torch.nn.functional, torch.nn, theirs_in, reduction)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert 0 < float(theirs.detach().sum())  # some triplets break the margin: gradients flow
    _weighted_backward(ours, theirs, torch, seed=1)
    for a, b in zip(ours_in, theirs_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_triplet_with_distance_gradcheck_and_module_parts():
    a, p, n = (gn.tensor(t, dtype=gn.float64, requires_grad=True) for t in TRIPLET)
    assert gradcheck(
        lambda x, y, z: F.triplet_margin_with_distance_loss(
            x, y, z, distance_function=_cosine_distance(F), swap=True, reduction="none"
        ),
        a, p, n,
    )  # fmt: skip
    criterion = nn.TripletMarginWithDistanceLoss()
    assert isinstance(criterion.distance_function, nn.PairwiseDistance)
    assert "distance_function" in dict(criterion.named_children())


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: F.triplet_margin_with_distance_loss(gn.ones(2, 3), gn.ones(2, 3), gn.ones(3)),
         gn.errors.ShapeError, r"^triplet_margin_with_distance_loss: expected anchor, positive "
         r"and negative with the same number of dimensions, got anchor 2-D, positive 2-D and "
         r"negative 1-D"),
        (lambda: F.triplet_margin_with_distance_loss(gn.ones(3), gn.ones(3), gn.ones(3),
                                                     margin=0), ValueError,
         r"^triplet_margin_with_distance_loss: margin must be greater than 0, got 0"),
        (lambda: nn.TripletMarginWithDistanceLoss(margin=-1.0), ValueError,
         r"^TripletMarginWithDistanceLoss: margin must be greater than 0, got -1.0"),
        (lambda: nn.TripletMarginWithDistanceLoss()(gn.ones(2, 3), gn.ones(2, 3), gn.ones(3)),
         gn.errors.ShapeError, r"^TripletMarginWithDistanceLoss: expected anchor"),
        (lambda: nn.TripletMarginWithDistanceLoss(reduction="avg"), ValueError, "reduction"),
    ],
    ids=["dims", "margin", "module_margin", "module_dims", "reduction"],
)  # fmt: skip
def test_triplet_with_distance_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ----------------------------------------------------------------------------------------------
# feature_alpha_dropout
# ----------------------------------------------------------------------------------------------

_S = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717  # SELU saturation


def _affine(p):
    a = 1.0 / math.sqrt((1 - p) * (1 + p * _S * _S))
    return a, -a * _S * p


@pytest.mark.parametrize("shape", [(4, 5), (3, 6, 7), (2, 3, 4, 5)], ids=str)
def test_feature_alpha_dropout_keeps_or_saturates_whole_channels(shape):
    p = 0.4
    a, b = _affine(p)
    x = gn.randn(*shape, dtype=gn.float64, requires_grad=True)
    y = F.feature_alpha_dropout(x, p, training=True)
    kept = np.isclose(y.numpy(), a * x.numpy() + b)
    dropped = np.isclose(y.numpy(), a * _S + b)
    assert (kept | dropped).all() and kept.any() and dropped.any()
    channel_kept = kept.reshape(shape[0], shape[1], -1)
    assert (channel_kept.all(-1) | ~channel_kept.any(-1)).all()  # one draw per (sample, channel)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a * kept)  # dL/dx = a m


def test_feature_alpha_dropout_matches_pytorch_values_and_keeps_mean_and_variance(torch):
    p = 0.3
    a, b = _affine(p)
    ours = F.feature_alpha_dropout(gn.ones(3, 2, 4), p, training=True).numpy()
    theirs = torch.nn.functional.feature_alpha_dropout(torch.ones(3, 2, 4), p, True).numpy()
    for out in (ours, theirs):  # the same two values, kept (a + b) or dropped (a s + b)
        assert np.all(np.isclose(out, a + b, atol=1e-6) | np.isclose(out, a * _S + b, atol=1e-6))
    x = gn.randn(500, 200, 2)  # 100,000 draws of zero-mean, unit-variance activations
    y = F.feature_alpha_dropout(x, p, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1.0) < 0.03


def test_feature_alpha_dropout_identity_zero_and_module():
    x = gn.randn(2, 3, 4)
    assert F.feature_alpha_dropout(x, 0.5) is x  # training=False by default, as in PyTorch
    assert F.feature_alpha_dropout(x, 0.0, training=True) is x
    np.testing.assert_array_equal(F.feature_alpha_dropout(x, 1.0, training=True).numpy(), 0.0)
    layer = nn.FeatureAlphaDropout(0.2)
    assert repr(layer) == "FeatureAlphaDropout(p=0.2, inplace=False)"
    assert layer.eval()(x) is x
    assert not np.allclose(layer.train()(x).numpy(), x.numpy())


def test_feature_alpha_dropout_errors():
    with pytest.raises(gn.errors.ShapeError, match=r"^feature_alpha_dropout: .* at least 2"):
        F.feature_alpha_dropout(gn.ones(5), 0.5, training=True)
    with pytest.raises(ValueError, match=r"^feature_alpha_dropout: dropout probability"):
        F.feature_alpha_dropout(gn.ones(2, 3), 1.5, training=True)
    with pytest.raises(ValueError, match=r"^FeatureAlphaDropout: dropout probability"):
        nn.FeatureAlphaDropout(-0.1)


# ----------------------------------------------------------------------------------------------
# AdaptiveLogSoftmaxWithLoss
# ----------------------------------------------------------------------------------------------


def _adaptive_pair(torch, head_bias, div_value=2.0):
    """Ours and PyTorch's with the same weights (float64)."""
    torch.manual_seed(0)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 50, [5, 20, 30], div_value=div_value,
                                                 head_bias=head_bias).double()  # fmt: skip
    ours = nn.AdaptiveLogSoftmaxWithLoss(16, 50, [5, 20, 30], div_value=div_value,
                                         head_bias=head_bias).double()  # fmt: skip
    state = {k: gn.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert sorted(state) == sorted(ours.state_dict())
    ours.load_state_dict(state)
    return ours, theirs


@pytest.mark.parametrize("head_bias", [False, True], ids=["no_bias", "head_bias"])
def test_adaptive_log_softmax_matches_pytorch(torch, head_bias):
    ours, theirs = _adaptive_pair(torch, head_bias)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((12, 16))
    target = rng.integers(0, 50, 12)
    target[:4] = [0, 7, 25, 45]  # the shortlist and every cluster
    ours_x, theirs_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mine, reference = ours(ours_x, gn.tensor(target)), theirs(theirs_x, torch.tensor(target))
    np.testing.assert_allclose(mine.output.numpy(), reference.output.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine.loss.numpy(), reference.loss.detach().numpy(), rtol=1e-12)
    mine.loss.backward()
    reference.loss.backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-10, atol=1e-14)
    ours_params = dict(ours.named_parameters())
    for name, param in theirs.named_parameters():
        np.testing.assert_allclose(ours_params[name].grad.numpy(), param.grad.numpy(),
                                   rtol=1e-10, atol=1e-14, err_msg=name)  # fmt: skip
    np.testing.assert_allclose(ours.log_prob(ours_x).numpy(),
                               theirs.log_prob(theirs_x).detach().numpy(), rtol=1e-12)  # fmt: skip
    for scale in (1.0, 10.0):  # larger inputs: the head picks clusters more often
        np.testing.assert_array_equal(ours.predict(gn.tensor(x * scale)).numpy(),
                                      theirs.predict(torch.tensor(x * scale)).numpy())  # fmt: skip
    one = ours(gn.tensor(x[0]), gn.tensor(target[0]))
    assert one.output.shape == () and np.isclose(float(one.loss), -float(mine.output[0]))


def test_adaptive_log_softmax_is_a_distribution_and_its_layers_have_pytorch_sizes():
    asm = nn.AdaptiveLogSoftmaxWithLoss(16, 50, [5, 20, 30], div_value=2.0).double()
    x = gn.randn(4, 16, dtype=gn.float64)
    np.testing.assert_allclose(np.exp(asm.log_prob(x).numpy()).sum(1), 1.0, rtol=1e-12)
    assert asm.head.weight.shape == (8, 16)  # 5 shortlist classes + 3 clusters
    assert [(down.out_features, up.out_features) for down, up in asm.tail] == [(8, 15), (4, 10),
                                                                               (2, 20)]  # fmt: skip
    assert gradcheck(lambda a: asm(a, gn.tensor([0, 9, 22, 49])).output,
                     gn.tensor(x.numpy(), requires_grad=True))  # fmt: skip


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, []), ValueError, "length larger than 0"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]), ValueError, "sorted"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 10]), ValueError, "n_classes - 1 = 9"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(gn.randn(3, 8), gn.tensor([1, 2, 10])),
         IndexError, r"target values should be in \[0, 9\]"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(gn.randn(3, 8), gn.tensor([1, 2])),
         gn.errors.ShapeError, r"expected input of shape \(2, 8\)"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(gn.randn(3, 8), gn.ones(3, 1,
                                                           dtype=gn.int64)),
         gn.errors.ShapeError, r"expected a target of shape \(N,\) or a scalar"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4]).log_prob(gn.randn(3, 7)),
         gn.errors.ShapeError, r"log_prob: expected input of shape \(N, 8\)"),
    ],
    ids=["empty", "unsorted", "too_large", "target_range", "batch", "target_ndim", "log_prob"],
)  # fmt: skip
def test_adaptive_log_softmax_errors(call, error, message):
    with pytest.raises(error, match=r"^AdaptiveLogSoftmaxWithLoss.*" + message):
        call()
