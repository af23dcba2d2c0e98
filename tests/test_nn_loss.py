"""Losses without torch: gradient checks (1st and 2nd order), fused vs composed, errors."""

import math
import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.nn.functional.loss import _cross_entropy_composed

REDUCTIONS = ["mean", "sum", "none"]


def _t(a, requires_grad=True):
    return gn.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------------------------
# Regression losses
# ----------------------------------------------------------------------------------------------

REGRESSION = {
    "mse": lambda x, y, r: F.mse_loss(x, y, reduction=r),
    "l1": lambda x, y, r: F.l1_loss(x, y, reduction=r),
    "huber": lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7),
    "smooth_l1": lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.6),
    "smooth_l1_beta0": lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
}


def _regression_data(seed=0):
    rng = _rng(seed)
    x = rng.standard_normal((3, 4))
    y = x + rng.choice([-1.5, -0.3, 0.25, 1.2], size=(3, 4))  # both sides of delta/beta
    return x, y


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(REGRESSION))
def test_regression_gradcheck(name, reduction):
    x, y = _regression_data()
    fn = REGRESSION[name]
    assert gn.gradcheck(lambda a, b: fn(a, b, reduction), _t(x), _t(y))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "l1", "huber"])
def test_regression_weighted_gradcheck(name, reduction):
    x, y = _regression_data(1)
    w = _rng(2).uniform(0.2, 2.0, x.shape)
    fn = {"mse": F.mse_loss, "l1": F.l1_loss, "huber": F.huber_loss}[name]
    assert gn.gradcheck(
        lambda a, b: fn(a, b, reduction=reduction, weight=_t(w, False)), _t(x), _t(y)
    )


def test_regression_values_by_hand():
    x = gn.tensor([1.0, 2.0, 5.0])
    y = gn.tensor([0.0, 4.0, 5.5])
    assert F.mse_loss(x, y).item() == pytest.approx((1 + 4 + 0.25) / 3)
    assert F.l1_loss(x, y, reduction="sum").item() == pytest.approx(3.5)
    # Huber with delta=1: |d| = 1 -> linear branch 1 * (1 - 0.5); 2 -> 1.5; 0.5 -> 0.125.
    assert F.huber_loss(x, y, reduction="none").numpy() == pytest.approx([0.5, 1.5, 0.125])
    # smooth L1 with beta = 2 is Huber(delta=2) / 2.
    np.testing.assert_allclose(
        F.smooth_l1_loss(x, y, beta=2.0, reduction="none").numpy(),
        F.huber_loss(x, y, delta=2.0, reduction="none").numpy() / 2,
        rtol=1e-6,
    )
    # Weighted mean of mse divides by the sum of the weights.
    w = gn.tensor([1.0, 0.0, 3.0])
    assert F.mse_loss(x, y, weight=w).item() == pytest.approx((1 + 0.75) / 4)
    assert F.huber_loss(x, y, weight=w).item() == pytest.approx((0.5 + 0.375) / 3)


def test_gradgradcheck_mse():
    x, y = _regression_data(3)
    assert gn.gradgradcheck(lambda a, b: F.mse_loss(a, b), _t(x), _t(y))
    assert gn.gradgradcheck(lambda a, b: F.mse_loss(a, b, reduction="none"), _t(x), _t(y))


def test_integer_regression_target_is_promoted():
    x = gn.tensor([1.0, 2.0])
    assert F.mse_loss(x, gn.tensor([1, 4])).item() == pytest.approx(2.0)


# ----------------------------------------------------------------------------------------------
# Cross-entropy: gradient checks over every option
# ----------------------------------------------------------------------------------------------


def _ce_case(shape, seed=0, ignore=False):
    rng = _rng(seed)
    x = rng.standard_normal(shape) * 2
    c = shape[1]
    t = rng.integers(0, c, (shape[0],) + shape[2:])
    if ignore:
        t.reshape(-1)[::3] = -100 if ignore is True else ignore
    return x, t


