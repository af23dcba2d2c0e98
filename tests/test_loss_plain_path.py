"""Cross-entropy's everyday path (N, C logits, class indices, no weights, none ignored) agrees with its general formula."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet.nn.functional.loss import _cross_entropy_composed
from glassnet.ops.loss import SoftmaxCrossEntropy

CASES = [
    (eps, reduction, dtype)
    for eps in (0.0, 0.1, 1.0)
    for reduction in ("mean", "sum", "none")
    for dtype in (np.float32, np.float64)
]
IDS = [f"eps={e}-{r}-{np.dtype(d).name}" for e, r, d in CASES]
TOL = {np.float32: 2e-6, np.float64: 1e-12}


def logits_and_targets(dtype, n=17, classes=7, seed=0):
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal((n, classes))).astype(dtype)
    return x, rng.integers(0, classes, n)


def loss_and_grad(x, t, reduction, eps, weight=None):
    xt = gn.tensor(x, requires_grad=True)
    w = None if weight is None else gn.tensor(weight)
    loss = F.cross_entropy(xt, gn.tensor(t), w, reduction=reduction, label_smoothing=eps)
    loss.sum().backward()
    return loss.numpy(), xt.grad.numpy()


@pytest.mark.parametrize("eps, reduction, dtype", CASES, ids=IDS)
def test_the_plain_path_is_the_general_formula_with_weights_of_one(eps, reduction, dtype):
    x, t = logits_and_targets(dtype)
    loss_plain, grad_plain = loss_and_grad(x, t, reduction, eps)
    # Weights of one take the general path and give the same numbers (up to rounding).
    loss_general, grad_general = loss_and_grad(x, t, reduction, eps, np.ones(7, dtype))
    tol = TOL[dtype]
    np.testing.assert_allclose(loss_plain, loss_general, rtol=tol, atol=tol)
    np.testing.assert_allclose(grad_plain, grad_general, rtol=tol, atol=tol)
    assert loss_plain.dtype == dtype and grad_plain.dtype == dtype


def test_the_plain_path_is_taken_only_when_nothing_is_ignored_or_weighted():
    x, t = logits_and_targets(np.float64)
    op = SoftmaxCrossEntropy(False, None, -100, "mean", 0.1)
    op.forward(x, t)
    assert op.plain
    t_ignored = t.copy()
    t_ignored[3] = -100
    op.forward(x, t_ignored)
    assert not op.plain
    op_weighted = SoftmaxCrossEntropy(False, np.ones(7), -100, "mean", 0.1)
    op_weighted.forward(x, t)
    assert not op_weighted.plain


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_the_plain_path_differentiates_twice_as_the_composed_formula(eps):
    x, t = logits_and_targets(np.float64, n=5, classes=4, seed=1)
    results = []
    for fused in (True, False):
        xt = gn.tensor(x, requires_grad=True)
        if fused:
            loss = F.cross_entropy(xt, gn.tensor(t), label_smoothing=eps)
        else:
            loss = _cross_entropy_composed(xt, gn.tensor(t), False, None, -100, "mean", eps)
        (g,) = gn.autograd.grad(loss, xt, create_graph=True)
        (gg,) = gn.autograd.grad((g * g).sum(), xt)
        results.append((loss.numpy(), g.numpy(), gg.numpy()))
    for fused_value, composed_value in zip(*results):
        np.testing.assert_allclose(fused_value, composed_value, rtol=1e-10, atol=1e-12)


def test_the_plain_path_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, t = logits_and_targets(np.float64, n=9, classes=5, seed=2)
    loss, grad = loss_and_grad(x, t, "mean", 0.1)
    xt = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(xt, torch.tensor(t), label_smoothing=0.1)
    expected.backward()
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
