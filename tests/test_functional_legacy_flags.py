"""The F.* losses take PyTorch's deprecated size_average= / reduce= keywords (accepts_legacy_flags)."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F

try:
    import torch
    import torch.nn.functional as TF
except ImportError:
    torch = None


def _arguments(name: str, make):
    """Positional arguments for loss ``name``, built from fixed seeded data with ``make``."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    y = rng.standard_normal((4, 3)).astype(np.float32)
    labels = rng.integers(0, 3, size=4)
    signs = np.array([1.0, -1.0, 1.0, -1.0], dtype=np.float32)
    probabilities = 1 / (1 + np.exp(-x))
    v1, v2 = rng.standard_normal((2, 4, 3)).astype(np.float32)
    multilabel = np.array([[0, 2, -1], [1, -1, 0], [2, 1, 0], [0, -1, 1]])
    table = {
        "mse_loss": (x, y),
        "l1_loss": (x, y),
        "smooth_l1_loss": (x, y),
        "soft_margin_loss": (x, np.sign(y)),
        "binary_cross_entropy": (probabilities, (y > 0).astype(np.float32)),
        "binary_cross_entropy_with_logits": (x, (y > 0).astype(np.float32)),
        "cross_entropy": (x, labels),
        "nll_loss": (x, labels),
        "multi_margin_loss": (x, labels),
        "multilabel_margin_loss": (x, multilabel),
        "multilabel_soft_margin_loss": (x, (y > 0).astype(np.float32)),
        "kl_div": (np.log(probabilities), probabilities[::-1].copy()),
        "poisson_nll_loss": (x, np.abs(y)),
        "hinge_embedding_loss": (x, np.sign(y)),
        "margin_ranking_loss": (x[:, 0], y[:, 0], signs),
        "cosine_embedding_loss": (v1, v2, signs),
        "triplet_margin_loss": (v1, v2, x),
    }
    return [make(a) for a in table[name]]


LOSSES = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "soft_margin_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "multi_margin_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "kl_div", "poisson_nll_loss",
    "hinge_embedding_loss", "margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss",
]  # fmt: skip
FLAGS = [
    ({"size_average": False}, "sum"),
    ({"reduce": False}, "none"),
    ({"size_average": True, "reduce": True}, "mean"),
    ({"size_average": False, "reduce": False}, "none"),
]


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize(("flags", "meant"), FLAGS)
def test_the_flags_mean_the_reduction_they_name_with_a_warning(name, flags, meant):
    loss = getattr(F, name)
    arguments = _arguments(name, gn.tensor)
    with pytest.warns(UserWarning, match=f"reduction='{meant}'"):
        flagged = loss(*arguments, **flags)
    expected = loss(*arguments, reduction=meant)
    np.testing.assert_allclose(flagged.numpy(), expected.numpy(), rtol=1e-6)
    assert set(inspect.signature(loss).parameters) >= {"size_average", "reduce", "reduction"}


@pytest.mark.parametrize("name", LOSSES)
def test_without_flags_nothing_warns(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(F, name)(*_arguments(name, gn.tensor), reduction="sum")


@pytest.mark.skipif(torch is None, reason="torch is not installed")
@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize(("flags", "meant"), FLAGS)
def test_the_flags_match_torch(name, flags, meant):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = getattr(F, name)(*_arguments(name, gn.tensor), **flags)
        theirs = getattr(TF, name)(*_arguments(name, torch.tensor), **flags)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-4, atol=1e-5)


def test_a_positional_flag_still_fails_loudly():
    x, t = _arguments("mse_loss", gn.tensor)
    with pytest.raises(TypeError):
        F.mse_loss(x, t, False)