CE_OPTIONS = [
    dict(),
    dict(weight=True),
    dict(ignore=True),
    dict(weight=True, ignore=True),
    dict(label_smoothing=0.2),
    dict(weight=True, ignore=True, label_smoothing=0.3),
]
CE_IDS = ["plain", "weight", "ignore", "weight-ignore", "smooth", "weight-ignore-smooth"]


def _ce_fn(t, weight, reduction, smoothing, ignore_index=-100):
    return lambda a: F.cross_entropy(
        a,
        gn.tensor(t),
        weight,
        reduction=reduction,
        label_smoothing=smoothing,
        ignore_index=ignore_index,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS, ids=CE_IDS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)], ids=["NC", "NCd1d2"])
def test_cross_entropy_indices_gradcheck(shape, options, reduction):
    x, t = _ce_case(shape, ignore=options.get("ignore", False))
    w = _t(_rng(5).uniform(0.3, 2.0, shape[1]), False) if options.get("weight") else None
    fn = _ce_fn(t, w, reduction, options.get("label_smoothing", 0.0))
    assert gn.gradcheck(fn, _t(x))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight=True), dict(label_smoothing=0.25), dict(weight=True, label_smoothing=0.1)],
    ids=["plain", "weight", "smooth", "weight-smooth"],
)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 3)], ids=["NC", "NCd"])
def test_cross_entropy_probabilities_gradcheck(shape, options, reduction):
    rng = _rng(1)
    x = rng.standard_normal(shape)
    p = rng.uniform(0.1, 1.0, shape)
    p /= p.sum(axis=1, keepdims=True)
    w = _t(rng.uniform(0.3, 2.0, shape[1]), False) if options.get("weight") else None
    s = options.get("label_smoothing", 0.0)
    # Both the logits and the target probabilities receive gradients.
    assert gn.gradcheck(
        lambda a, b: F.cross_entropy(a, b, w, reduction=reduction, label_smoothing=s), _t(x), _t(p)
    )


def test_cross_entropy_custom_ignore_index_gradcheck():
    x, t = _ce_case((5, 4), seed=3, ignore=2)
    assert (t == 2).any()
    assert gn.gradcheck(_ce_fn(t, None, "mean", 0.0, ignore_index=2), _t(x))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_unbatched(reduction):
    x = _rng(2).standard_normal(4)
    fn = lambda a: F.cross_entropy(a, gn.tensor(2), reduction=reduction)  # noqa: E731
    out = fn(_t(x))
    assert out.shape == ()
    expected = -(x[2] - math.log(np.exp(x).sum()))
    assert out.item() == pytest.approx(expected)
    assert gn.gradcheck(fn, _t(x))
    probs = F.cross_entropy(_t(x), gn.tensor(np.eye(4)[2]), reduction=reduction)
    assert probs.item() == pytest.approx(expected)


def test_cross_entropy_value_by_hand():
    logits = gn.tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    loss = F.cross_entropy(logits, gn.tensor([0, 2]), reduction="none")
    e = np.exp([2.0, 0.5, -1.0])
    np.testing.assert_allclose(loss.numpy(), [-np.log(e[0] / e.sum()), np.log(3)], rtol=1e-6)


@pytest.mark.parametrize("options", CE_OPTIONS, ids=CE_IDS)
def test_cross_entropy_second_order(options):
    x, t = _ce_case((3, 4), seed=4, ignore=options.get("ignore", False))
    w = _t(_rng(6).uniform(0.3, 2.0, 4), False) if options.get("weight") else None
    fn = _ce_fn(t, w, "mean", options.get("label_smoothing", 0.0))
    assert gn.gradgradcheck(fn, _t(x), atol=1e-4)


