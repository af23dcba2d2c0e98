"""The margin losses (F.margin_ranking_loss, ... and their modules) against PyTorch: values and
gradients for every reduction, and the layer's name on a wrong reduction."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.numerical import gradcheck

RNG = np.random.default_rng(11)
X1, X2, X3 = (RNG.standard_normal((6, 4)) for _ in range(3))
SCORES_A, SCORES_B = RNG.standard_normal(6), RNG.standard_normal(6)
LABELS = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# name, call of (F-like module, nn-like module, tensors, reduction), inputs
CASES = [
    ("ranking", lambda f, m, t, r: f.margin_ranking_loss(t[0], t[1], t[2], 0.3, reduction=r),
     (SCORES_A, SCORES_B, LABELS)),
    ("ranking_module", lambda f, m, t, r: m.MarginRankingLoss(0.3, reduction=r)(t[0], t[1], t[2]),
     (SCORES_A, SCORES_B, LABELS)),
    ("hinge", lambda f, m, t, r: f.hinge_embedding_loss(t[0].abs(), t[1], 1.5, reduction=r),
     (SCORES_A, LABELS)),
    ("hinge_module", lambda f, m, t, r: m.HingeEmbeddingLoss(reduction=r)(t[0].abs(), t[1]),
     (SCORES_A, LABELS)),
    ("soft_margin", lambda f, m, t, r: f.soft_margin_loss(t[0], t[1], reduction=r),
     (X1, np.sign(X2))),
    ("soft_margin_module", lambda f, m, t, r: m.SoftMarginLoss(reduction=r)(t[0], t[1]),
     (X1, np.sign(X2))),
    ("cosine", lambda f, m, t, r: f.cosine_embedding_loss(t[0], t[1], t[2], 0.1, reduction=r),
     (X1, X2, LABELS)),
    ("cosine_module", lambda f, m, t, r: m.CosineEmbeddingLoss(0.2, reduction=r)(t[0], t[1], t[2]),
     (X1, X2, LABELS)),
    ("triplet", lambda f, m, t, r: f.triplet_margin_loss(t[0], t[1], t[2], margin=2.0, reduction=r),
     (X1, X2, X3)),
    ("triplet_p1_swap", lambda f, m, t, r: f.triplet_margin_loss(t[0], t[1], t[2], p=1, swap=True,
                                                                 reduction=r),
     (X1, X2, X3)),
    ("triplet_module", lambda f, m, t, r: m.TripletMarginLoss(margin=0.5, swap=True,
                                                              reduction=r)(t[0], t[1], t[2]),
     (X1, X2, X3)),
]  # fmt: skip


def _graded(name: str, arrays: tuple) -> int:
    """How many of the inputs come before the labels (all of a triplet's)."""
    return len(arrays) if name.startswith("triplet") else len(arrays) - 1


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,call,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(torch, name, call, arrays, reduction):
    graded = _graded(name, arrays)  # the labels take no gradient
    ours_in = [gn.tensor(a, requires_grad=i < graded) for i, a in enumerate(arrays)]
    theirs_in = [torch.tensor(a, requires_grad=i < graded) for i, a in enumerate(arrays)]
    ours = call(F, nn, ours_in, reduction)
    theirs = call(torch.nn.functional, torch.nn, theirs_in, reduction)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = RNG.standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours_in[:graded], theirs_in[:graded]):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["ranking", "soft_margin", "cosine", "triplet"])
def test_gradients_agree_with_finite_differences(name):
    _, call, arrays = next(c for c in CASES if c[0] == name)
    wanted = _graded(name, arrays)
    labels = [gn.tensor(a) for a in arrays[wanted:]]
    inputs = [gn.tensor(a, requires_grad=True) for a in arrays[:wanted]]
    assert gradcheck(lambda *t: call(F, nn, [*t, *labels], "sum"), *inputs)


def test_a_wrong_reduction_names_the_loss():
    with pytest.raises(ValueError, match="reduction"):
        nn.TripletMarginLoss(reduction="average")
    with pytest.raises(ValueError, match="margin_ranking_loss"):
        F.margin_ranking_loss(gn.tensor(SCORES_A), gn.tensor(SCORES_B), gn.tensor(LABELS),
                              reduction="avg")  # fmt: skip