def test_cross_entropy_second_order_probabilities_and_none():
    rng = _rng(7)
    x = rng.standard_normal((3, 4))
    p = rng.dirichlet(np.ones(4), size=3)
    w = _t(rng.uniform(0.5, 1.5, 4), False)
    assert gn.gradgradcheck(
        lambda a, b: F.cross_entropy(a, b, w, reduction="none", label_smoothing=0.1),
        _t(x),
        _t(p),
        atol=1e-4,
    )
    x, t = _ce_case((2, 3, 2), seed=8)
    assert gn.gradgradcheck(_ce_fn(t, None, "none", 0.0), _t(x), atol=1e-4)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS, ids=CE_IDS)
def test_fused_cross_entropy_matches_composed(options, reduction):
    """The fused op against the same loss built from primitives (log_softmax, pick, sums)."""
    x, t = _ce_case((2, 5, 3), seed=9, ignore=options.get("ignore", False))
    w = _rng(10).uniform(0.3, 2.0, 5) if options.get("weight") else None
    s = options.get("label_smoothing", 0.0)
    a, b = _t(x), _t(x)
    fused = F.cross_entropy(
        a, gn.tensor(t), None if w is None else _t(w, False), reduction=reduction, label_smoothing=s
    )
    composed = _cross_entropy_composed(
        b, gn.tensor(t), False, None if w is None else _t(w, False), -100, reduction, s
    )
    np.testing.assert_allclose(fused.numpy(), composed.numpy(), rtol=1e-12, atol=1e-12)
    g = _rng(11).uniform(0.5, 1.5, fused.shape)
    fused.backward(gn.tensor(g))
    composed.backward(gn.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("probabilities", [False, True], ids=["indices", "probabilities"])
def test_cross_entropy_weight_requiring_grad(probabilities, reduction):
    """Class weights that require grad take the composed path and get their gradient."""
    rng = _rng(12)
    x = rng.standard_normal((4, 3))
    target = gn.tensor(rng.dirichlet(np.ones(3), 4)) if probabilities else gn.tensor([0, 2, 1, 2])
    w = rng.uniform(0.5, 2.0, 3)
    assert gn.gradcheck(
        lambda a, ww: F.cross_entropy(a, target, ww, reduction=reduction, label_smoothing=0.1),
        _t(x),
        _t(w),
    )


@pytest.mark.parametrize("smoothing", [0.0, 0.15], ids=["sharp", "smooth"])
@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weight"])
@pytest.mark.parametrize("probabilities", [False, True], ids=["indices", "probabilities"])
def test_fast_and_recorded_backward_agree(probabilities, weighted, smoothing):
    """The array-level first-order backward equals the Tensor-op one used for create_graph."""
    x, t = _ce_case((3, 4, 2), seed=13, ignore=True)
    if probabilities:
        target = _t(_rng(14).dirichlet(np.ones(4), size=(3, 2)).transpose(0, 2, 1))
    else:
        target = gn.tensor(t)
    w = _t(_rng(15).uniform(0.3, 2.0, 4), False) if weighted else None
    for reduction in REDUCTIONS:
        grads = []
        for create_graph in (False, True):
            a = _t(x)
            if probabilities:
                target.grad = None
            loss = F.cross_entropy(a, target, w, reduction=reduction, label_smoothing=smoothing)
            loss.backward(gn.ones_like(loss), create_graph=create_graph)
            grads.append(
                (a.grad.numpy().copy(), target.grad.numpy().copy() if probabilities else None)
            )
        np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12, atol=1e-14)
        if probabilities:
            np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12, atol=1e-14)


def test_cross_entropy_is_stable_for_huge_logits():
    x = gn.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(x, gn.tensor([1, 2]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [1e4, 0.0])
    loss.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_allclose(x.grad.numpy(), [[1, -1, 0], [0, 0, 0]], atol=1e-6)


def test_cross_entropy_float32_stays_float32():
    x = gn.randn(8, 5, requires_grad=True)
    loss = F.cross_entropy(x, gn.randint(0, 5, (8,)), gn.ones(5), label_smoothing=0.1)
    loss.backward()
    assert loss.dtype == gn.float32 and x.grad.dtype == gn.float32


def test_all_targets_ignored_gives_nan_mean_and_zero_grad():
    x = _t(np.zeros((2, 3)))
    loss = F.cross_entropy(x, gn.tensor([-100, -100]))
    assert math.isnan(loss.item())
    s = F.cross_entropy(x, gn.tensor([-100, -100]), reduction="sum")
    s.backward()
    assert s.item() == 0 and np.all(x.grad.numpy() == 0)
    assert math.isnan(F.nll_loss(x, gn.tensor([-100, -100])).item())


def test_ignored_positions_get_no_gradient():
    x = _t(_rng(16).standard_normal((4, 3)))
    F.cross_entropy(x, gn.tensor([0, -100, 2, -100]), label_smoothing=0.2).backward()
    assert np.all(x.grad.numpy()[[1, 3]] == 0)
    assert np.all(x.grad.numpy()[[0, 2]] != 0)


# ----------------------------------------------------------------------------------------------
# NLL, BCE, BCE with logits, KL
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS[:4], ids=CE_IDS[:4])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2)], ids=["NC", "NCd"])
def test_nll_gradcheck(shape, options, reduction):
    x, t = _ce_case(shape, seed=17, ignore=options.get("ignore", False))
    w = _t(_rng(18).uniform(0.3, 2.0, shape[1]), False) if options.get("weight") else None
    assert gn.gradcheck(lambda a: F.nll_loss(a, gn.tensor(t), w, reduction=reduction), _t(x))


def test_nll_of_log_softmax_is_cross_entropy():
    x, t = _ce_case((6, 4), seed=19, ignore=True)
    w = _t(_rng(20).uniform(0.5, 2, 4), False)
    a = F.nll_loss(F.log_softmax(_t(x), dim=1), gn.tensor(t), w)
    b = F.cross_entropy(_t(x), gn.tensor(t), w)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)


def test_nll_weight_requiring_grad_gradcheck():
    x, t = _ce_case((5, 3), seed=21, ignore=True)
    assert gn.gradcheck(lambda a, w: F.nll_loss(a, gn.tensor(t), w), _t(x), _t([0.5, 1.0, 2.0]))


def test_nll_gradgradcheck():
    x, t = _ce_case((3, 4), seed=22, ignore=True)
    assert gn.gradgradcheck(lambda a: F.nll_loss(a * a, gn.tensor(t)), _t(x))


def _probabilities(shape, seed):
    return _rng(seed).uniform(0.05, 0.95, shape)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weight"])
def test_binary_cross_entropy_gradcheck(weighted, reduction):
    p = _probabilities((3, 4), 23)
    y = _rng(24).uniform(0, 1, (3, 4))
    w = _t(_rng(25).uniform(0.5, 2.0, 4), False) if weighted else None
    assert gn.gradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, w, reduction=reduction), _t(p), _t(y)
    )


def test_binary_cross_entropy_second_order():
    p, y = _probabilities((2, 3), 26), _rng(27).uniform(0, 1, (2, 3))
    assert gn.gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), _t(p), _t(y))


def test_binary_cross_entropy_fast_and_recorded_backward_agree():
    p, y = _probabilities((3, 4), 34), _rng(35).uniform(0, 1, (3, 4))
    grads = []
    for create_graph in (False, True):
        a, b = _t(p), _t(y)
        F.binary_cross_entropy(a, b, reduction="sum").backward(create_graph=create_graph)
        grads.append((a.grad.numpy().copy(), b.grad.numpy().copy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    p = gn.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = gn.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [100, 100, 0, 0])
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight=True), dict(pos_weight=True), dict(weight=True, pos_weight=True)],
    ids=["plain", "weight", "pos_weight", "both"],
)
def test_bce_with_logits_gradcheck(options, reduction):
    rng = _rng(28)
    x = rng.standard_normal((3, 4)) * 3
    y = rng.uniform(0, 1, (3, 4))
    w = _t(rng.uniform(0.5, 2.0, (3, 1)), False) if options.get("weight") else None
    pw = _t(rng.uniform(0.5, 3.0, 4), False) if options.get("pos_weight") else None
    assert gn.gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, w, reduction=reduction, pos_weight=pw
        ),
        _t(x),
        _t(y),
    )


def test_bce_with_logits_equals_bce_of_sigmoid_and_is_stable():
    x = _rng(29).standard_normal(6)
    y = np.array([0, 1, 1, 0, 1, 0], dtype=np.float64)
    a = F.binary_cross_entropy_with_logits(_t(x), _t(y, False))
    b = F.binary_cross_entropy(gn.sigmoid(_t(x)), _t(y, False))
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    big = gn.tensor([1000.0, -1000.0, 1000.0, -1000.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        big, gn.tensor([1.0, 0.0, 0.0, 1.0]), reduction="none"
    )
    np.testing.assert_allclose(loss.numpy(), [0, 0, 1000, 1000])
    loss.sum().backward()
    np.testing.assert_allclose(big.grad.numpy(), [0, 0, 1, -1])


def test_bce_with_logits_second_order():
    x, y = _rng(30).standard_normal((2, 3)), _rng(31).uniform(0, 1, (2, 3))
    pw = _t([1.0, 2.0, 3.0], False)
    assert gn.gradgradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw), _t(x), _t(y)
    )


@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True], ids=["prob", "log_target"])
def test_kl_div_gradcheck(log_target, reduction):
    rng = _rng(32)
    x = np.log(rng.dirichlet(np.ones(4), 3))
    y = rng.dirichlet(np.ones(4), 3)
    if log_target:
        y = np.log(y)
    assert gn.gradcheck(
        lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), _t(x), _t(y)
    )


def test_kl_div_values_and_zero_targets():
    p = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    q = np.array([[0.25, 0.25, 0.5], [0.2, 0.3, 0.5]])
    x = _t(np.log(q))
    loss = F.kl_div(x, _t(p, False), reduction="batchmean")
    assert loss.item() == pytest.approx(0.5 * np.log(2), rel=1e-12)  # (1 * log 2 + 0) / 2
    loss.backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    log_form = F.kl_div(
        _t(np.log(q)), _t(np.log(p[1:]), False).expand(2, 3), log_target=True, reduction="sum"
    )
    assert log_form.item() == pytest.approx(
        float(np.sum(p[1] * (np.log(p[1]) - np.log(q)))), rel=1e-12
    )


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda x, i, p: F.mse_loss(x, x, reduction="avg"),
        lambda x, i, p: F.cross_entropy(x, i, reduction="avg"),
        lambda x, i, p: F.nll_loss(x, i, reduction="avg"),
        lambda x, i, p: F.binary_cross_entropy(p, p, reduction="avg"),
        lambda x, i, p: F.huber_loss(x, x, "avg"),
    ],
    ids=["mse", "cross_entropy", "nll", "bce", "huber"],
)
def test_invalid_reduction_lists_the_valid_ones(call):
    x = gn.randn(3, 4)
    with pytest.raises(
        ValueError, match="reduction must be one of 'none', 'mean', 'sum'; got 'avg'"
    ):
        call(x, gn.tensor([0, 1, 2]), gn.rand(3, 4))


def test_kl_div_reduction_error_mentions_batchmean():
    with pytest.raises(ValueError, match="'batchmean'"):
        F.kl_div(gn.randn(2, 3), gn.rand(2, 3), reduction="avg")


def test_module_reduction_checked_at_construction():
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        nn.MSELoss(reduction="average")
    nn.KLDivLoss(reduction="batchmean")


def test_class_index_out_of_range():
    with pytest.raises(
        ValueError,
        match=r"class index 7, but the input has 5 classes \(valid "
        r"indices are 0 to 4, or ignore_index=-100\)",
    ):
        F.cross_entropy(gn.randn(3, 5), gn.tensor([0, 7, 1]))
    with pytest.raises(ValueError, match="class index -1"):
        F.nll_loss(gn.randn(3, 5), gn.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match="class index -100, but the input has 5 classes"):
        F.cross_entropy(gn.randn(2, 5), gn.tensor([-100, 1]), ignore_index=3)


def test_float_targets_where_indices_are_expected():
    with pytest.raises(
        TypeError,
        match=r"cross_entropy: target of shape \(3,\) holds class "
        r"indices but has dtype float32.*target.long\(\)",
    ):
        F.cross_entropy(gn.randn(3, 5), gn.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="nll_loss: target of shape"):
        F.nll_loss(gn.randn(3, 5), gn.tensor([0.0, 1.0, 2.0]))


def test_integer_probability_targets():
    with pytest.raises(TypeError, match=r"integer dtype int64; probabilities must be floating"):
        F.cross_entropy(gn.randn(2, 3), gn.tensor([[0, 1, 0], [1, 0, 0]]))


def test_cross_entropy_target_shape_error_names_both_shapes():
    with pytest.raises(
        ValueError,
        match=r"expected target of shape \(4, 5\) \(class indices\) "
        r"or \(4, 3, 5\) \(class probabilities\) for input of "
        r"shape \(4, 3, 5\), got \(4,\)",
    ):
        F.cross_entropy(gn.randn(4, 3, 5), gn.tensor([0, 1, 2, 0]))
    with pytest.raises(ValueError, match=r"expected target of shape \(4,\)"):
        F.cross_entropy(gn.randn(4, 3), gn.tensor([0, 1]))


def test_class_weight_errors():
    with pytest.raises(ValueError, match=r"one value per class, shape \(3,\), got \(4,\)"):
        F.cross_entropy(gn.randn(2, 3), gn.tensor([0, 1]), gn.ones(4))
    with pytest.raises(TypeError, match="weight must be a floating tensor"):
        F.nll_loss(gn.randn(2, 3), gn.tensor([0, 1]), gn.tensor([1, 1, 1]))


def test_other_input_errors():
    with pytest.raises(ValueError, match="label_smoothing must be between 0 and 1"):
        F.cross_entropy(gn.randn(2, 3), gn.tensor([0, 1]), label_smoothing=1.5)
    with pytest.raises(TypeError, match="cross_entropy: expected a floating input"):
        F.cross_entropy(gn.tensor([[1, 2]]), gn.tensor([0]))
    with pytest.raises(TypeError, match=r"expected input to be a glassnet Tensor, got ndarray"):
        F.mse_loss(np.zeros(3), gn.zeros(3))
    with pytest.raises(ValueError, match="got a scalar"):
        F.cross_entropy(gn.tensor(1.0), gn.tensor(0))
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(gn.zeros(2), gn.zeros(2), delta=0)
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must not be negative"):
        F.smooth_l1_loss(gn.zeros(2), gn.zeros(2), beta=-1)
    with pytest.raises(ValueError, match=r"weight must have the input's shape \(2,\)"):
        F.mse_loss(gn.zeros(2), gn.zeros(2), weight=gn.ones(3))


def test_regression_shape_mistakes():
    with pytest.raises(
        ValueError,
        match=r"mse_loss: target of shape \(4, 1\) does not match "
        r"input of shape \(4,\): broadcasting them would give "
        r"shape \(4, 4\)",
    ):
        F.mse_loss(gn.zeros(4), gn.zeros(4, 1))
    with pytest.raises(ValueError, match=r"l1_loss: target of shape \(3,\) does not match"):
        F.l1_loss(gn.zeros(4), gn.zeros(3))
    with pytest.warns(UserWarning, match="broadcast to the input's shape"):
        loss = F.mse_loss(gn.ones(2, 3), gn.zeros(3))
    assert loss.item() == 1.0


def test_binary_errors():
    with pytest.raises(
        ValueError,
        match=r"binary_cross_entropy: all elements of input must be "
        r"probabilities between 0 and 1, got values from -0.5",
    ):
        F.binary_cross_entropy(gn.tensor([-0.5, 0.5]), gn.tensor([0.0, 1.0]))
    with pytest.raises(
        ValueError, match=r"target must have the input's shape \(3,\), got \(3, 1\)"
    ):
        F.binary_cross_entropy_with_logits(gn.zeros(3), gn.zeros(3, 1))
    with pytest.raises(TypeError, match=r"target must be floating.*target.float\(\)"):
        F.binary_cross_entropy_with_logits(gn.zeros(3), gn.tensor([0, 1, 1]))
    with pytest.raises(ValueError, match=r"pos_weight of shape \(2,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(gn.zeros(4, 3), gn.zeros(4, 3), pos_weight=gn.ones(2))


def test_module_errors_name_the_layer():
    criterion = nn.CrossEntropyLoss()
    with pytest.raises(
        ValueError,
        match=r"^CrossEntropyLoss: target contains class index 9, "
        r"but the input has 3 classes",
    ):
        criterion(gn.randn(2, 3), gn.tensor([9, 0]))
    with pytest.raises(TypeError, match=r"^NLLLoss: target of shape \(2,\) holds class indices"):
        nn.NLLLoss()(gn.randn(2, 3), gn.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"^MSELoss: target of shape \(2, 1\) does not match"):
        nn.MSELoss()(gn.zeros(2), gn.zeros(2, 1))


# ----------------------------------------------------------------------------------------------
# Modules
# ----------------------------------------------------------------------------------------------


def test_modules_match_functions_and_repr():
    rng = _rng(33)
    x, t = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    w = gn.tensor([1.0, 2.0, 0.5], dtype=gn.float64)
    ce = nn.CrossEntropyLoss(w, ignore_index=1, reduction="sum", label_smoothing=0.1)
    assert ce(_t(x), gn.tensor(t)).item() == pytest.approx(
        F.cross_entropy(
            _t(x), gn.tensor(t), w, ignore_index=1, reduction="sum", label_smoothing=0.1
        ).item()
    )
    assert repr(ce) == "CrossEntropyLoss(reduction='sum', ignore_index=1, label_smoothing=0.1)"
    assert list(ce.state_dict()) == ["weight"]
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(reduction='mean', delta=2.0)"
    assert repr(nn.KLDivLoss(reduction="batchmean", log_target=True)) == (
        "KLDivLoss(reduction='batchmean', log_target=True)"
    )
    bce = nn.BCEWithLogitsLoss(pos_weight=gn.tensor([2.0, 1.0, 1.0]))
    assert list(bce.state_dict()) == ["pos_weight"]
    y = gn.tensor((rng.uniform(size=(4, 3)) > 0.5).astype(np.float64))
    assert bce(_t(x), y).item() == pytest.approx(
        F.binary_cross_entropy_with_logits(_t(x), y, pos_weight=gn.tensor([2.0, 1.0, 1.0])).item()
    )
    assert nn.SmoothL1Loss(beta=0.5)(_t(x), _t(x + 1)).item() == pytest.approx(0.75)
    assert nn.L1Loss(reduction="sum")(_t(x), _t(x + 1)).item() == pytest.approx(12.0)
    probs = gn.tensor(rng.uniform(0.1, 0.9, (4, 3)))
    assert nn.BCELoss()(probs, y).item() == pytest.approx(F.binary_cross_entropy(probs, y).item())
    assert nn.NLLLoss(w)(_t(x), gn.tensor(t)).item() == pytest.approx(
        F.nll_loss(_t(x), gn.tensor(t), w).item()
    )


def test_weight_buffer_follows_module_dtype():
    ce = nn.CrossEntropyLoss(gn.tensor([1.0, 2.0]))
    ce.double()
    assert ce.weight.dtype == gn.float64


def test_no_warnings_in_normal_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.cross_entropy(gn.randn(4, 3), gn.tensor([0, 1, 2, -100]))
        F.binary_cross_entropy(gn.tensor([0.0, 1.0]), gn.tensor([0.0, 1.0]))
        F.kl_div(  # reduction='mean' (the default) warns, as in PyTorch
            gn.randn(2, 3), gn.tensor([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]), reduction="batchmean"
        )
